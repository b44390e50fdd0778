"""Markup residue: HTML tags and entities left in text where the set is otherwise plain."""

from __future__ import annotations

import html.entities
import re
from collections.abc import Sequence
from itertools import repeat
from operator import contains

import numpy as np
from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.dataset import task_groups
from ftprep.checks.prose import strip_code
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import flat_turns

_TAG_NAMES = (
    "a|abbr|article|aside|b|blockquote|body|br|button|caption|center|cite|code|col|div|dd|dl|dt"
    "|em|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|meta|nav"
    "|ol|option|p|pre|script|section|select|small|span|strong|style|sub|sup|table|tbody|td"
    "|textarea|tfoot|th|thead|title|tr|u|ul"
)
_TAG = re.compile(
    rf"</?(?:{_TAG_NAMES})(?:\s+[a-z-]+(?:=(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>]+))?)*\s*/?>", re.I
)
_STRONG = re.compile(r"<(?:br|hr|p|img)\b", re.I)
_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NAMED = frozenset(k.rstrip(";") for k in html.entities.html5 if k.endswith(";"))
_ESCAPED_NEWLINE = re.compile(r"\\n")
#: A string argument of an inline call (toolformer's ``python('...')``, ``request("...")``):
#: code, whose escapes and tags are the code's own, not residue in the prose.
_CALL_STRING = re.compile(r"\b\w+\(\s*(['\"]).*?(?<!\\)\1\s*\)", re.S)


def markup_items(text: str) -> tuple[int, str | None]:
    """(number of markup items, the first one) in the prose of ``text``.

    A lone tag name mentioned in prose ("the <div> element") scores 1 and is not residue on
    its own; entities, two or more tags, or literal ``\\n`` escapes are. Code blocks and
    the string arguments of inline calls are code, not prose.
    """
    if "<" not in text and "&" not in text and "\\n" not in text:
        return 0, None
    prose = strip_code(text)
    if "(" in prose:
        prose = _CALL_STRING.sub(" ", prose)
    count, first = 0, None
    if "<" in prose:
        for m in _TAG.finditer(prose):
            tag = m[0]
            first = first or (re.sub(r"\s.*", ">", tag) if " " in tag else tag)
            glued = (m.start() > 0 and not prose[m.start() - 1].isspace()) or (
                m.end() < len(prose) and not prose[m.end()].isspace()
            )
            # A closing tag, a line break, attributes or a tag glued to the text is residue;
            # a bare tag name between spaces may be a mention ("the <div> element").
            strong = tag.startswith("</") or _STRONG.match(tag) or " " in tag or glued
            count += 2 if strong else 1
    if "&" in prose:
        for m in _ENTITY.finditer(prose):
            body = m[0][1:-1]
            if body.startswith("#") or body in _NAMED:
                count += 2  # an entity alone is residue
                first = first or m[0]
    if "\\n" in prose:
        escapes = len(_ESCAPED_NEWLINE.findall(prose))
        if escapes >= 2:
            count += escapes
            first = first or "literal \\n"
    return count, first


@register_feature("markup", ("markup_count", "markup_message", "markup_first"))
def markup_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
    """Per example: markup items in the user/assistant turn with the most, which turn, and
    the first item (a tag name or entity, never surrounding text)."""
    n = len(batch)
    counts = np.zeros(n, dtype=np.int16)
    where = np.zeros(n, dtype=np.int16)
    first: list[str | None] = [None] * n
    flat = flat_turns(batch, ctx.batch)
    texts = flat.texts
    # markup_items finds nothing in a text without '<', '&' or a literal '\\n': such
    # texts (nearly all) are found with C-level passes and never looked at (a backslash,
    # not the two characters: one character is searched with memchr)
    joined = "\0".join(texts)
    marked = np.zeros(len(texts), dtype=bool)
    for mark in ("<", "&", "\\"):
        if mark in joined:
            marked |= np.fromiter(map(contains, texts, repeat(mark)), dtype=bool, count=len(texts))
    rows = np.flatnonzero(marked).tolist()
    starts = (np.cumsum(flat.counts) - flat.counts).tolist()
    for j in rows:  # in message order, as the loop over each example's turns went
        if flat.roles[j] not in ("user", "assistant"):
            continue
        c, f = markup_items(texts[j])
        i = int(flat.owner[j])
        if c > counts[i]:
            counts[i], where[i], first[i] = min(c, 32767), j - starts[i] + 1, f
    return {"markup_count": counts, "markup_message": where, "markup_first": first}


class MarkupSettings(CheckSettings):
    min_items: int = Field(2, ge=1, description="markup items that make a turn residue")
    max_share: float = Field(
        0.2, gt=0, lt=1, description="above this share of examples, markup is the set's style"
    )
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


@dataset_check(
    "clean.markup",
    "clean",
    "warning",
    "{count} examples contain HTML or markup residue",
    settings=MarkupSettings,
    needs=("markup", "system_prompt"),
)
def markup(ft: FeatureTable, settings: MarkupSettings, ctx: DatasetContext) -> CheckResult:
    """Text contains HTML or markup residue in an otherwise plain set.

    What: HTML tags (`<p>`, `<br/>`, `<span style=…>`, `</div>`), character entities
    (`&nbsp;`, `&amp;`, `&#39;`) and literal `\\n` escapes in user and assistant turns,
    outside code blocks and inline code — in examples of a task (same system prompt, else
    the whole set) where at most `max_share` of the examples have any.
    Why: scraped or exported text keeps its markup; the model learns to emit `&nbsp;` and
    `<br>` in answers that are displayed as plain text.
    Threshold: at least `min_items` items in a turn (an entity or a literal `\\n` pair alone
    suffices; a single tag named in prose does not); `max_share` 0.2.
    Fix: convert to plain text (`html.unescape`, strip tags, turn escapes into newlines)
    before training, or drop the example. If your answers are meant to be HTML, this check
    stays quiet because the share is high.
    """
    counts = ft["markup_count"]
    has = counts >= settings.min_items
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group, documents=True):
        if has[ref].mean() > settings.max_share:
            continue
        for r in rows[has[rows]]:
            flags.append(
                Flag(
                    int(r),
                    f"message {int(ft['markup_message'][r])}: {int(counts[r])} markup "
                    f"items, e.g. {ft['markup_first'][r]}",
                )
            )
    flags.sort(key=lambda f: f.row)
    return CheckResult(flags=flags, metrics={"markup_examples": int(has.sum())})
