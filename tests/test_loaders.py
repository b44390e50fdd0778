"""Loaders: every input format, bad records at exact lines, streaming properties."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.errors import ConfigError, InputError
from ftprep.loaders import LoadOptions, open_source
from tests.conftest import chat


def roles(ex) -> list[str]:
    return [m.role for m in ex.messages]


def test_chat_jsonl_loads_with_lines(write_jsonl):
    path = write_jsonl([chat("q1", "a1"), "", chat("q2", "a2", system="s")])
    result = ftprep.load(path)
    assert result.formats[str(path)] == "jsonl/chat"
    assert [e.location.line for e in result] == [1, 3]
    assert roles(result.examples[1]) == ["system", "user", "assistant"]


def test_bad_records_become_errors_and_loading_continues(write_jsonl):
    path = write_jsonl(
        [
            chat("q", "a"),
            '{"messages": [',  # 2 malformed JSON
            "[1, 2]",  # 3 not an object
            {"messages": []},  # 4 empty messages
            {"messages": [{"content": "no role"}]},  # 5 missing role
            {"messages": ["text"]},  # 6 message not an object
            {"messages": [{"role": "user", "content": 5}]},  # 7 wrong content type
            chat("q2", "a2"),  # 8 fine
        ]
    )
    result = ftprep.load(path)
    assert [e.location.line for e in result] == [1, 8]
    assert [(e.location.line, e.code) for e in result.errors] == [
        (2, "clean.malformed_json"),
        (3, "clean.not_an_object"),
        (4, "clean.missing_messages"),
        (5, "clean.missing_role"),
        (6, "clean.invalid_message"),
        (7, "clean.invalid_message"),
    ]


def test_malformed_json_message_names_the_column(write_jsonl):
    path = write_jsonl(['{"messages": [{"role": "user", "content": "cut off'])
    (error,) = ftprep.load(path).errors
    assert error.code == "clean.malformed_json"
    assert "column 43" in error.message


def test_invalid_utf8_line_is_an_error(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(json.dumps(chat("q", "a")).encode() + b"\n" + b'{"x": "\xff\xfe"}\n')
    result = ftprep.load(path)
    assert len(result) == 1
    assert [(e.location.line, e.code) for e in result.errors] == [(2, "clean.invalid_utf8")]


def test_json_array_streams_elements_with_start_lines(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([chat("a", "b"), chat("c", "d")], indent=2))
    result = ftprep.load(path)
    text = path.read_text().splitlines()
    starts = [i + 1 for i, line in enumerate(text) if line == "  {"]
    assert [e.location.line for e in result] == starts
    assert result.formats[str(path)] == "json/chat"


def test_json_array_syntax_error_keeps_earlier_elements(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(
        '[\n{"messages": [{"role": "user", "content": "q"}, '
        '{"role": "assistant", "content": "a"}]},\n{"messages": oops}\n]'
    )
    result = ftprep.load(path)
    assert len(result) == 1
    assert [(e.location.line, e.code) for e in result.errors] == [(3, "clean.malformed_json")]


def test_json_file_holding_jsonl_is_detected(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(chat("q", "a")) + "\n" + json.dumps(chat("q2", "a2")) + "\n")
    assert ftprep.load(path).formats[str(path)] == "jsonl/chat"
    assert len(ftprep.load(path)) == 2


def test_prompt_completion(write_jsonl):
    result = ftprep.load(
        write_jsonl([{"prompt": "Q?", "completion": " A.", "id": 7}, {"prompt": "only"}])
    )
    ex = result.examples[0]
    assert [(m.role, m.content) for m in ex.messages] == [("user", "Q?"), ("assistant", " A.")]
    assert ex.metadata == {"id": 7}
    assert [(e.location.line, e.code) for e in result.errors] == [(2, "clean.missing_field")]


def test_alpaca_with_input_system_and_history(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(
            [
                {
                    "instruction": "Translate",
                    "input": "hola",
                    "output": "hello",
                    "system": "Be brief",
                    "history": [["hi", "hello!"]],
                },
                {"instruction": "Say hi", "input": "", "output": "hi"},
                {"instruction": "No output"},
            ],
            indent=1,
        )
    )
    result = ftprep.load(path)
    first = result.examples[0]
    assert roles(first) == ["system", "user", "assistant", "user", "assistant"]
    assert first.messages[3].content == "Translate\n\nhola"
    assert result.examples[1].messages[0].content == "Say hi"
    assert [e.code for e in result.errors] == ["clean.missing_field"]


def test_sharegpt_roles_and_tool_calls(write_jsonl):
    record = {
        "system": "sys",
        "tools": json.dumps([{"name": "get_weather"}]),
        "conversations": [
            {"from": "human", "value": "Weather in Oslo?"},
            {
                "from": "function_call",
                "value": json.dumps({"name": "get_weather", "arguments": {"city": "Oslo"}}),
            },
            {"from": "observation", "value": '{"temp": 3}'},
            {"from": "gpt", "value": "It is 3 degrees."},
        ],
    }
    ex = ftprep.load(write_jsonl([record])).examples[0]
    assert roles(ex) == ["system", "user", "assistant", "tool", "assistant"]
    call = ex.messages[2].tool_calls[0]
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Oslo"}'}
    assert ex.messages[3].tool_call_id == call["id"]
    assert ex.tools == [{"type": "function", "function": {"name": "get_weather"}}]


def test_csv_guessed_columns_multiline_and_bad_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('question,answer,category\n"two\nlines",yes,a\nq2,a2\nq3,a3,c\n')
    result = ftprep.load(path)
    assert [e.location.line for e in result] == [2, 5]
    assert result.examples[0].messages[0].content == "two\nlines"
    assert result.examples[0].metadata == {"category": "a"}
    assert [(e.location.line, e.code) for e in result.errors] == [(4, "clean.malformed_row")]


def test_tsv_with_explicit_mapping_and_system(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("q\tr\tlab\nhello\tworld\tpos\n")
    result = ftprep.load(
        path, mapping={"user": "q", "assistant": "r", "label": "lab"}, system="You label."
    )
    ex = result.examples[0]
    assert [(m.role, m.content) for m in ex.messages] == [
        ("system", "You label."),
        ("user", "hello"),
        ("assistant", "world"),
    ]
    assert ex.metadata["label"] == "pos"


def test_csv_without_recognisable_columns_names_them(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputError, match=r"--map user=COLUMN.*foo, bar"):
        open_source(path)


def test_gzip_jsonl(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(chat("q", "a")) + "\n").encode()))
    assert len(ftprep.load(path)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "no such file"),
        ("d.xml", "<a/>", "unsupported file type"),
        ("d.jsonl", json.dumps({"foo": 1}) + "\n", "no record looks like a supported format"),
    ],
)
def test_unreadable_inputs_raise_input_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        open_source(path)


def test_unknown_forced_format_and_bad_mapping(tmp_path, write_jsonl):
    path = write_jsonl([chat("q", "a")])
    with pytest.raises(InputError, match="unknown format 'nope'"):
        open_source(path, LoadOptions(format="nope"))
    with pytest.raises(ConfigError, match="needs both"):
        open_source(path, LoadOptions(mapping={"user": "q"}))


def test_unknown_role_and_keys_are_kept_for_checks(write_jsonl):
    ex = ftprep.load(
        write_jsonl(
            [
                {
                    "messages": [
                        {"role": "human", "content": "q", "author": "x"},
                        {"role": "assistant", "content": "a"},
                    ]
                }
            ]
        )
    ).examples[0]
    assert ex.messages[0].role == "human"
    assert ex.messages[0].extra_keys == ["author"]


# -- properties -------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=12), st.booleans())
def test_jsonl_and_json_array_round_trip_content(tmp_path_factory, pairs, as_array):
    folder = tmp_path_factory.mktemp("rt")
    records = [chat(u, a) for u, a in pairs]
    if as_array:
        path = folder / "d.json"
        path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        path = folder / "d.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = ftprep.load(path)
    assert not result.errors
    assert [(e.messages[0].content, e.messages[1].content) for e in result] == pairs
    lines = [e.location.line for e in result]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b),
        min_size=1,
        max_size=15,
    )
)
def test_arbitrary_jsonl_lines_never_crash_and_are_all_accounted(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("fz")
    good = json.dumps(chat("anchor", "x")).encode()
    path = folder / "d.jsonl"
    path.write_bytes(b"\n".join([good, *lines]) + b"\n")
    try:
        source = open_source(path, LoadOptions(format="chat"))
    except InputError as exc:  # a whole-file diagnosis (mostly NUL bytes) is one message
        assert "NUL bytes" in str(exc) or "UTF-16" in str(exc)
        return
    loaded = list(source)
    nonblank = 1 + sum(1 for line in lines if line.strip())
    assert len(loaded) == nonblank == source.counts["records"]
    assert all((r.example is None) != (r.error is None) for r in loaded)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(st.text(alphabet='ab,"\n x', max_size=8), min_size=1, max_size=4),
        min_size=1,
        max_size=8,
    )
)
def test_arbitrary_csv_never_crashes(tmp_path_factory, rows):
    import csv
    import io

    folder = tmp_path_factory.mktemp("csv")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["question", "answer"])
    for row in rows:
        writer.writerow(row)
    path = folder / "d.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = ftprep.load(path)
    expected = [r for r in rows if any(c.strip() for c in r)]
    assert len(result) + len(result.errors) == len(expected)
    assert len(result) == sum(1 for r in expected if len(r) == 2)


def test_loading_is_lazy(tmp_path: Path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(chat("q", "a")) + "\n" + "{broken\n" * 3)
    first = next(iter(open_source(path)))
    assert first.example is not None
