"""A batch's texts normalised and hashed together equal each text normalised and each
example hashed on its own.

:func:`~ftprep.similarity.normalize.normalize_texts` folds a batch's ASCII texts on one
joined buffer and :func:`~ftprep.similarity.normalize.conversation_hash_arrays` hashes
slices of one rendered buffer; :func:`~ftprep.similarity.normalize.normalize_text` and
:func:`~ftprep.similarity.normalize.conversation_hashes` stay the definitions. Every ASCII
character is in the generated texts (controls, the separators ``str.split`` folds but
``bytes.split`` does not, punctuation, whitespace runs), with empty texts, non-ASCII text
and lone surrogates, and with the separator the batch path joins texts with.
"""

from __future__ import annotations

import string

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.normalize import (
    conversation_hash_arrays,
    conversation_hashes,
    hash64,
    key_suffix,
    media_key,
    media_keys,
    normalize_text,
    normalize_texts,
    normalized_messages,
    normalized_texts,
    raw_conversation_hashes,
)
from ftprep.turns import batch_turns, flat_turns

PIECES = [
    *map(chr, range(128)),
    "  ",
    "\t\n",
    " \x1c ",
    "...",
    "A.B",
    "word",
    "Word",
    "x_y",
    "\xff",
    "é",
    "Ünï",
    "\u2003",
    "\u00a0",
    "ﬁ",
    "\ud800",
    "\U0001f600",
    "٣",
    "中文",
    "Don\u2019t",
    "\u201cQ\u201d",
    "\u3002",
    "\x85",
    "\u2028",
    "\u3000",
    "\u0130",
    "\u212a",
    "e\u0301",
    "\u0301",
    # characters NFKC makes ASCII punctuation or spaces (made spaces before it), beside
    # others it changes, combining marks and the long solidus that composes with < = >
    "\u2026",
    "\u2025",
    "\uff0c",
    "\uff1f",
    "\uff1c\u0338",
    "\uff1d",
    "\uff3f",
    "\u3000",
    "\u2002",
    "\u0338",
    "\u00b2",
    "\u1100",
    "\u1161",
]
ASCII_PIECES = [p for p in PIECES if p.isascii()]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(ASCII_PIECES), max_size=30).map("".join),
    st.text(max_size=40),
)
ascii_texts = st.lists(st.sampled_from(ASCII_PIECES), max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(texts, ascii_texts), max_size=8))
def test_batch_normalisation_equals_each_text_normalised(batch: list[str]) -> None:
    assert normalize_texts(batch) == [normalize_text(t) for t in batch]


@settings(max_examples=300, deadline=None)
@given(st.lists(ascii_texts, min_size=1, max_size=8))
def test_ascii_batches_come_back_as_ascii_strings(batch: list[str]) -> None:
    """The batch path decodes Latin-1 (its separator is not ASCII): the texts it returns
    are still plain ASCII strings, as the per-text path returns them."""
    assert all(t.isascii() for t in normalize_texts(batch))


def test_examples() -> None:
    batch = ["  Hello,\tWorld!  ", "", " ", "a\x1cb\x1fc", "ÉCOLE d'été", "x\x00y", "!?"]
    assert normalize_texts(batch) == ["hello world", "", "", "a b c", "école d été", "x\x00y", ""]
    assert normalize_texts([]) == []


ROLES = ["system", "user", "assistant", "tool", "developer", "rôle"]
messages = st.lists(
    st.tuples(st.sampled_from(ROLES), st.one_of(texts, ascii_texts)), min_size=1, max_size=5
)
tools = st.one_of(
    st.none(),
    st.just([{"type": "function", "function": {"name": "f"}}]),
    st.just([{"type": "function", "function": {"name": "r\u00e9sum\u00e9"}}]),  # a wide suffix
)
media = st.one_of(st.none(), st.just(["a.png"]), st.just(["é.png", "b.png"]))


_AT = SourceLocation(source="t.jsonl", line=1)


def _example(msgs: list[tuple[str, str]], tool_list: object, images: object) -> ChatExample:
    return ChatExample(
        messages=[Message(role=r, content=t) for r, t in msgs],
        tools=tool_list,
        metadata={"images": images} if images else {},
        location=SourceLocation(source="t.jsonl", line=1),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(messages, tools, media), min_size=1, max_size=6))
