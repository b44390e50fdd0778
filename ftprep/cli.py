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
from typing import TYPE_CHECKING, Any

import click

from ftprep.errors import ConfigError, FtprepError

if TYPE_CHECKING:
    from ftprep.report.model import Report

# The engine, the report renderers and rich are imported inside the commands that use them:
# ``ftprep --help`` and ``ftprep checks`` then start without numpy, pydantic or the checks.

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
            raise ConfigError(f"--map {v!r}: use TARGET=COLUMN, e.g. --map user=question")
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
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="Processes for the per-example work (default: all cores; 1 runs in "
            "this process). The report is the same whatever the number.",
        ),
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
    from ftprep import api
    from ftprep.progress import progress_bar
    from ftprep.report.findings import LOCATION_LIMIT

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
            location_limit=LOCATION_LIMIT,  # every location goes to findings.jsonl instead
            **extra,
        )
    return report, config.strict


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
    from ftprep.report.render import write_reports

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
        from rich.console import Console

        from ftprep.report.terminal import render_terminal

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
@click.option(
    "--findings",
    "findings",
    type=click.Path(path_type=Path),
    help="Write every finding location here (JSONL). Default with --report: NAME.findings.jsonl "
    "beside the first report; the report files keep the first 100 locations per finding.",
)
@output_options
@guarded
def validate(
    reports: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
    validation: tuple[Path, ...],
    findings: Path | None,
    **kwargs: Any,
) -> None:
    """Check INPUTS and print the checklist and findings.

    Exit 0 when ready (warnings allowed), 1 when not ready, 2 on bad usage or input.
    """
    if findings is None and reports:
        from ftprep.report.findings import findings_path_for

        findings = findings_path_for(reports[0])
    report, strict = _run(
        "validate", validation=list(validation) or None, findings=findings, **kwargs
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
    report, strict = _run("split", out=out, **kwargs)
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
    **load: Any,
) -> None:
    """Convert INPUTS to one file in a target platform's format (--to) and check it.

    Lists what the conversion had to drop, and where. Exit 0 when the target accepts every
    written example, 1 when an example breaks a target rule or a record could not be read,
    2 on bad usage or input.
    """
    from ftprep import api
    from ftprep.progress import progress_bar
    from ftprep.targets.render import convert_summary

    config = api.make_config(config_path, sets=sets, disable=disable)
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


class _AnswerOptionsCommand(click.Command):
    """A command with one --FLAG/--no-FLAG option per question of the decision tree (the
    tree is data). The options are added on first use, so ``ftprep --help`` does not load
    and validate the tree."""

    _answers_added = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not self._answers_added:
            from ftprep.advise.tree import load_tree

            self._answers_added = True
            answers = [
                click.Option([f"--{q.flag}/--no-{q.flag}", q.id], default=None, help=q.text)
                for q in load_tree().questions.values()
            ]
            self.params[:0] = answers
        return super().get_params(ctx)


@main.command(cls=_AnswerOptionsCommand)
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
    from rich.console import Console

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
    from rich.console import Console

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
