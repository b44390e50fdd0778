"""``vertex`` — Vertex AI Gemini supervised tuning.

``{"systemInstruction": {"role": "system", "parts": [{"text"}]}, "contents": [{"role":
"user"|"model", "parts": [...]}], "tools": [{"functionDeclarations": [...]}]}``. Assistant
turns become ``model`` turns; tool calls become ``functionCall`` parts with ``args`` as an
*object*; tool results become ``functionResponse`` parts (named after the call they answer,
since Gemini matches results by name, not id) in a ``user`` turn. Images given as data URLs
become ``inlineData``; other URLs ``fileData`` (Vertex requires ``gs://`` URIs). No weights, no
preference format.
"""

from __future__ import annotations

import itertools
import mimetypes
from typing import Any

from ftprep.loaders.parts import arguments_object, result_object
from ftprep.schema import ChatExample, Message
from ftprep.targets.base import Cite, Issue, Limit, Profile, Written
from ftprep.targets.common import drop_metadata

PART_KEYS = ("text", "inlineData", "fileData", "functionCall", "functionResponse")
GB = 1 << 30


def _parts(m: Message, where: str, losses: list[str]) -> list[dict[str, Any]]:
    if m.content is None:
        return []
    if isinstance(m.content, str):
        return [{"text": m.content}]
    out: list[dict[str, Any]] = []
    for p in m.content:
        extra = p.model_extra or {}
        if p.type == "text":
            out.append({"text": p.text or ""})
        elif p.type == "image_url" and isinstance(extra.get("image_url"), dict):
            url = str(extra["image_url"].get("url", ""))
            if url.startswith("data:") and ";base64," in url:
                mime, data = url[5:].split(";base64,", 1)
                out.append({"inlineData": {"mimeType": mime, "data": data}})
            else:
                mime = mimetypes.guess_type(url)[0] or "image/jpeg"
                out.append({"fileData": {"mimeType": mime, "fileUri": url}})
        elif p.type in PART_KEYS and p.type in extra:
            out.append({p.type: extra[p.type]})
        else:
            losses.append(f"{where}: {p.type} content dropped (no Gemini part for it)")
    return out


