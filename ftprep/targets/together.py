"""``together`` — Together AI finetuning files.

The writer emits ``{"messages", "tools"?}`` for SFT and the OpenAI preference shape for DPO,
nothing else at the top level. The validator implements the semantic rules of the official
``together`` SDK's ``check_file`` as of 2.14.0 (the last release that ran them client-side;
3.x defers them to the server): one format per line detected by its required columns, no
extra columns, roles system/user/assistant/tool, integer weights 0/1 on any role, images as
base64 data URLs in user turns only (at most 10, each under 10 MB), and preference outputs of
exactly one assistant message; plus the tool rules of the SDK's later client code (tool
calls only on assistant turns, ``arguments`` a JSON string holding an object, calls to
functions of a non-empty ``tools`` list). 2.15 and later releases moved all of this to
the server and check only the file's structure. docs/targets.md has details.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ftprep.targets.base import Cite, Issue, Limit
from ftprep.targets.openai import OpenAIProfile

FORMATS: dict[str, tuple[str, ...]] = {
    "general": ("text",),
    "conversation": ("messages",),
    "instruction": ("prompt", "completion"),
    "preference_openai": ("input", "preferred_output", "non_preferred_output"),
}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"conversation": ("tools",)}
ROLES = ("system", "user", "assistant", "tool")
MAX_IMAGES = 10
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BASE64_IMAGE_LENGTH = len("data:image/jpeg;base64,") + 4 * MAX_IMAGE_BYTES // 3
IMAGE_PREFIXES = ("data:image/jpeg;base64,", "data:image/png;base64,", "data:image/webp;base64,")


def detect_format(record: dict[str, Any]) -> tuple[str | None, list[Issue]]:
    """Together's format detection: all required columns present, exactly one match."""
    found = [name for name, cols in FORMATS.items() if all(c in record for c in cols)]
    if len(found) > 1:
        return None, [Issue("format", f"record matches several formats: {', '.join(found)}")]
    if not found:
        return None, [
            Issue("format", f"could not detect a Together format from the keys {sorted(record)}")
        ]
    fmt = found[0]
    allowed = set(FORMATS[fmt]) | set(EXTRA_COLUMNS.get(fmt, ()))
    extra = sorted(set(record) - allowed)
    issues = [Issue("format", f'extra column "{c}" not allowed') for c in extra]
    return fmt, issues


def _content(content: Any, role: str, where: str, issues: list[Issue]) -> tuple[bool, int]:
    """Together's content rule: text, or a list of text/image_url parts.

    Returns (multimodal, images): a list of parts counts as multimodal even without images.
    """
    if isinstance(content, str):
        return False, 0
    if not isinstance(content, list):
        issues.append(
            Issue(
                "format",
                f"{where}: content must be text or a list of parts, not {type(content).__name__}",
            )
        )
        return False, 0
    images = 0
    for item in content:
        kind = item.get("type") if isinstance(item, dict) else None
        if not isinstance(item, dict) or "type" not in item:
            issues.append(Issue("format", f"{where}: content parts must be objects with a type"))
        elif kind == "text":
            if not isinstance(item.get("text"), str):
                issues.append(Issue("content", f"{where}: text part without a string 'text'"))
        elif kind == "image_url":
            images += 1
            if role != "user":
                issues.append(Issue("content", f"{where}: only user messages can contain images"))
            spec = item.get("image_url")
            url = spec.get("url") if isinstance(spec, dict) else None
            if not isinstance(url, str) or not url:
                issues.append(Issue("content", f"{where}: image_url must be {{'url': str}}"))
            elif not url.startswith(IMAGE_PREFIXES):
                issues.append(
                    Issue("content", f"{where}: images must be base64 JPEG/PNG/WEBP data URLs")
                )
            elif len(url) > MAX_BASE64_IMAGE_LENGTH:
                issues.append(Issue("content", f"{where}: image larger than 10 MB"))
        else:
            issues.append(Issue("content", f"{where}: part type must be 'text' or 'image_url'"))
    if images > MAX_IMAGES:
        issues.append(Issue("content", f"{where}: more than {MAX_IMAGES} images"))
    return True, images


