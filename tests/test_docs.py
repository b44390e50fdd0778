"""Docs cannot go stale: the check reference is generated and every check documented."""

from __future__ import annotations

from ftprep.checks import REGISTRY
from ftprep.docs import check_catalog, checks_markdown
from tests.conftest import REPO


def test_checks_md_is_up_to_date():
    committed = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == checks_markdown(), (
        "docs/checks.md is stale: run `python -m ftprep.docs > docs/checks.md`"
    )


def test_every_check_documents_what_why_and_fix():
    for entry in check_catalog():
        assert entry["what"] and entry["why"] and entry["fix"], entry["id"]
    assert {e["id"] for e in check_catalog()} == set(REGISTRY)


def test_readme_starts_with_the_two_fresh_machine_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    blocks = readme.split("```")
    assert "ftprep validate sample_data/" in blocks[1] or "ftprep split sample_data/" in blocks[1]
    test_command = blocks[3].strip().splitlines()[-1]
    assert "pytest" in test_command and test_command in ci
