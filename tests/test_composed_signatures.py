"""The dialogues' MinHash computed once per batch, with each message's own sketch taken from
the same hashed windows, equals the signatures of the texts written out: the near-duplicate
MinHash of every dialogue, each message's 32-bin sketch, and the prompt sketch's character
columns (tests/test_prompt_sketch_batch.py), for any mix of short, long, non-ASCII and
unsegmented texts."""

from __future__ import annotations

import string
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.features import FeatureContext, batch_scope
from ftprep.schema import ChatExample, Message, SourceLocation
from ftprep.similarity import minhash
from ftprep.similarity.composed import batch_dialogues, dialogue_text
from ftprep.similarity.minhash import EMPTY, signatures, signatures_with_pieces
from ftprep.similarity.neardup import minhash_feature
from ftprep.similarity.normalize import normalize_text

_ROLES = ["system", "developer", "user", "assistant", "assistant", "tool", "ab", "{0}}"]
_PIECES = ["hello", "wo", "a", "", " ", "é", "東京都", "ไทย", "12345", "x", "Straße",
           "\x00", "_", "ﬁ"]  # fmt: skip
_TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=8).map(" ".join),
    st.text(max_size=12),
    st.text(alphabet=string.ascii_letters + " ", max_size=200),
)
_CONVERSATIONS = st.lists(
    st.lists(st.tuples(st.sampled_from(_ROLES), _TEXT), min_size=1, max_size=5), max_size=6
)


@settings(max_examples=500, deadline=None)
@given(_CONVERSATIONS)
def test_dialogue_minhash_is_the_written_dialogues(
    conversations: list[list[tuple[str, str]]],
) -> None:
    where = SourceLocation(source="x", line=1)
    batch = [
        ChatExample(messages=[Message(role=r, content=t) for r, t in turns], location=where)
        for turns in conversations
    ]
    with batch_scope() as memo:
        cols = minhash_feature(batch, FeatureContext(encoding=None, batch=memo))
    dialogues = [
        dialogue_text([r for r, _ in turns], [normalize_text(t) for _, t in turns])
        for turns in conversations
    ]
    assert np.array_equal(cols["minhash"], signatures(dialogues))
    assert cols["dialogue_len"].dtype == np.int32
    assert cols["dialogue_len"].tolist() == [len(d) for d in dialogues]


@settings(max_examples=500, deadline=None)
@given(_CONVERSATIONS)
def test_each_messages_sketch_is_its_texts(conversations: list[list[tuple[str, str]]]) -> None:
    """Every message given a sketch of its own (non-system, a window long, in an ASCII
    dialogue) has its text's 32-bin signature; a batch without ASCII dialogues gives none."""
    normalized = [[normalize_text(t) for _, t in turns] for turns in conversations]
    roles = [[r for r, _ in turns] for turns in conversations]
    found = batch_dialogues(normalized, roles, {})
    ascii_dialogue = [dialogue_text(r, t).isascii() for r, t in zip(roles, normalized, strict=True)]
    if found.message_sig is None or found.has_sig is None:
        assert not any(ascii_dialogue)
        return
    m = 0
    for i, texts in enumerate(normalized):
        for role, text in zip(roles[i], texts, strict=True):
            own = ascii_dialogue[i] and len(text) >= 5 and role not in ("system", "developer")
            assert bool(found.has_sig[m]) == own
            if own:
                assert found.message_sig[m].tolist() == signatures([text], bins=32)[0].tolist()
            m += 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=string.ascii_letters + " \n", max_size=60), min_size=1, max_size=5),
    st.data(),
)
def test_pieces_sketch_their_windows(texts: list[str], data: st.DataObject) -> None:
    """Pieces anywhere in the texts (at the ends, adjacent, none at all)."""
    index, start, end = [], [], []
    for i, text in enumerate(texts):
        at = 0
        while at + 5 <= len(text) and data.draw(st.booleans()):
            s = data.draw(st.integers(at, len(text) - 5))
            e = data.draw(st.integers(s + 5, len(text)))
            index.append(i), start.append(s), end.append(e)
            at = e
    arrays = tuple(np.asarray(v, dtype=np.int64) for v in (index, start, end))
    # windows are hashed a chunk at a time: chunks of a few windows put run and text
    # boundaries on every side of a chunk's edge
    with patch.object(minhash, "_CHUNK", data.draw(st.sampled_from([1, 3, 7, 1 << 15]))):
        found = signatures_with_pieces(texts, arrays, bins=64, piece_bins=32)
    assert found is not None
    sig, pieces = found
    assert np.array_equal(sig, signatures(texts, bins=64))
    expected = signatures([texts[i][s:e] for i, s, e in zip(index, start, end, strict=True)], 32)
    assert np.array_equal(pieces, expected.reshape(len(index), 32))
    assert not (pieces == EMPTY).all(axis=1).any()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_TEXT, max_size=8),
    st.sampled_from([(32, 5), (128, 5), (64, 1), (64, 9)]),
)
def test_signatures_of_a_mixed_batch_are_each_texts_own(
    texts: list[str], shape: tuple[int, int]
) -> None:
    """ASCII, accented and unsegmented texts in one batch: each row is what the text gives
    on its own (the ASCII ones go through the one-buffer path whatever the others are)."""
    bins, k = shape
    got = signatures(texts, bins=bins, k=k)
    for i, text in enumerate(texts):
        assert got[i].tolist() == signatures([text], bins=bins, k=k)[0].tolist()


_WORDY = st.text(alphabet=string.ascii_lowercase + " ", min_size=0, max_size=40).map(
    lambda t: " ".join(t.split())
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_WORDY, min_size=1, max_size=4), min_size=1, max_size=6))
def test_a_text_of_joined_messages_is_sketched_from_theirs(turns: list[list[str]]) -> None:
    """A prompt of several turns (their normalised texts joined by single spaces) gets,
    from its turns' sketches and the windows across each join, the sketch of its text."""
    from ftprep.similarity.composed import MESSAGE_BINS, message_or_own_signatures

    normalized = [[normalize_text(t) for t in texts] for texts in turns]
    roles = [["user"] * len(texts) for texts in turns]
    dialogues = batch_dialogues(normalized, roles, {})
    first = np.cumsum([len(t) for t in normalized]) - [len(t) for t in normalized]
    texts = [" ".join(t) for t in normalized]
    joined = [tuple(range(f, f + len(t))) for f, t in zip(first.tolist(), normalized, strict=True)]
    got = message_or_own_signatures(texts, [-1] * len(texts), dialogues, joined)
    assert np.array_equal(got, signatures(texts, bins=MESSAGE_BINS))