def check_tools(tools: Any, issues: list[Issue]) -> list[str] | None:
    """The conversation ``tools`` column; returns the declared function names."""
    if tools is None:
        return None
    if not isinstance(tools, list) or not tools:
        issues.append(Issue("tools", "'tools' must be a non-empty list if provided"))
        return None
    names: list[str] = []
    for k, tool in enumerate(tools, start=1):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function":
            issues.append(Issue("tools", f"tool {k}: 'type' must be 'function'"))
        elif not isinstance(fn, dict):
            issues.append(Issue("tools", f"tool {k}: 'function' must be an object"))
        elif not isinstance(fn.get("name"), str):
            issues.append(Issue("tools", f"tool {k}: the function needs a string 'name'"))
        else:
            names.append(fn["name"])
    return names


def _tool_calls(calls: Any, names: list[str] | None, where: str, issues: list[Issue]) -> None:
    if not isinstance(calls, list):
        issues.append(Issue("format", f"{where}: 'tool_calls' must be a list"))
        return
    for j, call in enumerate(calls, start=1):
        at = f"{where}: tool call {j}"
        if not isinstance(call, dict) or "type" not in call:
            issues.append(Issue("format", f"{at} needs a 'type'"))
            continue
        if call["type"] != "function":
            continue
        fn = call.get("function")
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            issues.append(Issue("format", f"{at} needs a 'function' with a string 'name'"))
            continue
        if names is not None and fn["name"] not in names:
            issues.append(Issue("tools", f"{at} calls '{fn['name']}', not in the tools list"))
        if "arguments" not in fn:
            continue
        args = fn["arguments"]
        if not isinstance(args, str):
            issues.append(Issue("format", f"{at}: arguments must be a serialized JSON string"))
            continue
        try:
            parsed = json.loads(args)
        except ValueError:
            issues.append(Issue("format", f"{at}: arguments are not valid JSON"))
            continue
        if not isinstance(parsed, dict):
            issues.append(Issue("format", f"{at}: arguments must be a JSON object"))


def check_messages(
    messages: Any,
    issues: list[Issue],
    require_assistant: bool = True,
    label: str = "message",
    tools: list[str] | None = None,
) -> None:
    """Together's message rules (SDK ``validate_messages``, 2.14.0 and later)."""
    if not isinstance(messages, list):
        issues.append(Issue("format", f"the `{label}s` column must be a list"))
        return
    if not messages:
        issues.append(Issue("format", f"the `{label}s` column must not be empty"))
        return
    kinds: set[bool] = set()
    images = 0
    assistant = False
    for i, raw in enumerate(messages, start=1):
        where = f"{label} {i}"
        if not isinstance(raw, dict):
            issues.append(Issue("format", f"{where}: the `{label}s` must be a list of objects"))
            continue
        m = {k: v for k, v in raw.items() if v is not None}
        if "role" not in m:
            issues.append(Issue("format", f"{where}: missing required column `role`"))
            continue
        role = m["role"]
        if not isinstance(role, str) or role not in ROLES:
            issues.append(
                Issue("role", f"{where}: role {role!r} must be one of {', '.join(ROLES)}")
            )
            continue
        where = f"{label} {i} ({role})"
        weight = m.get("weight")
        if "weight" in m:
            if not isinstance(weight, int):
                issues.append(
                    Issue("format", f"{where}: weight must be an integer, not {weight!r}")
                )
            elif weight not in (0, 1):
                issues.append(Issue("format", f"{where}: weight must be either 0 or 1"))
        assistant |= role == "assistant"
        if role == "assistant":
            if "content" not in m and "tool_calls" not in m:
                issues.append(Issue("format", f"{where}: needs 'content' and/or 'tool_calls'"))
        else:
            if "content" not in m:
                issues.append(Issue("format", f"{where}: missing required column `content`"))
            if "tool_calls" in m:
                issues.append(Issue("format", f"{where}: only assistant messages have tool_calls"))
        if "tool_calls" in m and role == "assistant":
            _tool_calls(m["tool_calls"], tools, where, issues)
        content = m.get("content")
        if not content:
            continue
        multimodal, n = _content(content, role, where, issues)
        if n and weight not in (None, 0):
            issues.append(
                Issue("content", f"{where}: messages with images cannot have non-zero weights")
            )
        kinds.add(multimodal)
        images += n
    if len(kinds) > 1:
        issues.append(
            Issue("content", "messages must be all multimodal or all text-only, not mixed")
        )
    if images > MAX_IMAGES:
        issues.append(Issue("content", f"at most {MAX_IMAGES} images per example ({images})"))
    if require_assistant and not assistant:
        issues.append(Issue("format", "at least one assistant message is required"))
    if not alternates(messages):
        issues.append(
            Issue(
                "role",
                "turns should start with user and alternate user/assistant (docs; the SDK "
                "checker does not enforce it)",
                confirmed=False,
            )
        )


