"""The per-batch shortcuts of the answer profile and the prompt sketch give the values of
the plain rules they replaced (so speeding them up never changes a finding)."""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.clean import answer_profile, contradictions
from ftprep.features import FEATURES, FeatureContext
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity.minhash import (
    EMPTY,
    id_set_signatures,
    mix64,
    set_signatures,
    signatures,
)
from ftprep.similarity.normalize import conversation_hashes, hash64_array, normalize_text

_PIECES = ["Paris", "in", "2024", "the", "3.5%", "x12", " ", ". ", "\n", "{", "Bob", "é",
           "Straße", "ÉCOLE", "cats", "cat", "a", "yes", "No", "!", "\t", "ﬁ"]  # fmt: skip
_ANSWER = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=50).map("".join),
    st.text(max_size=40),
)


def _batch(answers: list[str]) -> list[ChatExample]:
    where = SourceLocation(source="x", line=1)
    return [
        ChatExample(
            messages=[Message(role="user", content="Q?"), Message(role="assistant", content=a)],
            location=where,
        )
        for a in answers
    ]


def _bloom_as_before(text: str) -> list[int] | None:
    """The 256-bit word filter as it was computed: four 64-bit words, one bit per distinct
    word (``None``: the answer has no filter)."""
    kind, _ = answer_profile.classify(text, None)
    words = normalize_text(text.strip()).split()
    if kind not in (answer_profile.LABEL, answer_profile.FREE) or len(words) > 40:
        return None
    bits = [0, 0, 0, 0]
    for w in set(words):
        bit = zlib.crc32(w.encode("utf-8", "surrogatepass")) & 0xFF
        bits[bit >> 6] |= 1 << (bit & 63)
    return bits


@settings(max_examples=300, deadline=None)
@given(st.lists(_ANSWER, min_size=1, max_size=8))
def test_answer_word_filter_is_the_per_word_rule(answers: list[str]) -> None:
    cols = answer_profile.answer_profile_feature(_batch(answers), FeatureContext(encoding=None))
    bloom = cols["answer_bloom"]
    assert isinstance(bloom, np.ndarray) and bloom.dtype == np.uint64
    for i, text in enumerate(answers):
        expected = _bloom_as_before(text)
        assert bloom[i].tolist() == (expected if expected is not None else [0, 0, 0, 0])


_ROLES = ["system", "developer", "user", "assistant", "tool"]
_PROMPT_PIECES = ["Tell", "me", "about", "Paris", "Albert", "Einstein", "not", "wihtout",
                  "42", "3.5", " ", ". ", "\n", ": ", "| ", "O'Neil", "é", "Zürich"]  # fmt: skip
_TURN = st.tuples(
    st.sampled_from(_ROLES),
    st.one_of(
        st.lists(st.sampled_from(_PROMPT_PIECES), max_size=12).map("".join), st.text(max_size=15)
    ),
)


def _names_as_before(texts: list[str], prompt: list[int]) -> set[int]:
    """The prompt's name hashes as they were computed: every name keyed and hashed anew."""
    keys = {
        "".join(sorted(w.lower()))
        for j in prompt
        for w in contradictions._MID_NAME.findall(texts[j])
    }
    return {zlib.crc32(k.encode("utf-8", "surrogatepass")) or 1 for k in keys}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TURN, min_size=1, max_size=5), min_size=1, max_size=6))
