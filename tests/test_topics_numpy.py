"""The topic pipeline in numpy: the same TF-IDF as scikit-learn, clusters as good, the same
result on every run, and no scikit-learn (nor pandas, pyarrow) imported to check a file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from ftprep.similarity import kmeans
from ftprep.similarity.embed import cluster, embed
from ftprep.similarity.kmeans import distances, silhouette
from ftprep.similarity.stopwords import ENGLISH_STOP_WORDS

REAL = Path(__file__).resolve().parent / "data" / "real"


def _inputs(name: str) -> list[str]:
    """User turns of a real Alpaca or ShareGPT file (the text the topic sample keeps)."""
    rows = [json.loads(line) for line in (REAL / name).read_text("utf-8").splitlines()]
    if "conversations" in rows[0]:
        return [
            "\n\n".join(t["value"] for t in r["conversations"] if t["from"] == "human")
            for r in rows
        ]
    return [(r["instruction"] + "\n\n" + r["input"]).strip() for r in rows]


def test_tfidf_matches_scikit_learn_on_real_inputs() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SK_STOP
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _inputs("gpteacher_roleplay.jsonl")
    emb = embed(texts)
    assert emb is not None
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, dtype=np.float32)
    ref = vec.fit_transform(texts)
    assert ENGLISH_STOP_WORDS == SK_STOP
    assert list(emb.terms) == list(vec.get_feature_names_out())
    assert abs(emb.tfidf - ref).max() < 1e-6


def test_clusters_match_scikit_learn_silhouette_and_are_deterministic() -> None:
    from sklearn.metrics import silhouette_score

    texts = _inputs("fastchat_dummy_conversation.jsonl")
    emb = embed(texts)
    assert emb is not None
    first, again = cluster(emb), cluster(emb)
    assert np.array_equal(first.labels, again.labels) and first.names == again.names
    assert first.k >= 5 and first.silhouette is not None and first.silhouette > 0.5
    ours = silhouette(distances(emb.vectors), first.labels)
    assert ours == pytest.approx(silhouette_score(emb.vectors, first.labels), abs=1e-6)


def test_a_narrow_vocabulary_is_decomposed_exactly_with_the_sketchs_directions() -> None:
    """Fewer terms than the sketch's columns, more texts than terms: the exact SVD is taken
    (its result, bit for bit), and it gives the directions and projections the sketch gives
    (up to rounding), so the clusters built on them stay the same."""
    rng = np.random.default_rng(5)
    dense = rng.random((3_000, 40)) * (rng.random((3_000, 40)) < 0.3)
    x = sparse.csr_matrix(dense.astype(np.float32))
    projected, components = kmeans.truncated_svd(x, 32, 0)  # 32 + 10 oversamples > 40 terms
    exact = kmeans._oriented(x, kmeans._exact_svd(x, 32))
    sketched = kmeans._oriented(x, kmeans._sketched_svd(x, 32, 40, 0))
    assert np.array_equal(components, exact[1]) and np.array_equal(projected, exact[0])
    assert not np.array_equal(components, sketched[1])
    np.testing.assert_allclose(components, sketched[1], atol=1e-9)
    np.testing.assert_allclose(projected, sketched[0], atol=1e-9)
    # a wide matrix (the usual vocabulary) keeps the sketch
    wide = sparse.csr_matrix(rng.random((200, 500)) * (rng.random((200, 500)) < 0.05))
    assert np.array_equal(
        kmeans.truncated_svd(wide, 25, 0)[1],
        kmeans._oriented(wide, kmeans._sketched_svd(wide, 25, 35, 0))[1],
    )


@pytest.mark.parametrize(
    ("m", "n"), [(2_000, 74), (700, 74), (74, 74), (300, 1), (40, 3), (1_500, 130), (400, 200)]
)
def test_the_sketchs_orthonormal_basis_is_numpys_qr_bit_for_bit(m: int, n: int) -> None:
    """The power iterations' QR through NumPy's lapack_lite gives np.linalg.qr's Q exactly,
    on tall and square matrices, ill-conditioned ones, and past 128 columns (where LAPACK
    blocks its steps, by the workspace each asks for), and leaves its input as it was."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(m + n)
    a = rng.standard_normal((m, n)) * (rng.random(n) ** 6)  # columns of very unequal size
    for given in (a, np.asfortranarray(a), a[:, ::-1]):
        before = given.copy()
        with threadpool_limits(limits=1):
            got, want = kmeans._orthonormal(given), np.linalg.qr(given)[0]
        assert got.shape == want.shape and got.tobytes(order="C") == want.tobytes(order="C")
        assert np.array_equal(given, before)


