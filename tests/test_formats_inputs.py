"""Input formats: each is loaded from a real file (or object) with exact locations."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

import ftprep
from ftprep.errors import InputError
from ftprep.schema import ChatExample, PreferenceExample
from tests.conftest import chat


def _load_one(path: Path, **kw):
    loaded = ftprep.load(path, **kw)
    return loaded


# --- compressed and tabular containers -------------------------------------------------


def test_gzip_jsonl_json_csv(tmp_path):
    records = [chat(f"q{i}", f"a{i}") for i in range(3)]
    jl = tmp_path / "d.jsonl.gz"
    with gzip.open(jl, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in records) + "\n{bad\n")
    ja = tmp_path / "d.json.gz"
    with gzip.open(ja, "wt", encoding="utf-8") as fh:
        fh.write("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
    cs = tmp_path / "d.csv.gz"
    with gzip.open(cs, "wt", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "answer"])
        w.writerows([["q1", "a1"], ["q2", "a2"]])
    a = ftprep.load(jl)
    assert [e.messages[1].text for e in a] == ["a0", "a1", "a2"]
    assert [(e.code, e.location.line) for e in a.errors] == [("clean.malformed_json", 4)]
    b = ftprep.load(ja)
    assert [e.location.line for e in b] == [2, 3, 4]
    c = ftprep.load(cs)
    assert [(e.location.line, e.messages[0].text) for e in c] == [(2, "q1"), (3, "q2")]


def test_parquet_nested_messages_and_row_lines(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [
        chat("q1", "a1"),
        {
            "messages": [
                {"role": "user", "content": "w?"},
                {"role": "assistant", "content": "ok", "weight": 0},
            ]
        },
        chat("q3", "a3"),
    ]
    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=2)
    loaded = ftprep.load(path)
    assert loaded.formats[str(path)] == "parquet/chat"
    assert [e.location.line for e in loaded] == [2, 3, 4]
    # struct fields are unified across rows; null-valued keys must not appear as keys
    first = loaded.examples[0].messages[1]
    assert first.weight is None and first.extra_keys == []
    assert loaded.examples[1].messages[1].weight == 0


def test_parquet_flat_columns_are_mapped(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "flat.parquet"
    pq.write_table(
        pa.table({"question": ["q1", "q2"], "answer": ["a1", None], "cat": ["x", "y"]}), path
    )
    loaded = ftprep.load(path, mapping={"user": "question", "assistant": "answer", "label": "cat"})
    assert [e.metadata["label"] for e in loaded] == ["x"]
    assert [(e.code, e.location.line) for e in loaded.errors] == [("clean.missing_field", 3)]


def _xlsx(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "first"
    ws.append(["question", "answer"])
    ws.append(["q2", "a2"])
    ws.append([None, None])
    ws.append(["q4", 42])
    other = wb.create_sheet("second")
    other.append(["prompt", "completion", "topic"])
    other.append(["p2", "c2", "billing"])
    wb.save(path)


def test_xlsx_first_sheet_and_sheet_option(tmp_path, cli):
    path = tmp_path / "d.xlsx"
    _xlsx(path)
    loaded = ftprep.load(path)
    assert [(e.location.line, e.messages[0].text, e.messages[1].text) for e in loaded] == [
        (2, "q2", "a2"),
        (4, "q4", "42"),
    ]
    second = ftprep.load(path, sheet="second")
    assert [(e.location.line, e.metadata) for e in second] == [(2, {"topic": "billing"})]
    with pytest.raises(InputError, match="no sheet named 'third'"):
        ftprep.load(path, sheet="third")
    result = cli("validate", path, "--sheet", "third", "-q")
    assert result.exit_code == 2
    assert "no sheet named 'third'; sheets: first, second" in result.stderr


def test_missing_optional_dependency_names_the_extra(tmp_path, monkeypatch, cli):
    import sys

    path = tmp_path / "d.parquet"
    path.write_bytes(b"PAR1")
    result = cli("validate", path, "-q")
    assert result.exit_code == 2 and "not a readable Parquet file" in result.stderr
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = cli("validate", path, "-q")
    assert result.exit_code == 2
    assert "pip install 'ftprep[parquet]'" in result.stderr
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    xlsx = tmp_path / "d.xlsx"
    xlsx.write_bytes(b"PK")
    result = cli("validate", xlsx, "-q")
    assert result.exit_code == 2 and "pip install 'ftprep[excel]'" in result.stderr


# --- preference formats -----------------------------------------------------------------

PREFERENCE_RECORDS = {
    "dpo": {
        "input": {"messages": [{"role": "user", "content": "Hi?"}], "parallel_tool_calls": True},
        "preferred_output": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
    },
    "dpo_old_names": {
        "input": {"messages": [{"role": "user", "content": "Hi?"}]},
        "preferred_completion": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_completion": [{"role": "assistant", "content": "Go away."}],
    },
    "chat_preference": {
        "messages": [{"role": "user", "content": "Hi?"}],
        "chosen": {"role": "assistant", "content": "Hello!"},
        "rejected": "Go away.",
    },
    "trl_preference": {
        "prompt": [{"role": "user", "content": "Hi?"}],
        "chosen": [{"role": "assistant", "content": "Hello!"}],
        "rejected": [{"role": "assistant", "content": "Go away."}],
    },
    "trl_implicit": {
        "chosen": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello!"}],
        "rejected": [
            {"role": "user", "content": "Hi?"},
            {"role": "assistant", "content": "Go away."},
        ],
    },
    "sharegpt_preference": {
        "conversations": [{"from": "human", "value": "Hi?"}],
        "chosen": {"from": "gpt", "value": "Hello!"},
        "rejected": {"from": "gpt", "value": "Go away."},
    },
    "alpaca_preference": {"instruction": "Hi?", "chosen": "Hello!", "rejected": "Go away."},
}


@pytest.mark.parametrize("name", sorted(PREFERENCE_RECORDS))
def test_preference_formats_normalize_to_one_pair(name, write_jsonl):
    path = write_jsonl([PREFERENCE_RECORDS[name]])
    (ex,) = ftprep.load(path).examples
    assert isinstance(ex, PreferenceExample)
    assert [(m.role, m.text) for m in ex.input] == [("user", "Hi?")]
    assert [(m.role, m.text) for m in ex.preferred] == [("assistant", "Hello!")]
    assert [(m.role, m.text) for m in ex.non_preferred] == [("assistant", "Go away.")]
    assert ex.location.line == 1


def test_dpo_keeps_parallel_tool_calls_and_tools(write_jsonl):
    rec = dict(PREFERENCE_RECORDS["dpo"])
    rec["input"] = {**rec["input"], "tools": [{"type": "function", "function": {"name": "f"}}]}
    (ex,) = ftprep.load(write_jsonl([rec])).examples
    assert ex.tools == [{"type": "function", "function": {"name": "f"}}]
    assert ex.metadata == {"parallel_tool_calls": True}


def test_implicit_prompt_without_shared_prefix_is_a_load_error(write_jsonl):
    path = write_jsonl([{"chosen": "a", "rejected": "b"}])
    loaded = ftprep.load(path)
    assert [(e.code, e.location.line) for e in loaded.errors] == [("clean.missing_field", 1)]


# --- Gemini / Vertex, Bedrock, Mistral, ShareGPT tools -------------------------------------


def test_gemini_contents_parts_function_calls(write_jsonl):
    rec = {
        "systemInstruction": {"role": "system", "parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
            {
                "role": "model",
                "parts": [{"functionCall": {"name": "wx", "args": {"city": "Paris"}}}],
            },
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "wx", "response": {"temp": 20}}}],
            },
            {"role": "model", "parts": [{"text": "20C."}]},
        ],
        "tools": [{"functionDeclarations": [{"name": "wx", "parameters": {"type": "object"}}]}],
    }
    (ex,) = ftprep.load(write_jsonl([rec])).examples
    assert [m.role for m in ex.messages] == ["system", "user", "assistant", "tool", "assistant"]
    call = ex.messages[2].tool_calls[0]
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert ex.messages[3].tool_call_id == call["id"]
    assert json.loads(ex.messages[3].text) == {"temp": 20}
    assert ex.tools == [
        {"type": "function", "function": {"name": "wx", "parameters": {"type": "object"}}}
    ]


def test_bedrock_conversation_with_tool_blocks(write_jsonl):
    rec = {
        "schemaVersion": "bedrock-conversation-2024",
        "system": [{"text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [{"text": "Weather?"}]},
            {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "t1", "name": "wx", "input": {"c": 1}}}],
            },
            {
                "role": "user",
                "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"t": 20}}]}}],
            },
            {"role": "assistant", "content": [{"text": "20C."}]},
        ],
    }
    haiku = {
        "system": "Be brief.",
        "messages": [chat("Hi", "Hello")["messages"][0], {"role": "assistant", "content": "Hello"}],
    }
    loaded = ftprep.load(write_jsonl([rec, haiku]))
    assert loaded.formats[next(iter(loaded.formats))] == "jsonl/bedrock"
    ex, ex2 = loaded.examples
    assert [(m.role, m.text) for m in ex.messages] == [
        ("system", "Be brief."),
        ("user", "Weather?"),
        ("assistant", ""),
        ("tool", '{"t": 20}'),
        ("assistant", "20C."),
    ]
    assert ex.messages[2].tool_calls[0]["id"] == "t1" and ex.messages[3].tool_call_id == "t1"
    assert [m.role for m in ex2.messages] == ["system", "user", "assistant"]


def test_mistral_aliases_and_tool_calls(write_jsonl):
    rec = {
        "interactions": [
            {"role": "user", "text": "Anagram of listen?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "TX92Jm8Zi",
                        "type": "function",
                        "function": {"name": "anagram", "arguments": '{"word": "listen"}'},
                    }
                ],
            },
            {"role": "tool", "content": '{"anagram": "silent"}', "tool_call_id": "TX92Jm8Zi"},
            {"role": "assistant", "content": "silent"},
        ],
        "available_tools": [{"type": "function", "function": {"name": "anagram"}}],
    }
    (ex,) = ftprep.load(write_jsonl([rec])).examples
    assert ex.messages[0].text == "Anagram of listen?"
    assert ex.messages[2].tool_call_id == "TX92Jm8Zi"
    assert ex.tools[0]["function"]["name"] == "anagram"
    report = ftprep.validate(write_jsonl([rec], "m.jsonl"))
    assert not [f for f in report.findings if f.check.startswith("clean.tool")]


def test_sharegpt_function_call_observation_with_tools_string(write_jsonl):
    rec = {
        "conversations": [
            {"from": "human", "value": "Weather?"},
            {"from": "function_call", "value": '{"name": "wx", "arguments": {"city": "P"}}'},
            {"from": "observation", "value": "20C"},
            {"from": "gpt", "value": "It is 20C."},
        ],
        "tools": '[{"name": "wx", "parameters": {"type": "object"}}]',
    }
    (ex,) = ftprep.load(write_jsonl([rec])).examples
    assert ex.messages[2].tool_call_id == ex.messages[1].tool_calls[0]["id"]
    assert ex.tools == [
        {"type": "function", "function": {"name": "wx", "parameters": {"type": "object"}}}
    ]


# --- mapping and in-memory ---------------------------------------------------------------


def test_map_and_system_on_nested_json(tmp_path, cli):
    path = tmp_path / "d.json"
    data = [
        {"data": {"q": f"question {i}", "a": f"answer {i}"}, "meta": {"cat": "billing"}}
        for i in range(3)
    ]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    loaded = ftprep.load(
        path, mapping={"user": "data.q", "assistant": "data.a", "label": "meta.cat"}, system="S"
    )
    assert [m.role for m in loaded.examples[0].messages] == ["system", "user", "assistant"]
    assert loaded.examples[2].messages[2].text == "answer 2"
    assert loaded.examples[0].metadata["label"] == "billing"
    assert [e.location.line for e in loaded] == [2, 11, 20]
    result = cli(
        "validate", path, "--map", "user=data.q", "--map", "assistant=data.x", "--json", "-q"
    )
    report = json.loads(result.stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "clean.missing_field"]
    assert finding["count"] == 3


def test_json_records_with_common_field_names_are_guessed(write_jsonl):
    path = write_jsonl([{"question": "q", "answer": "a", "id": 1}])
    (ex,) = ftprep.load(path).examples
    assert [m.text for m in ex.messages] == ["q", "a"] and ex.metadata == {"id": 1}


def test_dataframe_dataset_and_records_in_python():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"question": ["q1", "q2"], "answer": ["a1", None], "n": [1, 2]})
    loaded = ftprep.load(df)
    assert [(e.location.source, e.location.line) for e in loaded] == [("<DataFrame>", 1)]
    assert loaded.examples[0].metadata == {"n": 1}
    assert [(e.code, e.location.line) for e in loaded.errors] == [("clean.missing_field", 2)]
    records = ftprep.load([chat("q", "a"), chat("q2", "a2")])
    assert len(records) == 2 and all(isinstance(e, ChatExample) for e in records)
    gen = ftprep.load(ftprep.from_records((chat(f"q{i}", "a") for i in range(3)), name="gen"))
    assert [e.location.source for e in gen] == ["gen"] * 3


def test_hf_dataset_validates_and_splits(tmp_path):
    datasets = pytest.importorskip("datasets")
    from tests.conftest import varied_chats

    ds = datasets.Dataset.from_list(varied_chats(120))
    report = ftprep.split(ds, tmp_path / "out")
    assert report.inputs[0].path == "<Dataset>" and report.inputs[0].format == "dataset/chat"
    assert report.split.train.examples + report.split.validation.examples == 120
    lines = (tmp_path / "out" / "train.jsonl").read_text().splitlines()
    assert set(json.loads(lines[0])) == {"messages"}
    with pytest.raises(InputError, match="pass one split"):
        ftprep.load(datasets.DatasetDict({"train": ds}))
