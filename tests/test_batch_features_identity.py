"""Extractors rewritten as whole-batch passes give the columns the per-example loops gave.

``whitespace``, ``system_prompt`` and ``markup`` read a batch's flat turns and look only at
the texts a C-level pass singles out (a text ``str.strip`` changes, a system message, a
text holding a markup character); the loops they replace are kept here as the reference
and run on generated batches: every role, texts made of whitespace, markup, entities,
escapes and repeated prompts, several system messages in one example.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean.markup import markup_feature, markup_items
from ftprep.checks.consistent.system_prompts import system_prompt_feature
from ftprep.checks.consistent.whitespace import _ROLE_BITS, whitespace_feature
from ftprep.checks.dataset import remember_once
from ftprep.features import FeatureContext
from ftprep.masking import excerpt
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.minhash import signatures
from ftprep.similarity.normalize import hash64, normalize_text

ROLES = ["system", "developer", "user", "assistant", "tool"]
PIECES = [" ", "  ", "\n", "\t", "\u2003", "\x1c", "word", "Word", "You are helpful.", "<p>",
          "</div>", "<br/>", "&amp;", "&nbsp;", "&bogus;", "\\n", "\\", "<", "&", "<<1+1=2>>",
          "`<b>`", "```\n<i>x</i>\n```", "42", "é", "中文", "."]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
messages = st.lists(st.tuples(st.sampled_from(ROLES), texts), min_size=1, max_size=5)


def _batch(rows: list[list[tuple[str, str]]]) -> list[ChatExample]:
    return [
        ChatExample(
            messages=[Message(role=r, content=t) for r, t in msgs],
            location=SourceLocation(source="t.jsonl", line=i + 1),
        )
        for i, msgs in enumerate(rows)
    ]


def _context(batch: list[ChatExample]) -> FeatureContext:
    return FeatureContext(encoding=None, examples=batch, batch={})


def whitespace_reference(batch: list[ChatExample]) -> np.ndarray:
    bits = np.zeros(len(batch), dtype=np.int8)
    for i, ex in enumerate(batch):
        b = 0
        for m in ex.messages:
            text = m.text
            shift = _ROLE_BITS.get(m.role)
            if not text or shift is None or not text.strip():
                continue
            if text[0].isspace():
                b |= 1 << shift
            typed = m.role == "user" and text.endswith(" ") and not text[-2:-1].isspace()
            if text[-1].isspace() and not typed:
                b |= 2 << shift
        bits[i] = b
    return bits


_DIGITS = re.compile(r"\d+")


def system_prompt_reference(batch: list[ChatExample], ctx: FeatureContext) -> dict[str, Any]:
    n = len(batch)
    exact = np.zeros(n, dtype=np.uint64)
    norm = np.zeros(n, dtype=np.uint64)
    template = np.zeros(n, dtype=np.uint64)
    length = np.zeros(n, dtype=np.int32)
    texts: list[str | None] = [None] * n
    sigs: list[np.ndarray | None] = [None] * n
    for i, ex in enumerate(batch):
        text = "\n".join(m.text for m in ex.messages if m.role in ("system", "developer"))
        if not text:
            continue
        folded = normalize_text(text)
        exact[i] = hash64(text) or 1
        norm[i] = hash64(folded) or 1
        template[i] = hash64(_DIGITS.sub("0", folded)) or 1
        length[i] = len(text)
        if remember_once(ctx, "system_prompt", int(exact[i])):
            texts[i] = excerpt(text, 120)
            sigs[i] = signatures([normalize_text(text)])[0]
    return {
        "system_hash": exact,
        "system_norm_hash": norm,
        "system_template_hash": template,
        "system_len": length,
        "system_excerpt": texts,
        "system_sig": sigs,
    }


def markup_reference(batch: list[ChatExample]) -> dict[str, Any]:
    n = len(batch)
    counts = np.zeros(n, dtype=np.int16)
    where = np.zeros(n, dtype=np.int16)
    first: list[str | None] = [None] * n
    for i, ex in enumerate(batch):
        for j, m in enumerate(ex.messages, start=1):
            if m.role not in ("user", "assistant") or not m.text:
                continue
            c, f = markup_items(m.text)
            if c > counts[i]:
                counts[i], where[i], first[i] = min(c, 32767), j, f
    return {"markup_count": counts, "markup_message": where, "markup_first": first}


def _same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert got.keys() == expected.keys()
    for name, want in expected.items():
        have = got[name]
        if isinstance(want, np.ndarray):
            assert have.dtype == want.dtype, name
            assert have.tolist() == want.tolist(), name
        else:
            assert len(have) == len(want), name
            for a, b in zip(have, want, strict=True):
                if isinstance(b, np.ndarray):
                    assert isinstance(a, np.ndarray) and a.tolist() == b.tolist(), name
                else:
                    assert a == b, name


@settings(max_examples=400, deadline=None)
@given(st.lists(messages, min_size=1, max_size=8))
def test_whole_batch_extractors_equal_the_per_example_loops(
    rows: list[list[tuple[str, str]]],
) -> None:
    batch = _batch(rows)
    _same(
        whitespace_feature(batch, _context(batch)), {"whitespace_bits": whitespace_reference(batch)}
    )
    _same(markup_feature(batch, _context(batch)), markup_reference(batch))
    _same(
        system_prompt_feature(batch, _context(batch)),
        system_prompt_reference(batch, _context(batch)),
    )


def test_repeated_and_multiple_system_prompts() -> None:
    """A prompt repeated across the batch keeps one excerpt and one signature (its first
    row); an example with two system messages and an empty one joins them as the loop did."""
    rows = [
        [("system", "You are helpful."), ("user", "Hi"), ("assistant", "Hello")],
        [("system", "You are helpful."), ("user", "Yo ")],
        [("system", ""), ("developer", "Be brief 42."), ("user", "x")],
        [("user", " padded\n"), ("assistant", "<p>a</p> &amp;")],
    ]
    batch = _batch(rows)
    got = system_prompt_feature(batch, _context(batch))
    _same(got, system_prompt_reference(batch, _context(batch)))
    assert got["system_excerpt"][0] == "You are helpful." and got["system_excerpt"][1] is None
    assert got["system_len"].tolist() == [16, 16, len("\nBe brief 42."), 0]
    _same(
        whitespace_feature(batch, _context(batch)), {"whitespace_bits": whitespace_reference(batch)}
    )
    _same(markup_feature(batch, _context(batch)), markup_reference(batch))
