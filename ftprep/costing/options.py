"""``ftprep cost`` without ``--finetuned``: every finetunable option in the registry, side by
side, instead of one vendor's pair.

OpenAI stops new self-serve finetuning jobs on 2027-01-06, so "what does finetuning cost?"
has several answers: each provider and model in the registry (and the user's own entries)
gets a row with the training bill for *this* dataset, the monthly inference bill of the
finetuned model at the given traffic, the savings against the model used today, the
break-even, and its lifecycle dates. A model that can no longer be trained (its provider
stopped taking jobs, or it shut down) is listed with the reason and gets no savings or
break-even: nobody can act on them. ``--provider`` narrows the table.

The dataset goes through the engine once per tokenizer (every built-in model counts with
the same bundled encoding), so the training figures equal those ``ftprep split`` reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from ftprep.costing.lifecycle import lifecycle_notes, today
from ftprep.costing.scale import DAYS_PER_MONTH, Side, Usage, break_even_months, monthly_cost
from ftprep.costing.training import TrainingEstimate
from ftprep.errors import ConfigError
from ftprep.tokens.models import ModelInfo

if TYPE_CHECKING:
    from ftprep.config import Config
    from ftprep.loaders import LoadOptions

Status = Literal["available", "training_stopped", "shut_down"]


class Option(BaseModel):
    """One finetunable model: what training it on the dataset and serving it would cost."""

    model: str
    provider: str
    provider_name: str | None
    status: Status
    status_detail: str | None = None
    training_stops: str | None
    shutdown: str | None
    training_cost_usd: float | None = Field(description="this dataset, once; None: unknown")
    training: TrainingEstimate | None = None
    finetuned_input_per_1m: float | None
    finetuned_output_per_1m: float | None
    inference_priced_as: Literal["finetuned", "base", "unknown"]
    monthly_usd: float | None
    monthly_savings_usd: float | None
    break_even_months: float | None
    first_year_net_usd: float | None = Field(
        description="savings over 12 months, or until the shutdown if sooner, less training"
    )
    months_until_shutdown: float | None
    price_checked: str | None
    price_source: str | None
    price_confirmed: bool
    notes: list[str] = Field(default_factory=list)


class OptionsComparison(BaseModel):
    """The result of ``ftprep cost`` without ``--finetuned`` (its ``--json`` output)."""

    as_of: str
    usage: Usage
    current: Side
    training_from: Literal["dataset", "none"]
    providers: list[str] = Field(description="providers compared (all, or --provider)")
    options: list[Option]
    best: str | None = Field(
        None, description="the available option with the highest first-year net saving"
    )
    notes: list[str] = Field(default_factory=list)


def _status(model: ModelInfo, now: date) -> tuple[Status, str | None]:
    if model.shutdown and model.shutdown <= now:
        return "shut_down", f"shut down on {model.shutdown}"
    if model.training_stops and model.training_stops <= now:
        who = model.provider_name or model.provider
        return "training_stopped", f"{who} stopped new finetuning jobs on {model.training_stops}"
    return "available", None


def _inference_prices(model: ModelInfo) -> tuple[float | None, float | None, str]:
    if model.ft_input_per_1m is not None and model.ft_output_per_1m is not None:
        return model.ft_input_per_1m, model.ft_output_per_1m, "finetuned"
    if model.input_per_1m is not None and model.output_per_1m is not None:
        return model.input_per_1m, model.output_per_1m, "base"
    return None, None, "unknown"


def option_row(
    model: ModelInfo,
    current: Side,
    usage: Usage,
    training: TrainingEstimate | None,
    now: date,
) -> Option:
    """One row of the table (see the module docstring)."""
    status, detail = _status(model, now)
    p_in, p_out, priced_as = _inference_prices(model)
    notes: list[str] = []
    ft_in = usage.input_tokens if usage.finetuned_input_tokens is None else (
        usage.finetuned_input_tokens
    )
    monthly = None
    if p_in is not None and p_out is not None:
        monthly = round(
            monthly_cost(usage.requests_per_month, ft_in, usage.output_tokens, p_in, p_out), 4
        )
    if priced_as == "base":
        notes.append("no finetuned inference price in the registry: priced at the base rate")
    elif priced_as == "unknown":
        notes.append("no inference price (self-hosted or unknown): monthly cost not computed")
    cost = training.estimated_cost_usd if training is not None else None
    usable = status == "available"
    savings = round(current.monthly_usd - monthly, 4) if monthly is not None and usable else None
    months = break_even_months(cost, savings) if cost is not None and savings is not None else None
    until = None
    if model.shutdown and model.shutdown > now:
        until = round((model.shutdown - now).days / DAYS_PER_MONTH, 2)
        if months is not None and months > until:
            notes.append(f"break-even comes after the shutdown on {model.shutdown}")
    for note in lifecycle_notes(model, now):
        if note.code == "training_stops":
            notes.append(note.message)
    return Option(
        model=model.id,
        provider=model.provider,
        provider_name=model.provider_name,
        status=status,
        status_detail=detail,
        training_stops=model.training_stops.isoformat() if model.training_stops else None,
        shutdown=model.shutdown.isoformat() if model.shutdown else None,
        training_cost_usd=cost if usable else None,
        training=training if usable else None,
        finetuned_input_per_1m=p_in,
        finetuned_output_per_1m=p_out,
        inference_priced_as=priced_as,
        monthly_usd=monthly if usable else None,
        monthly_savings_usd=savings,
        break_even_months=round(months, 4) if months is not None else None,
        first_year_net_usd=round(savings * min(12.0, until or 12.0) - cost, 4)
        if savings is not None and cost is not None
        else None,
        months_until_shutdown=until,
        price_checked=model.checked.isoformat() if model.checked else None,
        price_source=model.source,
        price_confirmed=model.confirmed,
        notes=notes,
    )


def _rank(option: Option) -> tuple[int, float, str]:
    """Available first; then the highest first-year net (or lowest monthly bill); then id."""
    if option.status != "available":
        return (2, 0.0, option.model)
    if option.first_year_net_usd is not None:
        return (0, -option.first_year_net_usd, option.model)
    if option.monthly_usd is not None:
        return (1, option.monthly_usd, option.model)
    return (1, float("inf"), option.model)


def compare_options(
    current: Side,
    candidates: Sequence[ModelInfo],
    usage: Usage,
    trainings: dict[str, TrainingEstimate],
    on: date | None = None,
) -> OptionsComparison:
    """The side-by-side table for ``candidates`` (``trainings`` by model id, when known)."""
    now = on or today()
    rows = sorted(
        (option_row(m, current, usage, trainings.get(m.id), now) for m in candidates), key=_rank
    )
    best = next(
        (r.model for r in rows if r.status == "available" and r.first_year_net_usd is not None
         and r.first_year_net_usd > 0),
        None,
    )  # fmt: skip
    notes = []
    if not trainings:
        notes.append("no dataset (--data FILE): training cost and break-even not computed")
    return OptionsComparison(
        as_of=now.isoformat(),
        usage=usage,
        current=current,
        training_from="dataset" if trainings else "none",
        providers=sorted({m.provider for m in candidates}),
        options=rows,
        best=best,
        notes=notes,
    )


def candidates_for(models: Sequence[ModelInfo], providers: Sequence[str]) -> list[ModelInfo]:
    """The registry's models, narrowed to ``providers`` (names or display names)."""
    if not providers:
        return list(models)
    wanted = {p.strip().lower() for p in providers for p in p.split(",") if p.strip()}
    known = {m.provider.lower() for m in models} | {
        (m.provider_name or "").lower() for m in models
    }
    unknown = sorted(wanted - known)
    if unknown:
        names = ", ".join(sorted({m.provider for m in models}))
        raise ConfigError(f"unknown provider {', '.join(unknown)}; known providers: {names}")
    return [
        m
        for m in models
        if m.provider.lower() in wanted or (m.provider_name or "").lower() in wanted
    ]


