"""Writer and validator pieces shared by the OpenAI-shaped targets.

OpenAI, Azure OpenAI, Together, Fireworks, Mistral, TRL and axolotl all read
``{"messages": [{"role", "content", ...}], "tools"}``; they differ in which message keys
they keep, whether tool-call arguments are a JSON string or an object, and where weights
may appear. :class:`MessageWriter` does the common work and records every loss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ftprep.loaders.parts import arguments_object, arguments_text
from ftprep.schema import ContentPart, Message
from ftprep.targets.base import Issue

MESSAGE_FIELDS = ("name", "tool_calls", "tool_call_id", "function_call", "weight")


def part_dict(p: ContentPart) -> dict[str, Any]:
    return p.model_dump(exclude_none=True)


@dataclass
class MessageWriter:
    """Messages as OpenAI-style dicts for one target.

    ``keep``: message keys the target accepts; ``weights``: "assistant", "any" or None;
    ``args``: "string" (JSON text) or "object" for tool-call arguments; ``parts``: whether
    content may be a list of parts (else text parts are joined, other parts dropped).
    """

    target: str
    keep: frozenset[str]
    weights: str | None
    args: str = "string"
    parts: bool = True
    weight_key: str = "weight"

    def messages(
        self, messages: Iterable[Message], losses: list[str], label: str = "message"
    ) -> list[dict[str, Any]]:
        return [self.message(m, i, losses, label) for i, m in enumerate(messages, start=1)]

    def message(
        self, m: Message, i: int, losses: list[str], label: str = "message"
    ) -> dict[str, Any]:
        where = f"{label} {i} ({m.role})"
        out: dict[str, Any] = {"role": m.role}
        if isinstance(m.content, str):
            out["content"] = m.content
        elif isinstance(m.content, list):
            out["content"] = self.content_parts(m.content, where, losses)
        for key in MESSAGE_FIELDS:
            value = getattr(m, key)
            if value is None:
                continue
            if key == "weight":
                self._weight(m, out, where, losses)
            elif key == "tool_calls":
                out[key] = self.tool_calls(value, where, losses)
            elif key in self.keep:
                out[key] = value
            else:
                losses.append(f"{where}: '{key}' dropped ({self.target} has no such field)")
        for key, value in (m.model_extra or {}).items():
            if key in self.keep:
                out[key] = value
            else:
                losses.append(f"{where}: unknown key '{key}' dropped")
        return out

    def content_parts(
        self, parts: list[ContentPart], where: str, losses: list[str]
    ) -> str | list[dict[str, Any]]:
        if self.parts:
            return [part_dict(p) for p in parts]
        dropped = sorted({p.type for p in parts if p.type != "text"})
        if dropped:
            losses.append(f"{where}: {', '.join(dropped)} content dropped (text only)")
        return "\n".join(p.text or "" for p in parts if p.type == "text")

    def _weight(self, m: Message, out: dict[str, Any], where: str, losses: list[str]) -> None:
        w = m.weight
        allowed = self.weights == "any" or (self.weights == "assistant" and m.role == "assistant")
        if allowed:
            out[self.weight_key] = int(w) if w in (0, 1) and not isinstance(w, bool) else w
        elif not (w == 1 and m.role == "assistant"):
            losses.append(
                f"{where}: weight {w!r} dropped ({self.target} trains every "
                f"{'assistant ' if m.role == 'assistant' else ''}turn it supports)"
            )

    def tool_calls(
        self, calls: list[dict[str, Any]], where: str, losses: list[str]
    ) -> list[dict[str, Any]]:
        out = []
        for call in calls:
            fn = call.get("function")
            if not isinstance(fn, dict):
                out.append(call)
                continue
            args = fn.get("arguments")
            if self.args == "string":
                new_args: Any = arguments_text(args) if args is not None else args
            else:
                parsed = arguments_object(args)
                new_args = parsed if parsed is not None else args
            out.append({**call, "function": {**fn, "arguments": new_args}})
        return out


def drop_metadata(metadata: dict[str, Any], target: str, losses: list[str]) -> None:
    """Record the loss of top-level keys the target's records cannot carry."""
    if metadata:
        keys = ", ".join(repr(k) for k in sorted(metadata))
        losses.append(f"top-level {keys} dropped ({target} allows no extra keys)")


def merge_metadata(
    record: dict[str, Any], metadata: dict[str, Any], losses: list[str]
) -> dict[str, Any]:
    """Keep metadata as extra columns (trainers ignore columns they are not told to read)."""
    for key, value in metadata.items():
        if key in record:
            losses.append(f"top-level '{key}' dropped (clashes with a {key!r} field of the format)")
        else:
            record[key] = value
    return record


#: Function names OpenAI-compatible APIs and mistral_common accept.
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a valid JSON Schema (draft 7), or None.

    Tool-calling datasets repeat the same few tool definitions on every line, so the
    verdict is memoised on the schema's canonical JSON.
    """
    if not isinstance(schema, dict):
        return f"parameters must be a JSON Schema object, not {type(schema).__name__}"
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return "parameters are not JSON"
    return _schema_problem(key)


@lru_cache(maxsize=4096)
def _schema_problem(key: str) -> str | None:
    from jsonschema import Draft7Validator, SchemaError

    try:
        Draft7Validator.check_schema(json.loads(key))
    except SchemaError as exc:
        return str(exc.message)
    return None


def check_tool_list(tools: Any, issues: list[Issue]) -> None:
    """``tools``: a list of ``{"type": "function", "function": {"name", "parameters"?}}`` with
    names of 1-64 letters, digits, ``_`` or ``-`` and parameters that are a JSON Schema."""
    if tools is None:
        return
    if not isinstance(tools, list):
        issues.append(Issue("tools", "'tools' is not a list"))
        return
    for k, t in enumerate(tools, start=1):
        fn = t.get("function") if isinstance(t, dict) else None
        if not isinstance(t, dict) or t.get("type") != "function" or not isinstance(fn, dict):
            issues.append(
                Issue("tools", f"tool {k} is not {{'type': 'function', 'function': {{...}}}}")
            )
        elif not isinstance(fn.get("name"), str) or not fn["name"]:
            issues.append(Issue("tools", f"tool {k} has no function name"))
        else:
            if not FUNCTION_NAME.match(fn["name"]):
                issues.append(
                    Issue(
                        "tools",
                        f"tool {k}: function name {fn['name']!r} must be 1-64 letters, digits, "
                        "'_' or '-'",
                    )
                )
            if "parameters" in fn:
                problem = schema_problem(fn["parameters"])
                if problem:
                    issues.append(Issue("tools", f"tool {k}: invalid parameters schema: {problem}"))


def check_tool_calls(calls: Any, where: str, issues: list[Issue], *, args: str = "string") -> None:
    """Each call: ``{"id", "type": "function", "function": {"name", "arguments"}}``."""
    if not isinstance(calls, list) or not calls:
        issues.append(Issue("format", f"{where}: 'tool_calls' must be a non-empty list"))
        return
    for j, call in enumerate(calls, start=1):
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            issues.append(Issue("format", f"{where}: call {j} has no function name"))
            continue
        a = fn.get("arguments")
        if args == "string" and not isinstance(a, str):
            issues.append(Issue("format", f"{where}: call {j} arguments must be a JSON string"))
        elif args == "object" and not isinstance(a, dict):
            issues.append(Issue("format", f"{where}: call {j} arguments are not a JSON object"))
