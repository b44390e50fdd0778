"""``openai`` — OpenAI chat finetuning (SFT and DPO); the same files work on Azure OpenAI.

Rules: the ``FineTuneChatRequestInput`` / ``FineTunePreferenceRequestInput`` schemas of the
OpenAI API spec and the SFT/DPO guides (see docs/targets.md). Assistant messages may carry
``weight`` 0/1; tool-call ``arguments`` are a JSON *string*; a DPO output side is one assistant
message. ``developer`` is accepted with a warning (unconfirmed for finetuning).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ftprep.schema import ChatExample, PreferenceExample
from ftprep.targets.base import (
    CHAT_STRUCTURE_CHECKS,
    PREFERENCE_STRUCTURE_CHECKS,
    Cite,
    Issue,
    Limit,
    Profile,
    Written,
)
from ftprep.targets.common import (
    MessageWriter,
    check_tool_calls,
    check_tool_list,
    drop_metadata,
)

MB = 1 << 20

ROLE_KEYS: dict[str, frozenset[str]] = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset(
        {"role", "content", "refusal", "name", "audio", "tool_calls", "function_call", "weight"}
    ),
    "tool": frozenset({"role", "content", "tool_call_id"}),
    "function": frozenset({"role", "content", "name"}),
}


def check_messages(
    messages: Any,
    issues: list[Issue],
    *,
    label: str = "message",
    role_keys: dict[str, frozenset[str]] = ROLE_KEYS,
    unconfirmed_roles: frozenset[str] = frozenset({"developer"}),
    image_roles: frozenset[str] = frozenset({"user"}),
    weight_roles: frozenset[str] = frozenset({"assistant"}),
    require_assistant: bool = True,
) -> None:
    """OpenAI's per-message rules (shared with Fireworks)."""
    if not isinstance(messages, list) or not messages:
        issues.append(Issue("format", f"'{label}s' must be a non-empty list"))
        return
    for i, m in enumerate(messages, start=1):
        where = f"{label} {i}"
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            issues.append(Issue("format", f"{where} is not an object with a role"))
            continue
        role = m["role"]
        where = f"{label} {i} ({role})"
        if role not in role_keys:
            known = ", ".join(r for r in role_keys if r not in unconfirmed_roles)
            issues.append(Issue("role", f"{where}: role not accepted (use {known})"))
            continue
        if role in unconfirmed_roles:
            issues.append(
                Issue("role", f"{where}: role accepted only per undocumented reports", False)
            )
        extra = sorted(set(m) - role_keys[role])
        if extra:
            issues.append(Issue("format", f"{where}: key(s) {', '.join(extra)} not allowed"))
        content = m.get("content")
        has_calls = bool(m.get("tool_calls") or m.get("function_call"))
        if content is None and not (role == "assistant" and has_calls):
            issues.append(Issue("format", f"{where}: no content"))
        elif content is not None and not isinstance(content, str | list):
            issues.append(Issue("format", f"{where}: content must be text or a list of parts"))
        if isinstance(content, list):
            for part in content:
                kind = part.get("type") if isinstance(part, dict) else None
                if kind == "image_url" and role not in image_roles:
                    issues.append(
                        Issue("content", f"{where}: images are allowed in user turns only")
                    )
                elif kind not in ("text", "image_url"):
                    issues.append(
                        Issue("content", f"{where}: content part type {kind!r} not accepted")
                    )
        if "weight" in m:
            w = m["weight"]
            if role not in weight_roles:
                issues.append(Issue("format", f"{where}: weight allowed on assistant turns only"))
            elif isinstance(w, bool) or w not in (0, 1):
                issues.append(Issue("format", f"{where}: weight must be 0 or 1"))
        if "tool_calls" in m:
            check_tool_calls(m["tool_calls"], where, issues)
            for call in m["tool_calls"] if isinstance(m["tool_calls"], list) else []:
                if isinstance(call, dict) and not isinstance(call.get("id"), str):
                    issues.append(Issue("format", f"{where}: a tool call has no id"))
        if role == "tool" and not isinstance(m.get("tool_call_id"), str):
            issues.append(Issue("format", f"{where}: tool message without tool_call_id"))
    if require_assistant and not any(
        isinstance(m, dict) and m.get("role") == "assistant" for m in messages
    ):
        issues.append(Issue("format", "no assistant message"))
    unanswered = _unanswered_calls(messages)
    if unanswered:
        issues.append(
            Issue(
                "tools",
                f"tool call(s) {', '.join(unanswered)} have no tool result before the next "
                "assistant turn (the chat API rejects this; finetuning files unconfirmed)",
                confirmed=False,
            )
        )


def _unanswered_calls(messages: list[Any]) -> list[str]:
    """Ids of tool calls not answered by a ``tool`` message before the next assistant turn."""
    pending: list[str] = []
    missed: list[str] = []
    for m in messages:
        if not isinstance(m, dict):
            continue
        if m.get("role") == "assistant":
            missed += pending
            calls = m.get("tool_calls")
            pending = (
                [str(c.get("id")) for c in calls or [] if isinstance(c, dict) and c.get("id")]
                if isinstance(calls, list)
                else []
            )
        elif m.get("role") == "tool" and m.get("tool_call_id") in pending:
            pending.remove(m["tool_call_id"])
    return missed


