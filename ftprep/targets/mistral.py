"""``mistral`` — mistral-finetune and Mistral's finetuning API (La Plateforme).

Rules from mistral-finetune's data validation (``finetune/data/tokenize.py``, README) and
mistral_common's validator: roles system/user/assistant/tool with at most one system message;
the last message is the assistant's; tool-call ``arguments`` are a JSON string and every
tool-call id (and the ``tool_call_id`` answering it) is exactly 9 letters or digits; tools
need a function ``name``, ``description`` and ``parameters``; ``weight`` 0/1 on assistant
turns only. The writer derives 9-character ids deterministically from the original ids and
rewrites the answering ``tool_call_id``s to match. No preference format.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import string
from typing import Any

from ftprep.schema import ChatExample, Message
from ftprep.targets.base import Cite, Issue, Limit, Profile, Written
from ftprep.targets.common import MessageWriter, check_tool_calls, drop_metadata

MB = 1 << 20
ID_RE = re.compile(r"^[A-Za-z0-9]{9}$")
_ALPHABET = string.ascii_letters + string.digits


def mistral_id(original: str, taken: set[str]) -> str:
    """A 9-character alphanumeric id: the original if it fits, else derived from it."""
    if ID_RE.match(original) and original not in taken:
        return original
    salt = 0
    while True:
        digest = hashlib.sha256(f"{original}:{salt}".encode()).digest()
        n = int.from_bytes(digest[:8], "big")
        out = ""
        for _ in range(9):
            n, r = divmod(n, len(_ALPHABET))
            out += _ALPHABET[r]
        if out not in taken:
            return out
        salt += 1


class MistralProfile(Profile):
    name = "mistral"
    title = "Mistral finetuning (mistral-finetune, La Plateforme)"
    roles = frozenset({"system", "user", "assistant", "tool"})
    weights = "assistant"
    max_file_bytes = Limit(512 * MB, confirmed=False)
    sources = (
        Cite("mistralai/mistral-finetune README.md (04d2cc87)", "SRC"),
        Cite("mistralai/mistral-finetune finetune/data/tokenize.py (20704b22)", "SRC"),
        Cite("https://docs.mistral.ai/capabilities/finetuning/text_finetuning", "DOC"),
        Cite(
            "vLLM mistral_tool_parser.py citing mistral_common validator",
            "DOC",
            "tool call ids: alphanumeric, length 9",
        ),
        Cite("La Plateforme 512 MB per file; role order rules", "MEM"),
    )
    notes = (
        "When tools are present, mistral-finetune trains only the last assistant message.",
        "Tool-call ids are rewritten to 9 letters/digits (deterministically) where needed.",
    )

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        ids: dict[str, str] = {}
        taken: set[str] = set()
        messages: list[Message] = []
        for m in ex.messages:
            if m.tool_calls:
                calls = []
                for call in m.tool_calls:
                    old = str(call.get("id", ""))
                    new = mistral_id(old or f"{len(taken)}", taken)
                    taken.add(new)
                    ids.setdefault(old, new)
                    calls.append({**call, "id": new})
                m = m.model_copy(update={"tool_calls": calls})
            if m.role == "tool" and m.tool_call_id in ids:
                m = m.model_copy(update={"tool_call_id": ids[m.tool_call_id]})
            messages.append(m)
        writer = MessageWriter(self.name, frozenset({"tool_calls", "tool_call_id"}), "assistant")
        record: dict[str, Any] = {"messages": writer.messages(messages, losses)}
        if ex.tools:
            record["tools"] = ex.tools
            trained = [
                i
                for i, m in enumerate(ex.messages, start=1)
                if m.role == "assistant" and m.weight != 0
            ]
            if len(trained) > 1:
                losses.append(
                    f"assistant messages {', '.join(map(str, trained[:-1]))} not trained "
                    "(mistral-finetune trains only the last assistant turn when tools are present)"
                )
        drop_metadata(ex.metadata, self.name, losses)
        return Written(record, losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        extra = sorted(set(record) - {"messages", "tools"})
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not allowed"))
        messages = record.get("messages")
        if not isinstance(messages, list) or not messages:
            issues.append(Issue("format", "'messages' must be a non-empty list"))
            return issues
        roles = []
        for i, m in enumerate(messages, start=1):
            if not isinstance(m, dict) or "role" not in m:
                issues.append(Issue("format", f"message {i} does not contain a 'role' key"))
                continue
            role = m["role"]
            roles.append(role)
            where = f"message {i} ({role})"
            if role not in self.roles:
                issues.append(Issue("role", f"{where}: unrecognized role"))
            if "weight" in m and (role != "assistant" or m["weight"] not in (0, 1)):
                issues.append(Issue("format", f"{where}: weight must be 0 or 1, assistant only"))
            if m.get("tool_calls"):
                check_tool_calls(m["tool_calls"], where, issues)
                for call in m["tool_calls"]:
                    cid = call.get("id") if isinstance(call, dict) else None
                    if not isinstance(cid, str) or not ID_RE.match(cid):
                        issues.append(
                            Issue("format", f"{where}: tool call id must be 9 letters/digits")
                        )
            elif not isinstance(m.get("content"), str) or (
                role != "assistant" and not m.get("content")
            ):
                issues.append(Issue("format", f"{where}: content must be text"))
            if role == "tool":
                cid = m.get("tool_call_id")
                if not isinstance(cid, str):
                    issues.append(Issue("format", f"{where}: a tool message needs 'tool_call_id'"))
                elif not ID_RE.match(cid):
                    issues.append(
                        Issue("format", f"{where}: tool_call_id must be 9 letters/digits")
                    )
        if roles.count("system") > 1:
            issues.append(Issue("role", "only one system message is allowed"))
        if roles and roles[-1] != "assistant":
            issues.append(
                Issue("role", f"the last message must be the assistant's, not {roles[-1]}")
            )
        order = [r for r in roles if r != "system"]
        follows = {
            "user": {"assistant"},
            "assistant": {"user", "tool"},
            "tool": {"assistant", "tool"},
        }
        if order and order[0] != "user":
            issues.append(Issue("role", "the first non-system message should be user", False))
        for a, b in itertools.pairwise(order):
            if a in follows and b not in follows[a]:
                issues.append(Issue("role", f"'{b}' should not follow '{a}'", False))
                break
        for k, tool in enumerate(record.get("tools") or [], start=1):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(fn, dict):
                issues.append(Issue("tools", f"tool {k} has no 'function'"))
                continue
            missing = [key for key in ("name", "description", "parameters") if key not in fn]
            if missing:
                issues.append(
                    Issue(
                        "tools",
                        f"tool {k} function lacks {', '.join(missing)} (use {{}} for "
                        "no parameters)",
                    )
                )
        return issues


PROFILE = MistralProfile()
