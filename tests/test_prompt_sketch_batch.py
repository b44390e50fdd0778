"""The whole-batch prompt sketch gives, column for column, what the per-example rule gave
(the extractor as it was, kept below as the reference): the prompts' words from one split
of the batch, their names from a screen of the capitals, keys hashed once per distinct text
must change no value."""

from __future__ import annotations

import string
import zlib
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean import contradictions as C
from ftprep.features import FeatureContext, batch_scope
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.batchwords import SEPARATOR, batch_words, sorted_letter_crcs
from ftprep.similarity.minhash import signatures, signatures_of_sets
from ftprep.similarity.normalize import hash64_array, media_keys, normalized_messages
from ftprep.turns import batch_turns


def _prompt_sketch_as_before(batch: Sequence[ChatExample], memo: dict) -> dict[str, object]:
    """The extractor as it was: one word set, one name scan and one key hash per example."""
    n = len(batch)
    normalized = normalized_messages(batch, memo)
    turns = batch_turns(batch, memo)
    media = media_keys(batch, memo)
    prompts, answers, key_texts = [], [], []
    word_counts = [0] * n
    owners: list[int] = []
    hashes: list[int] = []
    names = np.zeros((n, C.NAME_SKETCH), dtype=np.uint32)
    known = C._PromptWords()
    for i, ex in enumerate(batch):
        last = turns.last[i]
        texts = normalized[i]
        roles = turns.roles[i]
        cut = len(texts) if last is None else last
        prompt = [j for j in range(cut) if roles[j] not in ("system", "developer")]
        text = " ".join([texts[j] for j in prompt])
        prompts.append(text)
        words = set(text.split())
        word_counts[i] = len(words)
        known.learn(words)
        owners.extend([i] * len(words))
        hashes.extend(map(known.crc.__getitem__, words))
        answers.append("" if last is None else texts[last])
        raw = turns.texts[i]
        system = "\n".join(
            [t for r, t in zip(roles, raw, strict=True) if r in ("system", "developer")]
        )
        digits = known.numbers(text, words)
        tools = "" if not ex.tools else repr(ex.tools)
        key_texts.append(
            f"{system}\x1e{tools}\x1e{digits}\x1e{known.negations(words)}\x1e{media[i]}"
        )
        found = sorted(known.name_hashes(raw, prompt))
        if found:
            names[i, : min(C.NAME_SKETCH, len(found))] = found[: C.NAME_SKETCH]
    chars = signatures(
        [*prompts, *answers, *(t[: C.ENDS] for t in prompts), *(t[-C.ENDS :] for t in prompts)],
        bins=C.SMALL_BINS,
    )
    return {
        "prompt_sig": signatures_of_sets(owners, hashes, n, C.BINS),
        "prompt_char_sig": chars[:n],
        "answer_sig": chars[n : 2 * n],
        "prompt_key": hash64_array(key_texts, n),
        "prompt_words": np.array(word_counts, dtype=np.int32),
        "prompt_names": names,
        "prompt_ends_sig": np.concatenate([chars[2 * n : 3 * n], chars[3 * n :]], axis=1),
    }


_ROLES = ["system", "developer", "user", "user", "assistant", "assistant", "tool"]
#: Names mid-sentence and opening one, negations and their typos, numbers, non-ASCII text,
#: the characters the batch joins use (``_``, NUL), every space and sentence end.
_PIECES = ["Tell", "me", "about", "Paris", "Albert", "Einstein", "not", "wihtout", "no", "on",
           "never", "nevre", "42", "3.5", "x12", " ", "  ", ". ", "! ", "?  ", "\n", ": ", "| ",
           "O'Neil", "é", "Zürich", "ÉCOLE", "东京", "٣", "_", "\x00", " \x00 ", "\t", "\x1c",
           "(Bob)", "\"Ann\"", "a", "I", "Ab", "without", "cannot", "ﬁ", "\u2003"]  # fmt: skip
_TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=25).map("".join),
    st.text(max_size=30),
    st.text(alphabet=string.printable, min_size=40, max_size=300),
    st.just(""),
)
_TURN = st.tuples(st.sampled_from(_ROLES), _TEXT)
_TOOLS = st.one_of(st.none(), st.just([{"type": "function", "function": {"name": "f"}}]))


def _batch(conversations: list[tuple[list[tuple[str, str]], object]]) -> list[ChatExample]:
    where = SourceLocation(source="x", line=1)
    return [
        ChatExample(
            messages=[Message(role=r, content=t) for r, t in turns], tools=tools, location=where
        )
        for turns, tools in conversations
    ]


def _assert_same_columns(batch: list[ChatExample]) -> None:
    with batch_scope() as memo:
        got = C.prompt_sketch_feature(batch, FeatureContext(encoding=None, batch=memo))
    with batch_scope() as memo:
        expected = _prompt_sketch_as_before(batch, memo)
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert isinstance(value, np.ndarray)
        column = got[name]
        assert isinstance(column, np.ndarray) and column.dtype == value.dtype, name
        assert np.array_equal(column, value), name


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.lists(_TURN, min_size=1, max_size=5), _TOOLS), max_size=8))
def test_prompt_sketch_batch_is_the_per_example_rule(
    conversations: list[tuple[list[tuple[str, str]], object]],
) -> None:
    _assert_same_columns(_batch(conversations))


