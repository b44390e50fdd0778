"""The model registry: data (``data/models.toml``) plus the user's overrides, not code.

An entry says which encoding counts the model's tokens, the per-example token limit, what
training and inference cost (USD per 1M tokens, ``None`` when unknown), when and where those
figures were checked, and the dates the model stops accepting finetuning jobs or shuts down.
Prices go stale and models retire; keeping them as data lets a team correct a figure in
``[tool.ftprep.models."<id>"]`` the day it changes, without waiting for a release.

Resolution order, lowest first: the provider's defaults (``[providers.<name>]``), the
price of the model's size bracket (``[tiers.<name>]``, when it has ``tier`` and ``params_b``
but no ``training_per_1m``), the built-in entry, the user's override.
"""

from __future__ import annotations

import sys
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ftprep.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PRICE_FIELDS = ("training_per_1m", "input_per_1m", "output_per_1m", "ft_input_per_1m",
                "ft_output_per_1m")  # fmt: skip


class ModelInfo(BaseModel):
    """One finetunable model. Price fields are USD per 1M tokens; None when unknown."""

    model_config = ConfigDict(extra="allow")

    id: str
    provider: str
    provider_name: str | None = None
    encoding: str
    max_example_tokens: int = Field(ge=1)
    aliases: list[str] = []
    approximate: bool = False
    #: Which bundled encoding's split pattern a local ``.tiktoken`` rank file uses.
    pattern: Literal["o200k_base", "cl100k_base"] = "o200k_base"
    #: The model's own tokenizer, when it is not the encoding that counts here.
    tokenizer: str | None = None
    training_per_1m: float | None = Field(None, ge=0)
    input_per_1m: float | None = Field(None, ge=0)
    output_per_1m: float | None = Field(None, ge=0)
    ft_input_per_1m: float | None = Field(None, ge=0)
    ft_output_per_1m: float | None = Field(None, ge=0)
    #: Whether validation tokens are billed (None: not known).
    bills_validation: bool | None = None
    #: Evaluation passes over the validation file assumed when validation is billed.
    validation_passes: int = Field(1, ge=0)
    minimum_charge_usd: float | None = Field(None, ge=0)
    billing: str | None = None
    tier: str | None = None
    params_b: float | None = Field(None, gt=0)
    method: Literal["lora", "full"] = "lora"
    price_tier: str | None = None
    checked: date | None = None
    source: str | None = None
    confirmed: bool = False
    unconfirmed: list[str] = []
    deprecated: date | None = None
    training_stops: date | None = None
    shutdown: date | None = None
    lifecycle_source: str | None = None
    lifecycle_note: str | None = None
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_approximate(cls, data: Any) -> Any:
        """Counts are exact only for OpenAI models, whose tokenizer is the encoding itself."""
        if isinstance(data, dict) and "approximate" not in data:
            data = {**data, "approximate": data.get("provider") != "openai"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ModelInfo:
        if self.unconfirmed and self.confirmed:
            raise ValueError(
                f"confirmed = true but unconfirmed lists {', '.join(self.unconfirmed)}"
            )
        return self


@lru_cache(maxsize=1)
def _registry() -> dict[str, Any]:
    text = (
        resources.files("ftprep.tokens").joinpath("data").joinpath("models.toml").read_text("utf-8")
    )
    return tomllib.loads(text)


def builtin_models() -> dict[str, dict[str, Any]]:
    """The built-in model entries, as written in ``data/models.toml``."""
    return {k: dict(v) for k, v in _registry()["models"].items()}


def providers() -> dict[str, dict[str, Any]]:
    """Per-provider defaults (billing rules, lifecycle dates)."""
    return {k: dict(v) for k, v in _registry().get("providers", {}).items()}


def tiers() -> dict[str, dict[str, Any]]:
    """Size-bracket price tables by provider."""
    return {k: dict(v) for k, v in _registry().get("tiers", {}).items()}


def tier_price(tier: str, params_b: float, method: str = "lora") -> tuple[float, dict[str, Any]]:
    """The training price per 1M tokens of a ``params_b``-billion-parameter model in ``tier``.

    Returns the price and the tier table (for its ``checked`` date and ``source``).
    """
    table = tiers().get(tier)
    if table is None:
        raise ConfigError(f"unknown price tier '{tier}'; known tiers: {', '.join(sorted(tiers()))}")
    for bracket in table["brackets"]:
        bound = bracket["max_params_b"]
        if bound == 0 or params_b <= bound:
            key = f"sft_{method}"
            if key not in bracket:
                raise ConfigError(f"tier {tier} has no {method} price for '{bracket['label']}'")
            return float(bracket[key]), {**table, "label": bracket["label"]}
    raise ConfigError(f"tier {tier} has no bracket for a {params_b:g}B-parameter model")


def _merge_defaults(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    merged = {**providers().get(str(entry.get("provider", "")), {}), **entry}
    if merged.get("tier") and merged.get("params_b") and merged.get("training_per_1m") is None:
        try:
            params_b = float(merged["params_b"])
        except (TypeError, ValueError):
            raise ConfigError(f"model '{key}': params_b must be a number of billions") from None
        price, table = tier_price(str(merged["tier"]), params_b, str(merged.get("method", "lora")))
        merged["training_per_1m"] = price
        method = "LoRA" if merged.get("method", "lora") == "lora" else "full"
        merged["price_tier"] = f"{table['label']} ({method} SFT)"
        merged.setdefault("checked", table.get("checked"))
        merged.setdefault("source", table.get("source"))
    return merged


def model_table(overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Built-in entries with the user's overrides merged over them (raw, unvalidated)."""
    table = builtin_models()
    for key, entry in (overrides or {}).items():
        if not isinstance(entry, dict):
            raise ConfigError(f'models."{key}" must be a table of model settings')
        table[key] = {**table.get(key, {}), **entry}
    return table


def _aliases(entry: dict[str, Any]) -> list[str]:
    value = entry.get("aliases")
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []


def resolve_model(name: str, overrides: dict[str, dict[str, Any]] | None = None) -> ModelInfo:
    """Find a model by id or alias; user overrides are merged over the built-in entry."""
    table = model_table(overrides)
    key = (
        name if name in table else next((k for k, v in table.items() if name in _aliases(v)), None)
    )
    if key is None:
        known = ", ".join(sorted(table))
        raise ConfigError(
            f"unknown model '{name}'; known models: {known} (add one under "
            "[tool.ftprep.models] in your config)"
        )
    try:
        return ModelInfo(id=key, **_merge_defaults(key, table[key]))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        field = f" {where}:" if where else ""
        raise ConfigError(f"model '{key}' is misconfigured:{field} {err['msg']}") from exc


def target_model(target: str, overrides: dict[str, dict[str, Any]] | None = None) -> str | None:
    """The model a ``--target`` implies when none is chosen: the entry whose ``targets``
    lists it (the user's entries first), or None."""
    table = model_table(overrides)
    keys = [*(overrides or {}), *table]
    for key in keys:
        value = table[key].get("targets")
        if isinstance(value, list) and target in value:
            return key
    return None


def all_models(overrides: dict[str, dict[str, Any]] | None = None) -> list[ModelInfo]:
    """Every model (built-in and the user's), resolved, sorted by provider then id."""
    models = [resolve_model(k, overrides) for k in model_table(overrides)]
    return sorted(models, key=lambda m: (m.provider, m.id))
