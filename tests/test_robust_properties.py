"""Property tests over generated hostile files, through the real CLI (``split``).

For any mix of good records and hostile lines: the exit code is 0, 1 or 2 (never 3); a
refusal is one line; otherwise every record is accounted for (train + validation + dropped
= records), every output line is strict JSON in valid UTF-8, and no temporary file is left.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.cli import main
from tests.badinput.cases import line, message

HOSTILE_LINES = [
    "[" * 1200 + "]" * 1200,
    '{"a":' * 300 + "1" + "}" * 300,
    json.dumps({"messages": []})[:-1] + ', "n": ' + "7" * 4400 + "}",
    message("cut \\ud800 here"),
    message("\\udfff"),
    '{"messages": [{"role": "user", "content": "q"}, '
    '{"role": "assistant", "content": "a", "weight": NaN}]}',
    '{"messages": [], "x": Infinity}',
    '{"messages": [], "x": 1e400}',
    '{"messages": [{"role": "user"}]}',
    '{"messages": "text"}',
    '{"prompt": [{"role": "user", "content": "hi"}]}',
    "null",
    "[]",
    '"just a string"',
    "{",
    "",
    "   ",
]

pieces = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(line),
    st.sampled_from(HOSTILE_LINES),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
endings = st.sampled_from(["\n", "\r\n", "\r"])


def _no_leftovers(folder: Path) -> bool:
    return not any(
        p.name.startswith(".ftprep-staging-") or p.name.endswith(".ftprep-tmp")
        for p in folder.rglob("*")
    )


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


def _check(folder: Path, path: Path) -> None:
    out = folder / "out"
    result = CliRunner().invoke(
        main, ["split", "-q", "--json", str(path), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert _no_leftovers(folder)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return
    report = json.loads(result.stdout)
    records = sum(i["records"] for i in report["inputs"])
    split = report["split"]
    assert split["train"]["examples"] + split["validation"]["examples"] + split["dropped"] == (
        records
    )
    for side in ("train", "validation"):
        raw = (out / f"{side}.jsonl").read_bytes()
        lines = raw.decode("utf-8").splitlines()  # strict UTF-8: no surrogates written
        assert len(lines) == split[side]["examples"]
        for text in lines:
            assert isinstance(_strict(text), dict)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(pieces, min_size=1, max_size=14), endings)
def test_hostile_jsonl_never_crashes_and_conserves_records(tmp_path_factory, items, end):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "data.jsonl"
    path.write_bytes(end.join(items).encode("utf-8", "surrogatepass") + end.encode())
    _check(folder, path)


cells = st.one_of(
    st.text(alphabet='ab ,"\n\r\t', max_size=12),
    st.sampled_from(["What is the refund policy?", "Open the billing page.", ""]),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(cells, min_size=1, max_size=3), min_size=1, max_size=10), endings)
def test_hostile_csv_never_crashes_and_conserves_records(tmp_path_factory, rows, end):
    folder = tmp_path_factory.mktemp("propcsv")
    path = folder / "data.csv"
    body = end.join(",".join(row) for row in rows)
    path.write_text(f"question,answer{end}{body}{end}", encoding="utf-8")
    _check(folder, path)
