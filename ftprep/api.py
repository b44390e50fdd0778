"""The public Python API. Everything the CLI does is one call here.

import ftprep
report = ftprep.validate("data.jsonl")                 # Report
report = ftprep.split("data.jsonl", out="prepared/")   # writes train/validation + reports
result = ftprep.load("data.csv", mapping={"user": "q", "assistant": "a"})
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftprep.config import Config, apply_check_options, load_config
from ftprep.engine import Analysis, Progress, analyze
from ftprep.loaders import LoadOptions, open_source
from ftprep.report.build import build_report
from ftprep.report.model import Report
from ftprep.schema import Example, LoadError

PathLike = str | Path


def _paths(inputs: PathLike | Sequence[PathLike]) -> list[Path]:
    if isinstance(inputs, str | Path):
        return [Path(inputs)]
    return [Path(p) for p in inputs]


def make_config(
    config: Config | PathLike | None = None,
    *,
    sets: Sequence[str] = (),
    disable: Sequence[str] = (),
    **overrides: Any,
) -> Config:
    """Resolve a config: a Config, a path to a TOML file, or discovery; then overrides.

    ``overrides`` are top-level settings (``model``, ``seed``, ``validation_fraction``,
    ``strict``, ``fix``); ``sets`` are ``CHECK.SETTING=VALUE`` strings; ``disable`` check ids
    or checklist items.
    """
    from ftprep.checks.base import REGISTRY

    base = config if isinstance(config, Config) else load_config(config)
    base = base.with_overrides(**overrides)
    if sets or disable:
        base = apply_check_options(base, list(sets), list(disable), set(REGISTRY))
    for cid in base.checks:
        if cid not in REGISTRY:
            where = f" in {base.source}" if base.source else ""
            raise __import__("ftprep.errors", fromlist=["ConfigError"]).ConfigError(
                f"unknown check '{cid}'{where}; `ftprep checks` lists them"
            )
    return base


def _load_options(
    format: str | None, mapping: dict[str, str] | None, system: str | None, sheet: str | None = None
) -> LoadOptions:
    return LoadOptions(format=format, mapping=dict(mapping or {}), system=system, sheet=sheet)


def validate(
    inputs: PathLike | Sequence[PathLike],
    *,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    progress: Progress | None = None,
    validation: PathLike | Sequence[PathLike] | None = None,
    **overrides: Any,
) -> Report:
    """Check ``inputs`` against the checklist and return the readiness report.

    Keyword ``overrides`` set top-level config values (``model="gpt-4.1-mini"``,
    ``seed=7``, ``metric="accuracy"``); per-check settings go in ``config``. With
    ``validation``, ``inputs`` are the training side of an existing split and the split
    checks compare them with the validation file(s) (leakage, size ratio, drift).
    """
    cfg = make_config(config, **overrides)
    options = _load_options(format, mapping, system)
    if validation:
        from ftprep.leakage import analyze_existing_split

        analysis = analyze_existing_split(
            _paths(inputs), _paths(validation), cfg, options, progress
        )
        return build_report(analysis)
    analysis = analyze(_paths(inputs), cfg, options, progress)
    return build_report(analysis)


def split(
    inputs: PathLike | Sequence[PathLike],
    out: PathLike,
    *,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> Report:
    """Check ``inputs``, write ``out/train.jsonl`` and ``out/validation.jsonl`` and the
    reports (``report.json``, ``report.md``), and return the report."""
    from ftprep.report.render import write_reports
    from ftprep.split.writer import guard_outputs, write_split

    cfg = make_config(config, **overrides)
    paths = _paths(inputs)
    out_dir = Path(out)
    train, val = out_dir / "train.jsonl", out_dir / "validation.jsonl"
    report_paths = [out_dir / n for n in ("report.json", "report.md")]
    guard_outputs(paths, [train, val, *report_paths])
    analysis = analyze(paths, cfg, _load_options(format, mapping, system), progress)
    write_split(analysis, train, val)
    report = build_report(analysis, (str(train), str(val)))
    write_reports(report, report_paths)
    return report


def fix(inputs: PathLike | Sequence[PathLike], out: PathLike, **kwargs: Any) -> Report:
    """``split`` with the safe remediations applied (``fix=True``): drops exact repeats and
    records that cannot be trained on, trims whitespace, strips unknown keys; every change is
    listed in ``report.split.drops`` and ``report.split.changes``."""
    return split(inputs, out, fix=True, **kwargs)


@dataclass
class Loaded:
    """Examples and load errors of one or more inputs, in input order."""

    examples: list[Example] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Example]:
        return iter(self.examples)

    def __len__(self) -> int:
        return len(self.examples)


def load(
    inputs: PathLike | Sequence[PathLike],
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
) -> Loaded:
    """Load inputs into memory as normalized examples (for notebooks; the CLI streams)."""
    result = Loaded()
    for path in _paths(inputs):
        source = open_source(path, _load_options(format, mapping, system))
        result.formats[str(path)] = source.label
        for rec in source:
            if rec.example is not None:
                result.examples.append(rec.example)
            elif rec.error is not None:
                result.errors.append(rec.error)
    return result


__all__ = ["Analysis", "Loaded", "fix", "load", "make_config", "split", "validate"]
