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
