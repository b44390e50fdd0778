"""``trl`` — Hugging Face TRL: ``SFTTrainer`` (conversational ``messages``) and ``DPOTrainer``
(``prompt`` / ``chosen`` / ``rejected`` message lists, explicit prompt).

Tool calls follow TRL's dataset docs: ``tool_calls[].function.arguments`` as an *object* (what
chat templates expect), tool results as ``{"role": "tool", "name": <function>, "content"}``
(the ``tool_call_id`` is kept too), and a ``tools`` column of JSON-schema definitions. TRL has
no per-message weight; ``weight: 0`` turns would be trained and are listed as losses. Extra
top-level keys are dropped: an unexpected ``prompt`` or ``text`` column changes how TRL reads
the dataset.
"""

from __future__ import annotations

from typing import Any

from ftprep.schema import ChatExample, Message, PreferenceExample
from ftprep.targets.base import Cite, Issue, Profile, Written
from ftprep.targets.common import MessageWriter, drop_metadata

TEMPLATE_ROLES = frozenset({"system", "user", "assistant", "tool"})


def with_tool_names(messages: list[Message], known: dict[str, str]) -> list[Message]:
    """Tool results named after the function whose call they answer."""
    out = []
    for m in messages:
        for call in m.tool_calls or []:
            fn = call.get("function") or {}
            if isinstance(call.get("id"), str) and isinstance(fn.get("name"), str):
                known[call["id"]] = fn["name"]
        if m.role == "tool" and not m.name and m.tool_call_id in known:
            m = m.model_copy(update={"name": known[m.tool_call_id or ""]})
        out.append(m)
    return out


def check_message_list(
    messages: Any, key: str, issues: list[Issue], *, args: str = "object"
) -> None:
    if not isinstance(messages, list) or not messages:
        issues.append(Issue("format", f"'{key}' must be a non-empty list of messages"))
        return
    for i, m in enumerate(messages, start=1):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            issues.append(Issue("format", f"{key} {i}: not a message with a role"))
            continue
        where = f"{key} {i} ({m['role']})"
        if m["role"] not in TEMPLATE_ROLES:
            issues.append(
                Issue("role", f"{where}: role may not be supported by the chat template", False)
            )
        content = m.get("content")
        if content is None and not m.get("tool_calls"):
            issues.append(Issue("format", f"{where}: no content"))
        elif content is not None and not isinstance(content, str | list):
            issues.append(Issue("format", f"{where}: content must be text or a list of parts"))
        for call in m.get("tool_calls") or []:
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                issues.append(Issue("format", f"{where}: tool call without a function name"))
            elif args == "object" and not isinstance(fn.get("arguments"), dict):
                issues.append(
                    Issue("format", f"{where}: chat templates expect arguments as an object", False)
                )


class TRLProfile(Profile):
    name = "trl"
    title = "Hugging Face TRL (SFTTrainer, DPOTrainer)"
    as_uploaded = False
    containers = frozenset({"jsonl", "json", "csv", "parquet"})
    roles = TEMPLATE_ROLES
    preference = True
    images = True
    reads_back = ("chat", "trl_preference")
    sources = (
        Cite("huggingface/trl docs/source/dataset_formats.md (0087e4f5)", "SRC"),
        Cite("https://huggingface.co/docs/trl/dataset_formats", "DOC"),
    )
    notes = (
        "Load with datasets.load_dataset('json', data_files={'train': 'train.jsonl', "
        "'validation': 'validation.jsonl'}).",
        "Every row must have the same columns for Arrow; ftprep writes `tools` only where an "
        "example has tools, which datasets fills with null elsewhere.",
    )

    def writer(self) -> MessageWriter:
        return MessageWriter(
            self.name, frozenset({"tool_calls", "tool_call_id", "name"}), None, "object", True
        )

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        msgs = with_tool_names(ex.messages, {})
        record: dict[str, Any] = {"messages": self.writer().messages(msgs, losses)}
        if ex.tools:
            record["tools"] = ex.tools
        drop_metadata(ex.metadata, self.name, losses)
        return Written(record, losses)

    def write_preference(self, ex: PreferenceExample) -> Written:
        losses: list[str] = []
        w = self.writer()
        known: dict[str, str] = {}
        record: dict[str, Any] = {
            "prompt": w.messages(with_tool_names(ex.input, known), losses, "prompt message"),
            "chosen": w.messages(
                with_tool_names(ex.preferred, dict(known)), losses, "chosen message"
            ),
            "rejected": w.messages(
                with_tool_names(ex.non_preferred, dict(known)), losses, "rejected message"
            ),
        }
        if ex.tools:
            record["tools"] = ex.tools
        drop_metadata(ex.metadata, self.name, losses)
        return Written(record, losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        if "messages" in record:
            allowed = {"messages", "tools"}
            check_message_list(record["messages"], "messages", issues)
        else:
            allowed = {"prompt", "chosen", "rejected", "tools"}
            for key in ("prompt", "chosen", "rejected"):
                check_message_list(record.get(key), key, issues)
        extra = sorted(set(record) - allowed)
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not expected"))
        return issues


PROFILE = TRLProfile()
