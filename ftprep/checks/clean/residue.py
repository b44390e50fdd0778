"""Template residue: what a prompt template or an export left behind instead of content.

Alpaca-style generators write ``<noinput>`` when an instruction has no input, spreadsheet
exports write ``nan``/``N/A`` into an empty input column, and a prompt template that was
applied twice leaves ``{input}``, ``### Response:`` or chat-template tokens (``<|im_start|>``,
``[INST]``) in the text. Unfilled *content* slots (``{{customer_name}}``, ``[Your Name]``) are
``clean.placeholder``'s; this module looks only for the template's own scaffolding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ftprep.checks.base import CheckSettings, batch_form, example_check
from ftprep.checks.batch_view import CheckBatch, Turns, turns_of
from ftprep.checks.prose import strip_code
from ftprep.checks.signs import screen
from ftprep.schema import ChatExample

#: Anywhere, any role: markers no prose contains.
_MARKER = re.compile(
    r"<\s*no[ _-]?(?:input|output)\s*>"
    r"|<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|begin_of_text"
    r"|user|assistant|system|end)\|>"
    r"|\[/?INST\]|<</?SYS>>"
    r"|^[ \t]*#{2,4}[ \t]*(?:Instruction|Input|Response|Output)s?[ \t]*:",
    re.I | re.M,
)
#: The prompt template's own field names in single braces (``{{…}}`` is a placeholder).
_FIELD = re.compile(
    r"(?<!\{)\{(?:input|instruction|output|response|question|context|query|prompt|history"
    r"|system|system_prompt|user_input|input_text)\}(?!\})"
)
#: A whole paragraph (an Alpaca ``input`` field, a CSV cell) that says "nothing here".
_EMPTY_FIELD = re.compile(
    r"[\s\"'(\[<]*(?:no ?input(?: (?:required|needed|provided|necessary))?|noinput|none|null|nil"
    r"|nan|n/?a|not applicable|empty|input|-+|—)[\s\"'.)\]>]*",
    re.I,
)
#: A field label with nothing after it, at the end of a user turn ("…\n\nInput:").
_DANGLING_LABEL = re.compile(r"\n[ \t]*(?:Input|Context|Text)[ \t]*:[ \t]*\Z", re.I)
#: Residue needs one of these characters; one class scan finds any of them: a marker
#: "<", "[" or "#" (a header's colon comes after its "#"), a field name "{", a trailing
#: input field or a dangling label a new line. Not the colon alone: a third of natural
#: texts hold one, and none of them residue for it.
_SCREEN = re.compile(r"[<\[{#\n]")
_SIGN_SCREEN = screen(b"<[{#\n")
_SHORT_FIELD = 24


def find_residue(
    text: str, role: str, opening: bool = True, sign: bytes | None = None
) -> list[str]:
    """The template residue in one turn's ``text`` (code excluded), in order.

    ``opening``: no assistant turn came before, so the turn is a prompt built from fields;
    later in a conversation a user may well answer "None." or "N/A". ``sign``: the text's
    :func:`~ftprep.checks.signs.sign_of`, when known: asked instead of the text whether
    residue's characters are there at all.
    """
    found: list[str] = []
    stripped = text.strip()
    prompt = opening and role in ("user", "system")
    if prompt and stripped and len(stripped) <= _SHORT_FIELD and _EMPTY_FIELD.fullmatch(stripped):
        return [f"the whole turn is '{stripped}'"]
    if sign is not None:
        if _SIGN_SCREEN.isdisjoint(sign):
            return found
    elif not _SCREEN.search(text):
        return found
    prose = strip_code(text)
    found += [f"'{' '.join(m[0].split())}'" for m in _MARKER.finditer(prose)]
    if role != "assistant":
        found += [f"'{m[0]}'" for m in _FIELD.finditer(prose)]
    if prompt:
        if "\n\n" in stripped:
            last = stripped.rsplit("\n\n", 1)[1].strip()
            if len(last) <= _SHORT_FIELD and _EMPTY_FIELD.fullmatch(last) and last not in found:
                found.append(f"input field '{last}'")
        if _DANGLING_LABEL.search(text):
            found.append("an empty 'Input:' field")
    return list(dict.fromkeys(found))


@example_check(
    "clean.template_residue",
    "clean",
    "warning",
    "{count} examples contain prompt-template residue",
)
def template_residue(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Text contains what a prompt template or an export left behind.

    What: the scaffolding of a template instead of content — Alpaca's `<noinput>` /
    `<nooutput>`, an input field that only says "no input", "N/A", "none", "nan" or "-"
    (the last paragraph of a user turn, where Alpaca's `input` goes, or the whole turn),
    an empty trailing `Input:` label, the template's own field names (`{input}`,
    `{instruction}`, `{question}`) in a prompt, and chat-template tokens or headers
    (`<|im_start|>`, `[INST]`, `<<SYS>>`, `### Response:`) in any turn. Code blocks and
    inline code are skipped. Unfilled content slots (`{{name}}`, `[Your Name]`) are
    `clean.placeholder`.
    Why: the model learns to read "noinput" as part of the task, or to emit template
    tokens in its answers; a double-applied chat template teaches a garbled format.
    Threshold: any residue.
    Fix: drop the empty input field (leave the instruction alone), or apply the prompt
    template exactly once, in the training framework, not in the data.
    """
    found = residue_in(turns_of(ex), settings)
    if found:
        yield found


def residue_in(
    turns: Turns, settings: CheckSettings, signs: Sequence[bytes | None] | None = None
) -> str | None:
    """``clean.template_residue``'s detail for a conversation's ``(role, text)`` turns
    (``signs``: their signs, when known)."""
    details: list[str] = []
    opening = True
    for i, (role, text) in enumerate(turns, start=1):
        if text:
            found = find_residue(text, role, opening, None if signs is None else signs[i - 1])
            details += [f"{r} in message {i} ({role})" for r in found]
        opening = opening and role != "assistant"
    return "; ".join(details) if details else None


def _short_prompt(turns: Turns) -> bool:
    """Whether a user or system turn before the first answer is short enough to be an
    empty input field (all that is left to find in a text without residue characters)."""
    for role, text in turns:
        if role == "assistant":
            return False
        if role in ("user", "system") and text and len(text.strip()) <= _SHORT_FIELD:
            return True
    return False


@batch_form("clean.template_residue")
def residue_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``clean.template_residue`` on the batch's shared texts and signs. A row whose texts
    hold none of residue's characters is read with blank signs, which say as much for
    each text without making them: only its empty input fields are looked for."""
    turns, row_signs = batch.turns, batch.row_signs
    for row in batch.rows(("chat",)):
        sign = row_signs[row]
        if sign is not None and _SIGN_SCREEN.isdisjoint(sign):
            if not _short_prompt(turns[row]):
                continue  # and no opening prompt turn short enough to be an empty field
            signs: Sequence[bytes | None] = (b"",) * len(turns[row])
        else:
            signs = batch.signs(row)
        found = residue_in(turns[row], settings, signs)
        if found is not None:
            yield row, found
