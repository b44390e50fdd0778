"""The command line: a thin layer over :mod:`ftprep.api`.

Exit codes: 0 ready (warnings allowed unless ``--strict``), 1 not ready, 2 usage error or
unreadable input/config, 3 internal error (a bug: please report it). Errors are one line
on stderr naming the file; never a traceback (set FTPREP_DEBUG=1 to see one).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ftprep import api
from ftprep.errors import ConfigError, FtprepError, printable
from ftprep.progress import progress_bar
from ftprep.report.model import Report
from ftprep.report.render import write_reports
from ftprep.report.terminal import render_terminal

EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _fail(message: str, code: int) -> None:
    click.echo(f"ftprep: error: {printable(message)}", err=True)
    sys.exit(code)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` removes its temporary files."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While a command runs, SIGTERM unwinds the stack instead of killing the process
    where it stands (which would leave temporary files behind)."""
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _require_utf8(values: dict[str, Any]) -> None:
    """Text options must be valid UTF-8 (bytes that are not arrive as surrogates and could
    never be written to a report); file names may be anything and are escaped instead."""
    ctx = click.get_current_context(silent=True)
    flags = {p.name: p.opts[0] for p in ctx.command.params} if ctx is not None else {}
    for name, value in values.items():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    flag = flags.get(name, name)
                    raise ConfigError(f"{flag} {item!r}: not valid UTF-8 text") from None


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line messages and exit codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _require_utf8(kwargs)
            with _sigterm_unwinds():
                return fn(*args, **kwargs)
        except FtprepError as exc:
            _fail(str(exc), EXIT_USAGE)
        except _Terminated:
            _fail("terminated; nothing was published", 143)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was published", 130)
        except MemoryError:
            _fail(
                "out of memory; lower --max-record-mb or split the input into smaller files",
                EXIT_USAGE,
            )
        except OSError as exc:
            if os.environ.get("FTPREP_DEBUG"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", EXIT_USAGE)
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
            raise ConfigError(f"--map {v!r}: use TARGET=COLUMN, e.g. --map user=question")
        out[key.strip()] = col.strip()
    return out


MAX_RECORD_OPTION = click.option(
    "--max-record-mb",
    type=click.FloatRange(min=0, min_open=True, max=4096),
    help="Largest record (line, CSV row, array element) to read, in MB (default 8); "
    "larger ones are load errors.",
)


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
        click.option("--sheet", help="Excel worksheet to read (default: the first)."),
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
            "--epochs",
            type=click.IntRange(min=1),
            help="Training epochs for the cost estimate (default: OpenAI's rule, 3 kept "
            "within 100-25,000 example passes).",
        ),
        click.option(
            "--report",
            "reports",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Also write the report here; format from the extension (.json, .md, .html).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
        MAX_RECORD_OPTION,
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
        max_record_mb=extra.pop("max_record_mb", None),
    )
    written = (
        [Path(extra["out"]) / n for n in ("train.jsonl", "validation.jsonl")]
        if ("out" in extra)
        else []
    )
    guard_report_paths(
        [*inputs, *written], extra.get("validation"), config, extra.pop("reports", ())
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


def guard_report_paths(
    inputs: Sequence[Path], validation: Sequence[Path] | None, config: Any, reports: Sequence[Path]
) -> None:
    """Check every ``--report`` path against every input (data, validation files, the
    config) before anything is read or written: a report must never replace the data."""
    from ftprep.report.render import RENDERERS
    from ftprep.split.writer import guard_outputs

    if not reports:
        return
    read = [*inputs, *(validation or [])]
    if config.source:
        read.append(Path(config.source))
    outputs = list(reports)
    outputs += [Path(r).parent / "findings.jsonl" for r in reports]
    guard_outputs(read, outputs, "--report")
    for path in reports:
        if Path(path).suffix.lower() not in RENDERERS:
            raise ConfigError(
                f"--report {path}: no report format for '{Path(path).suffix}'; use one of "
                f"{', '.join(sorted(RENDERERS))}"
            )


OUTPUT_FORMATS = ("terminal", "json", "github", "markdown")


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format`` for what is printed on stdout, and ``--json`` as its old alias."""
    fn = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the report JSON on stdout only (same as --format json).",
    )(fn)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        default=None,
        help="What to print on stdout: the terminal view (default), the report JSON, GitHub "
        "Actions annotations, or Markdown for a pull-request comment.",
    )(fn)


def _finish(
    report: Report,
    reports: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
    strict: bool,
) -> None:
    if as_json and output_format not in (None, "json"):
        raise ConfigError(f"--json conflicts with --format {output_format}")
    fmt = "json" if as_json else output_format or "terminal"
    write_reports(report, list(reports))
    if fmt == "json":
        click.echo(report.to_json(), nl=False)
    elif fmt == "github":
        from ftprep.report.github import render_github

        click.echo(render_github(report), nl=False)
    elif fmt == "markdown":
        from ftprep.report.markdown import render_markdown

        click.echo(render_markdown(report), nl=False)
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
    "--target",
    metavar="TARGET",
    help="Also check against a platform's rules (openai, together, fireworks, bedrock, "
    "vertex, mistral, trl, axolotl, llamafactory).",
)
@click.option(
    "--validation",
    "validation",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validation file of an existing split: INPUTS are its training side; checks "
    "leakage (both lines listed), size ratio and label/topic drift.",
)
@output_options
@guarded
def validate(
    reports: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
    validation: tuple[Path, ...],
    **kwargs: Any,
) -> None:
    """Check INPUTS and print the checklist and findings.

    Exit 0 when ready (warnings allowed), 1 when not ready, 2 on bad usage or input.
    """
    report, strict = _run(
        "validate", validation=list(validation) or None, reports=reports, **kwargs
    )
    _finish(report, reports, output_format, as_json, strict)


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
@click.option(
    "--to",
    metavar="TARGET",
    help="Write train/validation in a platform's format and check against its rules.",
)
@output_options
@guarded
def split(
    reports: tuple[Path, ...], output_format: str | None, as_json: bool, out: Path, **kwargs: Any
) -> None:
    """Check INPUTS and write OUT/train.jsonl, OUT/validation.jsonl and the reports
    (report.json, report.md, report.html)."""
    report, strict = _run("split", out=out, reports=reports, **kwargs)
    _finish(report, reports, output_format, as_json, strict)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, metavar="TARGET", help="Target platform format.")
@click.option(
    "--out", "-o", required=True, type=click.Path(path_type=Path), help="Output file (.jsonl)."
)
@click.option("--from", "format", help="Force the input format.")
@click.option("--map", "mapping", multiple=True, metavar="TARGET=COLUMN", help="Map a field.")
@click.option("--system", help="System prompt to add where an example has none.")
@click.option("--sheet", help="Excel worksheet to read (default: the first).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file.")
@click.option("--set", "sets", multiple=True, metavar="CHECK.SETTING=VALUE")
@click.option("--disable", multiple=True, metavar="CHECK")
@click.option("--json", "as_json", is_flag=True, help="Print the result JSON on stdout only.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@MAX_RECORD_OPTION
@guarded
def convert(
    inputs: tuple[Path, ...],
    to: str,
    out: Path,
    mapping: tuple[str, ...],
    config_path: Path | None,
    sets: tuple[str, ...],
    disable: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    max_record_mb: float | None,
    **load: Any,
) -> None:
    """Convert INPUTS to one file in a target platform's format (--to) and check it.

    Lists what the conversion had to drop, and where. Exit 0 when the target accepts every
    written example, 1 when an example breaks a target rule or a record could not be read,
    2 on bad usage or input.
    """
    from ftprep.targets.render import convert_summary

    config = api.make_config(config_path, sets=sets, disable=disable, max_record_mb=max_record_mb)
    with progress_bar(not quiet) as progress:
        result = api.convert(
            list(inputs),
            out,
            to,
            config=config,
            mapping=_mapping(mapping),
            progress=progress,
            **load,
        )
    click.echo(result.to_json() if as_json else convert_summary(result), nl=False)
    sys.exit(result.exit_code())


@main.command("targets")
@guarded
def list_targets() -> None:
    """List the target platforms for --to / --target with their main limits."""
    from ftprep.targets.render import targets_table

    click.echo(targets_table(), nl=False)


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


def _answer_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One --FLAG/--no-FLAG option per question of the decision tree (the tree is data)."""
    from ftprep.advise import load_tree

    for q in reversed(list(load_tree().questions.values())):
        fn = click.option(f"--{q.flag}/--no-{q.flag}", q.id, default=None, help=q.text)(fn)
    return fn


@main.command()
@_answer_options
@click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Dataset to add evidence from (repeatable).",
)
@click.option("--from", "format", help="Force the input format of --data.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask unanswered questions (default: only when stdin is a terminal).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON only.")
@guarded
def advise(
    data: tuple[Path, ...],
    format: str | None,
    interactive: bool | None,
    as_json: bool,
    **answers: bool | None,
) -> None:
    """Recommend finetuning, prompt engineering, RAG, or RAG + better prompts.

    Answer the questions with flags (for scripts and CI) or interactively; unanswered
    questions without a terminal exit 2 naming the flag. With --data, the dataset adds
    evidence (size, factual recall, output format, dated content).
    """
    from ftprep.advise import advise as run_advise
    from ftprep.advise.render import render_advice
    from ftprep.loaders import LoadOptions

    if interactive is None:
        interactive = sys.stdin.isatty()

    def ask(question: Any) -> bool:
        try:
            return bool(click.confirm(question.text, err=True))
        except click.Abort:
            _fail(f"no answer to '{question.text}' (pass --{question.flag}/--no-{question.flag})",
                  EXIT_USAGE)  # fmt: skip
            raise

    result = run_advise(
        answers,
        data=list(data),
        load_options=LoadOptions(format=format),
        ask=ask if interactive else None,
    )
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        render_advice(result, Console(highlight=False))