def test_a_numpy_without_lapack_lite_gets_its_public_qr(monkeypatch: pytest.MonkeyPatch) -> None:
    """lapack_lite is not NumPy's public API: where it is missing, or its routines take
    other arguments, the sketch's basis is np.linalg.qr's, the same bits."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal((500, 20))
    want = np.linalg.qr(a)[0]
    assert kmeans._lapack_steps() is not None  # this NumPy has them: the fast path is live

    def other_signature(*_args: object) -> dict[str, int]:
        raise TypeError("takes other arguments")

    for steps in (None, (other_signature, other_signature)):
        monkeypatch.setattr(kmeans, "_lapack_steps", lambda steps=steps: steps)
        assert kmeans._orthonormal(a).tobytes() == want.tobytes()


def test_separate_topics_are_found_exactly() -> None:
    topics = {
        "weather": "what is the weather forecast for rain and wind in {} tomorrow",
        "cooking": "give me a recipe to bake bread with flour yeast and butter for {}",
        "finance": "how should I invest savings in stocks bonds and index funds for {}",
    }
    texts = [t.format(f"case {i}") for i in range(40) for t in topics.values()]
    emb = embed(texts)
    assert emb is not None
    found = cluster(emb, max_clusters=3)
    assert found.k == 3
    truth = np.tile(np.arange(3), 40)
    for c in range(3):  # each cluster holds exactly one topic
        assert len(set(truth[found.labels == c])) == 1
    vectors = emb.transform([topics["cooking"].format("a new guest")])
    assert found.predict(vectors)[0] == found.labels[1]


def test_validate_does_not_import_scikit_learn(tmp_path: Path) -> None:
    data = tmp_path / "small.jsonl"
    data.write_text((REAL / "fastchat_dummy_conversation.jsonl").read_text("utf-8"), "utf-8")
    probe = (
        "import sys\n"
        "from ftprep.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(data)!r}, '-q'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sklearn', 'pandas', 'pyarrow', 'scipy.stats', 'matplotlib')\n"
        "print('ftprep.similarity.kmeans' in sys.modules)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m == 'scipy.stats'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    ).stdout
    assert out.strip().splitlines()[-2:] == ["True", "[]"]  # topics clustered, nothing heavy


def test_the_sketch_does_not_import_scipy_linalg() -> None:
    """The power iterations' QR goes through NumPy's LAPACK: importing ``scipy.linalg`` for
    its two routines cost the topics child 65-100 ms of CPU (a file whose vocabulary is wide
    enough for the sketch, not the exact decomposition)."""
    probe = (
        "import json, sys\n"
        "from ftprep.similarity import kmeans\n"
        "from ftprep.similarity.embed import embed\n"
        "sketched = []\n"
        "plain = kmeans._sketched_svd\n"
        "kmeans._sketched_svd = lambda *a: sketched.append(1) or plain(*a)\n"
        f"rows = [json.loads(line) for line in open({str(REAL / 'gpteacher_roleplay.jsonl')!r})]\n"
        "embed([r['instruction'] + ' ' + r['input'] for r in rows])\n"
        "print(bool(sketched), 'scipy.linalg' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    ).stdout
    assert out.split() == ["True", "False"]


def test_connected_components_label_as_scipy() -> None:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    from ftprep.components import connected_components

    rng = np.random.default_rng(7)
    for n in (1, 2, 17, 300, 5000):
        for m in (0, n // 2, n, 3 * n):
            a, b = rng.integers(0, n, m), rng.integers(0, n, m)
            graph = coo_matrix((np.ones(m, dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
            ref = scipy_components(graph, directed=False)[1]
            assert np.array_equal(connected_components(n, a, b), ref)
    chain = rng.permutation(10_000)  # one long path: pointer jumping, not 10,000 rounds
    assert not connected_components(10_000, chain[:-1], chain[1:]).any()


def _counted_fit(texts, analyzer, min_df, max_features):
    """fit_transform by its definition: a Counter per text, document frequencies and total
    counts from them, the kept terms' counts looked up text by text."""
    from collections import Counter

    from ftprep.similarity.tfidf import Vocabulary, _counts, _weigh

    bags = [Counter(analyzer(t)) for t in texts]
    df: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for bag in bags:
        df.update(set(bag))
        total.update(bag)
    terms = sorted(t for t, d in df.items() if d >= min_df)
    if not terms:
        return None
    if len(terms) > max_features:
        freq = np.array([total[t] for t in terms], dtype=np.int64)
        terms = [terms[i] for i in np.sort(np.argsort(-freq, kind="stable")[:max_features])]
    index = {t: i for i, t in enumerate(terms)}
    counts = _counts(bags, index)
    dfs = np.bincount(counts.indices, minlength=len(terms)).astype(np.float32)
    idf = (np.log(np.float32(len(texts) + 1) / (dfs + np.float32(1))) + np.float32(1)).astype(
        np.float32
    )
    return Vocabulary(analyzer, np.array(terms, dtype=object), index, idf), _weigh(counts, idf)


