"""``llamafactory`` — LLaMA-Factory ShareGPT files plus their ``dataset_info.json`` entry.

Records: ``{"conversations": [{"from": "human"|"gpt"|"function_call"|"observation", "value"}],
"system": str, "tools": str}``. Tool calls become ``function_call`` turns whose value is the
JSON ``{"name", "arguments"}`` (a list for parallel calls) and tool results ``observation``
turns; consecutive results are joined with LLaMA-Factory's own ``</tool_response>`` separator
(ftprep's ShareGPT reader splits them again). ``tools`` is a JSON *string* of the function
schemas. LLaMA-Factory's converter requires human/observation at even positions and
gpt/function_call at odd ones, an even number of turns for SFT (odd for ranking), and
silently skips records that break this — ftprep reports them instead. Preference pairs use
``chosen``/``rejected`` turn objects with ``"ranking": true`` in ``dataset_info.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ftprep.errors import OutputError
from ftprep.loaders.parts import arguments_object
from ftprep.loaders.sharegpt import OBSERVATION_SEPARATOR
from ftprep.schema import ChatExample, Message, PreferenceExample
from ftprep.targets.base import Cite, Issue, Profile, Written
from ftprep.targets.common import merge_metadata

TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
EVEN = ("human", "observation")
ODD = ("gpt", "function_call")


def _tools(tools: list[dict[str, Any]] | None) -> str:
    if not tools:
        return ""
    return json.dumps([t.get("function", t) for t in tools], ensure_ascii=False)


def _call_value(m: Message) -> str:
    calls = []
    for call in m.tool_calls or []:
        fn = call.get("function", {})
        args = arguments_object(fn.get("arguments"))
        calls.append(
            {"name": fn.get("name"), "arguments": args if args is not None else fn.get("arguments")}
        )
    return json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)


def _turns(
    messages: list[Message], losses: list[str], offset: int = 0, label: str = "message"
) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for k, m in enumerate(messages, start=offset + 1):
        where = f"{label} {k} ({m.role})"
        if m.weight is not None and not (m.weight == 1 and m.role == "assistant"):
            losses.append(f"{where}: weight {m.weight!r} dropped (LLaMA-Factory has no weights)")
        if m.name:
            losses.append(f"{where}: 'name' dropped")
        for key in m.model_extra or {}:
            losses.append(f"{where}: unknown key '{key}' dropped")
        if isinstance(m.content, list) and any(p.type != "text" for p in m.content):
            losses.append(f"{where}: non-text content dropped")
        if m.role == "assistant" and m.tool_calls:
            if m.text:
                losses.append(f"{where}: text beside the tool call dropped")
            turns.append({"from": "function_call", "value": _call_value(m)})
        elif m.role == "tool":
            if turns and turns[-1]["from"] == "observation":
                turns[-1]["value"] += OBSERVATION_SEPARATOR + m.text
            else:
                turns.append({"from": "observation", "value": m.text})
        else:
            tag = {"user": "human", "assistant": "gpt"}.get(m.role, m.role)
            turns.append({"from": tag, "value": m.text})
    return turns


def _split_system(messages: list[Message]) -> tuple[str, list[Message]]:
    if messages and messages[0].role in ("system", "developer"):
        return messages[0].text, messages[1:]
    return "", messages


class LlamaFactoryProfile(Profile):
    name = "llamafactory"
    title = "LLaMA-Factory (ShareGPT format + dataset_info.json)"
    as_uploaded = False
    containers = frozenset({"jsonl", "json", "csv", "parquet"})
    roles = frozenset({"human", "gpt", "function_call", "observation", "system"})
    preference = True
    documents = True
    reads_back = ("sharegpt", "sharegpt_preference")
    sources = (
        Cite("hiyouga/LLaMA-Factory data/README.md (015ff251)", "SRC"),
        Cite(
            "hiyouga/LLaMA-Factory src/llamafactory/data/converter.py (02e2fb34)",
            "SRC",
            "SharegptDatasetConverter: role positions, even/odd turn counts",
        ),
    )
    notes = (
        "Register the files by copying the dataset_info.json entries into LLaMA-Factory's "
        "data/dataset_info.json (or point dataset_dir at the output directory), then train "
        "with `dataset: train` and `eval_dataset: validation`.",
    )

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        system, rest = _split_system(ex.messages)
        turns = _turns(rest, losses, offset=len(ex.messages) - len(rest))
        while turns and turns[-1]["from"] in EVEN:
            turns.pop()
            losses.append(
                f"trailing {'user' if len(turns) % 2 == 0 else 'tool'} turn dropped "
                "(an SFT conversation must end with the assistant)"
            )
        record = {"conversations": turns, "system": system, "tools": _tools(ex.tools)}
        return Written(merge_metadata(record, ex.metadata, losses), losses)

    def write_preference(self, ex: PreferenceExample) -> Written:
        losses: list[str] = []
        system, rest = _split_system(ex.input)
        record: dict[str, Any] = {
            "conversations": _turns(rest, losses, offset=len(ex.input) - len(rest))
        }
        for key, side in (("chosen", ex.preferred), ("rejected", ex.non_preferred)):
            turns = _turns(side, losses, label=f"{key} message")
            if len(turns) > 1:
                losses.append(f"{key}: turns 1-{len(turns) - 1} dropped (one reply turn per side)")
            record[key] = turns[-1] if turns else {"from": "gpt", "value": ""}
        record.update({"system": system, "tools": _tools(ex.tools)})
        return Written(merge_metadata(record, ex.metadata, losses), losses)

    def write_document(self, ex: ChatExample) -> Written:
        """Pre-training data: ``{"text": ...}`` with ``columns: {"prompt": "text"}``."""
        losses: list[str] = []
        return Written(merge_metadata(ex.to_record(), ex.metadata, losses), losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        if "text" in record and "conversations" not in record:
            if not isinstance(record["text"], str):
                issues.append(Issue("format", "'text' must be a string"))
            return issues
        ranking = "chosen" in record or "rejected" in record
        turns = record.get("conversations")
        if not isinstance(turns, list) or not turns:
            issues.append(Issue("format", "'conversations' must be a non-empty list"))
            return issues
        if not isinstance(record.get("system", ""), str):
            issues.append(Issue("format", "'system' must be a string"))
        tools = record.get("tools", "")
        if not isinstance(tools, str):
            issues.append(Issue("tools", "'tools' must be a JSON string"))
        elif tools:
            try:
                parsed = json.loads(tools)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                issues.append(Issue("tools", "'tools' must be a JSON list of function schemas"))
        if isinstance(turns[0], dict) and turns[0].get("from") == "system":
            turns = turns[1:]
        for i, t in enumerate(turns):
            if not isinstance(t, dict) or not isinstance(t.get("value"), str):
                issues.append(Issue("format", f"turn {i + 1} is not {{'from', 'value': str}}"))
                continue
            allowed = EVEN if i % 2 == 0 else ODD
            if t.get("from") not in allowed:
                issues.append(
                    Issue(
                        "role",
                        f"turn {i + 1} is '{t.get('from')}', expected {' or '.join(allowed)}",
                    )
                )
                break
            if t["from"] == "function_call":
                self._check_call(t["value"], f"turn {i + 1}", issues)
        if ranking:
            if len(turns) % 2 != 1:
                issues.append(
                    Issue("role", "a ranking prompt must end with a human/observation turn")
                )
            for key in ("chosen", "rejected"):
                side = record.get(key)
                if not isinstance(side, dict) or side.get("from") not in ODD:
                    issues.append(Issue("format", f"'{key}' must be one gpt/function_call turn"))
                elif side["from"] == "function_call":
                    self._check_call(side.get("value"), key, issues)
        elif len(turns) % 2 != 0:
            issues.append(Issue("role", "an SFT conversation must have an even number of turns"))
        return issues

    @staticmethod
    def _check_call(value: Any, where: str, issues: list[Issue]) -> None:
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        calls = parsed if isinstance(parsed, list) else [parsed]
        if not calls or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in calls
        ):
            issues.append(
                Issue("format", f"{where}: function_call value must be {{name, arguments}} JSON")
            )

    def companions(self, files: dict[str, Path], kinds: set[str]) -> dict[Path, str]:
        if not files:
            return {}
        folder = next(iter(files.values())).parent
        info_path = folder / "dataset_info.json"
        info: dict[str, Any] = {}
        if info_path.exists():
            try:
                info = json.loads(info_path.read_text("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise OutputError(f"{info_path}: existing file is not valid JSON ({exc})") from exc
            if not isinstance(info, dict):
                raise OutputError(f"{info_path}: existing file is not a JSON object")
        ranking = kinds == {"preference"}
        for path in files.values():
            if kinds == {"text"}:  # pre-training documents: alpaca formatting, text column
                info[path.stem] = {"file_name": path.name, "columns": {"prompt": "text"}}
                continue
            columns = {"messages": "conversations", "system": "system", "tools": "tools"}
            entry: dict[str, Any] = {"file_name": path.name, "formatting": "sharegpt"}
            if ranking:
                entry["ranking"] = True
                columns.update({"chosen": "chosen", "rejected": "rejected"})
            entry["columns"] = columns
            entry["tags"] = TAGS
            info[path.stem] = entry
        return {info_path: json.dumps(info, indent=2, ensure_ascii=False) + "\n"}


PROFILE = LlamaFactoryProfile()