def test_prompt_sketch_of_a_large_vocabulary_and_many_examples() -> None:
    """More distinct words than the radix sort takes (the general sort), thousands of
    examples, names in most of them."""
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(70_000)]
    conversations = []
    for i in range(600):
        picked = rng.choice(len(words), size=150, replace=False)
        prompt = " ".join(words[j] for j in picked) + f" ask Bob{i % 7} and not 3 Zed"
        turns = [("system", "Be brief."), ("user", prompt), ("assistant", f"Answer {i}")]
        conversations.append((turns, None))
    _assert_same_columns(_batch(conversations))


@pytest.mark.parametrize(
    "texts",
    [[], [""], ["a b a"], ["a b", "", "b c c"], [f"x {SEPARATOR} y", "y"], [SEPARATOR]],
)
def test_batch_words_are_each_texts_word_set(texts: list[str]) -> None:
    words = batch_words(texts)
    if words is None:  # refused only when a text holds the separator word
        assert len(texts) > 1 and any(SEPARATOR in t.split() for t in texts)
        return
    for i, text in enumerate(texts):
        mine = {words.vocab[w] for w in words.ids[words.rows == i].tolist()}
        assert mine == set(text.split())
        assert words.counts[i] == len(mine)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["a", "b", "ab", "", "  ", "\x00", "x" * 17, "y" * 40, "9", "not"]),
            max_size=12,
        ).map(" ".join),
        max_size=8,
    )
)
def test_ascii_prompt_words_are_the_split_ones(prompts: list[str]) -> None:
    """Normalised ASCII prompts (runs of spaces where a turn was empty, control
    characters, words longer than the numeric keys) cut by numpy: each prompt's word set
    and count are its split's."""
    words = C._prompt_words(prompts)
    assert words is not None
    for i, text in enumerate(prompts):
        mine = [words.vocab[w] for w in words.ids[words.rows == i].tolist()]
        assert len(mine) == len(set(mine)) and set(mine) == set(text.split())
        assert words.counts[i] == len(mine)
    assert list(words.ids) == sorted(words.ids.tolist())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "a",
                    "b",
                    "ab",
                    "",
                    "  ",
                    "\x00",
                    "x" * 17,
                    "é",
                    "東京",
                    "\u2003",
                    "ſ",
                    "İ",
                    "٣4",
                    "naïve",
                    "9",
                    "not",
                    "Straße",
                    "ǅ",
                ]
            ),
            max_size=12,
        ).map(" ".join),
        max_size=10,
    )
)
def test_mixed_prompt_words_are_the_split_ones(prompts: list[str]) -> None:
    """A batch of ASCII and other prompts (the ASCII ones cut by numpy, the others split,
    the vocabularies merged): each prompt's word set and count are its split's, the pairs
    ordered by word; None only when a prompt holds the separator as a word."""
    words = C._prompt_words(prompts)
    if words is None:
        assert any(SEPARATOR in t.split() for t in prompts)
        return
    for i, text in enumerate(prompts):
        mine = [words.vocab[w] for w in words.ids[words.rows == i].tolist()]
        assert mine == sorted(set(mine), key=mine.index) and set(mine) == set(text.split())
        assert words.counts[i] == len(mine)
    order = np.lexsort((words.rows, words.ids))
    assert np.array_equal(order, np.arange(len(order)))


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=string.printable),
        st.lists(st.sampled_from(_PIECES)).map("".join),
    )
)
def test_digit_runs_are_the_regex_runs(text: str) -> None:
    """The byte-table digit runs of ASCII text (and the regex's of others) are the regex's."""
    assert C.digit_runs(text) == " ".join(C._DIGITS.findall(text))


_NAME_PIECES = ["Paris", "Ab", "Bo", " ", "  ", "\n", "\t", "\x0b", "\x1c", "\x1f", ". ", ".",
                "!", "?", ":", "|", "\u2003", "'", "a", "x.", "\n \n", "I", "é", "_", "9", "(",
                "\x00"]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_NAME_PIECES), max_size=12).map("".join), max_size=6))
def test_batch_names_are_each_examples_names(named: list[str]) -> None:
    """The capitals screen keeps every example the pattern finds a name in, whatever
    stands around the capitals, at the start of a text or of the batch's joined text."""
    got = C._batch_names(named)
    for i, text in enumerate(named):
        found = sorted(C._PromptWords().name_hashes((text,), [0]))[: C.NAME_SKETCH]
        assert got[i][got[i] != 0].tolist() == found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(_PIECES)), max_size=40))
def test_sorted_letter_hashes_are_zlibs(words: list[str]) -> None:
    """Words of any length and script (the numpy path takes ASCII words up to 24 letters)."""
    got = sorted_letter_crcs(words)
    assert got.dtype == np.uint32
    for w, h in zip(words, got.tolist(), strict=True):
        assert h == zlib.crc32("".join(sorted(w)).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("size", [1, 2, 3, 17, 18, 19, 40])
def test_batch_names_of_every_length(size: int) -> None:
    """Names ending one letter at a time and those past the steps (found from the bytes
    that are no letter), at the end of a text, of the batch, and before punctuation."""
    name = "Q" + "x" * size
    named = [f"ask {name}", f"ask {name}, then Bo.", "é ask Zed", f"a {name}_b {name}a"]
    got = C._batch_names(named)
    for i, text in enumerate(named):
        found = sorted(C._PromptWords().name_hashes((text,), [0]))[: C.NAME_SKETCH]
        assert got[i][got[i] != 0].tolist() == found
