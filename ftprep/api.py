"""The public Python API. Everything the CLI does is one call here.

import ftprep
report = ftprep.validate("data.jsonl")                 # Report
report = ftprep.split("data.jsonl", out="prepared/")   # writes train/validation + reports
result = ftprep.load("data.csv", mapping={"user": "q", "assistant": "a"})
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftprep.config import Config, apply_check_options, load_config
from ftprep.engine import Analysis, Progress, analyze
from ftprep.errors import ConfigError, InputError
from ftprep.loaders import LoadOptions
from ftprep.loaders.loaded import Loaded, load_all
from ftprep.report.build import build_report
from ftprep.report.findings import FINDINGS_NAME
from ftprep.report.model import Report

if TYPE_CHECKING:
    from ftprep.advise.advice import Advice
    from ftprep.advise.tree import Ask
    from ftprep.costing.options import OptionsComparison
    from ftprep.costing.scale import Comparison

PathLike = str | Path


def _paths(inputs: PathLike | Sequence[PathLike] | Any) -> list[Any]:
    """Input files as paths; in-memory data (DataFrame, Dataset, records) as is.

    One input may be a path, a pandas DataFrame, a Hugging Face ``Dataset`` or an iterable of
    dicts (one dataset); a list of those is several inputs.
    """
    from ftprep.loaders.inputs import expand
    from ftprep.loaders.memory import from_records, is_in_memory

    def one(p: Any) -> list[Any]:
        if is_in_memory(p):
            return [p]
        if isinstance(p, str | os.PathLike):
            return expand(Path(p))  # a folder of shards or a pattern: each data file
        raise InputError(repr(p)[:60], "not a path, a DataFrame, a Dataset or a list of records")

    if isinstance(inputs, str | os.PathLike):
        return expand(Path(inputs))
    if is_in_memory(inputs):
        if isinstance(inputs, list | tuple) and not isinstance(inputs[0], dict):
            return [q for p in inputs for q in one(p)]
        return [from_records(inputs)]
    if not isinstance(inputs, list | tuple):
        raise InputError(repr(inputs)[:60], "not a path, a DataFrame, a Dataset or records")
    if not inputs:
        raise InputError("<inputs>", "no inputs given")
    return [q for p in inputs for q in one(p)]


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
    or checklist items. This is the one place a run's settings are resolved: a config it
    returned comes back through every API call unchanged, so it is resolved once.
    """
    from ftprep.checks.base import REGISTRY

    if isinstance(config, Config) and config.resolved and not sets and not disable:
        missing = object()
        if all(v is None or getattr(config, k, missing) == v for k, v in overrides.items()):
            return config

    base = config if isinstance(config, Config) else load_config(config)
    chosen_model = overrides.get("model") is not None or "model" in base.model_fields_set
    base = base.with_overrides(**overrides)
    if base.redact and not base.fix:
        raise ConfigError("--redact rewrites the data it writes: use it with --fix")
    if sets or disable:
        base = apply_check_options(base, list(sets), list(disable), set(REGISTRY))
    if base.target is not None:
        target = base.target
        base = _with_target(base, target)
        if not chosen_model:
            base = _target_model(base, target)
    for cid in base.checks:
        if cid not in REGISTRY:
            where = f" in {base.source}" if base.source else ""
            raise ConfigError(f"unknown check '{cid}'{where}; `ftprep checks` lists them")
    return base.mark_resolved()


def _target_model(config: Config, target: str) -> Config:
    """A target implies a fitting model when none was chosen (``--model`` or the config):
    its limit, tokenizer, prices and dates, not an OpenAI model's."""
    from ftprep.targets import get_target
    from ftprep.tokens.models import target_model

    name = target_model(get_target(target).name, config.models)
    return config if name is None else config.with_overrides(model=name)


def _with_target(config: Config, target: str, judge: str = "file") -> Config:
    """Hand the target to every check that has a ``target`` setting.

    ``judge`` is ``file`` (``validate --target``: the input records as they stand) or
    ``output`` (``split --to``: the records ftprep writes). The generic structure checks the
    platform's own rules settle (the profile's ``defers``) report at warning level unless
    the configuration sets their severity: the platform's verdict decides readiness.
    """
    from ftprep.checks.base import REGISTRY
    from ftprep.targets import get_target

    profile = get_target(target)
    name = profile.name
    checks = {cid: dict(s) for cid, s in config.checks.items()}
    for cid, spec in REGISTRY.items():
        if "target" in spec.settings.model_fields:
            checks.setdefault(cid, {}).update(target=name, judge=judge)
    for cid in profile.defers:
        if cid in REGISTRY:
            checks.setdefault(cid, {}).setdefault("severity", "warning")
    return config.model_copy(update={"target": name, "checks": checks})