def test_batch_hashes_equal_each_examples_hashes(rows: list[tuple[object, ...]]) -> None:
    batch = [_example(*row) for row in rows]  # type: ignore[arg-type]
    memo: dict[str, object] = {}
    turns = batch_turns(batch, memo)
    normalized = normalized_messages(batch, memo)
    assert normalized == [[normalize_text(m.text) for m in ex.messages] for ex in batch]
    media = media_keys(batch, memo)
    assert media == [media_key(ex) for ex in batch]
    suffixes = [key_suffix(ex.tools, m) for ex, m in zip(batch, media, strict=True)]
    flat = flat_turns(batch, memo)
    folded = normalized_texts(batch, memo)
    assert folded == [t for each in normalized for t in each]
    whole, prompt, answer = conversation_hash_arrays(
        flat.roles, folded, flat.counts, turns.last, suffixes
    )
    expected = np.array([conversation_hashes(ex) for ex in batch], dtype=np.uint64)
    assert whole.tolist() == expected[:, 0].tolist()
    assert prompt.tolist() == expected[:, 1].tolist()
    assert answer.tolist() == expected[:, 2].tolist()
    raw = [hash64("\x1e".join(f"{m.role}\x1f{m.text}" for m in ex.messages)) for ex in batch]
    assert raw_conversation_hashes(flat.roles, flat.texts, flat.counts).tolist() == raw


def test_every_printable_character_in_one_batch() -> None:
    text = string.printable + "".join(map(chr, range(32))) + "\x7f"
    batch = [text, text.upper(), "", text[::-1]]
    assert normalize_texts(batch) == [normalize_text(t) for t in batch]


def test_a_batch_with_an_example_without_messages() -> None:
    """Such an example has no span in the rendered buffer: the batch takes the per-example
    keys, with the same hashes."""
    batch = [
        _example([], None, None),
        _example([("user", "Hi there"), ("assistant", "Hello!")], None, ["a.png"]),
    ]
    memo: dict[str, object] = {}
    turns = batch_turns(batch, memo)
    suffixes = [key_suffix(ex.tools, media_key(ex)) for ex in batch]
    flat = flat_turns(batch, memo)
    folded = normalized_texts(batch, memo)
    arrays = conversation_hash_arrays(flat.roles, folded, flat.counts, turns.last, suffixes)
    expected = [conversation_hashes(ex) for ex in batch]
    assert [tuple(int(a[i]) for a in arrays) for i in range(2)] == expected
    raw = [hash64(""), hash64("user\x1fHi there\x1eassistant\x1fHello!")]
    assert raw_conversation_hashes(flat.roles, flat.texts, flat.counts).tolist() == raw


def _media_rows() -> list[ChatExample]:
    """Examples with and without media: content parts with an image and text only, text,
    media metadata, other metadata, no content."""
    image = {"type": "image_url", "image_url": {"url": "x.png"}}
    text = {"type": "text", "text": "What is this?"}
    rows = [
        ChatExample(messages=[Message(role="user", content=[text, image])], location=_AT),
        ChatExample(messages=[Message(role="user", content=[text])], location=_AT),
        ChatExample(messages=[Message(role="user", content="Hi")], location=_AT),
        ChatExample(
            messages=[Message(role="user", content="Hi")],
            metadata={"images": ["a.png"]},
            location=_AT,
        ),
        ChatExample(
            messages=[Message(role="user", content="Hi")],
            metadata={"images": [], "id": 3},
            location=_AT,
        ),
        ChatExample(messages=[Message(role="user", content=None)], location=_AT),
    ]
    return rows


def test_media_keys_of_a_batch_are_each_examples_media_key() -> None:
    """Only examples with media metadata or content parts are rendered; the others' key is
    empty, as media_key finds it."""
    rows = _media_rows()
    keys = media_keys(rows, {})
    assert keys == [media_key(ex) for ex in rows]
    assert keys[0] and keys[3] and not any(keys[i] for i in (1, 2, 4, 5))


def test_media_keys_after_the_checks_batch_view_are_each_examples_media_key() -> None:
    """After the checks' batch view has read the messages (the memo then says whether any
    holds more than text), a text-only batch's keys are rendered from metadata alone and
    a batch with content parts as before: each example's media_key either way."""
    from ftprep.checks.batch_view import CheckBatch
    from ftprep.features import batch_scope, chat_view
    from ftprep.turns import TEXT_ONLY

    rows = _media_rows()
    plain = [rows[i] for i in (2, 3, 4, 5)]
    for batch, text_only in ((plain, True), (rows, False), (rows[:2], False)):
        with batch_scope() as memo:
            _ = CheckBatch(batch, [chat_view(ex) for ex in batch]).turns
            assert memo[TEXT_ONLY] is text_only
            assert media_keys(batch, memo) == [media_key(ex) for ex in batch]


def test_the_characters_made_spaces_before_nfkc_become_ascii_punctuation_or_spaces() -> None:
    """Each character normalize_texts makes a space before NFKC (to skip normalising
    texts that hold only these) is one NFKC turns into ASCII punctuation or spaces, which
    normalisation makes a word break as it makes the space."""
    import unicodedata

    from ftprep.similarity.normalize import _TO_PUNCTUATION

    chars = [chr(c) for c in range(0x10000) if _TO_PUNCTUATION.match(chr(c))]
    assert len(chars) == 50
    for c in chars:
        folded = unicodedata.normalize("NFKC", c)
        assert folded != c and all(x.isascii() and not x.isalnum() for x in folded), hex(ord(c))
