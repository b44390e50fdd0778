"""``axolotl`` — axolotl's ``type: chat_template`` datasets.

SFT records are ``{"messages": [...], "tools"?}`` (axolotl's defaults ``field_messages:
messages`` and ``field_tools: tools``); tool-call arguments are objects for the chat template.
Per-message ``weight`` is kept and read through ``message_field_training: weight`` (a per-turn
training override), so weights survive. Metadata columns are kept (axolotl reads only the
fields it is told to). Preference pairs are written for ``rl: dpo`` with
``type: chat_template.default``: ``{"messages": prompt, "chosen": {...}, "rejected": {...}}``
— that layout is from memory, not re-verified, and reported as an unconfirmed warning.
``split --to axolotl`` also writes ``axolotl_datasets.yml`` with the matching config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ftprep.schema import ChatExample, PreferenceExample
from ftprep.targets.base import Cite, Issue, Profile, Written
from ftprep.targets.common import MessageWriter, merge_metadata
from ftprep.targets.trl import check_message_list

ROLES = frozenset({"system", "user", "assistant", "tool"})


class AxolotlProfile(Profile):
    name = "axolotl"
    title = "axolotl (type: chat_template)"
    as_uploaded = False
    containers = frozenset({"jsonl", "json", "csv", "parquet"})
    roles = ROLES
    weights = "any"
    preference = True
    images = True
    reads_back = ("chat", "chat_preference")
    sources = (
        Cite("axolotl-ai-cloud/axolotl docs/dataset-formats/conversation.qmd (08d99fe5)", "SRC"),
        Cite("axolotl src/axolotl/utils/schemas/datasets.py (SFTDataset)", "SRC"),
        Cite("https://docs.axolotl.ai/docs/config-reference.html", "DOC"),
        Cite("DPO chat_template.default field_chosen / field_rejected layout", "MEM"),
    )
    notes = (
        "The tokenizer's eos_token must match the chat template's end-of-turn token, or set "
        "special_tokens.eos_token.",
    )

    def writer(self) -> MessageWriter:
        keep = frozenset({"tool_calls", "tool_call_id", "name", "weight"})
        return MessageWriter(self.name, keep, self.weights, "object", True)

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        record: dict[str, Any] = {"messages": self.writer().messages(ex.messages, losses)}
        if ex.tools:
            record["tools"] = ex.tools
        return Written(merge_metadata(record, ex.metadata, losses), losses)

    def write_preference(self, ex: PreferenceExample) -> Written:
        losses: list[str] = []
        w = self.writer()
        record: dict[str, Any] = {"messages": w.messages(ex.input, losses, "prompt message")}
        for key, side in (("chosen", ex.preferred), ("rejected", ex.non_preferred)):
            msgs = w.messages(side, losses, f"{key} message")
            if len(msgs) > 1:
                losses.append(
                    f"{key}: messages 1-{len(msgs) - 1} dropped (one reply message per side)"
                )
            record[key] = msgs[-1] if msgs else {"role": "assistant", "content": ""}
        if ex.tools:
            record["tools"] = ex.tools
        return Written(merge_metadata(record, ex.metadata, losses), losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        check_message_list(record.get("messages"), "messages", issues)
        for m in record.get("messages") or []:
            if isinstance(m, dict) and "weight" in m and m["weight"] not in (0, 1):
                issues.append(Issue("format", f"weight {m['weight']!r}: use 0 or 1"))
        for key in ("chosen", "rejected"):
            if key in record:
                side = record[key]
                if not isinstance(side, dict) or side.get("role") != "assistant":
                    issues.append(Issue("format", f"'{key}' must be one assistant message"))
        return issues

    def dataset_notes(self, kinds: set[str]) -> list[Issue]:
        if "preference" in kinds:
            return [
                Issue(
                    "format",
                    "axolotl DPO layout (messages + chosen/rejected message objects) is not "
                    "re-verified against axolotl's docs",
                    confirmed=False,
                )
            ]
        return []

    def companions(self, files: dict[str, Path], kinds: set[str]) -> dict[Path, str]:
        if not files:
            return {}
        first = next(iter(files.values()))
        lines = ["# axolotl config fragment written by ftprep"]
        if "preference" in kinds:
            lines += ["rl: dpo"]
        lines += ["chat_template: tokenizer_default"]
        for section, names in (("datasets", ("train",)), ("test_datasets", ("validation",))):
            entries = [files[n] for n in names if n in files]
            for k, path in enumerate(entries):
                if k == 0:
                    lines.append(f"{section}:")
                lines += [f"  - path: {path.name}", "    ds_type: json", "    split: train"]
                if "preference" in kinds:
                    lines += [
                        "    type: chat_template.default",
                        "    field_messages: messages",
                        "    field_chosen: chosen",
                        "    field_rejected: rejected",
                    ]
                else:
                    lines += [
                        "    type: chat_template",
                        "    field_messages: messages",
                        "    field_tools: tools",
                        "    roles_to_train: [assistant]",
                        "    message_field_training: weight",
                    ]
        return {first.parent / "axolotl_datasets.yml": "\n".join(lines) + "\n"}


PROFILE = AxolotlProfile()