def _load_options(
    format: str | None,
    mapping: dict[str, str] | None,
    system: str | None,
    sheet: str | None = None,
    config: Config | None = None,
) -> LoadOptions:
    for name, text in [
        ("system", system or ""),
        *((f"mapping[{k!r}]", v) for k, v in (mapping or {}).items()),
    ]:
        try:
            str(text).encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigError(f"{name} {text!r}: not valid UTF-8 text") from None
    limit = {"max_record_bytes": config.max_record_bytes} if config is not None else {}
    return LoadOptions(
        format=format, mapping=dict(mapping or {}), system=system, sheet=sheet, **limit
    )


def validate(
    inputs: PathLike | Sequence[PathLike],
    *,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    validation: PathLike | Sequence[PathLike] | None = None,
    findings: PathLike | None = None,
    jobs: int | None = None,
    location_limit: int | None = None,
    engine: str | Any | None = None,
    ray_address: str | None = None,
    **overrides: Any,
) -> Report:
    """Check ``inputs`` against the checklist and return the readiness report.

    The report keeps the first locations of each finding with the true count; ``findings``
    is a path to stream every location to (JSONL, see :mod:`ftprep.report.findings`).
    ``jobs``: processes for the per-batch work (default all cores, 1 in-process); the
    report is the same byte for byte whatever it is. ``location_limit`` keeps at most that
    many locations per finding in the returned report (default: all; report.json always
    holds at most 100, see docs/report-format.md).

    Keyword ``overrides`` set top-level config values (``model="gpt-4.1-mini"``,
    ``seed=7``, ``metric="accuracy"``); per-check settings go in ``config``. With
    ``validation``, ``inputs`` are the training side of an existing split and the split
    checks compare them with the validation file(s) (leakage, size ratio, drift).
    ``engine="ray"`` runs the per-example work on Ray (``ray_address``: a cluster to join,
    ``"auto"`` inside ``ray job submit``; default a local Ray), with the same report
    (docs/scale.md).
    """
    from ftprep.ray_engine import engine_for

    runner = engine_for(engine, ray_address)
    cfg = make_config(config, **overrides)
    options = _load_options(format, mapping, system, sheet, cfg)
    if findings is not None:
        from ftprep.split.writer import guard_outputs

        everything = [*_paths(inputs), *(_paths(validation) if validation else [])]
        guard_outputs([p for p in everything if isinstance(p, Path)], [Path(findings)])
    if validation:
        from ftprep.leakage import analyze_existing_split

        if runner is not None:
            raise ConfigError("--validation runs on the local engine: drop --engine ray")

        analysis = analyze_existing_split(
            _paths(inputs), _paths(validation), cfg, options, progress, jobs=jobs
        )
    else:
        analysis = analyze(_paths(inputs), cfg, options, progress, jobs=jobs, engine=runner)
    return build_report(
        analysis, findings_path=Path(findings) if findings else None, limit=location_limit
    )


