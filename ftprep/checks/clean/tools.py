"""Tool-calling checks: calls that a trainer or platform cannot use, and results with no call.

They read the OpenAI shape every loader normalizes to (``tools``, assistant ``tool_calls``,
``tool`` messages with ``tool_call_id``; ShareGPT ``function_call``/``observation`` turns are
converted to it on load). Preference pairs are checked as two conversations: the prompt with
the preferred reply, and the prompt with the rejected one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ftprep.checks.base import CheckSettings, example_check
from ftprep.checks.batch_view import TOOLS, screened_by
from ftprep.schema import ChatExample, Example, Message

KINDS = ("chat", "preference")


def conversations(ex: Example) -> list[tuple[str, list[Message]]]:
    """The conversations of an example, each with a label for details."""
    if isinstance(ex, ChatExample):
        return [("", ex.messages)]
    return [
        ("preferred: ", [*ex.input, *ex.preferred]),
        ("rejected: ", [*ex.input, *ex.non_preferred]),
    ]


def _calls(m: Message) -> list[dict[str, Any]]:
    calls = list(m.tool_calls or [])
    if m.function_call:
        calls.append({"function": m.function_call})
    return calls


def _dedupe(details: Iterator[str]) -> Iterator[str]:
    seen: set[str] = set()
    for d in details:
        key = d.split(": ", 1)[-1]
        if key not in seen:
            seen.add(key)
            yield d


def _tool_names(tools: list[dict[str, Any]] | None) -> set[str]:
    names = set()
    for t in tools or []:
        fn = t.get("function", t)
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            names.add(fn["name"])
    return names


@example_check(
    "clean.tool_arguments",
    "clean",
    "error",
    "{count} examples have tool calls whose arguments are not a JSON object",
    kinds=KINDS,
)
def tool_arguments(ex: Example, settings: CheckSettings) -> Iterator[str]:
    """Tool call arguments are not a JSON object, or the call has no function name.

    What: each assistant tool call (`tool_calls[].function`, legacy `function_call`) must name
    a function and carry `arguments` that parse as a JSON object (OpenAI and Mistral store
    them as a JSON string; an object is accepted and encoded on output).
    Why: platforms reject unparseable arguments, and a model trained on broken JSON emits
    broken calls that the application cannot execute.
    Threshold: any call whose arguments do not parse as a JSON object is reported.
    Fix: repair the JSON at the reported message (often single quotes, a trailing comma or
    truncation); encode the arguments with `json.dumps`.
    """

    def details() -> Iterator[str]:
        for label, messages in conversations(ex):
            for i, m in enumerate(messages, start=1):
                for j, call in enumerate(_calls(m), start=1):
                    fn = call.get("function")
                    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                        yield f"{label}message {i} call {j} has no function name"
                        continue
                    args = fn.get("arguments")
                    if isinstance(args, dict):
                        continue
                    if not isinstance(args, str):
                        yield f"{label}message {i} call {j} ({fn['name']}) has no arguments"
                        continue
                    try:
                        parsed = json.loads(args)
                    except ValueError as exc:
                        where = f"{label}message {i} call {j} ({fn['name']})"
                        yield f"{where} arguments are not JSON: {getattr(exc, 'msg', exc)}"
                        continue
                    if not isinstance(parsed, dict):
                        kind = type(parsed).__name__
                        yield f"{label}message {i} call {j} ({fn['name']}) arguments are a {kind}"

    yield from _dedupe(details())


@example_check(
    "clean.tool_unknown_function",
    "clean",
    "warning",
    "{count} examples call a function that is not in their tools",
    kinds=KINDS,
)
def tool_unknown_function(ex: Example, settings: CheckSettings) -> Iterator[str]:
    """Tool call names a function that the example's `tools` do not define.

    What: a call to a function missing from the example's top-level `tools` list (or a call
    in an example that declares no tools at all).
    Why: the model learns to call functions it is never shown; at inference time the call
    fails or the model invents tools. Trainers render `tools` into the prompt, so an absent
    definition also means the training prompt differs from production.
    Threshold: any call to a name absent from the example's `tools` is reported.
    Fix: add the function's definition to `tools` (name, description, JSON-schema parameters),
    or correct the called name.
    """
    names = _tool_names(ex.tools)

    def details() -> Iterator[str]:
        for label, messages in conversations(ex):
            for i, m in enumerate(messages, start=1):
                for call in _calls(m):
                    fn = call.get("function")
                    name = fn.get("name") if isinstance(fn, dict) else None
                    if not isinstance(name, str) or name in names:
                        continue
                    if not names:
                        yield f"{label}message {i} calls '{name}'; the example declares no tools"
                    else:
                        known = ", ".join(sorted(names))
                        yield f"{label}message {i} calls '{name}', not in tools ({known})"

    yield from _dedupe(details())


@example_check(
    "clean.tool_result_unanswered",
    "clean",
    "error",
    "{count} examples have a tool result that answers no tool call",
    kinds=KINDS,
)
def tool_result_unanswered(ex: Example, settings: CheckSettings) -> Iterator[str]:
    """Tool result does not answer an earlier tool call.

    What: a `tool` message whose `tool_call_id` is missing or matches no `tool_calls[].id` of an
    earlier assistant turn, or answers a call that was already answered.
    Why: OpenAI and Mistral reject the example; a result detached from its call teaches the
    model that tool output appears unprompted.
    Threshold: any tool message without a matching earlier call is reported.
    Fix: set `tool_call_id` to the id of the call it answers (ShareGPT: put the `observation`
    right after its `function_call`).
    """

    def details() -> Iterator[str]:
        for label, messages in conversations(ex):
            open_ids: set[str] = set()
            answered: set[str] = set()
            for i, m in enumerate(messages, start=1):
                for call in m.tool_calls or []:
                    if isinstance(call.get("id"), str):
                        open_ids.add(call["id"])
                if m.role != "tool":
                    continue
                cid = m.tool_call_id
                if cid is None:
                    yield f"{label}message {i} (tool) has no tool_call_id"
                elif cid in answered:
                    yield f"{label}message {i} (tool) answers call '{cid}' a second time"
                elif cid not in open_ids:
                    yield f"{label}message {i} (tool) answers '{cid}', which no earlier call has"
                else:
                    open_ids.discard(cid)
                    answered.add(cid)

    yield from _dedupe(details())


@example_check(
    "clean.tool_call_duplicate_id",
    "clean",
    "error",
    "{count} examples reuse a tool call id",
    kinds=KINDS,
)
def tool_call_duplicate_id(ex: Example, settings: CheckSettings) -> Iterator[str]:
    """Two tool calls in one example share an id.

    What: the same `tool_calls[].id` used by more than one call within a conversation.
    Why: a result's `tool_call_id` then matches two calls; platforms reject the example or
    pair results with the wrong call.
    Threshold: any repeated id within one example is reported.
    Fix: give every call its own id (OpenAI `call_...`; Mistral needs exactly 9 letters or
    digits, which `ftprep convert --to mistral` generates).
    """

    def details() -> Iterator[str]:
        for label, messages in conversations(ex):
            seen: dict[str, int] = {}
            for i, m in enumerate(messages, start=1):
                for call in m.tool_calls or []:
                    cid = call.get("id")
                    if not isinstance(cid, str):
                        continue
                    if cid in seen:
                        first = seen[cid]
                        yield f"{label}call id '{cid}' in message {i} was used in message {first}"
                    else:
                        seen[cid] = i

    yield from _dedupe(details())


# Every rule here reads tool calls or tool results: rows without either pass them all.
for _id in (
    "clean.tool_arguments",
    "clean.tool_unknown_function",
    "clean.tool_result_unanswered",
    "clean.tool_call_duplicate_id",
):
    screened_by(_id, TOOLS)
