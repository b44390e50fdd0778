"""The model registry: data (``data/models.toml``) plus the user's overrides, not code.

A model entry says which encoding counts its tokens and the per-example token limit.
Counts for non-OpenAI models use an OpenAI encoding as a stand-in and are marked as
approximate in the report.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ftprep.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ModelInfo(BaseModel):
    """One finetunable model. Price fields are USD per 1M tokens; None when unknown."""

    model_config = ConfigDict(extra="allow")

    id: str
    provider: str
    encoding: str
    max_example_tokens: int
    aliases: list[str] = []
    approximate: bool = False


@lru_cache(maxsize=1)
def builtin_models() -> dict[str, dict[str, Any]]:
    text = resources.files("ftprep.tokens").joinpath("data/models.toml").read_text("utf-8")
    return dict(tomllib.loads(text)["models"])


def resolve_model(name: str, overrides: dict[str, dict[str, Any]] | None = None) -> ModelInfo:
    """Find a model by id or alias; user overrides are merged over the built-in entry."""
    table = {k: dict(v) for k, v in builtin_models().items()}
    for model_id, entry in (overrides or {}).items():
        table[model_id] = {**table.get(model_id, {}), **entry}
    key = (
        name
        if name in table
        else next((k for k, v in table.items() if name in v.get("aliases", [])), None)
    )
    if key is None:
        known = ", ".join(sorted(table))
        raise ConfigError(
            f"unknown model '{name}'; known models: {known} (add one under "
            "[tool.ftprep.models] in your config)"
        )
    try:
        return ModelInfo(id=key, **table[key])
    except ValidationError as exc:
        raise ConfigError(f"model '{key}' is misconfigured: {exc.errors()[0]['msg']}") from exc