def split(
    inputs: PathLike | Sequence[PathLike],
    out: PathLike,
    *,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    sheet: str | None = None,
    to: str | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    location_limit: int | None = None,
    engine: str | Any | None = None,
    ray_address: str | None = None,
    sharded: bool | None = None,
    **overrides: Any,
) -> Report:
    """Check ``inputs``, write ``out/train.jsonl`` and ``out/validation.jsonl``, the
    reports (``report.json``, ``report.md``, ``report.html``) and every finding location
    (``findings.jsonl``), and return the report.

    ``to`` writes both files in a target platform's format (``"together"``, ``"bedrock"``...)
    and checks the data against that target; LLaMA-Factory also gets ``dataset_info.json``
    and axolotl ``axolotl_datasets.yml``.

    ``engine="ray"`` runs the work on Ray (``ray_address`` as for :func:`validate`) and
    writes the split as shards, one ``train-*``/``validation-*`` part per input shard
    (``sharded=True`` writes that layout with the local engine too); the report and the
    membership of each side are the local engine's (docs/scale.md, docs/splitting.md).
    """
    from ftprep.ray_engine import engine_for
    from ftprep.report.render import write_reports
    from ftprep.split.sharded import part_pattern, refuse_unsupported, run_here, write_sharded
    from ftprep.split.writer import (
        MANIFEST,
        guard_out_dir,
        guard_outputs,
        publishing,
        write_split,
    )

    if to is not None:
        overrides["target"] = to
    runner = engine_for(engine, ray_address)
    sharded = bool(sharded) or runner is not None
    cfg = make_config(config, **overrides)
    if sharded:
        refuse_unsupported(cfg, to)
    if to is not None:
        cfg = _with_target(cfg, to, judge="output")
    paths = _paths(inputs)
    from ftprep.loaders.remote import as_uri

    if as_uri(out) is not None:
        raise ConfigError(
            f"{out}: --out is a local or shared folder (object storage is read, not written); "
            "write to a folder every node sees, then copy it (docs/scale.md)"
        )
    out_dir = Path(out)
    train, val = out_dir / "train.jsonl", out_dir / "validation.jsonl"
    report_paths = [out_dir / n for n in ("report.json", "report.md", "report.html")]
    findings = out_dir / FINDINGS_NAME
    companion_names = [
        out_dir / n for n in ("dataset_info.json", "axolotl_datasets.yml", MANIFEST)
    ]
    guard_out_dir(out_dir)
    input_paths = [p for p in paths if isinstance(p, Path)]
    if cfg.source:
        input_paths.append(Path(cfg.source))
    input_paths += [Path(p) for p in cfg.eval_sets]
    input_paths += [Path(p) for p in cfg.benchmarks if p != "bundled"]
    guard_outputs(input_paths, [train, val, *report_paths, findings, *companion_names])
    options = _load_options(format, mapping, system, sheet, cfg)
    analysis = analyze(paths, cfg, options, progress, jobs=jobs, engine=runner)
    encode = None
    if to is not None:
        from ftprep.targets import get_target

        profile = get_target(to)
        encode = lambda ex: profile.write(ex).record  # noqa: E731
    with publishing(out_dir) as stage:
        written = (str(train), str(val))
        if sharded:
            write_sharded(analysis, stage, runner.writer() if runner is not None else run_here)
            n = len(analysis.sources)
            written = (
                str(out_dir / part_pattern("train", n)),
                str(out_dir / part_pattern("validation", n)),
            )
        else:
            write_split(analysis, train, val, encode)
        if to is not None:
            _after_target_split(analysis, profile, train, val)
        report = build_report(analysis, written, findings_path=findings, limit=location_limit)
        write_reports(report, report_paths)
    return report


def _after_target_split(analysis: Analysis, profile: Any, train: Path, val: Path) -> None:
    """Companion files for the target, and its limits measured on the written files."""
    from ftprep.checks.base import CheckResult
    from ftprep.conversion import file_limits
    from ftprep.split.writer import staged_path, write_text_atomic

    kinds = set(analysis.features["kind"])
    for path, text in sorted(
        profile.companions({"train": train, "validation": val}, kinds).items()
    ):
        write_text_atomic(path, text)
    plan = analysis.plan
    assert plan is not None
    problems = file_limits(
        profile,
        {
            "train": (staged_path(train), plan.train),
            "validation": (staged_path(val), plan.validation),
        },
    )
    if not problems:
        return
    result = analysis.results.setdefault("clean.target_dataset", CheckResult())
    texts = [t for t, _ in problems]
    result.message = "; ".join([result.message, *texts] if result.message else texts)
    if any(confirmed for _, confirmed in problems):
        result.severity = "error"
    elif result.severity is None:
        result.severity = "warning"


