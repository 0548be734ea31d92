"""Access groups, principals, keys and the rules file (ragtune/access.py), and groups through ingest."""

from __future__ import annotations

import pytest

from ragtune.access import (
    ADMIN,
    ANONYMOUS,
    Principal,
    Rules,
    key_hash,
    label,
    matches,
    new_key,
    parse_groups,
    show_labels,
)
from ragtune.errors import RagtuneError

HR = Principal("h", frozenset({"hr"}))


def test_group_names_are_normalised_and_bad_ones_named():
    assert parse_groups(" HR, finance ,hr") == ("finance", "hr")
    assert parse_groups("public") == () and parse_groups("") == ()
    for bad in ("hr, public", "h r", "hr;finance", "-x", "a" * 65):
        with pytest.raises(RagtuneError, match=r"--groups: .* is not a group name"):
            parse_groups(bad, "--groups")


def test_a_principal_sees_public_documents_and_those_of_a_group_it_holds():
    labels = {"", "hr", "finance", "exec,finance"}
    assert HR.visible(labels) == ["", "hr"]
    assert Principal("f", frozenset({"finance"})).visible(labels) == ["", "exec,finance", "finance"]
    assert ANONYMOUS.visible(labels) == [""] and ADMIN.visible(labels) is None
    assert HR.sees("") and HR.sees("exec,hr") and not HR.sees("finance")


def test_a_model_may_be_used_by_who_may_see_every_document_it_learnt_from():
    assert HR.may_use([]) and HR.may_use(["hr", "exec,hr"]) and not HR.may_use(["hr", "finance"])
    assert ADMIN.may_use(["anything"]) and not ANONYMOUS.may_use(["hr"])
    assert show_labels(["hr", "exec,finance"]) == "exec or finance; hr" and show_labels([]) == "public"


def test_keys_are_random_and_kept_only_as_hashes():
    a, b = new_key(), new_key()
    assert a != b and a.startswith("rt-") and len(a) > 40
    assert key_hash(a) != key_hash(b) and len(key_hash(a)) == 64 and a not in key_hash(a)


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("hr", "hr/pay/x.md", True),
        ("hr", "x/hr/y.md", True),  # a name without '/' matches in any folder
        ("hr/*.csv", "hr/a.csv", True),
        ("hr/*.csv", "hr/a.md", False),
        ("*.xlsx", "finance/q1.xlsx", True),
        ("finance/q1.xlsx", "finance/q1.xlsx", True),
        ("finance", "finances/x.md", False),
    ],
)
def test_rule_patterns(pattern, path, hit):
    assert matches(pattern, path) is hit


def test_rules_files_apply_outer_first_and_the_last_match_wins(tmp_path):
    (tmp_path / "hr" / "open").mkdir(parents=True)
    (tmp_path / ".ragtune-access").write_text("# rules\nhr   hr\n*.xlsx  finance, exec\n")
    (tmp_path / "hr" / ".ragtune-access").write_text("open  public\n")
    rules = Rules()
    assert rules.groups(tmp_path / "hr" / "pay.md", tmp_path) == ("hr",)
    assert rules.groups(tmp_path / "hr" / "open" / "x.md", tmp_path) == ()
    assert rules.groups(tmp_path / "hr" / "q.xlsx", tmp_path) == ("exec", "finance")
    assert rules.groups(tmp_path / "readme.md", tmp_path) is None


def test_a_bad_rules_file_is_an_error_naming_its_line(tmp_path):
    (tmp_path / ".ragtune-access").write_text("hr hr\nonly-a-pattern\n")
    with pytest.raises(RagtuneError, match=r"\.ragtune-access:2: expected 'pattern  groups'"):
        Rules().groups(tmp_path / "x.md", tmp_path)


def test_ingest_takes_groups_from_rules_then_the_command_then_as_they_were(ws, tmp_path):
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "hr" / "pay.md").write_text("# Pay\n\nThe pay rise is 3 percent.\n")
    (docs / "menu.md").write_text("# Menu\n\nSoup on Mondays.\n")
    (docs / ".ragtune-access").write_text("hr  hr\n")
    ws.ingest([docs], groups=("staff",))
    assert _groups(ws) == {"docs/hr/pay.md": "hr", "docs/menu.md": "staff"}
    ws.ingest([docs])  # no groups given: as they were
    assert _groups(ws) == {"docs/hr/pay.md": "hr", "docs/menu.md": "staff"}
    report = ws.ingest([docs], groups=())  # --public: where no rule says else
    assert _groups(ws) == {"docs/hr/pay.md": "hr", "docs/menu.md": ""} and report.regrouped == 1
    assert label(["b", "a", "b"]) == "a,b"


def test_a_bad_rules_file_fails_its_files_and_leaves_them_as_they_were(ws, tmp_path):
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "hr" / "pay.md").write_text("# Pay\n\nThe pay rise is 3 percent.\n")
    (docs / ".ragtune-access").write_text("hr  hr\n")
    ws.ingest([docs])
    (docs / ".ragtune-access").write_text("hr  h r\n")
    (docs / "hr" / "pay.md").write_text("# Pay\n\nThe pay rise is 4 percent.\n")
    errors = []
    report = ws.ingest([docs], on_error=lambda s, why: errors.append((s, why)))
    assert report.failed == 1 and errors[0][0] == "docs/hr/pay.md" and "access rules:" in errors[0][1]
    assert _groups(ws) == {"docs/hr/pay.md": "hr"}  # not made public, not changed
    assert "3 percent" in ws.search("pay rise", principal=HR).passages[0].text


