"""Format errors: every problem OpenAI's format checker counts, plus unreadable records.

The first group are load errors (the record cannot become an example; it is always dropped
and listed). The second group look at examples that loaded but break the chat format's rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from ftprep.checks.base import CheckSettings, example_check, load_check
from ftprep.checks.batch_view import (
    EXTRA_KEY,
    NO_ASSISTANT,
    NO_CONTENT,
    UNKNOWN_ROLE,
    WEIGHT,
    screened_by,
)
from ftprep.schema import KNOWN_MESSAGE_KEYS, KNOWN_ROLES, ChatExample

_FIX_DROP = "ftprep drops such records from the split and lists each in the report."

load_check(
    "clean.malformed_json",
    "clean",
    "error",
    "{count} records are not valid JSON",
    f"""
    Record is not valid JSON.

    What: each JSONL line (or JSON array element) must parse as JSON.
    Why: a platform rejects the whole file for one bad line; a truncated line usually means
    an export was cut short or a record was hand-edited.
    Threshold: any such record or message.
    Fix: open the file at the reported line and repair the syntax (often a missing brace or
    an unescaped quote or newline). {_FIX_DROP}
""",
)
load_check(
    "clean.invalid_utf8",
    "clean",
    "error",
    "{count} records are not valid UTF-8",
    f"""
    Record is not valid UTF-8.

    What: bytes that do not decode as UTF-8.
    Why: every finetuning platform requires UTF-8; mis-decoded text trains the model on noise.
    Threshold: any such record or message.
    Fix: re-export the data as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`). {_FIX_DROP}
""",
)
load_check(
    "clean.malformed_row",
    "clean",
    "error",
    "{count} table rows cannot be read",
    f"""
    Table row cannot be read.

    What: a CSV/TSV row whose number of fields differs from the header, or that the CSV
    parser cannot read.
    Why: a shifted column silently swaps questions and answers.
    Threshold: any such record or message.
    Fix: check quoting on the reported row; fields containing the delimiter, quotes or
    newlines must be quoted. {_FIX_DROP}
""",
)
load_check(
    "clean.not_an_object",
    "clean",
    "error",
    "{count} records are not JSON objects",
    f"""
    Record is not a JSON object.

    What: a record that is a list, string or number instead of an object.
    Why: platforms expect one object per example (OpenAI's checker counts it as `data_type`).
    Threshold: any such record or message.
    Fix: wrap each example as an object, e.g. `{{"messages": [...]}}`. {_FIX_DROP}
""",
)
load_check(
    "clean.missing_messages",
    "clean",
    "error",
    "{count} records have no messages",
    f"""
    Example has no messages list, or it is empty.

    What: a chat record without a non-empty `messages` list (ShareGPT: `conversations`).
    Why: there is nothing to train on (OpenAI's checker counts it as `missing_messages_list`).
    Threshold: any such record or message.
    Fix: make sure the exporter writes the conversation under `messages`; if the file mixes
    formats, split it or pass `--from`. {_FIX_DROP}
""",
)
load_check(
    "clean.invalid_message",
    "clean",
    "error",
    "{count} records have a malformed message or field",
    f"""
    Message or field has the wrong type.

    What: a message that is not an object, content that is neither text nor a list of parts,
    tool calls that are not objects, or a text field holding a list or object.
    Why: platforms reject the file; trainers crash or stringify the value.
    Threshold: any such record or message.
    Fix: correct the field at the reported line to the documented type. {_FIX_DROP}
""",
)
load_check(
    "clean.missing_role",
    "clean",
    "error",
    "{count} records have a message without a role",
    f"""
    Message has no role.

    What: a message without a string `role` (OpenAI's checker: `message_missing_key`).
    Why: without a role the trainer cannot tell prompt from answer.
    Threshold: any such record or message.
    Fix: add the role (system, user, assistant or tool) to the message. {_FIX_DROP}
""",
)
load_check(
    "clean.missing_field",
    "clean",
    "error",
    "{count} records lack a required field",
    f"""
    Record lacks a required field.

    What: a field the input format needs is absent: `prompt`/`completion`,
    `instruction`/`output` for Alpaca, or a mapped column.
    Why: an example without its prompt or its answer cannot be trained on.
    Threshold: any such record or message.
    Fix: fill in the field, or map the right column with `--map`. {_FIX_DROP}
""",
)


@example_check(
    "clean.unknown_role",
    "clean",
    "error",
    "{count} examples use a role the chat format does not know",
    fix="drop",
)
def unknown_role(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Message has an unrecognized role.

    What: roles other than system, developer, user, assistant, tool and function.
    Why: platforms reject them (OpenAI: `unrecognized_role`); converters from other formats
    often leak roles such as `human`, `gpt` or `bot`.
    Threshold: any such record or message.
    Fix: map the role to user/assistant, or load the file with its real format (`--from sharegpt`).
    """
    for i, m in enumerate(ex.messages, start=1):
        if m.role not in KNOWN_ROLES:
            yield f"message {i} has role '{m.role}'"


@example_check(
    "clean.unknown_key",
    "clean",
    "error",
    "{count} examples have message keys the chat format does not allow",
    fix="strip_unknown_keys",
)
def unknown_key(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Message has keys the chat format does not allow.

    What: message keys other than role, content, name, tool_calls, tool_call_id,
    function_call, weight and refusal.
    Why: OpenAI and Together reject files with unrecognized keys (`message_unrecognized_key`).
    Threshold: any such record or message.
    Fix: remove the keys, or keep them at the top level of the record as metadata;
    `--fix` strips them and lists each change.
    """
    for i, m in enumerate(ex.messages, start=1):
        extra = [k for k in m.extra_keys if k not in KNOWN_MESSAGE_KEYS]
        if extra:
            yield f"message {i} ({m.role}) has {', '.join(repr(k) for k in extra)}"


@example_check(
    "clean.missing_content", "clean", "error", "{count} examples have a message without content"
)
def missing_content(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Message has no content.

    What: a message whose `content` is missing or null, other than an assistant turn that
    makes tool calls.
    Why: OpenAI's checker counts it (`missing_content`); the platform rejects the file.
    Threshold: any such record or message.
    Fix: supply the text, or remove the message.
    """
    for i, m in enumerate(ex.messages, start=1):
        if m.content is None and not (m.role == "assistant" and (m.tool_calls or m.function_call)):
            yield f"message {i} ({m.role}) has no content"


@example_check(
    "clean.no_assistant_message",
    "clean",
    "error",
    "{count} examples have no assistant message",
    fix="drop",
)
def no_assistant_message(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Example has no assistant message.

    What: a conversation without any assistant turn.
    Why: training learns only from assistant turns; such an example teaches nothing and
    platforms reject it (`example_missing_assistant_message`).
    Threshold: any such record or message.
    Fix: add the expected answer, or remove the example; `--fix` drops it.
    """
    if not any(m.role == "assistant" for m in ex.messages):
        yield "no assistant turn"


@example_check(
    "clean.invalid_weight", "clean", "error", "{count} examples have an invalid message weight"
)
def invalid_weight(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Message weight is not 0 or 1, or is set on a non-assistant turn.

    What: `weight` values other than 0 and 1, or a weight on a system/user/tool message.
    Why: OpenAI and Together accept only 0/1 on assistant turns; anything else is rejected.
    Threshold: any such record or message.
    Fix: use `weight: 0` to exclude an assistant turn from training and `1` (or nothing) otherwise.
    """
    for i, m in enumerate(ex.messages, start=1):
        if m.weight is None:
            continue
        if m.role != "assistant":
            yield f"message {i} ({m.role}) has a weight; only assistant turns may"
        elif m.weight not in (0, 1) or isinstance(m.weight, bool):
            yield f"message {i} has weight {m.weight!r}; use 0 or 1"


# Each rule above is about a structure most batches hold nowhere: run it only where it is.
screened_by("clean.unknown_role", UNKNOWN_ROLE)
screened_by("clean.unknown_key", EXTRA_KEY)
screened_by("clean.missing_content", NO_CONTENT)
screened_by("clean.no_assistant_message", NO_ASSISTANT)
screened_by("clean.invalid_weight", WEIGHT)
