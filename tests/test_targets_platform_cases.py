"""`validate --target X` agrees with platform X's own validator, case by case.

The cases (tests/platform_cases.py) recreate the public test cases and rules of Together's
``check_file``, the OpenAI cookbook's format checks and fine-tuning guide, mistral-finetune /
mistral_common's finetuning validator, and the Fireworks, Bedrock and Vertex docs. Records are
judged as they stand in the file: nothing the loaders repair may make a rejected file pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.targets import get_target
from tests.conftest import REPO
from tests.platform_cases import CASES, Case, a, chat, tool_chat, u

CASE_IDS = [f"{c.target}-{c.id}" for c in CASES]


def write(path: Path, records: tuple[object, ...] | list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def rejected_by_profile(case: Case) -> list[str]:
    profile = get_target(case.target)
    return [i.detail for r in case.records for i in profile.judge(r) if i.confirmed]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_profile_agrees_with_the_platform(case: Case):
    problems = rejected_by_profile(case)
    assert (not problems) == case.accepts, (case.source, problems)


def test_every_platform_has_accept_and_reject_cases():
    by_target: dict[str, set[bool]] = {}
    for c in CASES:
        by_target.setdefault(c.target, set()).add(c.accepts)
    assert all(v == {True, False} for v in by_target.values()), by_target
    assert len([c for c in CASES if c.target == "together"]) >= 50


def test_installed_together_checker_never_rejects_what_ftprep_accepts(tmp_path):
    """The installed SDK (3.x) checks file structure only; where it rejects, so does ftprep."""
    check_file = pytest.importorskip("together.lib.utils").check_file
    for case in (c for c in CASES if c.target == "together"):
        path = write(tmp_path / f"{case.id}.jsonl", case.records)
        if not check_file(path)["is_check_passed"]:
            assert not case.accepts and rejected_by_profile(case), case.id


def validate_json(cli, path: Path, target: str) -> tuple[int, dict]:
    result = cli("validate", path, "--target", target, "--json", "-q")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    "case_id",
    [
        "invalid_weight_float",
        "tool_arguments_object",
        "preference_wrong_output_format_preferred",
        "preference_non_dict_input",
        "valid_weights_all_messages",
        "valid_tool_calls",
    ],
)
def test_validate_target_judges_the_file_as_it_stands(cli, tmp_path, case_id):
    """Loaders repair these (1.0 -> 1, object arguments -> text, a string reply -> a message);
    the platform receives the file, so the verdict is on the raw records."""
    case = next(c for c in CASES if c.target == "together" and c.id == case_id)
    path = write(tmp_path / "data.jsonl", case.records)
    code, report = validate_json(cli, path, "together")
    assert report["target"] == {"name": "together", "accepts": case.accepts}
    if not case.accepts:
        assert code == 1
        bad = [
            f
            for f in report["findings"]
            if f["check"].startswith("clean.target_") and f["severity"] == "error"
        ] or [f for f in report["findings"] if f["item"] == "clean" and f["count"]]
        assert bad


def test_together_rejects_a_file_mixing_formats(cli, tmp_path):
    path = write(
        tmp_path / "mixed.jsonl",
        [chat(u("Hi"), a("Hello")), {"prompt": "Hi", "completion": "Hello"}],
    )
    _, report = validate_json(cli, path, "together")
    assert report["target"]["accepts"] is False
    lines = [
        x["line"] for f in report["findings"] if f["severity"] == "error" for x in f["locations"]
    ]
    assert lines == [2]


def test_a_generic_error_the_target_accepts_does_not_block_it(cli, tmp_path):
    """Mistral trains on a conversation with an empty user turn; ftprep's generic
    `clean.empty_turn` then reports a warning, and the platform's verdict is accept."""
    records = [chat(u(""), a(f"Hello number {i}.")) for i in range(3)]
    path = write(tmp_path / "m.jsonl", records)
    _, report = validate_json(cli, path, "mistral")
    assert report["target"] == {"name": "mistral", "accepts": True}
    empty = [f for f in report["findings"] if f["check"] == "clean.empty_turn"]
    assert empty and all(f["severity"] == "warning" for f in empty)
    plain = json.loads(cli("validate", path, "--json", "-q").stdout)
    assert [f["severity"] for f in plain["findings"] if f["check"] == "clean.empty_turn"] == [
        "error"
    ]
    assert plain["target"] is None


def test_mistral_rejects_content_with_tool_calls_that_openai_accepts(cli, tmp_path):
    record = chat(
        u("Weather?"),
        a(
            "Checking.",
            tool_calls=[
                {
                    "id": "F4dNtnord",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                }
            ],
        ),
        {"role": "tool", "tool_call_id": "F4dNtnord", "content": "20C"},
        a("20C."),
        tools=tool_chat()["tools"],
    )
    path = write(tmp_path / "t.jsonl", [record])
    assert validate_json(cli, path, "mistral")[1]["target"]["accepts"] is False
    assert validate_json(cli, path, "together")[1]["target"]["accepts"] is True


def test_report_with_target_matches_the_published_schema(cli, tmp_path):
    path = write(tmp_path / "d.jsonl", [chat(u("Hi"), a("Hello"))])
    _, report = validate_json(cli, path, "openai")
    schema = json.loads((REPO / "docs" / "report.schema.json").read_text("utf-8"))
    jsonschema.validate(report, schema)
    assert set(report["target"]) == {"name", "accepts"}


