"""The command line: a thin layer over :mod:`ftprep.api`.

Exit codes: 0 ready (warnings allowed unless ``--strict``), 1 not ready, 2 usage error or
unreadable input/config, 3 internal error (a bug: please report it). Errors are one line
on stderr naming the file; never a traceback (set FTPREP_DEBUG=1 to see one).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ftprep import api
from ftprep.errors import FtprepError
from ftprep.progress import progress_bar
from ftprep.report.model import Report
from ftprep.report.render import write_reports
from ftprep.report.terminal import render_terminal

EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _fail(message: str, code: int) -> None:
    click.echo(f"ftprep: error: {message}", err=True)
    sys.exit(code)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line messages and exit codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FtprepError as exc:
            _fail(str(exc), EXIT_USAGE)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            if os.environ.get("FTPREP_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (a bug in ftprep; "
                "rerun with FTPREP_DEBUG=1 and report the traceback)",
                EXIT_INTERNAL,
            )

    return wrapper


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, col = v.partition("=")
        if not sep or not key or not col:
            raise click.BadParameter(
                f"{v!r}: use TARGET=COLUMN, e.g. user=question", param_hint="--map"
            )
        out[key.strip()] = col.strip()
    return out


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by validate and split (loading, config, checks, output)."""
    options = [
        click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--model", help="Model to finetune (picks tokenizer and token limit)."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            help="ftprep.toml or pyproject.toml to read (default: discovered).",
        ),
        click.option(
            "--from",
            "format",
            help="Force the input format (chat, alpaca, sharegpt, "
            "prompt_completion, jsonl, json, csv, tsv, ...).",
        ),
        click.option(
            "--map",
            "mapping",
            multiple=True,
            metavar="TARGET=COLUMN",
            help="Map a field to user/assistant/system/label/group (repeatable).",
        ),
        click.option("--system", help="System prompt to add where an example has none."),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="CHECK.SETTING=VALUE",
            help="Override a check setting, e.g. sufficient.count.minimum=50.",
        ),
        click.option(
            "--disable",
            multiple=True,
            metavar="CHECK",
            help="Switch off a check id or a whole checklist item (repeatable).",
        ),
        click.option("--seed", type=int, help="Seed for the split (default 42)."),
        click.option(
            "--validation-fraction",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            help="Share of examples for validation (default 0.1).",
        ),
        click.option(
            "--metric",
            help="The metric you will measure improvement with (e.g. accuracy, field_f1, "
            "rubric; comma-separated for several). See docs/evaluation.md.",
        ),
        click.option("--strict", is_flag=True, default=None, help="Exit 1 on warnings too."),
        click.option(
            "--report",
            "reports",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Also write the report here; format from the extension (.json, .md).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _run(
    kind: str,
    inputs: tuple[Path, ...],
    *,
    model: str | None,
    config_path: Path | None,
    format: str | None,
    mapping: tuple[str, ...],
    system: str | None,
    sets: tuple[str, ...],
    disable: tuple[str, ...],
    seed: int | None,
    validation_fraction: float | None,
    strict: bool | None,
    quiet: bool,
    **extra: Any,
) -> tuple[Report, bool]:
    """Resolve the config, run validate or split, return the report and the strict flag."""
    config = api.make_config(
        config_path,
        sets=sets,
        disable=disable,
        model=model,
        seed=seed,
        validation_fraction=validation_fraction,
        strict=strict,
        fix=extra.pop("fix", None),
        metric=extra.pop("metric", None),
    )
    with progress_bar(not quiet) as progress:
        call = api.validate if kind == "validate" else api.split
        report = call(
            list(inputs),
            config=config,
            format=format,
            mapping=_mapping(mapping),
            system=system,
            progress=progress,
            **extra,
        )
    return report, config.strict


def _finish(report: Report, reports: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    write_reports(report, list(reports))
    if as_json:
        click.echo(report.to_json(), nl=False)
    else:
        render_terminal(report, Console(highlight=False))
    sys.exit(report.exit_code(strict))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ftprep")
def main() -> None:
    """ftprep: get data ready for finetuning.

    Normalizes chat, prompt/completion, Alpaca, ShareGPT and CSV/TSV data to chat JSONL,
    checks it against the data-preparation checklist, and writes a leakage-free split.
    """


@main.command()
@common_options
@click.option(
    "--validation",
    "validation",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validation file of an existing split: INPUTS are its training side; checks "
    "leakage (both lines listed), size ratio and label/topic drift.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report JSON on stdout only.")
@guarded
def validate(
    reports: tuple[Path, ...], as_json: bool, validation: tuple[Path, ...], **kwargs: Any
) -> None:
    """Check INPUTS and print the checklist and findings.

    Exit 0 when ready (warnings allowed), 1 when not ready, 2 on bad usage or input.
    """
    report, strict = _run("validate", validation=list(validation) or None, **kwargs)
    _finish(report, reports, as_json, strict)


@main.command()
@common_options
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory for train.jsonl, validation.jsonl and the reports.",
)
@click.option(
    "--fix",
    is_flag=True,
    default=None,
    help="Apply safe remediations (drop repeats and untrainable records, trim "
    "whitespace) and list every change in the report.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report JSON on stdout only.")
@guarded
def split(reports: tuple[Path, ...], as_json: bool, out: Path, **kwargs: Any) -> None:
    """Check INPUTS and write OUT/train.jsonl, OUT/validation.jsonl and the reports."""
    report, strict = _run("split", out=out, **kwargs)
    _finish(report, reports, as_json, strict)


@main.command("checks")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@guarded
def list_checks(as_json: bool) -> None:
    """List every check: id, checklist item, default severity and what it looks for."""
    from ftprep.docs import check_catalog

    catalog = check_catalog()
    if as_json:
        import json

        click.echo(json.dumps(catalog, indent=2))
        return
    for entry in catalog:
        click.echo(f"{entry['id']:<32} {entry['item']:<11} {entry['severity']:<8} {entry['title']}")


if __name__ == "__main__":  # pragma: no cover
    main()
