"""Convert inputs to one target's file format: ``ftprep convert INPUT... --to T -o OUT``.

One streaming pass: every record is loaded, written with the target profile's writer and
checked against the profile's rules; the output is written atomically and never over an
input. Every record is accounted for: written (with any losses listed per location) or a
load error listed at its line. The result is a :class:`ConvertReport` (findings use the same
check ids and shape as the readiness report).

It sits above the checks (it reads their settings and writes findings), so it is not part
of :mod:`ftprep.targets`, which the checks themselves import for the platforms' rules.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ftprep.checks.base import REGISTRY
from ftprep.config import Config
from ftprep.errors import OutputError
from ftprep.jsonl import dumps
from ftprep.loaders import LoadOptions, open_source
from ftprep.report.model import SEVERITY_RANK, Finding, InputSummary
from ftprep.schema import SourceLocation
from ftprep.split.writer import atomic_writer, guard_outputs, write_text_atomic
from ftprep.targets import Profile, get_target
from ftprep.targets.base import Issue, Limit

Progress = Callable[[str, int, int | None], None]

#: Locations printed per finding by :func:`convert_summary` (``--json`` has them all).
_SHOWN = 5


class ConvertReport(BaseModel):
    """What ``convert`` wrote and what it found."""

    model_config = ConfigDict(extra="forbid")

    target: str
    output: str
    companions: list[str] = Field(default_factory=list)
    inputs: list[InputSummary]
    records: int
    written: int
    bytes: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def exit_code(self) -> int:
        """0 when the target accepts everything written and nothing failed to load, else 1."""
        return 0 if self.ok else 1

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def issue_check(issue: Issue) -> str:
    """The check id a profile issue is reported under."""
    return f"clean.target_{issue.rule}" if issue.confirmed else "clean.target_unconfirmed"


def file_limits(profile: Profile, files: dict[str, tuple[Path, int]]) -> list[tuple[str, bool]]:
    """Limits on the written files: ``files`` maps train/validation/output to (path, count)."""
    out: list[tuple[str, bool]] = []

    def over(limit: Limit | None, value: int, text: str) -> None:
        if limit is not None and value > limit.value:
            out.append((text.format(value=value, limit=limit.value), limit.confirmed))

    for role, (path, count) in files.items():
        size = path.stat().st_size if path.exists() else 0
        limit = profile.max_validation_bytes if role == "validation" else None
        over(
            limit or profile.max_file_bytes,
            size,
            f"{path.name} is {{value}} bytes; {profile.name} accepts at most {{limit}}",
        )
        if role == "validation":
            over(
                profile.max_validation_examples,
                count,
                f"{path.name} has {{value}} examples; {profile.name} accepts at most {{limit}}",
            )
    return out


def _finding(check: str, locations: list[SourceLocation], config: Config) -> Finding | None:
    spec = REGISTRY[check]
    settings = config.check_settings(check, spec.settings)
    if not settings.enabled:
        return None
    return Finding(
        check=check,
        item=spec.item,
        severity=settings.severity or spec.severity,
        message=spec.message.format(count=len({(x.source, x.line) for x in locations})),
        count=len(locations),
        locations=locations,
    )


def convert(
    inputs: Sequence[Any],
    out: Path,
    target: str,
    *,
    options: LoadOptions | None = None,
    config: Config | None = None,
    progress: Progress | None = None,
) -> ConvertReport:
    """Write every example of ``inputs`` to ``out`` in ``target``'s format and report."""
    profile = get_target(target)
    config = config or Config()
    sources = [open_source(p, options) for p in inputs]
    if out.exists() and out.is_dir():
        raise OutputError(
            f"{out}: is a directory; give the output file name, e.g. {out}/train.jsonl"
        )
    guard_outputs([s.path for s in sources], [out, out.parent / "dataset_info.json"])
    found: dict[str, list[SourceLocation]] = defaultdict(list)
    kinds: set[str] = set()
    written = size = records = 0
    with atomic_writer(out) as fh:
        for source in sources:
            for loaded in source:
                records += 1
                if loaded.error is not None:
                    err = loaded.error
                    found[err.code].append(err.location.model_copy(update={"detail": err.message}))
                    continue
                ex = loaded.example
                assert ex is not None
                result = profile.convert(ex)
                line = dumps(result.record)
                fh.write(line)
                written += 1
                size += len(line.encode("utf-8"))
                kinds.add(ex.kind)
                # Verify the line as written (after the JSON round trip), with the rules the
                # platform applies to an uploaded file, so exit 0 means it takes the file.
                for issue in profile.judge(json.loads(line)):
                    found[issue_check(issue)].append(
                        ex.location.model_copy(update={"detail": issue.detail})
                    )
                for loss in result.losses:
                    found["clean.target_loss"].append(
                        ex.location.model_copy(update={"detail": loss})
                    )
                if progress and written % 2048 == 0:
                    progress("converting", records, None)
    companions = profile.companions({out.stem: out}, kinds)
    for path, text in sorted(companions.items()):
        write_text_atomic(path, text)
    findings = [f for c, locs in found.items() if (f := _finding(c, locs, config)) is not None]
    dataset = _dataset_finding(profile, written, kinds, {"output": (out, written)}, config)
    if dataset is not None:
        findings.append(dataset)
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], -f.count, f.check))
    return ConvertReport(
        target=profile.name,
        output=str(out),
        companions=[str(p) for p in sorted(companions)],
        inputs=[
            InputSummary(path=s.name, format=s.label, sha256=s.sha256(), **s.counts)
            for s in sources
        ],
        records=records,
        written=written,
        bytes=size,
        findings=findings,
    )


