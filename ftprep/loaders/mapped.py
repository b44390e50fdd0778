"""Column/field mapping for tabular files and arbitrary JSON records.

``--map user=question --map assistant=answer --map system=instructions --map label=category``
names which field holds each role; unmapped fields go to metadata (``label`` too, where the
stratified split and classification checks read it). In nested JSON a dotted path reaches
inside objects: ``--map user=data.question`` (a key that itself contains a dot wins).
Without a mapping, common column names are recognised (question/answer,
prompt/completion, input/output...).
"""

from __future__ import annotations

from typing import Any

from ftprep.errors import ConfigError
from ftprep.loaders.exact import exact_chat, text_message
from ftprep.loaders.messages import text_field, with_system
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import Example, LoadError, SourceLocation

TARGETS = ("system", "user", "assistant", "label", "group")
GUESSES: dict[str, tuple[str, ...]] = {
    "system": ("system", "system_prompt", "instructions"),
    "user": ("user", "prompt", "question", "input", "query", "instruction", "text", "source"),
    "assistant": ("assistant", "completion", "answer", "output", "response", "target", "reply"),
}


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Map roles to columns by common names (case-insensitive); empty when unsure."""
    lower = {c.lower(): c for c in columns}
    mapping: dict[str, str] = {}
    for target, names in GUESSES.items():
        for name in names:
            if name in lower and lower[name] not in mapping.values():
                mapping[target] = lower[name]
                break
    return mapping if "user" in mapping and "assistant" in mapping else {}


def validate_mapping(mapping: dict[str, str]) -> None:
    unknown = sorted(set(mapping) - set(TARGETS))
    if unknown:
        raise ConfigError(
            f"--map {unknown[0]}=...: unknown target; use one of {', '.join(TARGETS)}"
        )
    if "user" not in mapping or "assistant" not in mapping:
        raise ConfigError("a mapping needs both --map user=COLUMN and --map assistant=COLUMN")


@register_format(
    "mapped",
    "Any JSON object or table row, with --map user=COL --map assistant=COL [--map system=COL]",
    detect=lambda v: False,
    priority=-100,
)
def adapt_mapped(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    mapping = opts.mapping
    fields = {t: _lookup(value, path) for t, path in mapping.items()}
    view = {mapping[t]: v for t, v in fields.items() if v is not None}
    user = text_field(view, mapping["user"], loc)
    assistant = text_field(view, mapping["assistant"], loc)
    system = (
        text_field(view, mapping["system"], loc, required=False) if "system" in mapping else None
    )
    if isinstance(user, LoadError):
        return user
    if isinstance(assistant, LoadError):
        return assistant
    if isinstance(system, LoadError):
        return system
    messages = []
    if system:
        messages.append(text_message("system", system))
    messages += [text_message("user", user), text_message("assistant", assistant)]
    used = {mapping[t] for t in ("system", "user", "assistant") if t in mapping}
    metadata = {k: v for k, v in value.items() if k not in used}
    for target in ("label", "group"):
        if target in mapping and fields.get(target) is not None:
            metadata[target] = fields[target]
    return exact_chat(with_system(messages, opts.system), metadata, loc)


def _lookup(value: dict[str, Any], path: str) -> Any:
    """The field at ``path``: a top-level key, else a dotted path into nested objects."""
    if path in value:
        return value[path]
    current: Any = value
    for key in path.split("."):
        if not isinstance(current, dict) or key not in current:
            return None
        current = current[key]
    return current