def test_remove_as_a_principal_removes_only_its_groups_documents(ws, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pay.md").write_text("# Pay\n\nThe pay rise is 3 percent.\n")
    ws.ingest([docs], groups=("hr",))
    (doc,) = ws.documents()
    assert ws.remove([doc["doc_id"]], Principal("o", frozenset({"sales"}))) == [] and ws.documents()
    assert [d["doc_id"] for d in ws.remove([doc["doc_id"]], HR)] == [doc["doc_id"]]
    ws.ingest([docs], groups=())  # public: visible to every key, changed only by the admin
    (public,) = ws.documents()
    assert ws.remove([public["doc_id"]], HR) == [] and ws.remove([public["doc_id"]])


def _groups(ws) -> dict[str, str]:
    return {d["source"]: d["groups"] for d in ws.documents()}


def test_the_cli_keys_groups_and_acting_as_a_key(ws, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ragtune import cli

    monkeypatch.setattr(cli, "_workspace", lambda ctx: ws)  # the fake models' workspace

    def run(*args: str):
        return CliRunner().invoke(cli.main, ["--store", str(ws.settings.store), *args])

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pay.md").write_text("# Pay\n\nThe pay rise is 3 percent.\n")
    (docs / "menu.md").write_text("# Menu\n\nSoup on Mondays.\n")
    assert run("ingest", str(docs / "pay.md"), "--groups", "HR", "--quiet").exit_code == 0
    assert run("ingest", str(docs / "menu.md"), "--quiet").exit_code == 0
    key = run("keys", "add", "ann", "--groups", "hr").output.strip()
    other = run("keys", "add", "bob").output.strip()
    assert key.startswith("rt-") and run("keys", "add", "ann").exit_code == 3
    listed = run("keys", "list").output
    assert "ann  groups hr" in listed and "bob  groups (public only)" in listed and key not in listed
    docs_of = {k: run("--key", k, "documents").output for k in (key, other)}
    assert "pay.md" in docs_of[key] and "groups hr" in docs_of[key] and "pay.md" not in docs_of[other]
    refused = run("--key", other, "ingest", str(docs), "--quiet")
    assert refused.exit_code == 3 and "needs the admin" in refused.output
    assert run("keys", "revoke", "bob").output.strip() == "revoked bob"
    gone = run("--key", other, "documents")
    assert gone.exit_code == 3 and "unknown or revoked API key" in gone.output
    both = run("ingest", str(docs), "--groups", "hr", "--public")
    assert both.exit_code == 2 and "not both" in both.output


def test_text_to_sql_sees_only_the_callers_tables_and_cannot_name_another(ws, tmp_path):
    """The model that writes SQL gets only the visible tables' schemas, and SQL naming a hidden table (as a model
    that guessed it would write) is refused as an unknown table: no count of hidden rows."""
    from tests.fakes import FakeLLM

    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "products.csv").write_text("product,price\nKestrel,120\nOsprey,95\n")
    (docs / "hr" / "staff.csv").write_text("employee,grade\nAsta,7\nBirk,8\nCora,9\n")
    (docs / ".ragtune-access").write_text("hr  hr\n")
    ws.ingest([docs])
    outsider = ws.table_reader.scoped(ws.visible_ids(Principal("o", frozenset({"sales"}))))
    writer = FakeLLM("SELECT COUNT(*) FROM staff")
    tables = outsider.store.catalog()
    assert [t.name for t in tables] == ["products"]
    refused = outsider.text_to_sql("How many employees are there?", tables, writer)
    assert refused.text is None and "unknown table 'staff' (known: products)" in refused.reason
    assert "staff(" not in writer.prompts[0] and "grade" not in writer.prompts[0] and "products(" in writer.prompts[0]
    insider = ws.table_reader.scoped(ws.visible_ids(HR))
    counted = insider.text_to_sql("How many employees are there?", insider.store.catalog(), writer)
    assert counted.text == "3"


def test_commands_over_every_document_refuse_a_restricted_key(tmp_path):
    """`data list` (like eval, finetune, compare) works on every document: a restricted --key is refused, not
    ignored (a real store; listing datasets loads no model)."""
    from click.testing import CliRunner

    from ragtune.catalog import Catalog
    from ragtune.cli import main

    key = new_key()
    catalog = Catalog(tmp_path / "store")
    catalog.add_key("ann", key_hash(key), ["hr"])
    catalog.close()
    store = ["--store", str(tmp_path / "store")]
    result = CliRunner().invoke(main, [*store, "--key", key, "data", "list"])
    assert result.exit_code == 3 and "run it without --key (as the admin)" in result.output
    assert CliRunner().invoke(main, [*store, "data", "list"]).exit_code == 0