def dataset_trainings(
    data: Sequence[str | Path],
    candidates: Sequence[ModelInfo],
    *,
    config: Config,
    epochs: int | None,
    load_options: LoadOptions | None,
    on: date | None,
) -> tuple[dict[str, TrainingEstimate], dict[str, float]]:
    """Training estimates for every candidate from one engine pass per tokenizer, and the
    dataset's average prompt and answer tokens (from the first pass)."""
    from ftprep.costing.dataset import dataset_trainings as run

    out: dict[str, TrainingEstimate] = {}
    means: dict[str, float] = {}
    by_tokenizer: dict[tuple[str, str], list[ModelInfo]] = {}
    for m in candidates:
        by_tokenizer.setdefault((m.encoding, m.pattern), []).append(m)
    for group in by_tokenizer.values():
        estimates, group_means = run(
            data, group, config=config, epochs=epochs, load_options=load_options, on=on
        )
        out.update(estimates)
        means = means or group_means
    return out, means


__all__ = [
    "Option",
    "OptionsComparison",
    "candidates_for",
    "compare_options",
    "dataset_trainings",
    "option_row",
]


def cost_options(
    *,
    requests_per_month: int,
    input_tokens: float | None = None,
    output_tokens: float | None = None,
    finetuned_input_tokens: float | None = None,
    current: str = "gpt-4o",
    current_finetuned: bool = False,
    providers: Sequence[str] = (),
    data: Sequence[str | Path] = (),
    epochs: int | None = None,
    config: Config,
    load_options: LoadOptions | None = None,
    on: date | None = None,
) -> OptionsComparison:
    """Every model of the registry (and the resolved ``config``'s own), narrowed to
    ``providers``, side by side: ``ftprep cost`` without ``--finetuned``
    (:func:`ftprep.api.cost`)."""
    from ftprep.costing.scale import _side, make_usage, with_averages
    from ftprep.tokens.models import all_models, resolve_model

    cfg = config
    now = on or today()
    cur_model = resolve_model(current, cfg.models)
    candidates = candidates_for(all_models(cfg.models), providers)
    trainings: dict[str, TrainingEstimate] = {}
    source = "given"
    if data:
        trainings, means = dataset_trainings(
            data, candidates, config=cfg, epochs=epochs, load_options=load_options, on=now
        )
        input_tokens, output_tokens, source = with_averages(input_tokens, output_tokens, means)
    elif epochs is not None:
        raise ConfigError("--epochs needs --data FILE (the dataset to train on)")
    usage = make_usage(
        requests_per_month, input_tokens, output_tokens, finetuned_input_tokens, source
    )
    cur = _side(cur_model, current_finetuned, usage.input_tokens, usage.output_tokens, usage)
    result = compare_options(cur, candidates, usage, trainings, on=now)
    for note in lifecycle_notes(cur_model, now, "--current"):
        if note.code in ("model_shut_down", "shutdown_scheduled"):
            result.notes.append(f"current model: {note.message}")
    return result


__all__ += ["cost_options"]