@main.command()
@click.option(
    "--requests",
    "requests_per_month",
    type=click.IntRange(min=1),
    required=True,
    help="Requests per month.",
)
@click.option("--input-tokens", type=click.FloatRange(min=0), help="Average prompt tokens.")
@click.option("--output-tokens", type=click.FloatRange(min=0), help="Average completion tokens.")
@click.option(
    "--finetuned-input-tokens",
    type=click.FloatRange(min=0),
    help="Average prompt tokens for the finetuned model (default: --input-tokens).",
)
@click.option("--current", default="gpt-4o", show_default=True, help="Model used today.")
@click.option("--finetuned", "candidate", help="Model to finetune (default: the config's model).")
@click.option(
    "--current-finetuned", is_flag=True, help="Price the current model at finetuned rates."
)
@click.option("--training-cost", type=click.FloatRange(min=0), help="One-time training USD.")
@click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Training data: the training cost and average tokens come from it (repeatable).",
)
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs (default: OpenAI's rule).")
@click.option("--from", "format", help="Force the input format of --data.")
@click.option("--map", "mapping", multiple=True, metavar="TARGET=COLUMN", help="Map a field.")
@click.option("--system", help="System prompt to add where a --data example has none.")
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Config file to read."
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON only.")
@guarded
def cost(
    config_path: Path | None,
    format: str | None,
    mapping: tuple[str, ...],
    system: str | None,
    data: tuple[Path, ...],
    as_json: bool,
    **options: Any,
) -> None:
    """Monthly cost of the current model vs a finetuned smaller one, the savings and the
    break-even point of the one-time training cost."""
    from ftprep.costing import cost_comparison
    from ftprep.costing.render import render_comparison

    result = cost_comparison(
        config=config_path,
        data=list(data),
        load_options={"format": format, "mapping": _mapping(mapping), "system": system},
        **options,
    )
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        render_comparison(result, Console(highlight=False))


if __name__ == "__main__":  # pragma: no cover
    main()