@pytest.mark.parametrize("chunk", [2_000, 7])
@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize(
    ("unsegmented", "bigram_stop"), [(False, False), (True, False), (True, True)]
)
def test_corpus_counting_gives_the_matrix_of_a_counter_per_text(
    unsegmented: bool, bigram_stop: bool, wide: bool, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fit_transform counts the whole corpus at once (stop words dropped per distinct
    word): the same vocabulary, idf and matrix, bit for bit, as counting text by text,
    whether its codes are counted densely (a few distinct words) or sorted (``wide``),
    for texts with and without an unsegmented script side by side, and when a stop word
    is itself a character bigram (``bigram_stop``: the analyzer's own path for all);
    and whether the texts' words are numbered all at once or ``chunk`` texts at a time."""
    from ftprep.similarity import tfidf
    from ftprep.similarity.scripts import TopicAnalyzer
    from ftprep.similarity.tfidf import fit_transform

    monkeypatch.setattr(tfidf, "_TERM_CHUNK", chunk)

    rng = np.random.default_rng(3)
    vocab = ["the", "and", "Alpha", "beta", "gamma", "ΣΟΦΙΑ", "x1", "42", "délai", "of", "a"]
    vocab += ["B", "7", "_", "x-y", "Q.", "é"]  # one-character words: never terms
    vocab += ["中文文本"] if unsegmented else []
    vocab += [f"w{i}_z{i % 7}" for i in range(3_000)] if wide else []
    longest = 12 if wide else 40  # a few words, many times: the dense count
    texts = [" ".join(rng.choice(vocab, size=rng.integers(0, longest))) for _ in range(300)]
    texts += ["", "the of and", "ΑΣ ας"]
    texts += ["the 中文 and of", "Délai 中文文本 x1", "中文", "ΣΟΦΙΑ and délai"]
    analyzer = TopicAnalyzer(ENGLISH_STOP_WORDS | ({"文本"} if bigram_stop else set()))
    for min_df, max_features in ((1, 10_000), (2, 5), (3, 1), (400, 10)):
        want = _counted_fit(texts, analyzer, min_df, max_features)
        got = fit_transform(texts, analyzer, min_df=min_df, max_features=max_features)
        if want is None:
            assert got is None
            continue
        assert got is not None
        assert list(got[0].terms) == list(want[0].terms) and got[0].index == want[0].index
        assert got[0].idf.tobytes() == want[0].idf.tobytes()
        for part in ("data", "indices", "indptr"):
            a, b = getattr(got[1], part), getattr(want[1], part)
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_dense_counting_is_np_unique() -> None:
    """The dense count of a small code space gives np.unique's values, counts and dtypes."""
    from ftprep.similarity.tfidf import _counted

    rng = np.random.default_rng(5)
    for space, size in ((50, 400), (1_000, 100), (7, 0), (1, 3)):
        codes = rng.integers(0, space, size=size).astype(np.int64)
        got, want = _counted(codes, space), np.unique(codes, return_counts=True)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_ascii_text_is_cut_into_the_word_patterns_words() -> None:
    """On text of ASCII characters only, translate + split (lower-cased) and dropping the
    one-character runs give the word pattern's words of the lower-cased text, in order."""
    import string

    from ftprep.similarity.scripts import _WORD2
    from ftprep.similarity.tfidf import _ASCII_SINGLES, _ASCII_WORDS

    rng = np.random.default_rng(11)
    alphabet = np.array(list(string.printable + "\x00\x1c\x1f\x7f"))
    texts = ["", " ", "a", "I", "_", "x_y", "Ab CD e1 2 __ A-b"]
    texts += ["".join(rng.choice(alphabet, size=int(rng.integers(0, 80)))) for _ in range(2_000)]
    for text in texts:
        got = [w for w in text.translate(_ASCII_WORDS).split() if w not in _ASCII_SINGLES]
        assert got == _WORD2.findall(text.lower())
        assert all(len(w) == 1 for w in text.translate(_ASCII_WORDS).split() if w in _ASCII_SINGLES)
