"""docs/python.md's walkthrough runs as written, cell by cell, on a real file."""

from __future__ import annotations

import re

import pytest

from tests import reports
from tests.conftest import REPO

pytest.importorskip("pandas")


def test_python_walkthrough_runs(tmp_path, monkeypatch):
    text = (REPO / "docs" / "python.md").read_text("utf-8")
    cells = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(cells) >= 10
    monkeypatch.chdir(tmp_path)
    reports.write_defects(tmp_path / "data.jsonl")
    namespace: dict[str, object] = {}
    for cell in cells:
        exec(compile(cell, "docs/python.md", "exec"), namespace)
    assert namespace["report"].stats["tokens"]["model"] == "gpt-4.1-mini-2025-04-14"
    assert (tmp_path / "prepared" / "report.html").exists()
    assert len(namespace["back"]) == 199
    assert namespace["rows"].examples[0].metadata["label"] == "account"
