"""Target profiles: one module per finetuning platform or trainer.

``TARGETS`` maps a name (``--to NAME``, ``--target NAME``) to its :class:`Profile`; a profile
holds the platform's rules as data, a writer from ftprep's examples to the platform's records,
and a validator for written records. docs/targets.md lists each with its sources.
"""

from __future__ import annotations

from ftprep.errors import ConfigError
from ftprep.targets import (
    axolotl,
    bedrock,
    fireworks,
    llamafactory,
    mistral,
    openai,
    together,
    trl,
    vertex,
)
from ftprep.targets.base import CHECKED, Cite, Conversion, Issue, Limit, Profile, Written

TARGETS: dict[str, Profile] = {
    m.PROFILE.name: m.PROFILE
    for m in (openai, together, fireworks, bedrock, vertex, mistral, trl, axolotl, llamafactory)
}
#: Other names people use for a target.
ALIASES = {
    "azure": "openai",
    "azure-openai": "openai",
    "gemini": "vertex",
    "llama-factory": "llamafactory",
}


def get_target(name: str) -> Profile:
    """The profile called ``name`` (or an alias); a one-line error naming the choices."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in TARGETS:
        raise ConfigError(f"unknown target '{name}'; choose one of {', '.join(TARGETS)}")
    return TARGETS[key]


__all__ = [
    "ALIASES",
    "CHECKED",
    "TARGETS",
    "Cite",
    "Conversion",
    "Issue",
    "Limit",
    "Profile",
    "Written",
    "get_target",
]
