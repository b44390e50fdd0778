"""Cost reduction at scale: the current model vs a finetuned smaller one.

The case for finetuning is often not quality but cost: a small finetuned model that matches a
large model on one task, with a shorter prompt (the instructions and few-shot examples are now
in the weights), costs a fraction per request. This module prices both sides at the
registry's published rates, adds the one-time training cost, and gives the monthly savings
and the break-even point:

    monthly cost  = requests × (input tokens × input price + output tokens × output price) / 1M
    break-even    = training cost / monthly savings   (months; never when savings <= 0)

The candidate is priced at its *finetuned* inference rates (OpenAI charges more per token for a
finetuned model than for its base). A model that shuts down caps the savings: the comparison
says how many months remain and warns when break-even comes after the shutdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError

from ftprep.costing.lifecycle import lifecycle_notes, today
from ftprep.costing.training import TrainingEstimate
from ftprep.errors import ConfigError
from ftprep.tokens.models import ModelInfo

if TYPE_CHECKING:
    from ftprep.config import Config
    from ftprep.loaders import LoadOptions

DAYS_PER_MONTH = 365.25 / 12


def monthly_cost(
    requests: float, input_tokens: float, output_tokens: float, input_price: float,
    output_price: float,
) -> float:  # fmt: skip
    """USD per month for ``requests`` requests at per-1M-token prices."""
    return requests * (input_tokens * input_price + output_tokens * output_price) / 1_000_000


def break_even_months(training_cost: float, monthly_savings: float) -> float | None:
    """Months until the savings pay for the training; None when they never do."""
    if monthly_savings <= 0:
        return None
    return training_cost / monthly_savings


class Usage(BaseModel):
    """Production traffic: requests per month and average tokens per request."""

    requests_per_month: int = Field(gt=0)
    input_tokens: float = Field(ge=0, description="average prompt tokens, current model")
    output_tokens: float = Field(ge=0, description="average completion tokens")
    finetuned_input_tokens: float | None = Field(
        None, ge=0, description="average prompt tokens after finetuning (default: the same)"
    )
    source: str = "given"


class Side(BaseModel):
    """One model's monthly bill."""

    model: str
    finetuned: bool
    input_per_1m: float
    output_per_1m: float
    input_tokens: float
    output_tokens: float
    per_request_usd: float
    monthly_usd: float
    price_checked: str | None
    price_source: str | None
    price_confirmed: bool


class Comparison(BaseModel):
    """The result of ``ftprep cost`` (its ``--json`` output)."""

    as_of: str
    usage: Usage
    current: Side
    candidate: Side
    training_cost_usd: float | None
    training_cost_from: Literal["given", "dataset", "none"]
    training: TrainingEstimate | None = None
    monthly_savings_usd: float
    savings_share: float | None
    annual_savings_usd: float
    break_even_months: float | None
    break_even_days: float | None
    break_even_requests: int | None
    first_year_net_usd: float | None
    months_until_shutdown: float | None
    savings_until_shutdown_usd: float | None = Field(
        None, description="net of training, when the finetuned model has a shutdown date"
    )
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def _price(model: ModelInfo, field: str) -> float:
    value = getattr(model, field)
    if value is None:
        raise ConfigError(
            f"model '{model.id}' has no {field} price; set it under "
            f'[tool.ftprep.models."{model.id}"] in your config'
        )
    return float(value)


def _side(model: ModelInfo, finetuned: bool, in_tok: float, out_tok: float, usage: Usage) -> Side:
    prefix = "ft_" if finetuned else ""
    p_in, p_out = _price(model, f"{prefix}input_per_1m"), _price(model, f"{prefix}output_per_1m")
    fields = (f"{prefix}input_per_1m", f"{prefix}output_per_1m")
    per_request = monthly_cost(1, in_tok, out_tok, p_in, p_out)
    return Side(
        model=model.id,
        finetuned=finetuned,
        input_per_1m=p_in,
        output_per_1m=p_out,
        input_tokens=in_tok,
        output_tokens=out_tok,
        per_request_usd=round(per_request, 8),
        monthly_usd=round(per_request * usage.requests_per_month, 4),
        price_checked=model.checked.isoformat() if model.checked else None,
        price_source=model.source,
        price_confirmed=model.confirmed or not any(f in model.unconfirmed for f in fields),
    )


