"""``bedrock`` — Amazon Bedrock model customization, ``bedrock-conversation-2024`` records.

``{"schemaVersion": "bedrock-conversation-2024", "system": [{"text"}], "messages": [{"role":
"user"|"assistant", "content": [{"text": ...}]}]}``. The conversation starts with a user turn,
ends with the assistant's reply and alternates. Leading system messages become ``system``
blocks; tool calls become ``toolUse`` / ``toolResult`` blocks and ``tools`` a ``toolConfig`` so
nothing is lost in the file, but the validator rejects them: Amazon Nova 2.0 SFT documents
that tool use is not supported. Images must live in S3 (``s3Location``); data URLs and web
URLs cannot be expressed. No weights, no preference format.
"""

from __future__ import annotations

import itertools
from typing import Any

from ftprep.loaders.parts import arguments_object
from ftprep.schema import ChatExample, Message
from ftprep.targets.base import Cite, Issue, Limit, Profile, Written
from ftprep.targets.common import drop_metadata

SCHEMA_VERSION = "bedrock-conversation-2024"
BLOCKS = ("text", "image", "video", "document", "toolUse", "toolResult", "reasoningContent")
RESERVED = ("User:", "Bot:", "Assistant:", "System:", "<image>", "<video>", "[EOS]")
GB = 1 << 30
MB = 1 << 20


def _blocks(m: Message, where: str, losses: list[str]) -> list[dict[str, Any]]:
    if m.content is None:
        return []
    if isinstance(m.content, str):
        return [{"text": m.content}]
    out: list[dict[str, Any]] = []
    for p in m.content:
        if p.type == "text":
            out.append({"text": p.text or ""})
        elif p.type in BLOCKS and p.type in (p.model_extra or {}):
            out.append({p.type: (p.model_extra or {})[p.type]})
        else:
            losses.append(f"{where}: {p.type} content dropped (Bedrock reads media from S3 only)")
    return out


def _system_text(m: Message, where: str, losses: list[str]) -> list[dict[str, Any]]:
    return [b for b in _blocks(m, where, losses) if "text" in b]