def test_prompt_sketch_is_the_plain_prompt_rule(conversations: list[list[tuple[str, str]]]) -> None:
    """Prompts without a system turn take a shortcut; the prompt texts, system prompts and
    names are those of the plain rule (every turn before the final answer but system ones)."""
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role=r, content=t) for r, t in turns], location=where)
        for turns in conversations
    ]
    cols = contradictions.prompt_sketch_feature(batch, FeatureContext(encoding=None))
    known = contradictions._PromptWords()
    prompts, keys = [], []
    for i, turns in enumerate(conversations):
        roles = [r for r, _ in turns]
        raw = [t for _, t in turns]
        norm = [normalize_text(t) for t in raw]
        last = batch[i].last_assistant_index
        cut = len(turns) if last is None else last
        prompt = [j for j in range(cut) if roles[j] not in ("system", "developer")]
        text = " ".join([norm[j] for j in prompt])
        prompts.append(text)
        words = set(text.split())
        known.learn(words)
        system = "\n".join([t for r, t in turns if r in ("system", "developer")])
        digits = known.numbers(text, words)
        keys.append(f"{system}\x1e\x1e{digits}\x1e{known.negations(words)}\x1e")
        names = sorted(_names_as_before(raw, prompt))[: contradictions.NAME_SKETCH]
        row = cols["prompt_names"][i]
        assert row[row != 0].tolist() == names
        assert cols["prompt_words"][i] == len(words)
    assert np.array_equal(cols["prompt_sig"], contradictions.word_signatures(prompts))
    assert np.array_equal(cols["prompt_key"], hash64_array(keys, len(keys)))
    chars = signatures(prompts, bins=contradictions.SMALL_BINS)
    assert np.array_equal(cols["prompt_char_sig"], chars)


def _byte_signature_as_before(text: str, bins: int, k: int) -> list[int]:
    """One text's MinHash over its ``k``-byte windows, window by window (a text shorter
    than a window is one zero-padded window; a window wider than eight bytes keeps its
    last eight)."""
    data = text.encode("utf-8", "surrogatepass")
    padded = data + b"\0" * (k - 1)
    last = max(len(data) - k + 1, 1)
    windows = [int.from_bytes(padded[p : p + k], "big") % 2**64 for p in range(last)]
    sig = [int(EMPTY)] * bins
    if not data:
        return sig
    mixed = mix64(np.array(windows, dtype=np.uint64))
    shift = 64 - (bins.bit_length() - 1)
    for h in mixed.tolist():
        slot, value = h >> shift, min(h & 0xFFFF, 0xFFFE)
        sig[slot] = min(sig[slot], value)
    return sig


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=30),
            st.text(alphabet="abc é\0", max_size=12),
        ),
        max_size=8,
    ),
    st.sampled_from([(32, 5), (64, 5), (128, 5), (64, 1), (64, 8), (64, 3), (64, 9)]),
)
def test_byte_signatures_of_a_batch_are_each_texts_own(
    texts: list[str], shape: tuple[int, int]
) -> None:
    """ASCII batches are encoded as one buffer; every row is still its own text's MinHash."""
    bins, k = shape
    got = signatures(texts, bins=bins, k=k)
    assert got.shape == (len(texts), bins)
    for i, text in enumerate(texts):
        assert got[i].tolist() == _byte_signature_as_before(text, bins, k)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_TURN, min_size=1, max_size=5), min_size=1, max_size=6))
def test_batch_hashes_are_each_examples_conversation_hashes(
    conversations: list[list[tuple[str, str]]],
) -> None:
    """The hashes feature reads the roles from the batch's turns; its hashes are those of
    :func:`conversation_hashes` of each example on its own."""
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role=r, content=t) for r, t in turns], location=where)
        for turns in conversations
    ]
    cols = FEATURES["hashes"].extract(batch, FeatureContext(encoding=None))
    for i, ex in enumerate(batch):
        whole, prompt, answer = conversation_hashes(ex)
        assert (cols["hash_conversation"][i], cols["hash_prompt"][i]) == (whole, prompt)
        assert cols["hash_answer"][i] == answer


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 11)), max_size=60),
    st.sampled_from([32, 64, 128]),
)
def test_id_set_signatures_are_the_pairs_set_signatures(
    element_hashes: list[int], pairs: list[tuple[int, int]], bins: int
) -> None:
    """Each distinct element mixed once and gathered per pair gives the signatures of the
    pairs' own hashes (repeated pairs, empty rows, ids in any order)."""
    table = np.array(element_hashes, dtype=np.uint32)
    owners = np.array([o for o, _ in pairs], dtype=np.int64)
    ids = np.array([i % len(table) for _, i in pairs], dtype=np.int64)
    got = id_set_signatures(owners, ids, table, 6, bins)
    assert np.array_equal(got, set_signatures(owners, table[ids].astype(np.uint64), 6, bins))
