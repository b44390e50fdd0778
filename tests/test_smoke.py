"""End-to-end smoke test: a small clean dataset validates and splits."""

from __future__ import annotations

import ftprep
from tests.conftest import varied_chats


def test_clean_dataset_is_ready(write_jsonl, tmp_path):
    path = write_jsonl(varied_chats(600))
    # varied_chats fills one template (diverse.coverage fails it, as it should); this test
    # is about the pipeline, so the diversity verdict is switched off here.
    report = ftprep.validate(path, disable=["diverse.coverage"])
    assert report.verdict in ("ready", "ready_with_warnings")
    assert report.stats["examples"] == 600
    out = tmp_path / "out"
    report = ftprep.split(path, out)
    assert report.split.train.examples + report.split.validation.examples == 600
    assert (out / "train.jsonl").exists() and (out / "validation.jsonl").exists()