class BedrockProfile(Profile):
    name = "bedrock"
    title = "Amazon Bedrock (Nova and Converse-format models)"

    def native(self, record: dict[str, Any]) -> bool:
        return "schemaVersion" in record

    roles = frozenset({"user", "assistant"})
    tools = False
    max_file_bytes = Limit(1 * GB)
    max_validation_bytes = Limit(100 * MB)
    reads_back = ("bedrock", None)
    sources = (
        Cite(
            "https://docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html", "DOC"
        ),
        Cite(
            "https://docs.aws.amazon.com/nova/latest/userguide/"
            "fine-tune-prepare-data-understanding.html",
            "DOC",
            "first turn user, last assistant; reserved prompt prefixes",
        ),
        Cite(
            "https://docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html",
            "DOC",
            "tool use not supported by Nova 2.0 SFT",
        ),
        Cite(
            "https://docs.aws.amazon.com/bedrock/latest/userguide/"
            "model-training-validation-requirements.html",
            "DOC",
            "1 GB training / 100 MB validation file",
        ),
        Cite("non-empty text blocks (Converse API)", "MEM"),
    )
    notes = (
        "Record-count quotas and per-example token limits are model-specific (Bedrock "
        "quotas page); set them with --set clean.target_dataset.max_examples=N.",
        "Claude 3 Haiku customization uses a simpler shape (string system and content); "
        "ftprep reads it but writes the conversation-2024 shape.",
    )

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        record: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION}
        msgs = ex.messages
        start = 0
        system: list[dict[str, Any]] = []
        while start < len(msgs) and msgs[start].role in ("system", "developer"):
            system += _system_text(msgs[start], f"message {start + 1} (system)", losses)
            start += 1
        if system:
            record["system"] = system
        out: list[dict[str, Any]] = []
        for k, m in enumerate(msgs[start:], start=start + 1):
            where = f"message {k} ({m.role})"
            if m.weight is not None and not (m.weight == 1 and m.role == "assistant"):
                losses.append(f"{where}: weight {m.weight!r} dropped (Bedrock has no weights)")
            if m.name:
                losses.append(f"{where}: 'name' dropped")
            for key in m.model_extra or {}:
                losses.append(f"{where}: unknown key '{key}' dropped")
            if m.role == "tool":
                block = {"toolResult": {"toolUseId": m.tool_call_id, "content": [{"text": m.text}]}}
                if out and out[-1]["role"] == "user" and "toolResult" in out[-1]["content"][-1]:
                    out[-1]["content"].append(block)
                else:
                    out.append({"role": "user", "content": [block]})
                continue
            blocks = _blocks(m, where, losses)
            for call in m.tool_calls or []:
                fn = call.get("function", {})
                args = arguments_object(fn.get("arguments"))
                blocks.append(
                    {
                        "toolUse": {
                            "toolUseId": call.get("id"),
                            "name": fn.get("name"),
                            "input": args if args is not None else fn.get("arguments"),
                        }
                    }
                )
            if (
                m.role == "user"
                and out
                and out[-1]["role"] == "user"
                and all("toolResult" in b for b in out[-1]["content"])
            ):
                out[-1]["content"] += blocks
                continue
            out.append({"role": m.role, "content": blocks})
        record["messages"] = out
        if ex.tools:
            specs = []
            for t in ex.tools:
                fn = t.get("function", t)
                spec: dict[str, Any] = {"name": fn.get("name")}
                if "description" in fn:
                    spec["description"] = fn["description"]
                spec["inputSchema"] = {
                    "json": fn.get("parameters", {"type": "object", "properties": {}})
                }
                specs.append({"toolSpec": spec})
            record["toolConfig"] = {"tools": specs}
        drop_metadata(ex.metadata, self.name, losses)
        return Written(record, losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        extra = sorted(set(record) - {"schemaVersion", "system", "messages", "toolConfig"})
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not allowed"))
        if record.get("schemaVersion") != SCHEMA_VERSION:
            issues.append(Issue("format", f"schemaVersion must be '{SCHEMA_VERSION}'"))
        system = record.get("system")
        if system is not None and not (
            isinstance(system, list)
            and all(isinstance(b, dict) and isinstance(b.get("text"), str) for b in system)
        ):
            issues.append(Issue("format", "system must be a list of {'text': ...} blocks"))
        if "toolConfig" in record:
            issues.append(Issue("tools", "tool definitions (toolConfig): Nova SFT has no tool use"))
        messages = record.get("messages")
        if not isinstance(messages, list) or not messages:
            issues.append(Issue("format", "'messages' must be a non-empty list"))
            return issues
        roles: list[str] = []
        for i, m in enumerate(messages, start=1):
            role = m.get("role") if isinstance(m, dict) else None
            roles.append(str(role))
            where = f"message {i} ({role})"
            if role not in self.roles:
                issues.append(Issue("role", f"{where}: only user and assistant turns are allowed"))
            content = m.get("content") if isinstance(m, dict) else None
            if not isinstance(content, list) or not content:
                issues.append(Issue("format", f"{where}: content must be a non-empty block list"))
                continue
            for b in content:
                keys = list(b) if isinstance(b, dict) else []
                if len(keys) != 1 or keys[0] not in BLOCKS:
                    issues.append(Issue("format", f"{where}: unknown content block {keys}"))
                    continue
                kind = keys[0]
                if kind in ("toolUse", "toolResult"):
                    issues.append(
                        Issue("tools", f"{where}: {kind} block (no tool use in Nova SFT)")
                    )
                elif kind == "text":
                    text = b["text"]
                    if not isinstance(text, str):
                        issues.append(Issue("format", f"{where}: text block must be a string"))
                    elif not text.strip():
                        issues.append(Issue("content", f"{where}: empty text block", False))
                    elif role == "user" and text.lstrip().startswith(RESERVED):
                        issues.append(
                            Issue("content", f"{where}: prompt starts with a reserved keyword")
                        )
                elif kind in ("image", "video"):
                    source = b[kind].get("source", {}) if isinstance(b[kind], dict) else {}
                    if "s3Location" not in source:
                        issues.append(Issue("content", f"{where}: {kind} must come from S3"))
        if roles[0] != "user":
            issues.append(Issue("role", "the first turn must be the user's"))
        if roles[-1] != "assistant":
            issues.append(Issue("role", "the last turn must be the assistant's reply"))
        for k, (a, b) in enumerate(itertools.pairwise(roles), start=2):
            if a == b:
                issues.append(
                    Issue("role", f"message {k} repeats role '{b}'; turns must alternate")
                )
                break
        return issues


PROFILE = BedrockProfile()
