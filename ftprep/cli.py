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
from typing import TYPE_CHECKING, Any

import click

from ftprep.errors import ConfigError, FtprepError, printable

if TYPE_CHECKING:
    from ftprep.report.model import Report

# The engine, the report renderers and rich are imported inside the commands that use them:
# ``ftprep --help`` and ``ftprep checks`` then start without numpy, pydantic or the checks.

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
        except BrokenPipeError:
            # the reader of stdout went away (`ftprep checks | head`): not a bug; stop
            # quietly with the shell's code for SIGPIPE, without a second error at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
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
        click.option(
            "--eval-set",
            "eval_sets",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Your eval set (any format; repeatable): training examples that overlap it "
            "are errors, and --fix drops them.",
        ),
        click.option(
            "--benchmarks",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Benchmark fingerprints (.fp, from `ftprep fingerprint`) to check besides "
            "the bundled GSM8K, HumanEval and MT-bench.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="Processes for the per-example work (default: all cores; 1 runs in "
            "this process). The report is the same whatever the number.",
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default=None,
            help="Where the per-example work runs: this machine (local, default) or a Ray "
            "cluster (pip install 'ftprep[ray]'); the same report either way. See "
            "docs/scale.md.",
        ),
        click.option(
            "--ray-address",
            metavar="ADDRESS",
            help="With --engine ray: the cluster to join (auto inside `ray job submit`); "
            "default: start a local Ray.",
        ),
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
    from ftprep import api
    from ftprep.progress import progress_bar
    from ftprep.report.findings import LOCATION_LIMIT

    eval_sets = [str(p.resolve()) for p in extra.pop("eval_sets", ())]
    benchmarks = [str(p.resolve()) for p in extra.pop("benchmarks", ())]
    config = api.make_config(
        config_path,
        sets=sets,
        disable=disable,
        model=model,
        seed=seed,
        validation_fraction=validation_fraction,
        strict=strict,
        fix=extra.pop("fix", None),
        redact=list(extra.pop("redact", ())) or None,
        metric=extra.pop("metric", None),
        eval_sets=eval_sets or None,
        eval_map=_mapping(mapping) if eval_sets else None,
        max_record_mb=extra.pop("max_record_mb", None),
        epochs=extra.pop("epochs", None),
        target=extra.pop("target", None) if kind == "validate" else extra.get("to"),
    )
    written = (
        [Path(extra["out"]) / n for n in ("train.jsonl", "validation.jsonl")]
        if ("out" in extra)
        else []
    )
    guard_report_paths(
        [*inputs, *written, *map(Path, eval_sets), *map(Path, benchmarks)],
        extra.get("validation"),
        config,
        extra.pop("reports", ()),
        extra.get("findings"),
    )
    if benchmarks:
        config = api.make_config(config, benchmarks=[*config.benchmarks, *benchmarks])
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


def guard_report_paths(
    inputs: Sequence[Path],
    validation: Sequence[Path] | None,
    config: Any,
    reports: Sequence[Path],
    findings: Path | None = None,
) -> None:
    """Check every ``--report`` and ``--findings`` path against every input (data,
    validation files, eval sets, the config) before anything is read or written: a report
    must never replace the data."""
    from ftprep.report.render import RENDERERS
    from ftprep.split.writer import guard_outputs

    outputs = [*reports, *([Path(findings)] if findings is not None else [])]
    if not outputs:
        return
    read = [*inputs, *(validation or [])]
    if config.source:
        read.append(Path(config.source))
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


def _output_format(output_format: str | None, as_json: bool) -> str:
    if as_json and output_format not in (None, "json"):
        raise ConfigError(f"--json conflicts with --format {output_format}")
    return "json" if as_json else output_format or "terminal"


def _finish(
    report: Report,
    reports: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
    strict: bool,
) -> None:
    sys.exit(_emit(report, reports, _output_format(output_format, as_json), strict))


def _emit(report: Report, reports: tuple[Path, ...], fmt: str, strict: bool) -> int:
    """Write the report files, print the report in ``fmt``, return the exit code."""
    from ftprep.report.render import write_reports

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

        render_terminal(report, Console(highlight=False), written=reports)
    return report.exit_code(strict)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ftprep")
def main() -> None:
    """ftprep: get data ready for finetuning.

    Normalizes chat, prompt/completion, Alpaca, ShareGPT and CSV/TSV data to chat JSONL,
    checks it against the data-preparation checklist, and writes a leakage-free split.
    """


@main.command(short_help="Check data against the checklist: findings, verdict, exit code.")
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
@click.option("--fix", "fix_requested", is_flag=True, hidden=True)
@click.option(
    "--each",
    is_flag=True,
    help="Validate every input on its own (as the pre-commit hook does); exit with the worst "
    "code.",
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
    each: bool,
    fix_requested: bool,
    findings: Path | None,
    **kwargs: Any,
) -> None:
    """Check INPUTS and print the checklist and findings.

    Exit 0 when ready (warnings allowed), 1 when not ready, 2 on bad usage or input.
    """
    if fix_requested:
        raise ConfigError(
            "validate only reports; to write fixed data run "
            "`ftprep split INPUT... --out DIR --fix` (docs/fixing.md)"
        )
    if not each:
        if findings is None and reports:
            from ftprep.report.findings import findings_path_for

            findings = findings_path_for(reports[0])
        report, strict = _run(
            "validate",
            validation=list(validation) or None,
            findings=findings,
            reports=reports,
            **kwargs,
        )
        _finish(report, reports, output_format, as_json, strict)
    if reports or validation or findings:
        raise ConfigError(
            "--each validates files one by one: it takes no --report, --findings or --validation"
        )
    fmt = _output_format(output_format, as_json)
    if fmt == "json":
        raise ConfigError("--each prints one report per file: use --format terminal or github")
    worst = 0
    for path in kwargs.pop("inputs"):
        if fmt != "github":
            click.echo(f"== {path}")
        report, strict = _run("validate", inputs=(path,), **kwargs)
        worst = max(worst, _emit(report, (), fmt, strict))
    sys.exit(worst)


@main.command(short_help="Check, then write a leakage-free 90/10 split and reports.")
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
@click.option(
    "--sharded",
    is_flag=True,
    default=None,
    help="Write one train-*/validation-* part per input shard (what --engine ray writes), "
    "with the counts in the manifest.",
)
@click.option(
    "--redact",
    type=click.Choice(["pii"]),
    multiple=True,
    help="With --fix: replace the personal data clean.pii finds by typed placeholders, the "
    "same for a value everywhere ([EMAIL_1]); every change is listed, masked.",
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


@main.command(short_help="Convert data to a platform's format; lists what was dropped.")
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
    from ftprep import api
    from ftprep.conversion import convert_summary
    from ftprep.progress import progress_bar

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


@main.command("targets", short_help="List the target platforms and their main rules.")
@guarded
def list_targets() -> None:
    """List the target platforms for --to / --target with their main limits."""
    from ftprep.targets.render import targets_table

    click.echo(targets_table(), nl=False)


@main.command("checks", short_help="List every check: id, item, severity, what it finds.")
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
    width = max(len(entry["id"]) for entry in catalog)
    for entry in catalog:
        click.echo(
            f"{entry['id']:<{width}}  {entry['item']:<11} {entry['severity']:<8} {entry['title']}"
        )


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


@main.command(
    cls=_AnswerOptionsCommand,
    short_help="Finetune, prompt engineering, RAG, or RAG + better prompts?",
)
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

    from ftprep import api
    from ftprep.advise.render import render_advice

    if interactive is None:
        interactive = sys.stdin.isatty()

    def ask(question: Any) -> bool:
        try:
            return bool(click.confirm(question.text, err=True))
        except click.Abort:
            _fail(f"no answer to '{question.text}' (pass --{question.flag}/--no-{question.flag})",
                  EXIT_USAGE)  # fmt: skip
            raise

    result = api.advise(answers, data=list(data), format=format, ask=ask if interactive else None)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        render_advice(result, Console(highlight=False))


@main.command(short_help="Training and monthly cost of every finetuning option.")
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
@click.option(
    "--finetuned",
    "candidate",
    help="One model to finetune, compared in detail (default: every option side by side).",
)
@click.option(
    "--provider",
    "providers",
    multiple=True,
    help="Only this provider's options (repeatable or comma-separated: openai,together).",
)
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
    """Training and monthly cost of every finetunable option (any provider) side by side
    against the current model: savings, break-even and lifecycle dates. With --finetuned,
    one option in detail."""
    from rich.console import Console

    from ftprep import api
    from ftprep.costing.options import OptionsComparison
    from ftprep.costing.render import render_comparison, render_options

    result = api.cost(
        config=config_path,
        data=list(data),
        format=format,
        mapping=_mapping(mapping),
        system=system,
        **options,
    )
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    elif isinstance(result, OptionsComparison):
        render_options(result, Console(highlight=False, width=max(132, Console().width)))
    else:
        render_comparison(result, Console(highlight=False))


@main.command(short_help="Did finetuning help? Score models on the validation file.")
@click.argument("reference", type=click.Path(path_type=Path))
@click.argument("predictions", nargs=-1, type=click.Path(path_type=Path))
@click.option("--metric", help="Metric(s) to score, comma-separated (default: the task's).")
@click.option("--name", "names", multiple=True, help="Name of each model, in file order.")
@click.option(
    "--train", type=click.Path(path_type=Path), help="Training file, for the majority baseline."
)
@click.option(
    "--judge-file",
    type=click.Path(path_type=Path),
    help='Rubric scores from any judge: rows {"model", "id"|"line", "score"}.',
)
@click.option("--seed", type=int, default=42, show_default=True, help="Bootstrap seed.")
@click.option(
    "--resamples",
    type=click.IntRange(min=100),
    default=1000,
    show_default=True,
    help="Bootstrap resamples.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Write the evaluation (.json, .md, .html by extension); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation JSON only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    help="What to print.",
)
@click.option(
    "--fail-unless-better",
    is_flag=True,
    help="Exit 1 unless the last model beats the first (or the baseline) beyond the noise.",
)
@click.option("--from", "format", help="Force the reference's input format.")
@click.option("--map", "mapping", multiple=True, metavar="TARGET=COLUMN", help="Map a field.")
@guarded
def evaluate(
    reference: Path,
    predictions: tuple[Path, ...],
    metric: str | None,
    names: tuple[str, ...],
    train: Path | None,
    judge_file: Path | None,
    seed: int,
    resamples: int,
    reports: tuple[Path, ...],
    as_json: bool,
    fmt: str,
    fail_unless_better: bool,
    format: str | None,
    mapping: tuple[str, ...],
) -> None:
    """Score base and finetuned models' answers on the validation file, side by side.

    REFERENCE is the validation file (any layout ftprep reads); each PREDICTIONS file holds
    one model's answers, the first being the baseline the others are compared with. Prints
    each score with a 95% bootstrap interval and whether each difference is beyond the noise.
    """
    from rich.console import Console

    from ftprep import api
    from ftprep.evaluation.render import render_markdown, render_terminal, write_evaluation
    from ftprep.evaluation.run import improved
    from ftprep.split.writer import guard_outputs

    inputs = [reference, *predictions, *(p for p in (train, judge_file) if p is not None)]
    guard_outputs(inputs, list(reports))
    report = api.evaluate(
        reference,
        predictions,
        metric=metric,
        names=names,
        train=train,
        judge_file=judge_file,
        seed=seed,
        resamples=resamples,
        format=format,
        mapping=_mapping(mapping),
    )
    write_evaluation(report, list(reports))
    if as_json or fmt == "json":
        click.echo(report.to_json(), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(report), nl=False)
    else:
        render_terminal(report, Console(highlight=False))
        for path in reports:
            click.echo(f"wrote {path}")
    if fail_unless_better and not improved(report):
        sys.exit(1)
@main.command(short_help="Fingerprint an eval set for --benchmarks (hashes, no text).")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path), help="The .fp file.")
@click.option("--name", help="Benchmark name in findings (default: the first file's stem).")
@click.option("--from", "format", help="Force the input format.")
@click.option("--map", "mapping", multiple=True, metavar="TARGET=COLUMN", help="Map a field.")
@click.option(
    "--min-words",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Parts shorter than this are left out (common phrases must not match).",
)
@guarded
def fingerprint(
    inputs: tuple[Path, ...],
    out: Path,
    name: str | None,
    format: str | None,
    mapping: tuple[str, ...],
    min_words: int,
) -> None:
    """Fingerprint an eval set (13-gram hashes, not its text) for `--benchmarks FILE`."""
    from ftprep.contamination.fingerprint import build, dumps
    from ftprep.contamination.sources import eval_set_parts
    from ftprep.loaders import LoadOptions
    from ftprep.split.writer import guard_outputs, write_bytes_atomic

    guard_outputs(list(inputs), [out])
    label = name or inputs[0].name.split(".")[0]
    options = LoadOptions(format=format, mapping=_mapping(mapping))
    parts = (p for path in inputs for p in eval_set_parts(path, options, label))
    fp = build(parts, min_words=min_words, sources=[{"name": label, "files": len(inputs)}])
    write_bytes_atomic(out, dumps(fp))
    click.echo(
        f"{out}: {label}, {fp.items_per_source().get(label, 0)} items, {len(fp.parts)} parts, "
        f"{len(fp.hashes):,} {fp.n}-gram hashes"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