def convert(
    inputs: PathLike | Sequence[PathLike] | Any,
    out: PathLike,
    to: str,
    *,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> Any:
    """Write all examples of ``inputs`` to the file ``out`` in target ``to``'s format.

    Returns a :class:`~ftprep.conversion.ConvertReport`: records written, what the
    conversion dropped and where, and every rule of the target the data breaks.
    """
    from ftprep.conversion import convert as run

    cfg = make_config(config, **overrides)
    options = _load_options(format, mapping, system, sheet, cfg)
    return run(_paths(inputs), Path(out), to, options=options, config=cfg, progress=progress)


def fix(
    inputs: PathLike | Sequence[PathLike],
    out: PathLike,
    *,
    redact: Sequence[str] = (),
    **kwargs: Any,
) -> Report:
    """``split`` with the safe remediations applied (``fix=True``): drops exact repeats and
    records that cannot be trained on, trims whitespace, strips unknown keys; every change is
    listed in ``report.split.drops`` and ``report.split.changes``. ``redact=["pii"]`` also
    replaces the personal data ``clean.pii`` finds by typed placeholders (``[EMAIL_1]``)."""
    return split(inputs, out, fix=True, redact=list(redact) or None, **kwargs)


def load(
    inputs: PathLike | Sequence[PathLike],
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    sheet: str | None = None,
) -> Loaded:
    """Load inputs into memory as normalized examples (for notebooks; the CLI streams).

    ``inputs`` may be paths, a pandas DataFrame, a Hugging Face ``Dataset`` or any iterable
    of dicts (``ftprep.load([{"messages": [...]}, ...])``).
    """
    return load_all(_paths(inputs), _load_options(format, mapping, system, sheet))


def evaluate(
    reference: PathLike,
    predictions: PathLike | Sequence[PathLike] = (),
    *,
    metric: str | Sequence[str] | None = None,
    names: Sequence[str] = (),
    train: PathLike | None = None,
    judge_file: PathLike | None = None,
    seed: int = 42,
    resamples: int = 1000,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    sheet: str | None = None,
) -> Any:
    """Score each model's answers on ``reference`` (usually ``prepared/validation.jsonl``).

    ``predictions`` are one file per model (chat JSONL with the assistant turn, or
    ``{"id"|"line", "prediction"}`` rows), the first being the one the others are compared
    with (the base model). Returns an
    :class:`~ftprep.evaluation.result.EvaluationReport`: each model's scores with 95%
    bootstrap intervals, the majority baseline, whether each difference is beyond the
    noise, a per-label/field/tool breakdown and the examples the models disagree on most.
    ``metric`` defaults to the config's declared metric, else the task's own.
    """
    from ftprep.evaluation.run import EvaluateOptions
    from ftprep.evaluation.run import evaluate as run

    preds = (
        [Path(predictions)]
        if isinstance(predictions, str | Path)
        else [Path(p) for p in predictions]
    )
    if metric is None:
        declared = load_config(None).metric
        metrics: tuple[str, ...] = (declared,) if declared else ()
    else:
        metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    options = EvaluateOptions(
        metrics=metrics,
        names=tuple(names),
        seed=seed,
        resamples=resamples,
        train=None if train is None else Path(train),
        judge_file=None if judge_file is None else Path(judge_file),
        load=_load_options(format, mapping, system, sheet),
    )
    return run(Path(reference), preds, options)


def advise(
    answers: Mapping[str, bool | None] | None = None,
    *,
    data: Sequence[PathLike] = (),
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    ask: Ask | None = None,
) -> Advice:
    """Recommend finetuning, prompt engineering, RAG, or RAG + better prompts.

    ``answers`` maps question ids (``style``, ``knows``, ``fresh``, ``reasoning``) to yes/no;
    ``ask`` is called for each question on the path without an answer (None: a question
    left open raises :class:`~ftprep.advise.tree.MissingAnswer`). ``data`` files add
    evidence: size, factual recall, output format, dated content. Returns an
    :class:`~ftprep.advise.advice.Advice`.
    """
    from ftprep.advise.advice import advise as run

    options = _load_options(format, mapping, system)
    return run(answers, data=list(data), load_options=options, ask=ask)


def cost(
    *,
    requests_per_month: int,
    input_tokens: float | None = None,
    output_tokens: float | None = None,
    finetuned_input_tokens: float | None = None,
    current: str = "gpt-4o",
    candidate: str | None = None,
    providers: Sequence[str] = (),
    current_finetuned: bool = False,
    training_cost: float | None = None,
    data: Sequence[PathLike] = (),
    epochs: int | None = None,
    config: Config | PathLike | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    system: str | None = None,
    on: date | None = None,
) -> Comparison | OptionsComparison:
    """Training and monthly cost of finetuning against staying on the ``current`` model.

    Without ``candidate``: every finetunable option of the model registry (and the
    config's ``models``), narrowed to ``providers``, side by side
    (:class:`~ftprep.costing.options.OptionsComparison`). With ``candidate``: that one
    model in detail, with ``training_cost`` if known
    (:class:`~ftprep.costing.scale.Comparison`). With ``data``, the training cost and the
    average prompt and answer tokens come from the dataset, through the same engine as
    :func:`split` (same split, epochs rule and billing). ``on`` is the date for prices and
    model lifecycles (default: today).
    """
    from ftprep.costing.options import cost_options
    from ftprep.costing.scale import cost_comparison

    options = _load_options(format, mapping, system)
    usage: dict[str, Any] = {
        "requests_per_month": requests_per_month,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "finetuned_input_tokens": finetuned_input_tokens,
        "current": current,
        "current_finetuned": current_finetuned,
        "data": list(data),
        "epochs": epochs,
        "load_options": options,
        "on": on,
    }
    if candidate is None:
        if training_cost is not None:
            raise ConfigError("--training-cost needs --finetuned MODEL (one model's bill)")
        return cost_options(config=make_config(config), providers=providers, **usage)
    if providers:
        raise ConfigError("--provider narrows the side-by-side table: drop --finetuned")
    return cost_comparison(
        config=make_config(config), candidate=candidate, training_cost=training_cost, **usage
    )


__all__ = [
    "Analysis",
    "Loaded",
    "advise",
    "convert",
    "cost",
    "evaluate",
    "fix",
    "load",
    "make_config",
    "split",
    "validate",
]
