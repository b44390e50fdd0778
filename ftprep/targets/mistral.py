"""``mistral`` — mistral-finetune and Mistral's finetuning API (La Plateforme).

Rules from mistral-finetune's ``build_instruct_sample`` (``finetune/data/tokenize.py``) and
mistral_common's ``MistralRequestValidatorV3`` in finetuning mode: ``messages`` or
``interactions``, ``content`` or ``text``; roles system/user/assistant/tool with at most one
system message; the last message is the assistant's; an assistant message has content *or*
tool calls, never both or neither; each tool call is answered by a tool result before the
next assistant turn; tool-call ``arguments`` are a JSON string and every tool-call id (and
the ``tool_call_id`` answering it) is exactly 9 letters or digits; tools need a function
``name`` (``[a-zA-Z0-9_-]{1,64}``), ``description`` and ``parameters`` (a valid JSON
Schema); assistant ``weight`` 0/1. User turns are not validated (an empty one is fine) and
unknown keys are ignored, as mistral-finetune does. The writer derives 9-character ids
deterministically from the original ids and rewrites the answering ``tool_call_id``s to
match. No preference format.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import string
from typing import Any

from ftprep.schema import ChatExample, Message
from ftprep.targets.base import (
    CHAT_STRUCTURE_CHECKS,
    Cite,
    Issue,
    Limit,
    Profile,
    Written,
)
from ftprep.targets.common import MessageWriter, drop_metadata, schema_problem

MB = 1 << 20
ID_RE = re.compile(r"^[A-Za-z0-9]{9}$")
NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
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
        Cite(
            "mistralai/mistral-common src/mistral_common/protocol/instruct/validator.py",
            "SRC",
            "MistralRequestValidatorV3, finetuning mode: order, last turn, content xor tool "
            "calls, call/result counts, ids, function names, Draft 7 parameter schemas",
        ),
        Cite("La Plateforme 512 MB per file", "MEM"),
    )
    notes = (
        "When tools are present, mistral-finetune trains only the last assistant message.",
        "Tool-call ids are rewritten to 9 letters/digits (deterministically) where needed.",
    )

    defers = CHAT_STRUCTURE_CHECKS

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

    def native(self, record: dict[str, Any]) -> bool:
        return "messages" in record or "interactions" in record

    def check(self, record: dict[str, Any]) -> list[Issue]:
        """mistral-finetune's ``build_instruct_sample`` and mistral_common's finetuning-mode
        ``MistralRequestValidatorV3``: unknown top-level keys are ignored, as they are there."""
        issues: list[Issue] = []
        if "messages" in record and "interactions" in record:
            issues.append(Issue("format", "both 'messages' and 'interactions'; keep one"))
        if "tools" in record and "available_tools" in record:
            issues.append(Issue("format", "both 'tools' and 'available_tools'; keep one"))
        messages = record.get("messages", record.get("interactions"))
        if not isinstance(messages, list) or not messages:
            issues.append(Issue("format", "'messages' must be a non-empty list"))
            return issues
        tools = record.get("tools") or record.get("available_tools")
        self._check_tools(tools, issues)
        seq: list[dict[str, Any]] = []
        systems = 0
        for i, m in enumerate(messages, start=1):
            if not isinstance(m, dict) or "role" not in m:
                issues.append(Issue("format", f"message {i} does not contain a 'role' key"))
                continue
            role = m["role"]
            where = f"message {i} ({role})"
            if "text" in m and "content" in m:
                issues.append(Issue("format", f"{where}: both 'text' and 'content'"))
            content = m.get("content", m.get("text"))
            calls = m.get("tool_calls")
            if calls is None and content is None:
                issues.append(Issue("format", f"{where}: no 'content' (or 'text')"))
                continue
            if role not in self.roles:
                issues.append(Issue("role", f"{where}: unrecognized role"))
                continue
            if content is not None and not _content_ok(content, role):
                issues.append(Issue("format", f"{where}: content must be text"))
            if role == "system":
                systems += 1
                continue
            if role == "assistant":
                self._check_assistant(m, content, calls, where, i == len(messages), issues)
            elif role == "tool":
                cid = m.get("tool_call_id")
                if cid is None:
                    issues.append(Issue("format", f"{where}: a tool message needs 'tool_call_id'"))
                elif not isinstance(cid, str) or not ID_RE.match(cid):
                    issues.append(
                        Issue("format", f"{where}: tool_call_id must be 9 letters/digits")
                    )
                name = m.get("name")
                if name is not None and not (isinstance(name, str) and NAME_RE.match(name)):
                    issues.append(Issue("tools", f"{where}: invalid function name {name!r}"))
            seq.append({"role": role, "calls": len(calls) if isinstance(calls, list) else 0})
        if systems > 1:
            issues.append(Issue("role", "only one system message is allowed"))
        issues += _structure(seq)
        return issues

    def _check_assistant(
        self,
        m: dict[str, Any],
        content: Any,
        calls: Any,
        where: str,
        last: bool,
        issues: list[Issue],
    ) -> None:
        if bool(content) == bool(calls):
            issues.append(
                Issue(
                    "format",
                    f"{where}: must have either content or tool_calls, "
                    + ("not both" if content else "not neither (empty answer)"),
                )
            )
        weight = m.get("weight")
        if weight is not None and (isinstance(weight, bool) or weight not in (0, 1)):
            issues.append(Issue("format", f"{where}: weight must be 0 or 1"))
        if calls is None:
            return
        if not isinstance(calls, list):
            issues.append(Issue("format", f"{where}: 'tool_calls' must be a list"))
            return
        for j, call in enumerate(calls, start=1):
            at = f"{where}: tool call {j}"
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(call, dict) or "id" not in call or not isinstance(fn, dict):
                issues.append(Issue("format", f"{at} needs 'id' and 'function'"))
                continue
            if "name" not in fn or "arguments" not in fn:
                issues.append(Issue("format", f"{at}: function needs 'name' and 'arguments'"))
                continue
            if not isinstance(fn["arguments"], str):
                issues.append(Issue("format", f"{at}: arguments must be a JSON string"))
            if not (isinstance(fn["name"], str) and NAME_RE.match(fn["name"])):
                issues.append(
                    Issue(
                        "tools",
                        f"{at}: function name {fn['name']!r} must be 1-64 of a-z, A-Z, 0-9, _ or -",
                    )
                )
            cid = call["id"]
            if cid == "null" and not last:
                issues.append(Issue("format", f"{at}: id 'null' only on the last message"))
            elif cid != "null" and not (isinstance(cid, str) and ID_RE.match(cid)):
                issues.append(Issue("format", f"{at}: id must be 9 letters/digits"))

    def _check_tools(self, tools: Any, issues: list[Issue]) -> None:
        if not tools:
            return
        if not isinstance(tools, list):
            issues.append(Issue("tools", "'tools' must be a list"))
            return
        for k, tool in enumerate(tools, start=1):
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
                continue
            if not (isinstance(fn["name"], str) and NAME_RE.match(fn["name"])):
                issues.append(
                    Issue(
                        "tools",
                        f"tool {k}: function name {fn['name']!r} must be 1-64 of "
                        "a-z, A-Z, 0-9, _ or -",
                    )
                )
            if not isinstance(fn["parameters"], dict):
                issues.append(Issue("tools", f"tool {k}: 'parameters' must be an object"))
            else:
                problem = schema_problem(fn["parameters"])
                if problem:
                    issues.append(Issue("tools", f"tool {k}: invalid parameters schema: {problem}"))


def _content_ok(content: Any, role: str) -> bool:
    """Text, or (user turns) a list of text chunks."""
    if isinstance(content, str):
        return True
    return (
        role == "user"
        and isinstance(content, list)
        and all(isinstance(p, dict) and isinstance(p.get("text"), str) for p in content)
    )


#: Which role may follow which (mistral_common ``_validate_message_order``; system turns are
#: taken out of the conversation by mistral-finetune before validation).
FOLLOWS = {
    "user": {"assistant", "user"},
    "assistant": {"assistant", "user", "tool"},
    "tool": {"assistant", "tool"},
}


def _structure(seq: list[dict[str, Any]]) -> list[Issue]:
    """Order, last turn and call/result counts of the non-system messages."""
    issues: list[Issue] = []
    if not seq:
        return [Issue("role", "the conversation has no user or assistant messages")]
    if len(seq) == 1 and seq[0]["role"] != "user":
        issues.append(Issue("role", "a one-message conversation must start with the user"))
    if seq[-1]["role"] != "assistant":
        issues.append(
            Issue("role", f"the last message must be the assistant's, not {seq[-1]['role']}")
        )
    for a, b in itertools.pairwise(seq):
        if b["role"] not in FOLLOWS[a["role"]]:
            issues.append(Issue("role", f"'{b['role']}' cannot follow '{a['role']}'"))
            break
    expected = 0
    for k, m in enumerate(seq):
        if k == 0:
            continue
        if m["role"] == "tool":
            expected -= 1
        elif m["role"] == "assistant":
            if expected != 0:
                issues.append(Issue("tools", "not the same number of tool calls and tool results"))
                break
            expected = m["calls"]
    else:
        if expected < 0:
            issues.append(Issue("tools", "more tool results than tool calls"))
    return issues


PROFILE = MistralProfile()
