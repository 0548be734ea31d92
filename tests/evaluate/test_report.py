"""The sections a comparison adds to the report: learning curve, staleness chart, phrasing, write-and-verify."""

from __future__ import annotations

from ragtune.evaluate import report
from tests.evaluate.test_advise import comparison


def test_a_comparison_adds_its_plots_and_the_verify_counts():
    page = report.comparison_html(comparison(phrasing_gain=0.2))
    for alt in ("learning curve", "staleness", "phrasing"):
        assert f'alt="{alt}" src="data:image/png;base64,' in page
    assert "<td>ft+rag</td><td>15</td><td>4</td><td>1</td>" in page


def test_a_comparison_without_a_log_or_a_change_leaves_those_sections_out():
    doc = comparison() | {"phrasing": {}, "change": {"k": 0}, "written": {}}
    page = report.comparison_html(doc)
    assert 'alt="learning curve"' in page and 'alt="staleness"' not in page and 'alt="phrasing"' not in page


def test_a_comparison_shows_each_arm_served_alone_when_measured():
    doc = comparison()
    assert "Cost of serving" not in report.comparison_html(doc)
    doc["cost"]["serving"] = {"rag": {"peak_rss_mb": 1610.4, "cold_s": 3.14}}
    assert "<tr><td>rag</td><td>0.200</td><td>3.1</td><td>1,610</td></tr>" in report.comparison_html(doc)


def _abstaining(curves: dict) -> dict:
    arm = {"abstention": {"precision": 0.5, "recall": 1.0, "f1": 0.67}, "has_ans_f1": 0.8}
    return {"unanswerable": 3, "arms": {"rag": arm}, "abstention_curve": curves}


def test_the_abstention_curve_is_drawn_only_where_the_threshold_moves_recall():
    flat = [{"recall": 1.0, "precision": p} for p in (0.2, 0.5, 0.75)]
    page = report._abstention_html(_abstaining({"rag": flat}))
    assert "<img" not in page and "No curve" in page
    moving = [{"recall": 0.3, "precision": 0.9}, {"recall": 1.0, "precision": 0.4}]
    page = report._abstention_html(_abstaining({"rag": flat, "ft+rag": moving}))
    assert 'alt="abstention precision and recall" src="data:image/png;base64,' in page and "No curve" not in page


def test_the_report_says_when_a_second_model_checked_each_answer():
    said = report._checked({"check": "qwen2.5-coder-1.5b"})
    assert said == ", each answer checked by <code>qwen2.5-coder-1.5b</code>"
    assert report._checked({"check": "none"}) == report._checked({}) == ""