def test_split_to_judges_the_written_files(tmp_path, write_jsonl):
    """`split --to` uploads what it writes: a float weight in the input is written as 1."""
    records = [chat(u(f"Question {i}?", weight=1.0), a(f"Answer {i}.")) for i in range(12)]
    report = ftprep.split(write_jsonl(records), tmp_path / "out", to="together")
    assert report.target is not None and report.target.accepts is True
    assert not [f for f in report.findings if f.check == "clean.target_format"]


SOURCE_RECORDS = [
    chat(u("Hello", weight=1.0), a("Hi there!", weight=0)),
    tool_chat(args={"city": "Paris"}),
    {"instruction": "Add 2 and 2.", "input": "", "output": "4"},
    chat(u("Draw"), a("ok")),
    {
        "input": {"messages": [u("Hi")]},
        "preferred_output": "Hello!",
        "non_preferred_output": [a("No.")],
    },
]


@pytest.mark.parametrize("target", ["together", "openai", "mistral", "fireworks"])
def test_convert_never_exits_0_with_a_file_the_target_rejects(cli, tmp_path, target):
    src = tmp_path / "src.jsonl"
    out = tmp_path / f"{target}.jsonl"
    for i, record in enumerate(SOURCE_RECORDS):
        write(src, [record])
        result = cli("convert", src, "--to", target, "-o", out, "-q")
        rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
        problems = [x.detail for r in rows for x in get_target(target).judge(r) if x.confirmed]
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 0:
            assert not problems, (i, problems)
        if target == "together" and result.exit_code == 0:
            check_file = pytest.importorskip("together.lib.utils").check_file
            assert check_file(out)["is_check_passed"], i


TEXT = st.text(min_size=0, max_size=8)
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool", "bot"])},
    optional={
        "content": st.one_of(
            TEXT,
            st.none(),
            st.integers(),
            st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["text", "image_url"]), "text": TEXT}
                ),
                max_size=2,
            ),
        ),
        "weight": st.one_of(st.integers(-1, 2), st.floats(0, 1), st.text(max_size=2)),
        "tool_calls": st.lists(
            st.fixed_dictionaries(
                {
                    "id": TEXT,
                    "type": st.just("function"),
                    "function": st.fixed_dictionaries(
                        {
                            "name": TEXT,
                            "arguments": st.one_of(TEXT, st.dictionaries(TEXT, TEXT, max_size=2)),
                        }
                    ),
                }
            ),
            max_size=2,
        ),
        "tool_call_id": TEXT,
    },
)
RECORD = st.one_of(
    st.fixed_dictionaries(
        {"messages": st.lists(MESSAGE, max_size=5)},
        optional={"tools": st.lists(st.just(tool_chat()["tools"][0]), max_size=2)},
    ),
    st.fixed_dictionaries(
        {
            "input": st.one_of(
                TEXT, st.fixed_dictionaries({"messages": st.lists(MESSAGE, max_size=3)})
            ),
            "preferred_output": st.one_of(TEXT, st.lists(MESSAGE, max_size=2)),
            "non_preferred_output": st.lists(MESSAGE, max_size=2),
        }
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=RECORD, target=st.sampled_from(["together", "openai", "mistral", "fireworks"]))
def test_judging_untrusted_records_never_raises(record, target):
    issues = get_target(target).judge(record)
    assert all(i.detail for i in issues)
    assert not any("cannot read this record" in i.detail for i in issues), issues


LEGACY_REFEREE = """
import json, sys
from together.lib.utils.files import check_file
print(json.dumps(check_file(sys.argv[1])["is_check_passed"]))
"""


@pytest.mark.skipif(
    not os.environ.get("FTPREP_TOGETHER_214"),
    reason="set FTPREP_TOGETHER_214 to an unpacked together==2.14.0 wheel to run its checker",
)
def test_together_cases_match_the_2_14_checker(tmp_path):
    """Together 2.14.0, the last SDK with client-side semantic checks, as referee (run in a
    subprocess so the installed 3.x SDK is untouched). Its tool rules came later."""
    later = {
        "tool_arguments_object",
        "tool_arguments_not_json",
        "tool_arguments_not_object",
        "tool_call_unknown_function",
        "tools_empty",
        "tool_type_not_function",
        "tool_calls_on_user_turn",
    }
    env = {**os.environ, "PYTHONPATH": os.environ["FTPREP_TOGETHER_214"]}
    for case in (c for c in CASES if c.target == "together" and c.id not in later):
        path = write(tmp_path / f"{case.id}.jsonl", case.records)
        out = subprocess.run(
            [sys.executable, "-c", LEGACY_REFEREE, str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert json.loads(out.stdout) == case.accepts, case.id


def test_terminal_and_markdown_say_whether_the_platform_takes_the_file(cli, tmp_path):
    path = write(tmp_path / "w.jsonl", [chat(u("Hello", weight=1.0), a("Hi there!"))])
    assert (
        "together: would reject this file" in cli("validate", path, "--target", "together").stdout
    )
    md = tmp_path / "r.md"
    cli("validate", path, "--target", "mistral", "--report", md)
    assert "Target `mistral`: the platform would accept this file." in md.read_text("utf-8")