class VertexProfile(Profile):
    name = "vertex"
    title = "Vertex AI Gemini supervised tuning"

    def native(self, record: dict[str, Any]) -> bool:
        return "contents" in record or "systemInstruction" in record

    roles = frozenset({"user", "model"})
    max_file_bytes = Limit(1 * GB)
    max_validation_examples = Limit(5000)
    max_example_tokens = Limit(131_072)
    images = True
    reads_back = ("gemini", None)
    sources = (
        Cite(
            "https://cloud.google.com/vertex-ai/generative-ai/docs/models/"
            "gemini-supervised-tuning-prepare",
            "DOC",
            "page last updated 2025-09-04",
        ),
        Cite(
            "https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning",
            "DOC",
            "Gemini 2.5: 131,072 tokens per example, 5,000 validation examples, 1 GB file",
        ),
        Cite("end with a model turn; alternate user/model; functionCall/functionResponse", "MEM"),
    )
    notes = (
        "Token limits are counted with ftprep's configured tokenizer (not Gemini's), so the "
        "per-example limit is an estimate.",
        "Tool-call ids do not exist in Gemini; results are matched by function name. Reading "
        "the file back generates new ids.",
    )

    def write_chat(self, ex: ChatExample) -> Written:
        losses: list[str] = []
        record: dict[str, Any] = {}
        msgs = ex.messages
        start = 0
        system: list[dict[str, Any]] = []
        while start < len(msgs) and msgs[start].role in ("system", "developer"):
            system += [
                p for p in _parts(msgs[start], f"message {start + 1}", losses) if "text" in p
            ]
            start += 1
        if system:
            record["systemInstruction"] = {"role": "system", "parts": system}
        names: dict[str, str] = {}
        contents: list[dict[str, Any]] = []
        for k, m in enumerate(msgs[start:], start=start + 1):
            where = f"message {k} ({m.role})"
            if m.weight is not None and not (m.weight == 1 and m.role == "assistant"):
                losses.append(f"{where}: weight {m.weight!r} dropped (Vertex has no weights)")
            if m.name and m.role != "tool":
                losses.append(f"{where}: 'name' dropped")
            for key in m.model_extra or {}:
                losses.append(f"{where}: unknown key '{key}' dropped")
            if m.role == "tool":
                name = names.get(m.tool_call_id or "", m.name)
                part = {"functionResponse": {"name": name, "response": result_object(m.text)}}
                if (
                    contents
                    and contents[-1]["role"] == "user"
                    and all("functionResponse" in p for p in contents[-1]["parts"])
                ):
                    contents[-1]["parts"].append(part)
                else:
                    contents.append({"role": "user", "parts": [part]})
                continue
            parts = _parts(m, where, losses)
            for call in m.tool_calls or []:
                fn = call.get("function", {})
                names[str(call.get("id"))] = fn.get("name")
                args = arguments_object(fn.get("arguments"))
                parts.append(
                    {
                        "functionCall": {
                            "name": fn.get("name"),
                            "args": args if args is not None else fn.get("arguments"),
                        }
                    }
                )
            role = {"assistant": "model"}.get(m.role, m.role)
            contents.append({"role": role, "parts": parts})
        record["contents"] = contents
        if ex.tools:
            record["tools"] = [{"functionDeclarations": [t.get("function", t) for t in ex.tools]}]
        drop_metadata(ex.metadata, self.name, losses)
        return Written(record, losses)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        issues: list[Issue] = []
        extra = sorted(set(record) - {"systemInstruction", "contents", "tools"})
        if extra:
            issues.append(Issue("format", f"top-level key(s) {', '.join(extra)} not allowed"))
        system = record.get("systemInstruction")
        if system is not None and not (
            isinstance(system, dict)
            and isinstance(system.get("parts"), list)
            and all(isinstance(p, dict) and isinstance(p.get("text"), str) for p in system["parts"])
        ):
            issues.append(Issue("format", "systemInstruction must be {parts: [{text}]}"))
        contents = record.get("contents")
        if not isinstance(contents, list) or not contents:
            issues.append(Issue("format", "'contents' must be a non-empty list"))
            return issues
        roles: list[str] = []
        for i, c in enumerate(contents, start=1):
            role = c.get("role") if isinstance(c, dict) else None
            roles.append(str(role))
            where = f"content {i} ({role})"
            if role not in self.roles:
                issues.append(Issue("role", f"{where}: role must be user or model"))
            parts = c.get("parts") if isinstance(c, dict) else None
            if not isinstance(parts, list) or not parts:
                issues.append(Issue("format", f"{where}: parts must be a non-empty list"))
                continue
            for p in parts:
                keys = [k for k in (p if isinstance(p, dict) else {}) if k in PART_KEYS]
                if len(keys) != 1:
                    issues.append(
                        Issue("format", f"{where}: a part must have exactly one of {PART_KEYS}")
                    )
                    continue
                kind = keys[0]
                body = p[kind]
                if kind == "functionCall":
                    if role != "model":
                        issues.append(Issue("role", f"{where}: functionCall outside a model turn"))
                    if not isinstance(body.get("name"), str) or not isinstance(
                        body.get("args"), dict
                    ):
                        issues.append(
                            Issue("format", f"{where}: functionCall needs a name and object args")
                        )
                elif kind == "functionResponse":
                    if role != "user":
                        issues.append(
                            Issue("role", f"{where}: functionResponse outside a user turn")
                        )
                    if not isinstance(body.get("name"), str) or not isinstance(
                        body.get("response"), dict
                    ):
                        issues.append(
                            Issue("format", f"{where}: functionResponse needs a name and an object")
                        )
                elif kind == "fileData":
                    uri = body.get("fileUri") if isinstance(body, dict) else None
                    if not isinstance(uri, str) or not uri.startswith("gs://"):
                        issues.append(Issue("content", f"{where}: fileData must be a gs:// URI"))
                elif kind == "text" and not isinstance(body, str):
                    issues.append(Issue("format", f"{where}: text part must be a string"))
        if roles[-1] != "model":
            issues.append(Issue("role", "the last content should be the model's turn", False))
        for k, (a, b) in enumerate(itertools.pairwise(roles), start=2):
            if a == b:
                issues.append(Issue("role", f"content {k} repeats role '{b}'", False))
                break
        return issues


PROFILE = VertexProfile()
