"""Training cost: billed tokens × epochs (+ billed validation tokens) × the price, with the
price's date and source.

Billing follows the providers' published rules: every training example counts up to the
model's per-example limit (longer ones are truncated, and the truncated tail is not billed),
the file is billed once per epoch, and validation tokens are added only where the provider
bills them (Together: ``n_evals × validation tokens``; OpenAI: never). Epochs default to
OpenAI's rule (:func:`ftprep.tokens.billing.default_epochs`) unless given.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from ftprep.costing.lifecycle import LifecycleNote, lifecycle_notes, today
from ftprep.tokens.billing import billed_tokens, default_epochs
from ftprep.tokens.models import ModelInfo

#: Inference prices: irrelevant to a training estimate, so their confirmation is too.
INFERENCE_FIELDS = ("input_per_1m", "output_per_1m", "ft_input_per_1m", "ft_output_per_1m")


def training_cost(tokens: int, price_per_1m: float, minimum_usd: float | None = None) -> float:
    """USD for ``tokens`` billed tokens at ``price_per_1m``, raised to a per-job minimum."""
    cost = tokens / 1_000_000 * price_per_1m
    if minimum_usd:
        cost = max(cost, minimum_usd)
    return round(cost, 6)


class TrainingEstimate(BaseModel):
    """What one finetuning job on a dataset would bill (the report's ``stats.cost``)."""

    model: str
    provider: str
    train_examples: int
    validation_examples: int
    epochs: int
    epochs_source: Literal["default", "option"]
    limit: int
    truncated_examples: int = Field(description="training examples cut at the limit")
    billed_tokens_per_epoch: int
    billed_tokens: int = Field(description="training tokens × epochs")
    validation_tokens: int
    validation_passes: int
    validation_billed: bool | None
    validation_billed_tokens: int
    total_billed_tokens: int
    training_per_1m: float | None
    price_tier: str | None = None
    minimum_charge_usd: float | None = None
    estimated_cost_usd: float | None
    price_checked: str | None
    price_source: str | None
    price_confirmed: bool
    billing: str | None = None
    as_of: str | None = None
    training_stops: str | None = None
    shutdown: str | None = None
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def estimate_training(
    model: ModelInfo,
    train_tokens: np.ndarray,
    validation_tokens: np.ndarray | None = None,
    *,
    epochs: int | None = None,
    limit: int | None = None,
    on: date | None = None,
) -> TrainingEstimate:
    """Estimate the training bill for examples of ``train_tokens`` tokens each.

    ``validation_tokens`` are the validation examples' token counts (billed only where the
    provider bills them, ``model.validation_passes`` times); ``epochs`` overrides OpenAI's
    default rule; ``limit`` overrides the model's per-example limit; ``on`` is "today".
    """
    now = on or today()
    train = np.asarray(train_tokens, dtype=np.int64)
    val = np.asarray(validation_tokens if validation_tokens is not None else [], dtype=np.int64)
    cap = limit or model.max_example_tokens
    n_epochs = epochs if epochs is not None else default_epochs(len(train))
    per_epoch = billed_tokens(train, cap)
    val_tokens = billed_tokens(val, cap)
    passes = model.validation_passes if model.bills_validation else 0
    val_billed = val_tokens * passes
    total = per_epoch * n_epochs + val_billed
    notes: list[str] = []
    warnings: list[str] = []
    truncated = int((train > cap).sum())
    if truncated:
        warnings.append(
            f"{truncated} training examples exceed the {cap:,}-token limit and would be "
            "truncated (only the first tokens are billed and trained on)"
        )
    if model.bills_validation is None and len(val):
        notes.append(
            f"not known whether {model.provider_name or model.provider} bills validation "
            f"tokens; the {val_tokens:,} validation tokens are not included"
        )
    elif model.bills_validation and len(val):
        notes.append(
            f"validation tokens billed: {val_tokens:,} × {passes} evaluation pass(es) "
            "(set validation_passes for this model to match n_evals)"
        )
    cost = None
    if model.training_per_1m is None:
        notes.append(
            f"no training price for {model.id} (add training_per_1m under "
            f'[tool.ftprep.models."{model.id}"])'
        )
    else:
        cost = training_cost(total, model.training_per_1m, model.minimum_charge_usd)
        if model.minimum_charge_usd and cost == model.minimum_charge_usd:
            notes.append(f"per-job minimum charge of ${model.minimum_charge_usd:,.2f} applies")
    unconfirmed = [f for f in model.unconfirmed if f not in INFERENCE_FIELDS]
    if unconfirmed or (not model.confirmed and not model.unconfirmed):
        what = ", ".join(unconfirmed) or "some figures"
        notes.append(f"not confirmed from a primary source: {what} (see the model's notes)")
    life: list[LifecycleNote] = lifecycle_notes(model, now)
    notes += [n.message for n in life if n.level == "note"]
    warnings += [n.message for n in life if n.level == "warning"]
    return TrainingEstimate(
        model=model.id,
        provider=model.provider,
        train_examples=len(train),
        validation_examples=len(val),
        epochs=n_epochs,
        epochs_source="option" if epochs is not None else "default",
        limit=cap,
        truncated_examples=truncated,
        billed_tokens_per_epoch=per_epoch,
        billed_tokens=per_epoch * n_epochs,
        validation_tokens=val_tokens,
        validation_passes=passes,
        validation_billed=model.bills_validation,
        validation_billed_tokens=val_billed,
        total_billed_tokens=total,
        training_per_1m=model.training_per_1m,
        price_tier=model.price_tier,
        minimum_charge_usd=model.minimum_charge_usd,
        estimated_cost_usd=cost,
        price_checked=model.checked.isoformat() if model.checked else None,
        price_source=model.source,
        price_confirmed=model.confirmed or (bool(model.unconfirmed) and not unconfirmed),
        billing=model.billing,
        as_of=now.isoformat(),
        training_stops=model.training_stops.isoformat() if model.training_stops else None,
        shutdown=model.shutdown.isoformat() if model.shutdown else None,
        notes=notes,
        warnings=warnings,
    )