def compare(
    current: ModelInfo,
    candidate: ModelInfo,
    usage: Usage,
    *,
    training_cost: float | None = None,
    training: TrainingEstimate | None = None,
    current_finetuned: bool = False,
    on: date | None = None,
) -> Comparison:
    """Monthly cost of ``current`` (base rates, or finetuned with ``current_finetuned``) vs a
    finetuned ``candidate``, with the one-time ``training_cost`` (given, or from
    ``training``) and the break-even point."""
    now = on or today()
    ft_in = (
        usage.input_tokens
        if usage.finetuned_input_tokens is None
        else (usage.finetuned_input_tokens)
    )
    cur = _side(current, current_finetuned, usage.input_tokens, usage.output_tokens, usage)
    cand = _side(candidate, True, ft_in, usage.output_tokens, usage)
    source: Literal["given", "dataset", "none"] = "given"
    notes: list[str] = []
    warnings: list[str] = []
    if training_cost is None and training is not None:
        training_cost, source = training.estimated_cost_usd, "dataset"
        if training_cost is None:
            notes.append(f"no training price for {candidate.id}: break-even not computed")
        warnings += training.warnings
    elif training_cost is None:
        source = "none"
        notes.append("no training cost given (--data FILE or --training-cost): "
                     "break-even not computed")  # fmt: skip
    savings = cur.monthly_usd - cand.monthly_usd
    unusable = next(
        (
            n
            for n in lifecycle_notes(candidate, now)
            if n.code in ("model_shut_down", "training_stopped")
        ),
        None,
    )
    months = (
        break_even_months(training_cost, savings)
        if training_cost is not None and unusable is None
        else None
    )
    if unusable is not None:
        notes.append(
            f"no break-even: {candidate.id} cannot be finetuned now; `ftprep cost` without "
            "--finetuned lists the options that can"
        )
    if training_cost is not None and savings <= 0:
        warnings.append(
            f"the finetuned {candidate.id} costs more per month than {current.id}: "
            "finetuning never pays for itself at this traffic"
        )
    per_request_savings = cur.per_request_usd - cand.per_request_usd
    requests = (
        int(-(-training_cost // per_request_savings))
        if training_cost is not None and per_request_savings > 0 and unusable is None
        else None
    )
    until_shutdown = None
    if candidate.shutdown and candidate.shutdown > now:
        until_shutdown = round((candidate.shutdown - now).days / DAYS_PER_MONTH, 2)
        if months is not None and months > until_shutdown:
            warnings.append(
                f"break-even ({months:.1f} months) comes after {candidate.id} shuts down on "
                f"{candidate.shutdown}: the training cost is never recovered"
            )
    trains = ("training_stops", "training_stopped")
    for model, role, flag in ((current, "current", "--current"),
                              (candidate, "finetuned", "--finetuned")):  # fmt: skip
        for note in lifecycle_notes(model, now, flag):
            if note.code in trains and role == "current":
                continue  # the current model is not being trained
            text = f"{role} model: {note.message}"
            (warnings if note.level == "warning" else notes).append(text)
    if usage.finetuned_input_tokens is not None:
        notes.append(
            f"finetuned prompt: {ft_in:g} tokens instead of {usage.input_tokens:g} "
            "(instructions and examples moved into the weights)"
        )
    return Comparison(
        as_of=now.isoformat(),
        usage=usage,
        current=cur,
        candidate=cand,
        training_cost_usd=training_cost,
        training_cost_from=source,
        training=training,
        monthly_savings_usd=round(savings, 4),
        savings_share=round(savings / cur.monthly_usd, 4) if cur.monthly_usd else None,
        annual_savings_usd=round(savings * 12, 4),
        break_even_months=round(months, 4) if months is not None else None,
        break_even_days=round(months * DAYS_PER_MONTH, 2) if months is not None else None,
        break_even_requests=requests,
        first_year_net_usd=round(savings * 12 - training_cost, 4)
        if training_cost is not None and unusable is None
        else None,
        months_until_shutdown=until_shutdown,
        savings_until_shutdown_usd=round(savings * until_shutdown - (training_cost or 0.0), 4)
        if until_shutdown is not None and unusable is None
        else None,
        notes=notes,
        warnings=warnings,
    )


def cost_comparison(
    *,
    requests_per_month: int,
    input_tokens: float | None = None,
    output_tokens: float | None = None,
    finetuned_input_tokens: float | None = None,
    current: str = "gpt-4o",
    candidate: str | None = None,
    current_finetuned: bool = False,
    training_cost: float | None = None,
    data: Sequence[str | Path] = (),
    epochs: int | None = None,
    config: Config,
    load_options: LoadOptions | None = None,
    on: date | None = None,
) -> Comparison:
    """One finetuned model against the current one: ``ftprep cost --finetuned``
    (:func:`ftprep.api.cost`).

    Models are resolved with the resolved ``config``'s ``models`` overrides; ``candidate``
    defaults to the config's ``model``. With ``data``, the training cost comes from the
    dataset through the same engine as ``ftprep split`` (same split, epochs rule and
    billing), and average input/output tokens default to the dataset's prompt and
    final-answer lengths.
    """
    from ftprep.tokens.models import resolve_model

    cfg = config
    cand_name = candidate or cfg.model
    cur_model = resolve_model(current, cfg.models)
    cand_model = resolve_model(cand_name, cfg.models)
    training = None
    usage_source = "given"
    if data:
        if training_cost is not None:
            raise ConfigError("give either --data or --training-cost, not both")
        from ftprep.costing.dataset import dataset_training

        training, means = dataset_training(
            data, cand_name, config=cfg, epochs=epochs, load_options=load_options, on=on
        )
        input_tokens, output_tokens, usage_source = with_averages(
            input_tokens, output_tokens, means
        )
    elif epochs is not None:
        raise ConfigError("--epochs needs --data FILE (the dataset to train on)")
    usage = make_usage(
        requests_per_month, input_tokens, output_tokens, finetuned_input_tokens, usage_source
    )
    return compare(
        cur_model,
        cand_model,
        usage,
        training_cost=training_cost,
        training=training,
        current_finetuned=current_finetuned,
        on=on,
    )


def with_averages(
    input_tokens: float | None, output_tokens: float | None, means: dict[str, float]
) -> tuple[float, float, str]:
    """The traffic's tokens per request: as given, or the dataset's averages where not."""
    source = "dataset averages" if input_tokens is None or output_tokens is None else "given"
    return (
        means["input_tokens"] if input_tokens is None else input_tokens,
        means["output_tokens"] if output_tokens is None else output_tokens,
        source,
    )


def make_usage(
    requests_per_month: int,
    input_tokens: float | None,
    output_tokens: float | None,
    finetuned_input_tokens: float | None,
    source: str,
) -> Usage:
    """The traffic to price, or a usage error naming the missing option."""
    missing = [
        flag
        for flag, value in (("--input-tokens", input_tokens), ("--output-tokens", output_tokens))
        if value is None
    ]
    if missing:
        raise ConfigError(
            f"missing {' and '.join(missing)}: give the average tokens per request, "
            "or --data FILE to measure them"
        )
    assert input_tokens is not None and output_tokens is not None
    try:
        return Usage(
            requests_per_month=requests_per_month,
            input_tokens=round(float(input_tokens), 2),
            output_tokens=round(float(output_tokens), 2),
            finetuned_input_tokens=finetuned_input_tokens,
            source=source,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{err['loc'][0]}: {err['msg']}") from None
