"""What a model answered: one normalised answer per example, from any file that holds one.

``ftprep evaluate`` compares answers, not files, so references (the validation file ftprep
wrote, or any input layout it reads) and predictions (chat JSONL with the assistant turn, or
``{"id"|"line", "prediction"}`` rows) are both reduced to an :class:`Answer`: the final
assistant text and, for tool calling, the calls it makes as ``(name, arguments)`` pairs with
the arguments parsed, so ``{"a": 1}`` and ``"{\\"a\\": 1}"`` compare equal.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from ftprep.schema import ChatExample, Example, PreferenceExample


@dataclass(frozen=True)
class Answer:
    """One answer: its text and the tool calls it makes (name, canonical JSON arguments)."""

    text: str
    calls: tuple[tuple[str, str], ...] = ()

    @property
    def normalized(self) -> str:
        """Case-, width- and whitespace-folded text: what exact match compares."""
        return normalize(self.text)


def normalize(text: str) -> str:
    """NFKC, casefold, whitespace collapsed, surrounding quotes and a final period dropped."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    folded = folded.strip("\"'`")
    return folded[:-1] if folded.endswith(".") and " " not in folded else folded


def canonical_json(value: Any) -> str:
    """A JSON value as a canonical string (sorted keys, no spaces), for equality tests."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _arguments(raw: Any) -> str:
    """Tool-call arguments as canonical JSON; a string that is not JSON stays as it is."""
    if isinstance(raw, str):
        try:
            return canonical_json(json.loads(raw))
        except ValueError:
            return raw.strip()
    return canonical_json(raw if raw is not None else {})


def calls_of(tool_calls: Any, function_call: Any = None) -> tuple[tuple[str, str], ...]:
    """``(name, arguments)`` for each call in an OpenAI ``tool_calls`` list or a legacy
    ``function_call``; entries that are not calls are skipped."""
    out: list[tuple[str, str]] = []
    items = tool_calls if isinstance(tool_calls, list) else []
    if function_call is not None:
        items = [*items, {"function": function_call}]
    for call in items:
        if not isinstance(call, dict):
            continue
        fn = call.get("function", call)
        if isinstance(fn, dict) and fn.get("name") is not None:
            out.append((str(fn["name"]), _arguments(fn.get("arguments"))))
    return tuple(out)


def answer_of_example(example: Example) -> Answer | None:
    """The reference answer of a loaded example: its final assistant turn (the preferred
    reply of a preference pair); None when it has no answer."""
    if isinstance(example, PreferenceExample):
        msg = example.preferred[-1] if example.preferred else None
        return None if msg is None else Answer(msg.text.strip())
    assert isinstance(example, ChatExample)
    last = example.last_assistant_index
    if last is None:
        return None
    msg = example.messages[last]
    return Answer(msg.text.strip(), calls_of(msg.tool_calls, msg.function_call))


def answer_of_value(value: Any) -> Answer:
    """A ``prediction`` value: a string, a tool call / list of calls, or any JSON value
    (an extraction answer written as an object rather than a string)."""
    if isinstance(value, str):
        return Answer(value.strip())
    if isinstance(value, dict) and (
        "function" in value or ("name" in value and "arguments" in value)
    ):
        return Answer("", calls_of([value]))
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        calls = calls_of(value)
        if calls:
            return Answer("", calls)
    if value is None:
        return Answer("")
    return Answer(canonical_json(value))


def answer_of_messages(messages: list[Any]) -> Answer | None:
    """The last assistant turn of a raw ``messages`` list (a predictions file in chat
    layout), or None when there is none."""
    for msg in reversed(messages):
        if isinstance(msg, dict) and msg.get("role") == "assistant":
            content = msg.get("content")
            if isinstance(content, list):
                content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            text = content.strip() if isinstance(content, str) else ""
            return Answer(text, calls_of(msg.get("tool_calls"), msg.get("function_call")))
    return None


__all__ = [
    "Answer",
    "answer_of_example",
    "answer_of_messages",
    "answer_of_value",
    "calls_of",
    "canonical_json",
    "normalize",
]
