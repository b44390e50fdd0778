# ruff: noqa: E501  (one case per line reads as a table)
"""The bad-input corpus: every kind of bad or hostile input a user can hand ftprep.

Each :class:`Case` builds its files in a fresh folder, runs the real CLI and states what
must happen: exit 1 with a located load error (the record listed as dropped, every other
record still loaded) or exit 2 with one line naming the file and the cause. Exit 3 (a bug)
and tracebacks are never acceptable. ``{d}`` in arguments is the case's folder.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "invoice refund password parcel warranty router laptop battery lease pension claim "
    "policy statement transfer payment courier voucher account printer monitor"
).split()


def record(i: int, **extra: object) -> dict[str, object]:
    """A valid, distinct chat record."""
    rng = random.Random(i)
    user = f"How do I handle the {rng.choice(WORDS)} for case {i} and the {rng.choice(WORDS)}?"
    answer = f"Open the {rng.choice(WORDS)} page, pick item {i * 7}, then confirm the change."
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}],
        **extra,
    }


def line(i: int) -> str:
    return json.dumps(record(i))


def jsonl(*lines: str, end: str = "\n") -> bytes:
    """JSONL bytes; ``int`` items are replaced by valid records."""
    return (end.join(lines) + end).encode("utf-8")


def good(n: int = 5, start: int = 0) -> list[str]:
    return [line(i) for i in range(start, start + n)]


def with_bad(bad: str, before: int = 3, after: int = 3) -> bytes:
    """Valid lines around one bad line (which is line ``before + 1``)."""
    return jsonl(*good(before), bad, *good(after, start=before))


def csv_bytes(rows: list[list[str]], header: tuple[str, ...] = ("question", "answer")) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def qa_rows(n: int = 6) -> list[list[str]]:
    return [
        [f"Question {i} about the {WORDS[i % len(WORDS)]}?", f"Answer {i} step."] for i in range(n)
    ]


def message(content: str) -> str:
    """A record line whose user content is the raw JSON string literal ``content``."""
    return (
        '{"messages": [{"role": "user", "content": "' + content + '"}, '
        '{"role": "assistant", "content": "fine"}]}'
    )


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    #: Exit 2: a fragment of the one-line stderr message. Exit 1: a fragment of the load
    #: error's message or detail (empty when no load error is expected).
    fragment: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    #: Exit 1: the check id of the expected load error and the line it must name.
    finding: str | None = None
    line: int | None = None
    #: Exit 1: records the report must account for (train + validation + dropped).
    records: int | None = None
    examples: int | None = None
    setup: Callable[[Path], None] | None = None
    stdin: bytes | None = None
    #: Files that must be byte-identical after the run (inputs never overwritten).
    unchanged: tuple[str, ...] = ()
    cwd: bool = False


def _symlink_loop(d: Path) -> None:
    os.symlink(d / "b.jsonl", d / "a.jsonl")
    os.symlink(d / "a.jsonl", d / "b.jsonl")


def _dangling(d: Path) -> None:
    os.symlink(d / "missing.jsonl", d / "link.jsonl")


def _hardlink(d: Path) -> None:
    os.link(d / "data.jsonl", d / "report.json")


def _softlink(d: Path) -> None:
    os.symlink(d / "data.jsonl", d / "report.json")


def _out_dir_with_input(d: Path) -> None:
    (d / "out").mkdir()
    (d / "out" / "train.jsonl").write_bytes(jsonl(*good(6)))


def _truncated_big_gz() -> bytes:
    data = jsonl(*good(3000))
    packed = gzip.compress(data)
    return packed[: len(packed) * 2 // 3]


def _utf16_no_bom() -> bytes:
    return jsonl(*good(4)).decode().encode("utf-16-le")


V = ("validate", "-q")
D = "{d}/data.jsonl"
C = "{d}/data.csv"

# fmt: off
CASES: list[Case] = [
    # --- JSON Lines records: exit 1, the bad record located and dropped -----------------
    Case("nesting-1500", (*V, D), 1, "nested more than", {"data.jsonl": with_bad("[" * 1500 + "]" * 1500)}, "clean.record_too_large", 4, 7),
    Case("nesting-150-in-message", (*V, D), 1, "nested more than", {"data.jsonl": with_bad('{"messages": [{"role": "user", "content": "x", "meta": ' + "[" * 150 + "]" * 150 + '}, {"role": "assistant", "content": "y"}]}')}, "clean.record_too_large", 4, 7),
    Case("nesting-1000-objects", (*V, D), 1, "nested more than", {"data.jsonl": with_bad('{"a":' * 1000 + "1" + "}" * 1000)}, "clean.record_too_large", 4, 7),
    Case("int-5000-digits", (*V, D), 1, "4300 digits", {"data.jsonl": with_bad(json.dumps(record(99))[:-1] + ', "n": ' + "9" * 5000 + "}")}, "clean.record_too_large", 4, 7),
    Case("lone-high-surrogate", (*V, D), 1, "lone surrogate", {"data.jsonl": with_bad(message("cut \\ud83d"))}, "clean.invalid_utf8", 4, 7),
    Case("lone-low-surrogate", (*V, D), 1, "lone surrogate", {"data.jsonl": with_bad(message("\\udc00 tail"))}, "clean.invalid_utf8", 4, 7),
    Case("surrogate-in-key", (*V, D), 1, "lone surrogate", {"data.jsonl": with_bad(json.dumps(record(99))[:-1] + ', "k\\udfff": 1}')}, "clean.invalid_utf8", 4, 7),
    Case("surrogate-in-system-json", (*V, D, "--json"), 1, "lone surrogate", {"data.jsonl": jsonl(*good(4), '{"messages": [{"role": "system", "content": "be \\ud800 brief"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}')}, "clean.invalid_utf8", 5, 5),
    Case("valid-surrogate-pair", (*V, D), 1, "", {"data.jsonl": with_bad(message("smile \\ud83d\\ude00"))}, None, None, 7, 7),
    Case("nan-weight", (*V, D), 1, "NaN", {"data.jsonl": with_bad('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": NaN}]}')}, "clean.malformed_json", 4, 7),
    Case("infinity", (*V, D), 1, "Infinity", {"data.jsonl": with_bad('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "score": Infinity}')}, "clean.malformed_json", 4, 7),
    Case("minus-infinity", (*V, D), 1, "Infinity", {"data.jsonl": with_bad('{"messages": [], "x": -Infinity}')}, "clean.malformed_json", 4, 7),
    Case("overflowing-exponent", (*V, D), 1, "out of range", {"data.jsonl": with_bad(json.dumps(record(98))[:-1] + ', "x": 1e999}')}, "clean.malformed_json", 4, 7),
    Case("overflowing-mantissa", (*V, D), 1, "out of range", {"data.jsonl": with_bad(json.dumps(record(98))[:-1] + ', "x": ' + "9" * 400 + ".5}")}, "clean.malformed_json", 4, 7),
    Case("truncated-line", (*V, D), 1, "invalid JSON", {"data.jsonl": with_bad(line(99)[:40])}, "clean.malformed_json", 4, 7),
    Case("trailing-comma", (*V, D), 1, "invalid JSON", {"data.jsonl": with_bad('{"messages": [],}')}, "clean.malformed_json", 4, 7),
    Case("python-repr", (*V, D), 1, "invalid JSON", {"data.jsonl": with_bad(str(record(99)))}, "clean.malformed_json", 4, 7),
    Case("two-objects-one-line", (*V, D), 1, "invalid JSON", {"data.jsonl": with_bad(line(90) + " " + line(91))}, "clean.malformed_json", 4, 7),
    Case("invalid-utf8-byte", (*V, D), 1, "not valid UTF-8", {"data.jsonl": jsonl(*good(3)) + b'{"messages": "caf\xe9"}\n' + jsonl(*good(3, 3))}, "clean.invalid_utf8", 4, 7),
    Case("nul-byte-in-line", (*V, D), 1, "invalid JSON", {"data.jsonl": jsonl(*good(3)) + b'{"messages": \x00}\n' + jsonl(*good(3, 3))}, "clean.malformed_json", 4, 7),
    Case("line-a-number", (*V, D), 1, "not an object", {"data.jsonl": with_bad("42")}, "clean.not_an_object", 4, 7),
    Case("line-null", (*V, D), 1, "not an object", {"data.jsonl": with_bad("null")}, "clean.not_an_object", 4, 7),
    Case("line-a-list", (*V, D), 1, "not an object", {"data.jsonl": with_bad("[1, 2]")}, "clean.not_an_object", 4, 7),
    Case("line-over-max-record", (*V, D, "--max-record-mb", "0.01"), 1, "maximum record size", {"data.jsonl": with_bad(json.dumps(record(99, pad="x" * 20000)))}, "clean.record_too_large", 4, 7),
    Case("prompt-list-without-completion", (*V, D, "--from", "prompt_completion"), 1, "completion", {"data.jsonl": jsonl('{"prompt": "p", "completion": "c"}', '{"prompt": [{"role": "user", "content": "hi"}]}', '{"prompt": "p2", "completion": "c2"}')}, "clean.unreadable_record", 2, 3),
    Case("messages-a-string", (*V, D), 1, "", {"data.jsonl": with_bad('{"messages": "hello"}')}, None, None, 7),
    Case("message-without-role", (*V, D), 1, "", {"data.jsonl": with_bad('{"messages": [{"content": "hi"}, {"role": "assistant", "content": "x"}]}')}, None, None, 7),
    Case("content-an-object", (*V, D), 1, "", {"data.jsonl": with_bad('{"messages": [{"role": "user", "content": {"a": 1}}, {"role": "assistant", "content": "x"}]}')}, None, None, 7),
    Case("message-a-number", (*V, D), 1, "", {"data.jsonl": with_bad('{"messages": [1, 2]}')}, None, None, 7),
    Case("huge-gz-truncated", (*V, "{d}/data.jsonl.gz"), 1, "corrupt or truncated", {"data.jsonl.gz": _truncated_big_gz()}, "clean.unreadable_record"),
    # --- Whole files that read fine although unusual: no load error at all --------------
    Case("bom", (*V, D), 1, "", {"data.jsonl": codecs.BOM_UTF8 + jsonl(*good(6))}, None, None, 6, 6),
    Case("crlf", (*V, D), 1, "", {"data.jsonl": jsonl(*good(6), end="\r\n")}, None, None, 6, 6),
    Case("cr-only", (*V, D), 1, "", {"data.jsonl": jsonl(*good(6), end="\r")}, None, None, 6, 6),
    Case("no-final-newline", (*V, D), 1, "", {"data.jsonl": jsonl(*good(6))[:-1]}, None, None, 6, 6),
    Case("json-array-in-jsonl", (*V, D), 1, "", {"data.jsonl": json.dumps([record(i) for i in range(6)], indent=2).encode()}, None, None, 6, 6),
    Case("pretty-objects-in-jsonl", (*V, D), 1, "", {"data.jsonl": "\n".join(json.dumps(record(i), indent=2) for i in range(6)).encode()}, None, None, 6, 6),
    Case("jsonl-named-json", (*V, "{d}/data.json"), 1, "", {"data.json": jsonl(*good(6))}, None, None, 6, 6),
    Case("csv-field-over-131072", (*V, C), 1, "", {"data.csv": csv_bytes([*qa_rows(3), ["long " * 30000, "ok"], *qa_rows(2)])}, None, None, 6, 6),
    Case("csv-cr-only", (*V, C), 1, "", {"data.csv": csv_bytes(qa_rows(6)).replace(b"\n", b"\r")}, None, None, 6, 6),
    Case("stdin-dash", (*V, "-"), 1, "", {}, None, None, 6, 6, stdin=jsonl(*good(6))),
    Case("non-utf8-file-name", (*V, "{d}/bad\udcffname.jsonl"), 1, "", {"bad\udcffname.jsonl": jsonl(*good(6))}, None, None, 6, 6),
    Case("non-utf8-file-name-split", ("split", "-q", "{d}/bad\udcffname.jsonl", "--out", "{d}/out"), 1, "", {"bad\udcffname.jsonl": jsonl(*good(6))}, None, None, 6, 6),
    Case("empty-file", (*V, D), 1, "", {"data.jsonl": b""}, None, None, 0, 0),
    Case("whitespace-only", (*V, D), 1, "", {"data.jsonl": b"  \n\n\t\r\n"}, None, None, 0, 0),
    Case("bom-only", (*V, D), 1, "", {"data.jsonl": codecs.BOM_UTF8}, None, None, 0, 0),
    Case("empty-gz", (*V, "{d}/data.jsonl.gz"), 1, "", {"data.jsonl.gz": gzip.compress(b"")}, None, None, 0, 0),
    Case("empty-json-array", (*V, "{d}/data.json"), 1, "", {"data.json": b"[]"}, None, None, 0, 0),
    Case("csv-header-only", (*V, C), 1, "", {"data.csv": b"question,answer\n"}, None, None, 0, 0),
    # --- JSON arrays ----------------------------------------------------------------------
    Case("array-syntax-error", (*V, "{d}/data.json"), 1, "invalid JSON", {"data.json": ("[\n" + ",\n".join(good(3)) + ',\n{"messages": oops}\n]').encode()}, "clean.malformed_json", 5, 4),
    Case("array-not-closed", (*V, "{d}/data.json"), 1, "not closed", {"data.json": ("[\n" + ",\n".join(good(3)) + "\n").encode()}, "clean.malformed_json", None, 4),
    Case("array-deep-element", (*V, "{d}/data.json"), 1, "nested more than", {"data.json": ("[\n" + line(0) + ",\n" + "[" * 300 + "]" * 300 + ",\n" + line(1) + "\n]").encode()}, "clean.record_too_large", 3, 3),
    Case("array-nan-element", (*V, "{d}/data.json"), 1, "NaN", {"data.json": ("[\n" + line(0) + ',\n{"x": NaN}\n]').encode()}, "clean.malformed_json", 3),
    Case("array-element-over-max", (*V, "{d}/data.json", "--max-record-mb", "0.01"), 1, "maximum record size", {"data.json": ("[\n" + line(0) + ",\n" + json.dumps(record(1, pad="y" * 30000)) + "\n]").encode()}, "clean.record_too_large", 3),
    # --- CSV / TSV rows -------------------------------------------------------------------
    Case("csv-unterminated-quote", (*V, C), 1, "quoted field", {"data.csv": b'question,answer\nq0,a0\n"q1 never closed,a1\nq2,a2\nq3,a3\nq4,a4\n'}, "clean.malformed_row", 3, 5, 4),
    Case("csv-unterminated-quote-last-row", (*V, C), 1, "quoted field", {"data.csv": b'question,answer\nq0,a0\nq1,a1\nq2,"a2 open\n'}, "clean.malformed_row", 4, 3, 2),
    Case("csv-stray-quote-closes-later", (*V, C), 1, "quoted field", {"data.csv": b'question,answer\nq0,a0\n"q1 open,a1\nq2,a2\nq3,a3\nq4,a4 say "hi" now\nq5,a5\n'}, "clean.malformed_row", 3),
    Case("csv-row-over-max", (*V, C, "--max-record-mb", "0.01"), 1, "maximum record size", {"data.csv": csv_bytes([*qa_rows(2), ["x" * 20000, "y"], *qa_rows(2)])}, "clean.record_too_large", 4, 5, 4),
    Case("csv-quote-over-max", (*V, C, "--max-record-mb", "0.01"), 1, "quoted field", {"data.csv": b'question,answer\nq0,a0\n"q1 open,a1\n' + b"q,a\n" * 4000}, "clean.malformed_row", 3),
    Case("csv-wrong-field-count", (*V, C), 1, "fields where the header has", {"data.csv": b"question,answer\nq0,a0\nq1,a1,extra\nq2,a2\n"}, "clean.malformed_row", 3, 3, 2),
    Case("csv-invalid-utf8", (*V, C), 1, "not valid UTF-8", {"data.csv": b"question,answer\nq0,a0\nq\xff1,a1\nq2,a2\n"}, "clean.invalid_utf8", 3, 3, 2),
    Case("csv-nul-byte", (*V, C), 1, "", {"data.csv": b"question,answer\nq0,a0\nq\x001,a1\nq2,a2\n"}, "clean.encoding", 3, 3),
    Case("tsv-unterminated-quote", (*V, "{d}/data.tsv"), 1, "quoted field", {"data.tsv": b'question\tanswer\nq0\ta0\n"q1\ta1\nq2\ta2\nq3\ta3\n'}, "clean.malformed_row", 3, 4, 3),
    # --- Whole-file problems: exit 2, one line naming the file and the cause -------------
    Case("utf16-le-bom", (*V, D), 2, "UTF-16", {"data.jsonl": jsonl(*good(4)).decode().encode("utf-16")}),
    Case("utf16-be-bom", (*V, D), 2, "UTF-16", {"data.jsonl": codecs.BOM_UTF16_BE + jsonl(*good(4)).decode().encode("utf-16-be")}),
    Case("utf16-no-bom", (*V, D), 2, "UTF-16", {"data.jsonl": _utf16_no_bom()}),
    Case("utf32", (*V, D), 2, "UTF-32", {"data.jsonl": jsonl(*good(4)).decode().encode("utf-32")}),
    Case("utf16-csv", (*V, C), 2, "UTF-16", {"data.csv": csv_bytes(qa_rows()).decode().encode("utf-16")}),
    Case("binary-nul", (*V, D), 2, "NUL bytes", {"data.jsonl": bytes(random.Random(1).choice([0, 0, 0, 7, 200]) for _ in range(5000))}),
    Case("gz-corrupt", (*V, "{d}/data.jsonl.gz"), 2, "gzip", {"data.jsonl.gz": b"\x1f\x8b\x08\x00" + b"garbage" * 40}),
    Case("gz-truncated-small", (*V, "{d}/data.jsonl.gz"), 2, "truncated", {"data.jsonl.gz": gzip.compress(jsonl(*good(6)))[:60]}),
    Case("gz-not-gzip", (*V, "{d}/data.jsonl.gz"), 2, "gzip", {"data.jsonl.gz": jsonl(*good(6))}),
    Case("directory", (*V, "{d}/folder"), 2, "is a directory", setup=lambda d: (d / "folder").mkdir()),
    Case("missing-file", (*V, "{d}/nope.jsonl"), 2, "no such file"),
    Case("symlink-loop", (*V, "{d}/a.jsonl"), 2, "symlink loop", setup=_symlink_loop),
    Case("dangling-symlink", (*V, "{d}/link.jsonl"), 2, "no such file", setup=_dangling),
    Case("name-too-long", (*V, "{d}/" + "n" * 300 + ".jsonl"), 2, "too long"),
    Case("path-through-a-file", (*V, "{d}/data.jsonl/x.jsonl"), 2, "not a directory", {"data.jsonl": jsonl(*good(2))}),
    Case("device", (*V, "/dev/zero"), 2, "not a data file"),
    Case("unsupported-extension", (*V, "{d}/data.xml"), 2, "unsupported file type", {"data.xml": b"<a/>"}),
    Case("old-xls", (*V, "{d}/data.xls"), 2, ".xlsx", {"data.xls": b"\xd0\xcf\x11\xe0"}),
    Case("unknown-from", (*V, D, "--from", "nope"), 2, "unknown format", {"data.jsonl": jsonl(*good(3))}),
    Case("map-missing-column", (*V, C, "--map", "user=nope", "--map", "assistant=answer"), 2, "no column named", {"data.csv": csv_bytes(qa_rows())}),
    Case("map-malformed", (*V, C, "--map", "user"), 2, "TARGET=COLUMN", {"data.csv": csv_bytes(qa_rows())}),
    Case("csv-header-over-max", (*V, C, "--max-record-mb", "0.01"), 2, "header row", {"data.csv": b"q" * 20000 + b",a\nq,a\n"}),
    Case("csv-header-unclosed-quote", (*V, C, "--max-record-mb", "0.01"), 2, "header row", {"data.csv": b'"question,answer\n' + b"q,a\n" * 4000}),
    Case("csv-duplicate-header", (*V, C), 2, "duplicate column", {"data.csv": b"q,q\n1,2\n"}),
    Case("csv-unknown-columns", (*V, C), 2, "--map", {"data.csv": b"foo,bar\n1,2\n"}),
    Case("unknown-layout", (*V, D), 2, "no record looks like", {"data.jsonl": jsonl('{"foo": 1}', '{"foo": 2}')}),
    Case("parquet-corrupt", (*V, "{d}/data.parquet"), 2, "Parquet", {"data.parquet": b"PAR1garbagePAR1"}),
    Case("xlsx-corrupt", (*V, "{d}/data.xlsx"), 2, ".xlsx", {"data.xlsx": b"PK\x03\x04 not a zip"}),
    Case("escape-in-name", (*V, "{d}/\x1b[31mred.jsonl"), 2, "\\x1b[31mred.jsonl"),
    Case("newline-in-name", (*V, "{d}/two\nlines.jsonl"), 2, "two\\nlines.jsonl"),
    Case("system-not-utf8", (*V, D, "--system", "be \udcff brief"), 2, "--system", {"data.jsonl": jsonl(*good(3))}),
    Case("map-not-utf8", (*V, C, "--map", "user=q\udcff", "--map", "assistant=answer"), 2, "--map", {"data.csv": csv_bytes(qa_rows())}),
    # --- Config: exit 2 naming the file ---------------------------------------------------
    Case("config-checks-a-list", (*V, D, "--config", "{d}/ftprep.toml"), 2, "checks must be a table", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b"checks = [1, 2]\n"}),
    Case("config-check-not-a-table", (*V, D, "--config", "{d}/ftprep.toml"), 2, "must be a table", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b"[checks]\nclean = 5\n"}),
    Case("config-a-directory", (*V, D, "--config", "{d}"), 2, "is a directory", {"data.jsonl": jsonl(*good(3))}),
    Case("config-missing", (*V, D, "--config", "{d}/none.toml"), 2, "not found", {"data.jsonl": jsonl(*good(3))}),
    Case("config-broken-toml", (*V, D, "--config", "{d}/ftprep.toml"), 2, "not valid TOML", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b"seed = = 3\n"}),
    Case("config-not-utf8", (*V, D, "--config", "{d}/ftprep.toml"), 2, "UTF-8", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b"model = '\xff'\n"}),
    Case("config-bad-type", (*V, D, "--config", "{d}/ftprep.toml"), 2, "seed", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b"seed = 'x'\n"}),
    Case("config-tool-ftprep-not-table", (*V, D, "--config", "{d}/pyproject.toml"), 2, "must be a table", {"data.jsonl": jsonl(*good(3)), "pyproject.toml": b"[tool]\nftprep = 5\n"}),
    Case("config-unknown-check", (*V, D, "--config", "{d}/ftprep.toml"), 2, "unknown check", {"data.jsonl": jsonl(*good(3)), "ftprep.toml": b'[checks."clean.nope"]\nenabled = false\n'}),
    Case("pyproject-broken-discovered", (*V, "data.jsonl"), 2, "pyproject.toml: not valid TOML", {"data.jsonl": jsonl(*good(3)), "pyproject.toml": b"[tool.ftprep\nseed = 1\n"}, cwd=True),
    # --- Outputs: refused before anything is written --------------------------------------
    Case("report-onto-input", (*V, D, "--report", D), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("report-onto-validation", (*V, D, "--validation", "{d}/val.jsonl", "--report", "{d}/val.jsonl"), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6)), "val.jsonl": jsonl(*good(2, 10))}, unchanged=("val.jsonl",)),
    Case("report-onto-config", (*V, D, "--config", "{d}/ftprep.json", "--report", "{d}/ftprep.json"), 2, "", {"data.jsonl": jsonl(*good(6)), "ftprep.json": b"seed = 3\n"}, unchanged=("ftprep.json",)),
    Case("report-hardlink-to-input", (*V, D, "--report", "{d}/report.json"), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6))}, setup=_hardlink, unchanged=("data.jsonl",)),
    Case("report-symlink-to-input", (*V, D, "--report", "{d}/report.json"), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6))}, setup=_softlink, unchanged=("data.jsonl",)),
    Case("report-under-a-file", (*V, D, "--report", "{d}/data.jsonl/r.json"), 2, "not a directory", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("report-unknown-extension", (*V, D, "--report", "{d}/r.txt"), 2, "no report format", {"data.jsonl": jsonl(*good(6))}),
    Case("report-a-directory", (*V, D, "--report", "{d}"), 2, "is a directory", {"data.jsonl": jsonl(*good(6))}),
    Case("split-out-a-file", ("split", "-q", D, "--out", D), 2, "is a file", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("split-report-onto-input", ("split", "-q", D, "--out", "{d}/out", "--report", D), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("split-input-inside-out", ("split", "-q", "{d}/out/train.jsonl", "--out", "{d}/out"), 2, "refusing to overwrite an input", setup=_out_dir_with_input, unchanged=("out/train.jsonl",)),
    Case("split-report-onto-train", ("split", "-q", D, "--out", "{d}/out", "--report", "{d}/out/train.jsonl"), 2, "refusing to overwrite", {"data.jsonl": jsonl(*good(6))}),
    Case("split-out-under-a-file", ("split", "-q", D, "--out", "{d}/data.jsonl/out"), 2, "not a directory", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("split-out-name-too-long", ("split", "-q", D, "--out", "{d}/" + "o" * 300), 2, "too long", {"data.jsonl": jsonl(*good(6))}),
    Case("report-name-too-long", (*V, D, "--report", "{d}/" + "r" * 300 + ".json"), 2, "too long", {"data.jsonl": jsonl(*good(6))}),
    Case("convert-out-name-too-long", ("convert", "-q", D, "--to", "together", "-o", "{d}/" + "c" * 300 + ".jsonl"), 2, "too long", {"data.jsonl": jsonl(*good(6))}),
    Case("convert-out-onto-input", ("convert", "-q", D, "--to", "together", "-o", D), 2, "refusing to overwrite an input", {"data.jsonl": jsonl(*good(6))}, unchanged=("data.jsonl",)),
    Case("convert-out-a-directory", ("convert", "-q", D, "--to", "together", "-o", "{d}"), 2, "is a directory", {"data.jsonl": jsonl(*good(6))}),
]
# fmt: on
