"""The web page in a real headless browser (Debian chromium driven by Playwright): upload a file, ask, open a
citation, compare RAG with an adapter side by side, and read it at phone width."""

from __future__ import annotations

import os
import shutil

import pytest

from ragtune.finetune.train import TrainParams
from ragtune.serve.app import create_app
from tests.conftest import make_workspace
from tests.serve.server import Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("RAGTUNE_REQUIRE_BROWSER") == "1"  # .ci/run sets it: there a missing browser fails
FACTS = [
    {"question": f"What is the code name of project {n}?", "answer": c}
    for n, c in [("Alpha", "Bluefin"), ("Beta", "Kestrel"), ("Gamma", "Larkspur")]
]
NOTE = (
    "# Parking policy\n\nStaff parking at the Tromsø office costs 45 NOK per day.\n"
    "Visitors park free for the first two hours.\n"
)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if REQUIRED:
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("no chromium on this machine")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, embedder, llm):
    ws = make_workspace(tmp_path_factory.mktemp("page") / "store", embedder, llm)
    ws.datasets.add(FACTS, source="facts.jsonl")
    ws.finetune(name="team", params=TrainParams(max_steps=2, batch_size=2), quiet=True)
    server = Server(create_app(ws))
    yield server
    server.stop()


def test_upload_ask_open_a_citation_and_compare_with_an_adapter(browser, site, tmp_path):
    note = tmp_path / "parking.md"
    note.write_text(NOTE)
    page = browser.new_page()
    page.goto(site.url)
    page.set_input_files("#files", str(note))
    page.click("#upload")
    page.wait_for_selector("#upload-results li.ok", timeout=60_000)
    assert "parking.md: ingested" in page.inner_text("#upload-results")
    page.wait_for_selector("#documents li:has-text('uploads/parking.md')")

    page.fill("#question", "How much does staff parking cost per day?")
    page.click("#ask")
    answer = page.wait_for_selector(".answer[data-model='ragtune-rag']", timeout=60_000)
    assert answer.inner_text().startswith("RAG") and "45 NOK" in answer.inner_text()
    answer.query_selector("button.cite").click()
    dialog = page.wait_for_selector("dialog#passage[open]")
    assert "uploads/parking.md" in dialog.inner_text()
    assert page.inner_text("#passage-quote mark").startswith("45 NOK")
    page.keyboard.press("Escape")

    page.check("#compare")
    assert page.input_value("#model-b") == "ragtune-ft-rag:team"
    page.fill("#question", "How long do visitors park free?")
    page.click("#ask")
    page.wait_for_selector(".turn:first-child .answer[data-model='ragtune-ft-rag:team']", timeout=90_000)
    both = page.query_selector_all(".turn:first-child .answer")
    assert [b.get_attribute("data-model") for b in both] == ["ragtune-rag", "ragtune-ft-rag:team"]
    page.close()


def test_the_page_fits_a_phone_and_shows_the_report_tab(browser, site):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site.url)
    page.wait_for_selector("#model option", state="attached")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
    page.click("#tab-report")
    page.wait_for_selector("#report-missing:not([hidden])")
    assert "No evaluation report yet" in page.inner_text("#report-missing")
    page.close()


def test_the_report_tab_starts_a_comparison_and_shows_why_it_cannot_run(browser, tmp_path, fake_embedder, fake_llm):
    empty = Server(create_app(make_workspace(tmp_path / "empty", fake_embedder, fake_llm)))
    try:
        page = browser.new_page()
        page.goto(empty.url)
        page.click("#tab-report")
        page.click("#compare-start")
        page.wait_for_selector("#compare-steps li.bad")
        assert "no documents to compare on" in page.inner_text("#compare-steps")
        assert page.is_enabled("#compare-start")  # ready to try again once documents are uploaded
        page.close()
    finally:
        empty.stop()


def test_a_restricted_document_is_hidden_from_one_key_and_shown_to_another(browser, tmp_path, fake_embedder, fake_llm):
    """The page asks for a key and shows who it is and what it may see: the hr file is listed (and its groups
    shown) only for the key holding hr; a key-less visit gets the key bar."""
    from ragtune.access import key_hash, new_key

    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "hr" / "salaries.md").write_text("# Salaries\n\nThe engineer band is 98765 kroner.\n")
    (docs / "parking.md").write_text(NOTE)
    (docs / ".ragtune-access").write_text("hr  hr\n")
    ws = make_workspace(tmp_path / "store", fake_embedder, fake_llm)
    ws.ingest([docs])
    keys = {}
    for name, groups in (("sam", ["sales"]), ("hana", ["hr"])):
        keys[name] = new_key()
        ws.catalog.add_key(name, key_hash(keys[name]), groups)
    server = Server(create_app(ws, api_key="sk-page-admin"))
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_selector("#key-bar:not([hidden])")
        seen = {}
        for name, count in (("sam", 1), ("hana", 2)):
            page.click("#change-key")
            page.fill("#api-key", keys[name])
            page.click("#save-key")
            page.wait_for_function(f"document.getElementById('who').textContent.includes('as {name}')")
            page.wait_for_function(f"document.getElementById('doc-count').textContent === '({count})'")
            seen[name] = page.inner_text("#documents")
            assert f"as {name} · groups: {'sales' if name == 'sam' else 'hr'}" in page.inner_text("#who")
        assert "parking.md" in seen["sam"] and "salaries.md" not in seen["sam"]
        assert "salaries.md" in seen["hana"] and "visible to: hr" in seen["hana"]
        page.close()
    finally:
        server.stop()
