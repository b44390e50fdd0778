"""The choosing and cost pages document every outcome, flag and built-in model."""

from __future__ import annotations

from pathlib import Path

from ftprep.advise import load_tree
from ftprep.tokens.models import all_models

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_choosing_page_covers_the_tree():
    text = (DOCS / "choosing.md").read_text("utf-8")
    tree = load_tree()
    for q in tree.questions.values():
        assert f"`--{q.flag}` / `--no-{q.flag}`" in text, q.flag
    for outcome in tree.outcomes.values():
        assert outcome.title in text, outcome.id
    for rid in tree.evidence:
        assert f"`{rid}`" in text, rid


def test_cost_page_lists_every_model_with_its_price():
    text = (DOCS / "cost.md").read_text("utf-8")
    for m in all_models():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{m.id}`")), None)
        assert row is not None, m.id
        assert f"{m.max_example_tokens:,}" in row
        assert (f"| {m.training_per_1m:g} |" if m.training_per_1m is not None else "| — |") in row
        assert str(m.checked) in row
    assert "2027-01-06" in text
