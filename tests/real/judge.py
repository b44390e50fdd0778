"""Judge ftprep's findings on real data written by others, and measure per-check precision.

The files in tests/data/real/ are small subsets of public finetuning datasets (see the
README there). Every location ftprep reports on them has a hand-made verdict in
tests/data/real/judgments.jsonl: would a careful reviewer preparing finetuning data agree
with this finding *at its severity*? tests/test_real_precision.py holds the checks to the
severity rule (docs/checks.md); this module is also the lead's tool after a merge:

    python -m tests.real.judge              # per-check precision table (all subsets)
    python -m tests.real.judge --unjudged   # each unjudged location with its record text
                                            # and a judgment line to complete and append

A judgment is keyed by (file, line, check, severity): one verdict per record and check,
however many turns of the record the check flags, given at the severity it was judged at
(see ``verdict`` for when it carries to another severity). Dataset-level findings (no
location) have line null.
Judgments whose location is no longer reported are kept: they cost nothing and are ready
if a later change makes the check fire there again.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ftprep.cli import main as cli_main

DATA = Path(__file__).resolve().parent.parent / "data" / "real"
JUDGMENTS = DATA / "judgments.jsonl"

#: Subset file -> extra CLI arguments it needs to be read as its authors meant.
SUBSETS: dict[str, tuple[str, ...]] = {
    "fastchat_dummy_conversation.jsonl": (),
    "gpteacher_roleplay.jsonl": (),
    "gpteacher_toolformer.jsonl": (),
    "llamafactory_alpaca_en_demo.json": (),
    "llamafactory_alpaca_zh_demo.json": (),
    "llamafactory_c4_demo.jsonl": (),
    "llamafactory_dpo_en_demo.json": (),
    "llamafactory_glaive_toolcall_en_demo.json": (),
    "llamafactory_kto_en_demo.json": (),
    "llamafactory_mllm_demo.json": (),
    "llamafactory_v1_dpo_demo.jsonl": (),
    "llamafactory_v1_sft_demo.jsonl": (),
    "openai_toy_chat_fine_tuning.jsonl": (),
    "stanford_alpaca_5000.jsonl": (),
    "together_unified_joke_explanations.jsonl": (),
}

#: Checks not judged here: they measure the file's size or the command line (the subsets
#: are cut small on purpose, and no --metric is given), not the records others wrote.
NOT_JUDGED: frozenset[str] = frozenset(
    {"sufficient.count", "split.validation_size", "split.size_ratio", "evaluated.metric"}
)

#: Required precision per severity (the severity rule in docs/checks.md); info is not held.
TARGETS: dict[str, float] = {"error": 0.95, "warning": 0.80}

Key = tuple[str, int | None, str]


@dataclass(frozen=True)
class Located:
    """One finding location, reduced to what a verdict is about."""

    file: str
    line: int | None
    check: str
    severity: str
    detail: str
    message: str

    @property
    def key(self) -> Key:
        return (self.file, self.line, self.check)


@dataclass(frozen=True)
class Run:
    """What ftprep made of one subset: its exit code, stderr/stdout and the locations."""

    file: str
    exit_code: int
    output: str
    report: dict[str, Any] | None
    locations: tuple[Located, ...]


def _every_location(report: dict[str, Any], findings_file: Path) -> dict[str, list[dict[str, Any]]]:
    """Each finding's locations, all of them.

    A report may list only the first locations of a large finding (with the true count);
    when ftprep also wrote the findings file (every location, one JSON object per line),
    the locations come from there, so the suite never judges a truncated list.
    """
    out = {f["check"]: list(f.get("locations") or []) for f in report.get("findings", [])}
    if findings_file.exists():
        streamed: dict[str, list[dict[str, Any]]] = {}
        for raw in findings_file.read_text(encoding="utf-8").splitlines():
            row = json.loads(raw)
            if row.get("kind", "finding") == "finding":
                streamed.setdefault(row["check"], []).append(row)
        out.update(streamed)
    return out


def run_subset(name: str) -> Run:
    """Validate one subset through the real CLI and flatten its findings to locations."""
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        args = ["validate", str(DATA / name), "--json", "-q", "--report", str(report_path)]
        result = CliRunner().invoke(cli_main, [*args, *SUBSETS.get(name, ())])
        try:
            report = json.loads(result.stdout)
        except ValueError:
            return Run(name, result.exit_code, result.output, None, ())
        locations = _every_location(report, Path(tmp) / "report.findings.jsonl")
    seen: dict[Key, Located] = {}
    for finding in report.get("findings", []):
        check = finding["check"]
        if check in NOT_JUDGED:
            continue
        for loc in locations.get(check) or [{"line": None, "detail": ""}]:
            line = loc.get("line")
            item = Located(
                name, line, check, finding["severity"], loc.get("detail", ""), finding["message"]
            )
            seen.setdefault(item.key, item)
    return Run(name, result.exit_code, result.output, report, tuple(seen.values()))


def load_judgments(path: Path = JUDGMENTS) -> dict[Key, dict[str, dict[str, Any]]]:
    """Verdicts by (file, line, check), then by the severity they were judged at.

    A duplicate (file, line, check, severity) or a verdict other than right/wrong is an
    error in the file, reported with its line.
    """
    out: dict[Key, dict[str, dict[str, Any]]] = {}
    if not path.exists():
        return out
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        j = json.loads(raw)
        key = (j["file"], j["line"], j["check"])
        by_severity = out.setdefault(key, {})
        if j["severity"] in by_severity:
            raise ValueError(f"{path.name}:{n}: second judgment for {key} at {j['severity']}")
        if j["verdict"] not in ("right", "wrong"):
            raise ValueError(f"{path.name}:{n}: verdict must be 'right' or 'wrong'")
        by_severity[j["severity"]] = j
    return out


_RANK = {"error": 0, "warning": 1, "info": 2}


def verdict(loc: Located, judgments: dict[Key, dict[str, dict[str, Any]]]) -> str | None:
    """The verdict on a location at its current severity, or None when it needs judging.

    A verdict holds at the severity it was given. It also carries where the judgment
    cannot change: a finding right as an error is worth a look as a warning (right carries
    down), and one wrong as a warning is wrong as an error (wrong carries up). A finding
    judged wrong as an error and now reported as a warning needs a fresh look.
    """
    by_severity = judgments.get(loc.key, {})
    if loc.severity in by_severity:
        return str(by_severity[loc.severity]["verdict"])
    here = _RANK.get(loc.severity, 3)
    for severity, j in by_severity.items():
        there = _RANK.get(severity, 3)
        if j["verdict"] == "right" and there < here:
            return "right"
        if j["verdict"] == "wrong" and there > here:
            return "wrong"
    return None


@dataclass
class Tally:
    """Judged locations of one check (at its current severity)."""

    check: str
    severity: str
    judged: int = 0
    right: int = 0
    unjudged: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.judged if self.judged else None

    @property
    def target(self) -> float | None:
        return TARGETS.get(self.severity)

    @property
    def meets(self) -> bool:
        p, t = self.precision, self.target
        return t is None or p is None or p >= t


def tally(
    runs: Iterable[Run], judgments: dict[Key, dict[str, Any]]
) -> dict[tuple[str, str], Tally]:
    """Counts per (check, severity) over every subset: each severity is held to its target."""
    out: dict[tuple[str, str], Tally] = {}
    for run in runs:
        for loc in run.locations:
            t = out.setdefault((loc.check, loc.severity), Tally(loc.check, loc.severity))
            v = verdict(loc, judgments)
            if v is None:
                t.unjudged += 1
            else:
                t.judged += 1
                t.right += v == "right"
    return out


def table(tallies: dict[tuple[str, str], Tally]) -> str:
    """Markdown table: check, severity, judged, right, precision, target met."""
    order = {"error": 0, "warning": 1, "info": 2}
    rows = sorted(tallies.values(), key=lambda t: (order.get(t.severity, 3), t.check))
    lines = [
        "| check | severity | judged | right | precision | target | unjudged |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for t in rows:
        p = "—" if t.precision is None else f"{t.precision:.0%}"
        target = "—" if t.target is None else f"≥ {t.target:.0%} " + ("ok" if t.meets else "FAIL")
        counts = f"{t.judged} | {t.right} | {p} | {target} | {t.unjudged}"
        lines.append(f"| `{t.check}` | {t.severity} | {counts} |")
    return "\n".join(lines)


def record_text(name: str, line: int | None) -> str:
    """The record a location points at, as it stands in the file (JSONL line or JSON element)."""
    if line is None:
        return "(dataset-level finding: no single record)"
    text = (DATA / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        lines = text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else "(no such line)"
    decoder = json.JSONDecoder()
    i = text.index("[") + 1
    while True:
        while i < len(text) and text[i] in " \r\n\t,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return "(no record starts on that line)"
        obj, end = decoder.raw_decode(text, i)
        if text.count("\n", 0, i) + 1 == line:
            return json.dumps(obj, ensure_ascii=False)
        i = end


def unjudged(runs: Iterable[Run], judgments: dict[Key, dict[str, dict[str, Any]]]) -> list[Located]:
    """Error and warning locations with no verdict at their severity yet, in file/line order.

    Info findings promise nothing, so they need no verdict (a check demoted to info stops
    asking for judgments).
    """
    out = [
        loc
        for run in runs
        for loc in run.locations
        if loc.severity in TARGETS and verdict(loc, judgments) is None
    ]
    return sorted(out, key=lambda x: (x.file, x.line or 0, x.check))


_PARTNERS = re.compile(r"\bline(?:\(s\))?\s+(\d+(?:,\s*\d+)*)")


def partner_lines(detail: str) -> list[int]:
    """Other records a pair or group finding names in its detail ('same input as line(s) 5, 9')."""
    match = _PARTNERS.search(detail)
    return [int(n) for n in re.findall(r"\d+", match.group(1))] if match else []


def _print_unjudged(items: list[Located], width: int) -> None:
    """Each location with its record, the records it is paired with, and a line to complete."""
    for loc in items:
        print(f"=== {loc.file}:{loc.line}  {loc.check} [{loc.severity}]")
        print(f"    {loc.message}" + (f" — {loc.detail}" if loc.detail else ""))
        text = record_text(loc.file, loc.line)
        print("    " + (text if len(text) <= width else text[:width] + " …"))
        for other in [n for n in partner_lines(loc.detail) if n != loc.line][:3]:
            text = record_text(loc.file, other)
            print(f"    vs line {other}: " + (text if len(text) <= width else text[:width] + " …"))
        stub = {
            "file": loc.file,
            "line": loc.line,
            "check": loc.check,
            "severity": loc.severity,
            "verdict": "right|wrong",
            "why": "",
        }
        print("    " + json.dumps(stub, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    """CLI: the precision table, or the unjudged locations to judge."""
    parser = argparse.ArgumentParser(prog="python -m tests.real.judge", description=__doc__)
    parser.add_argument("--unjudged", action="store_true", help="list locations to judge")
    parser.add_argument("--width", type=int, default=1500, help="record text shown (chars)")
    parser.add_argument("files", nargs="*", help="subset file names (default: all)")
    args = parser.parse_args(argv)
    names = args.files or list(SUBSETS)
    runs = [run_subset(n) for n in names]
    judgments = load_judgments()
    for run in runs:
        if run.report is None:
            print(f"!! {run.file}: no report (exit {run.exit_code}): {run.output.strip()[:300]}")
    if args.unjudged:
        items = unjudged(runs, judgments)
        _print_unjudged(items, args.width)
        print(f"{len(items)} unjudged location(s)")
        return 1 if items else 0
    print(table(tally(runs, judgments)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