def alternates(messages: list[Any]) -> bool:
    """Start with user (after system), then alternate; tool results continue a tool call."""
    roles = [m.get("role") for m in messages if isinstance(m, dict) and m.get("role") != "system"]
    prev = None
    for k, role in enumerate(roles):
        if k == 0 and role != "user":
            return False
        if role == "tool":
            prev = "tool"
            continue
        if role == prev:
            return False
        prev = role
    return True


class TogetherProfile(OpenAIProfile):
    name = "together"
    title = "Together AI finetuning"
    documents = True
    roles = frozenset(ROLES)
    weights = "any"
    min_examples = Limit(1)
    max_file_bytes = Limit(int(50.1 * (1 << 30)))
    message_keys: ClassVar[frozenset[str]] = frozenset({"tool_calls", "tool_call_id", "weight"})
    top_keys: ClassVar[frozenset[str]] = frozenset({"messages", "tools"})
    sources = (
        Cite(
            "PyPI together 2.14.0, together/lib/utils/files.py + constants.py",
            "SRC",
            "full client-side semantic checks; re-run locally",
        ),
        Cite(
            "togethercomputer/together-py src/together/lib/utils/files.py (main after 2.14.0)",
            "SRC",
            "tool rules: _validate_tools, _validate_tool_calls (arguments a JSON object string, "
            "calls to declared functions); not in a release, applied as the server's rules",
        ),
        Cite(
            "PyPI together 3.1.1, together.lib.utils.check_file",
            "RUN",
            "3.x checks existence, size, UTF-8, one JSON object per line, min samples",
        ),
        Cite("https://docs.together.ai/docs/fine-tuning/data-preparation", "DOC", "100 GB limit"),
        Cite("https://docs.together.ai/docs/fine-tuning/preference-tuning", "DOC"),
    )
    notes = (
        "The SDK caps files at 50.1 GiB (docs say 100 GB); ftprep uses the SDK's number.",
        "All records of one file must share one format: do not mix SFT and preference pairs.",
        "Message `name` is dropped (not part of Together's documented message keys).",
    )

    def native(self, record: dict[str, Any]) -> bool:
        return any(c in record for cols in FORMATS.values() for c in cols)

    def check(self, record: dict[str, Any]) -> list[Issue]:
        fmt, issues = detect_format(record)
        if fmt == "conversation":
            names = check_tools(record.get("tools"), issues)
            check_messages(record.get("messages"), issues, tools=names)
        elif fmt == "preference_openai":
            self._check_preference_together(record, issues)
        elif fmt in ("general", "instruction"):
            for key in FORMATS[fmt]:
                role = "assistant" if key == "completion" else "user"
                _content(record.get(key), role, f"'{key}'", issues)
        return issues

    def _check_preference_together(self, record: dict[str, Any], issues: list[Issue]) -> None:
        inp = record.get("input")
        if not isinstance(inp, dict):
            issues.append(Issue("format", "the `input` field must be a dictionary"))
            return
        if "messages" not in inp:
            issues.append(Issue("format", "the `input` dictionary must contain `messages`"))
            return
        check_messages(inp["messages"], issues, require_assistant=False, label="prompt message")
        msgs = inp["messages"]
        last = msgs[-1] if isinstance(msgs, list) and msgs else None
        if isinstance(last, dict) and last.get("role") == "assistant":
            issues.append(
                Issue("role", "the last message in the input must not be from the assistant")
            )
        for key in ("preferred_output", "non_preferred_output"):
            side = record.get(key)
            if not isinstance(side, list):
                issues.append(Issue("format", f"'{key}' must be a list, not {type(side).__name__}"))
                continue
            if len(side) != 1:
                issues.append(Issue("format", f"'{key}' must contain exactly one message"))
                continue
            msg = side[0]
            if not isinstance(msg, dict):
                issues.append(Issue("format", f"'{key}' must hold a message object"))
                continue
            if "role" not in msg:
                issues.append(Issue("format", f"'{key}' message has no 'role'"))
            elif msg.get("role") != "assistant":
                issues.append(Issue("role", f"'{key}' message must be from the assistant"))
            if "content" not in msg and "tool_calls" not in msg:
                issues.append(Issue("format", f"'{key}' message needs 'content' or 'tool_calls'"))
            elif "content" in msg:
                _content(msg["content"], "assistant", key, issues)


PROFILE = TogetherProfile()
