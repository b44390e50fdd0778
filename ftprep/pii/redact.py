"""Redaction on request: personal data replaced by typed placeholders, the same everywhere.

``split --fix --redact pii`` (``ftprep.fix(..., redact=["pii"])``) rewrites exactly what
``clean.pii`` reports as personal — the same detectors and the same judgement in context,
so an example address in a regex lesson stays, a customer's address goes. Each distinct
value gets one placeholder for the whole set, numbered per kind in the order values first
appear in the input (``[EMAIL_1]`` is the same address in every example that has it, so
the data still shows that two tickets came from one person), and the kind stays visible
(``[PHONE_2]``, ``[SSN_1]``), so an answer that quotes the caller's number still reads as
one.

The mapping is never written: the report lists each change masked (``j***@e***.com →
[EMAIL_1]``), and the redactor keeps the values only in memory, for the length of one
write pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ftprep.pii.context import Scene, judge
from ftprep.pii.detectors import CATEGORIES, PiiMatch, find_pii
from ftprep.schema import ChatExample, Example, Message, PreferenceExample

#: ``--redact`` kinds ftprep knows.
REDACTABLE = ("pii",)
LABELS = {
    "email": "EMAIL",
    "phone": "PHONE",
    "ssn": "SSN",
    "card": "CARD",
    "ip": "IP",
    "dob": "DOB",
    "mrn": "MRN",
}


def _key(category: str, value: str) -> str:
    """What makes two values the same: case for addresses, punctuation for numbers."""
    if category == "email":
        return value.strip().casefold()
    digits = "".join(ch for ch in value if ch.isalnum())
    return digits.casefold() or value.strip()


@dataclass
class Redactor:
    """Replaces personal values example by example, numbering each distinct value once.

    ``categories`` and ``ignore_mailboxes`` are ``clean.pii``'s settings, so redaction and
    the finding agree on what is personal.
    """

    categories: frozenset[str] = frozenset(CATEGORIES)
    ignore_mailboxes: frozenset[str] = frozenset()
    _numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, category: str, value: str) -> str:
        key = (category, _key(category, value))
        if key not in self._numbers:
            self._counts[category] = self._counts.get(category, 0) + 1
            self._numbers[key] = self._counts[category]
        return f"[{LABELS.get(category, category.upper())}_{self._numbers[key]}]"

    def _text(self, text: str, scene: Scene, changes: list[str]) -> str:
        found: list[PiiMatch] = [
            m
            for m in find_pii(text, self.categories, self.ignore_mailboxes)
            if judge(text, m, scene).personal
        ]
        for m in sorted(found, key=lambda m: -m.start):
            token = self.placeholder(m.category, text[m.start : m.end])
            changes.append(f"{m.category} {m.masked} → {token}")
            text = text[: m.start] + token + text[m.end :]
        return text

    def _message(self, m: Message, scene: Scene, changes: list[str]) -> Message:
        update: dict[str, Any] = {}
        if isinstance(m.content, str) and m.content:
            update["content"] = self._text(m.content, scene, changes)
        elif isinstance(m.content, list):
            update["content"] = [
                p.model_copy(update={"text": self._text(p.text, scene, changes)}) if p.text else p
                for p in m.content
            ]
        if m.tool_calls:
            calls = []
            for call in m.tool_calls:
                fn = call.get("function") if isinstance(call, dict) else None
                args = fn.get("arguments") if isinstance(fn, dict) else None
                if isinstance(args, str) and args:
                    fn = {**fn, "arguments": self._text(args, scene, changes)}  # type: ignore[dict-item]
                    call = {**call, "function": fn}
                calls.append(call)
            update["tool_calls"] = calls
        return m.model_copy(update=update) if update else m

    def redact(self, ex: Example) -> tuple[Example, list[str]]:
        """The example with its personal values replaced, and the changes (masked)."""
        changes: list[str] = []
        if isinstance(ex, PreferenceExample):
            scene = Scene.of([m.text for m in ex.input if m.role != "assistant"])

            def each(msgs: list[Message]) -> list[Message]:
                return [self._message(m, scene, changes) for m in msgs]

            out: Example = ex.model_copy(
                update={
                    "input": each(ex.input),
                    "preferred": each(ex.preferred),
                    "non_preferred": each(ex.non_preferred),
                }
            )
        else:
            assert isinstance(ex, ChatExample)
            scene = Scene.of([m.text for m in ex.messages if m.role != "assistant"])
            out = ex.model_copy(
                update={"messages": [self._message(m, scene, changes) for m in ex.messages]}
            )
        origin = getattr(ex, "_origin", None)
        if origin is not None and changes:
            out._origin = None  # the raw record still holds the values: never write it
        return out, changes


def redactor_for(config: Any) -> Callable[[Example], tuple[Example, list[str]]] | None:
    """The run's redactor (``config.redact``), with ``clean.pii``'s settings; None when
    nothing is to be redacted."""
    if "pii" not in (getattr(config, "redact", None) or ()):
        return None
    from ftprep.checks.clean.pii import PiiSettings

    settings = config.check_settings("clean.pii", PiiSettings)
    return Redactor(frozenset(settings.categories), frozenset(settings.ignore_mailboxes)).redact


__all__ = ["LABELS", "REDACTABLE", "Redactor", "redactor_for"]