def _dataset_finding(
    profile: Profile,
    n: int,
    kinds: set[str],
    files: dict[str, tuple[Path, int]],
    config: Config,
) -> Finding | None:
    spec = REGISTRY["clean.target_dataset"]
    settings = config.check_settings("clean.target_dataset", spec.settings)
    if not settings.enabled:
        return None
    problems: list[tuple[str, bool]] = []
    if profile.min_examples and n < profile.min_examples.value:
        problems.append(
            (
                f"{n} examples; {profile.name} needs at least {profile.min_examples.value}",
                profile.min_examples.confirmed,
            )
        )
    maximum = settings.max_examples or (
        profile.max_examples.value if profile.max_examples else None
    )
    if maximum is not None and n > maximum:
        problems.append((f"{n} examples; {profile.name} accepts at most {maximum}", True))
    if len(kinds) > 1:
        problems.append(
            ("SFT and preference examples are mixed; write them to separate files", True)
        )
    problems += [(i.detail, i.confirmed) for i in profile.dataset_notes(kinds)]
    problems += file_limits(profile, files)
    if not problems:
        return None
    errors = any(confirmed for _, confirmed in problems)
    return Finding(
        check="clean.target_dataset",
        item="clean",
        severity=settings.severity or ("error" if errors else "warning"),
        message="; ".join(text for text, _ in problems),
        count=0,
        locations=[],
    )


def convert_summary(report: ConvertReport) -> str:
    """What ``ftprep convert`` prints: counts, files, then each finding with locations."""
    lines = [
        f"{report.target}: wrote {report.written} of {report.records} records to "
        f"{report.output} ({report.bytes} bytes)"
    ]
    lines += [f"  also wrote {p}" for p in report.companions]
    if not report.findings:
        lines.append("no losses; every example meets the target's rules")
    for f in report.findings:
        lines.append(f"{f.severity.upper():7} {f.check}: {f.message}")
        for loc in f.locations[:_SHOWN]:
            detail = f" — {loc.detail}" if loc.detail else ""
            lines.append(f"          {loc.source}:{loc.line}{detail}")
        if len(f.locations) > _SHOWN:
            lines.append(f"          ... {len(f.locations) - _SHOWN} more (see --json)")
    return "\n".join(lines) + "\n"
