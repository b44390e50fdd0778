"""``fireworks`` — Fireworks AI supervised finetuning (and DPO).

OpenAI-compatible: ``messages`` with ``role``, ``content``, ``tool_calls`` and ``weight``
(0/1); a system message is optional but must come first; at least 3 and at most 3,000,000
examples per dataset. DPO uses the OpenAI preference shape. Message ``name`` is not part of
the documented keys and is dropped (listed as a loss).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ftprep.targets.base import Cite, Issue, Limit
from ftprep.targets.openai import ROLE_KEYS, OpenAIProfile


class FireworksProfile(OpenAIProfile):
    name = "fireworks"
    title = "Fireworks AI finetuning"
    roles = frozenset({"system", "user", "assistant", "tool"})
    min_examples = Limit(3)
    max_examples = Limit(3_000_000)
    max_file_bytes = None
    message_keys: ClassVar[frozenset[str]] = frozenset({"tool_calls", "tool_call_id", "weight"})
    top_keys: ClassVar[frozenset[str]] = frozenset({"messages", "tools"})
    role_keys: ClassVar[dict[str, frozenset[str]]] = {
        "system": frozenset({"role", "content"}),
        "user": frozenset({"role", "content"}),
        "assistant": frozenset({"role", "content", "tool_calls", "weight"}),
        "tool": ROLE_KEYS["tool"],
    }
    unconfirmed_roles: ClassVar[frozenset[str]] = frozenset({"tool"})
    sources = (
        Cite("https://docs.fireworks.ai/fine-tuning/fine-tuning-models", "DOC", "min 3, max 3M"),
        Cite(
            "https://docs.fireworks.ai/fine-tuning/finetuning-intro.md",
            "DOC",
            "same messages array with role, content, tool_calls and weight",
        ),
        Cite("https://docs.fireworks.ai/fine-tuning/dpo-fine-tuning.md", "DOC"),
        Cite("tool role messages for tool results", "MEM", "implied by tool_calls support"),
    )
    notes = (
        "Do not confuse per-message `weight` (SFT) with the root-level float `weight` of "
        "Fireworks' reinforcement finetuning.",
    )

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues = super().check(record)
        messages = record.get("messages")
        inp = record.get("input")
        if not isinstance(messages, list) and isinstance(inp, dict):
            messages = inp.get("messages")
        if isinstance(messages, list):
            for i, m in enumerate(messages, start=1):
                if isinstance(m, dict) and m.get("role") == "system" and i != 1:
                    issues.append(
                        Issue("role", f"message {i} (system): a system message must be the first")
                    )
        return issues


PROFILE = FireworksProfile()