class OpenAIProfile(Profile):
    """OpenAI-shaped SFT and DPO records; subclasses adjust keys, roles and limits."""

    name = "openai"
    title = "OpenAI / Azure OpenAI chat finetuning"
    roles = frozenset(ROLE_KEYS)
    weights = "assistant"
    preference = True
    images = True
    min_examples = Limit(10)
    max_file_bytes: ClassVar[Limit | None] = Limit(512 * MB, confirmed=False)
    message_keys: ClassVar[frozenset[str]] = frozenset(
        {"name", "tool_calls", "tool_call_id", "function_call", "weight", "refusal", "audio"}
    )
    top_keys: ClassVar[frozenset[str]] = frozenset(
        {"messages", "tools", "parallel_tool_calls", "functions"}
    )
    role_keys: ClassVar[dict[str, frozenset[str]]] = ROLE_KEYS
    unconfirmed_roles: ClassVar[frozenset[str]] = frozenset({"developer"})
    sources: ClassVar[tuple[Cite, ...]] = (
        Cite(
            "https://developers.openai.com/docs/guides/distillation", "DOC", "minimum 10 examples"
        ),
        Cite(
            "https://docs.rs/crate/openai-client-base/0.8.1/source/src/models/"
            "fine_tune_chat_request_input.rs",
            "DOC",
            "FineTuneChatRequestInput / FineTunePreferenceRequestInput (OpenAPI 2.3.0)",
        ),
        Cite("https://developers.openai.com/api/docs/guides/direct-preference-optimization", "DOC"),
        Cite(
            "https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/fine-tuning", "DOC"
        ),
        Cite("Files API 512 MB per file", "MEM", "file-size limit unconfirmed"),
    )
    notes: ClassVar[tuple[str, ...]] = (
        "OpenAI is winding down self-serve finetuning for new users; the format stays the "
        "lingua franca (Azure, Fireworks, Together reuse it).",
        "Azure OpenAI reads the same files; Azure's data-prep page reportedly asks for UTF-8 "
        "with BOM (unconfirmed) — ftprep writes UTF-8 without BOM, which OpenAI requires.",
    )

    defers: ClassVar[tuple[str, ...]] = CHAT_STRUCTURE_CHECKS + PREFERENCE_STRUCTURE_CHECKS

    def native(self, record: dict[str, Any]) -> bool:
        return any(
            k in record for k in ("messages", "input", "preferred_output", "non_preferred_output")
        )

    def writer(self) -> MessageWriter:
        return MessageWriter(self.name, self.message_keys, self.weights, "string", self.images)

    def _extras(self, ex: ChatExample | PreferenceExample, losses: list[str]) -> dict[str, Any]:
        meta = dict(ex.metadata)
        out: dict[str, Any] = {}
        ptc = meta.pop("parallel_tool_calls", None)
        if isinstance(ptc, bool) and "parallel_tool_calls" in self.top_keys:
            out["parallel_tool_calls"] = ptc
        elif ptc is not None:
            meta["parallel_tool_calls"] = ptc
        drop_metadata(meta, self.name, losses)
        return out

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        record: dict[str, Any] = {"messages": self.writer().messages(ex.messages, losses)}
        if ex.tools:
            record["tools"] = ex.tools
        record.update(self._extras(ex, losses))
        return Written(record, losses)

    def write_preference(self, ex: PreferenceExample) -> Written:
        losses: list[str] = []
        w = self.writer()
        inp: dict[str, Any] = {"messages": w.messages(ex.input, losses, "prompt message")}
        if ex.tools:
            inp["tools"] = ex.tools
        inp.update(self._extras(ex, losses))
        record = {
            "input": inp,
            "preferred_output": w.messages(ex.preferred, losses, "chosen message"),
            "non_preferred_output": w.messages(ex.non_preferred, losses, "rejected message"),
        }
        return Written(record, losses)

    def check_messages(self, messages: Any, issues: list[Issue], **kw: Any) -> None:
        check_messages(
            messages,
            issues,
            role_keys=self.role_keys,
            unconfirmed_roles=self.unconfirmed_roles,
            **kw,
        )

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        if "input" in record:
            self._check_preference(record, issues)
            return issues
        extra = sorted(set(record) - self.top_keys)
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not allowed"))
        self.check_messages(record.get("messages"), issues)
        check_tool_list(record.get("tools"), issues)
        return issues

    def _check_preference(self, record: dict[str, Any], issues: list[Issue]) -> None:
        extra = sorted(set(record) - {"input", "preferred_output", "non_preferred_output"})
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not allowed"))
        inp = record.get("input")
        if not isinstance(inp, dict) or "messages" not in inp:
            issues.append(Issue("format", "'input' must be an object with 'messages'"))
            return
        bad = sorted(set(inp) - {"messages", "tools", "parallel_tool_calls"})
        if bad:
            issues.append(Issue("format", f"input key(s) {', '.join(bad)} not allowed"))
        self.check_messages(
            inp["messages"], issues, label="prompt message", require_assistant=False
        )
        check_tool_list(inp.get("tools"), issues)
        msgs = inp["messages"]
        last = msgs[-1] if isinstance(msgs, list) and msgs else None
        if isinstance(last, dict) and last.get("role") != "user":
            issues.append(
                Issue("role", "the prompt should end with a user message", confirmed=False)
            )
        for key, label in (("preferred_output", "chosen"), ("non_preferred_output", "rejected")):
            side = record.get(key)
            if not isinstance(side, list) or len(side) != 1:
                n = len(side) if isinstance(side, list) else 0
                issues.append(
                    Issue("format", f"'{key}' must hold exactly one assistant message (has {n})")
                )
                continue
            self.check_messages(side, issues, label=f"{label} message")
            if isinstance(side[0], dict) and side[0].get("role") != "assistant":
                issues.append(Issue("role", f"'{key}' must be an assistant message"))
            if isinstance(side[0], dict) and isinstance(side[0].get("content"), list):
                issues.append(Issue("content", f"'{key}': DPO outputs are text only"))


PROFILE = OpenAIProfile()
