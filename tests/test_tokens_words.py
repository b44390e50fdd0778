"""Counting a text's tokens word by word gives tiktoken's count of the whole text.

``tokens.counting`` counts a batch's texts by their space-separated words, each distinct
word encoded once (``_word_lengths``), where ``splits_at_spaces`` says the text encodes
to its words' encodings end to end. The oracle is tiktoken itself on the whole text; the
texts are drawn to break that: whitespace of every kind before and after spaces, runs of
spaces, CJK, combining marks, curly quotes, contractions, digits, punctuation, special
token text, lone surrogates.
"""

from __future__ import annotations

import random
import re
import string
import sys

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.tokens.counting import (
    _MIN_CHARS,
    _WINDOW,
    _distinct_lengths,
    _splitting,
    _word_lengths,
    splits_at_spaces,
)
from ftprep.tokens.encodings import BUNDLED, get_encoding

ENCODINGS = sorted(BUNDLED)

#: Pieces texts are built from: words of each letter class, contractions, numbers, every
#: kind of whitespace tiktoken's ``\s`` knows (and the ASCII separators Python's knows),
#: punctuation and symbols, and text that looks like a special token.
PIECES = [
    "word", "Word", "WORD", "wOrD", "The", "it's", "I'LL", "don't", "we've",
    "İstanbul", "ıi", "ſ", "Kelvin", "straße", "naïve", "e\u0301", "\u0301",
    "漢字", "日本語のテキスト", "한국어", "ελληνικά", "Русский", "عربى", "हिन्दी",
    "123", "4567", "٣٤٥", "½", "Ⅻ", "3.14", "1,000",
    " ", "  ", "   ", "\n", "\r\n", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x85",
    "\xa0", "\u1680", "\u2000", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f",
    "\u205f", "\u3000", "\u200b", "\u180e", "\ufeff",
    ".", ",", "!?", "...", "'", '"', "“quoted”", "‘", "’s", "(", ")", "[x]", "{}", "/",
    "//", "-", "—", "@", "#", "$", "%", "&&", "*", "\\", "|", "~", "`code`", "😀", "👍🏽",
    "<|endoftext|>", "<|fim_prefix|>", "\x00", "\x01",
]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("".join)


def whole(enc_name: str, items: list[str]) -> list[int]:
    """The oracle: tiktoken's count of each whole text."""
    enc = get_encoding(enc_name)
    return [len(enc.encode_ordinary(t)) for t in items]


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=300, deadline=None)
@given(batch=st.lists(texts, max_size=12))
def test_word_counts_are_tiktokens(name: str, batch: list[str]) -> None:
    """Every text of a batch (the word cache shared between them) counts what tiktoken
    counts for it whole."""
    enc = get_encoding(name)
    distinct = list(dict.fromkeys(batch))
    assert _distinct_lengths(distinct, enc) == whole(name, distinct)
    assert _word_lengths(batch, enc._core_bpe.encode_ordinary) == whole(name, batch)


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(PIECES), min_size=1, max_size=20))
def test_spaced_words(name: str, words: list[str]) -> None:
    """Texts made of the pieces joined by single spaces (the split the counter makes)."""
    batch = [" ".join(words)]
    batch += [batch[0][1:], " " + batch[0]]
    assert _word_lengths(batch, get_encoding(name)._core_bpe.encode_ordinary) == whole(name, batch)


def straightforward_splits(text: str) -> bool:
    """``splits_at_spaces`` as its rule says: no space follows whitespace."""
    return not any(text[i - 1].isspace() for i, c in enumerate(text) if c == " " and i)


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_splits_at_spaces_is_its_rule(text: str) -> None:
    assert splits_at_spaces(text) == straightforward_splits(text)


#: Texts of single spaces between pieces holding no ASCII whitespace (other whitespace
#: kept: "\u3000 " must not split), which the batch screen's quick ways see.
plain_texts = st.lists(
    st.sampled_from([p for p in PIECES if not any(c.isascii() and c.isspace() for c in p)]),
    max_size=12,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(batch=st.lists(texts | plain_texts, max_size=8))
def test_batch_screen_is_the_rule(batch: list[str]) -> None:
    """The batch's screen says of each text what the rule says of it (batches of texts
    with single spaces only, ASCII or not, take its quick ways)."""
    assert list(_splitting(batch)) == [straightforward_splits(t) for t in batch]


def test_python_whitespace_holds_tiktokens() -> None:
    """Every character tiktoken's patterns take for ``\\s`` (Unicode White_Space, as the
    ``regex`` module reads it too) is whitespace to Python's ``re``, which the screen asks."""
    tiktoken_space = regex.compile(r"\s")
    python_space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if tiktoken_space.match(char):
            assert python_space.match(char), hex(code)
            assert not splits_at_spaces("a" + char + " b"), hex(code)


@pytest.mark.parametrize("name", ENCODINGS)
def test_mostly_new_words_encode_whole(name: str) -> None:
    """A batch of random identifiers (most words new) stops using the word cache after a
    window, and counts the same."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    batch = [
        " ".join("".join(rng.choices(alphabet, k=rng.randint(3, 12))) for _ in range(40))
        for _ in range(3 * _WINDOW // 40)
    ]
    calls: list[str] = []
    core = get_encoding(name)._core_bpe.encode_ordinary

    def encode(text: str) -> list[int]:
        calls.append(text)
        return core(text)

    assert _word_lengths(batch, encode) == whole(name, batch)
    # stopped at the first check: the first window's words one by one, then whole texts
    assert len(calls) < _WINDOW + len(batch)


def test_words_that_come_back_keep_the_cache() -> None:
    """A batch whose few words repeat runs into no deficit: every text by its words, each
    distinct word encoded once."""
    words = [f"w{i}" for i in range(50)]
    batch = [" ".join(words[(i + j) % 50] for j in range(30)) for i in range(6 * _WINDOW // 30)]
    calls: list[str] = []
    core = get_encoding("o200k_base")._core_bpe.encode_ordinary

    def encode(text: str) -> list[int]:
        calls.append(text)
        return core(text)

    assert _word_lengths(batch, encode) == whole("o200k_base", batch)
    assert len(calls) <= 2 * len(words)


def test_lone_surrogate_counts_as_tiktoken_does() -> None:
    """A lone surrogate makes the tokenizer core refuse: the batch (one large enough to go
    by words) is counted by the wrapper, which replaces it, as the floor does."""
    enc = get_encoding("o200k_base")
    batch = ["plain words here", "bad \ud800 surrogate here", "more words"]
    batch += [f"filler text number {i} of the batch" for i in range(_MIN_CHARS // 20)]
    assert sum(map(len, batch)) >= _MIN_CHARS
    assert _distinct_lengths(batch, enc) == [len(enc.encode_ordinary(t)) for t in batch]


def test_large_batch_goes_by_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of natural size takes the word path (a broken word count shows in it)."""
    import ftprep.tokens.counting as counting

    batch = [f"some words of text {i} here" for i in range(_MIN_CHARS // 20)]
    enc = get_encoding("o200k_base")
    assert _distinct_lengths(batch, enc) == whole("o200k_base", batch)
    monkeypatch.setattr(counting, "splits_at_spaces", lambda text: True)
    monkeypatch.setattr(counting, "_splitting", lambda texts: [True] * len(texts))
    broken = [t + "   x" for t in batch]  # three spaces: not to be split, now split
    assert _distinct_lengths(broken, enc) != whole("o200k_base", broken)
