"""Every check is documented: what, why, threshold, fix; docs/checks.md is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.docs import check_catalog, checks_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("entry", check_catalog(), ids=lambda e: e["id"])
def test_every_check_documents_what_why_threshold_fix(entry: dict[str, object]) -> None:
    for part in ("what", "why", "threshold", "fix"):
        assert entry[part], f"{entry['id']} lacks '{part}'"


def test_checks_md_is_up_to_date() -> None:
    assert (DOCS / "checks.md").read_text("utf-8") == checks_markdown(), (
        "regenerate with: python -m ftprep.docs > docs/checks.md"
    )


def test_fixing_page_names_every_autofix() -> None:
    text = (DOCS / "fixing.md").read_text("utf-8")
    for entry in check_catalog():
        if entry["autofix"] and entry["kind"] != "load":
            assert f"`{entry['id']}`" in text, entry["id"]
