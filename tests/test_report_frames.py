"""DataFrames: examples to a frame and back, plain tables in, findings out."""

from __future__ import annotations

import json
import sys

import pytest

import ftprep
from ftprep.errors import FtprepError
from ftprep.frames import MissingDependency, findings_frame
from tests import reports
from tests.conftest import chat, varied_chats

pd = pytest.importorskip("pandas")


def test_round_trip_through_a_frame(write_jsonl):
    records = varied_chats(5)
    records[2]["tools"] = [{"type": "function", "function": {"name": "lookup"}}]
    records[3]["label"] = "refund"
    loaded = ftprep.load(write_jsonl(records))
    frame = ftprep.to_frame(loaded)
    assert list(frame.columns) == ["kind", "messages", "tools", "metadata", "source", "line"]
    assert frame["line"].tolist() == [1, 2, 3, 4, 5]
    assert frame.loc[3, "metadata"] == {"label": "refund"}
    back = ftprep.from_frame(frame)
    assert back.errors == []
    assert [ex.model_dump() for ex in back] == [ex.model_dump() for ex in loaded]


def test_plain_table_with_guessed_and_explicit_columns():
    frame = pd.DataFrame(
        {"question": ["a?", "b?", None], "answer": ["A", "B", "C"], "topic": ["x", "y", "z"]}
    )
    loaded = ftprep.from_frame(frame, system="Be brief.")
    assert len(loaded) == 2
    assert [m.role for m in loaded.examples[0].messages] == ["system", "user", "assistant"]
    assert loaded.examples[1].metadata == {"topic": "y"}
    # the row with no question is a load error at its 1-based row, not silently lost
    assert [(e.location.source, e.location.line) for e in loaded.errors] == [("dataframe", 3)]
    mapped = ftprep.from_frame(
        frame.rename(columns={"question": "q"}),
        mapping={"user": "q", "assistant": "answer", "label": "topic"},
    )
    assert mapped.examples[0].metadata["label"] == "x"
    with pytest.raises(FtprepError, match="which columns hold the conversation"):
        ftprep.from_frame(pd.DataFrame({"foo": [1]}))


def test_findings_frame_one_row_per_location(tmp_path):
    report = reports.split_report(reports.write_defects(tmp_path / "d.jsonl"), tmp_path / "out")
    frame = report.findings_frame()
    dup = frame[frame.check == "clean.exact_duplicate"]
    assert dup["line"].tolist() == list(reports.DUPLICATE_LINES)
    whole = frame[frame.check == "sufficient.count"]
    assert len(whole) == 1 and whole["line"].isna().all()
    total = sum(max(len(f.locations), 1) for f in report.findings)
    assert len(frame) == total
    assert list(frame.columns) == [
        "check",
        "item",
        "severity",
        "count",
        "message",
        "source",
        "line",
        "detail",
    ]


def test_missing_pandas_gives_install_hint(monkeypatch, tmp_path):
    report = ftprep.validate(reports.write_defects(tmp_path / "d.jsonl"))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependency, match=r"pip install 'ftprep\[pandas\]'"):
        findings_frame(report)
    with pytest.raises(MissingDependency):
        ftprep.to_frame([])


def test_frame_of_a_chat_with_metadata_validates(tmp_path):
    frame = ftprep.to_frame(ftprep.load(reports.write_defects(tmp_path / "d.jsonl")))
    assert len(frame) == 199 and frame.loc[0, "metadata"]["label"] == "billing"
    again = ftprep.from_frame(frame)
    assert [e.location.line for e in again][:3] == [1, 2, 3]
    assert (
        again.examples[20].messages[0].content
        == chat("Hi " + reports.HOSTILE, "")["messages"][0]["content"]
    )


def test_frames_choose_their_format_as_records_and_files_do(tmp_path):
    """One format choice: a frame, the same rows in memory and the same rows in a file."""
    turns = [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}]
    frame = pd.DataFrame({"conversations": [turns] * 3, "topic": ["a", "b", "c"]})
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict(orient="records")))
    chosen = {
        next(iter(ftprep.from_frame(frame).formats.values())),
        next(iter(ftprep.load(frame).formats.values())).split("/")[1],
        next(iter(ftprep.load(path).formats.values())).split("/")[1],
    }
    assert chosen == {"sharegpt"}
    with pytest.raises(FtprepError, match="no record could be read as 'chat'"):
        ftprep.from_frame(pd.DataFrame({"messages": ["not a list"] * 6}))
