"""TF-IDF rows of texts with numpy and scipy.sparse: scikit-learn's ``TfidfVectorizer``
weighting (sublinear tf, smoothed idf, L2 rows) without importing scikit-learn.

Importing scikit-learn costs more than a second of start-up (it pulls scipy.stats, pandas and
pyarrow) and a small file is checked in less. The weighting is the same formula:
``tf = 1 + ln(count)``, ``idf = ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length.
The vocabulary keeps the terms found in at least ``min_df`` texts, the ``max_features`` most
frequent of them overall (ties: alphabetical order), in alphabetical order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from ftprep.similarity.scripts import _WORD2, TopicAnalyzer, has_unsegmented

Analyzer = Callable[[str], list[str]]


def _is_ascii_word_character(c: str) -> bool:
    r"""``\w`` of the word pattern (:data:`~ftprep.similarity.scripts._WORD2`) on a
    character of ASCII text: ``[a-zA-Z0-9_]``."""
    return c.isalnum() or c == "_"


#: ``str.translate`` table turning text of ASCII characters into its lower-cased words
#: separated by spaces: word characters kept (capitals lower-cased), all others spaces.
#: Its ``split()`` gives the runs of word characters, i.e. the word pattern's words of the
#: lower-cased text plus the runs of one character, which the pattern's 2+ characters leave
#: out (:data:`_ASCII_SINGLES`).
_ASCII_WORDS = str.maketrans(
    {chr(c): chr(c).lower() if _is_ascii_word_character(chr(c)) else " " for c in range(128)}
)
#: The one-character words of that split (after lower-casing), dropped per distinct word.
_ASCII_SINGLES = frozenset(chr(c).lower() for c in range(128) if _is_ascii_word_character(chr(c)))


@dataclass
class Vocabulary:
    """Fitted terms (alphabetical), their column numbers and idf weights."""

    analyzer: Analyzer
    terms: np.ndarray
    index: dict[str, int]
    idf: np.ndarray

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows of ``texts`` over this vocabulary (unknown terms ignored)."""
        return _weigh(_counts([Counter(self.analyzer(t)) for t in texts], self.index), self.idf)


def fit_transform(
    texts: Sequence[str], analyzer: Analyzer, *, min_df: int, max_features: int
) -> tuple[Vocabulary, sparse.csr_matrix] | None:
    """The vocabulary of ``texts`` and their TF-IDF rows; None when no term is kept.

    The counting is done for the whole corpus at once: every term occurrence becomes a
    (text, term number) code, and one sort of the codes gives each text's counts, sorted,
    and each term's document frequency. The same matrix as a ``Counter`` per text and a
    dictionary pass over them (:meth:`Vocabulary.transform`'s way), in ~60% of the time,
    on the topic sample of every run. Terms are numbered alphabetically before they are
    coded, so the sorted codes are already the matrix's entries in order (row by row,
    columns ascending): no second sort lays them out."""
    n = len(texts)
    lengths, term, ids, stop = _coded_terms(texts, analyzer)
    row = np.repeat(np.arange(n, dtype=np.int64), lengths)
    words = list(ids)
    if stop:
        dropped = np.fromiter(map(stop.__contains__, words), bool, count=len(words))
        kept = ~dropped[term]
        term, row = term[kept], row[kept]
    # renumber the words alphabetically (the vocabulary's order)
    alphabetical = sorted(range(len(words)), key=words.__getitem__)
    rank = np.empty(len(words), dtype=np.int64)
    rank[alphabetical] = np.arange(len(words))
    words = [words[i] for i in alphabetical]
    width = max(len(words), 1)
    pairs, counts = _counted(row * width + rank[term], n * width)
    pair_row, pair_term = pairs // width, pairs % width
    df = np.bincount(pair_term, minlength=len(words))
    chosen = np.flatnonzero(df >= min_df)  # word numbers, so in alphabetical order
    if not len(chosen):
        return None
    if len(chosen) > max_features:
        # total count of each term (sums of integer counts: exact in float64)
        total = np.bincount(pair_term, weights=counts, minlength=len(words))
        freq = total[chosen].astype(np.int64)
        chosen = chosen[np.sort(np.argsort(-freq, kind="stable")[:max_features])]
    terms = [words[i] for i in chosen.tolist()]
    index = {t: i for i, t in enumerate(terms)}
    column_of = np.full(len(words), -1, dtype=np.int64)
    column_of[chosen] = np.arange(len(terms))
    cols = column_of[pair_term]
    known = cols >= 0
    # built here rather than by _csr (whose entries need sorting): the entries are in
    # order, and their int64 forms are freed as each is converted, not all held at once
    # by a call (the topics child's peak: ~15 MB at 100,000 examples)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_row[known], minlength=n), out=indptr[1:])
    counts_matrix = sparse.csr_matrix(
        (counts[known].astype(np.float32), cols[known].astype(np.int32), indptr),
        shape=(n, len(terms)),
    )
    dfs = np.bincount(counts_matrix.indices, minlength=len(terms)).astype(np.float32)
    idf = np.log(np.float32(n + 1) / (dfs + np.float32(1))) + np.float32(1)
    vocab = Vocabulary(analyzer, np.array(terms, dtype=object), index, idf.astype(np.float32))
    return vocab, _weigh(counts_matrix, vocab.idf)


#: Texts whose words are held as strings at once while they are numbered: the words of
#: the whole 20,000-text topic sample held together (stop words included, dropped later
#: per distinct word) were ~40 MB of the topics child's peak on natural text.
_TERM_CHUNK = 2_000


def _coded_terms(
    texts: Sequence[str], analyzer: Analyzer
) -> tuple[np.ndarray, np.ndarray, dict[str, int], frozenset[str]]:
    """Each text's number of terms, every term occurrence's number (texts in order), the
    numbers of the terms (by first occurrence) and the stop words still to drop.

    :func:`_terms` of :data:`_TERM_CHUNK` texts at a time, each chunk's words numbered and
    let go before the next is cut. The numbering order is an intermediate (the caller
    renumbers the terms alphabetically), so chunking changes no result."""
    ids: dict[str, int] = {}
    lengths: list[np.ndarray] = []
    terms: list[np.ndarray] = []
    stop: frozenset[str] = frozenset()
    for start in range(0, len(texts), _TERM_CHUNK):
        words_of, stop = _terms(texts[start : start + _TERM_CHUNK], analyzer)
        # new words numbered in order of first occurrence (a dictionary built in C)
        fresh = [w for w in dict.fromkeys(chain.from_iterable(words_of)) if w not in ids]
        ids.update(zip(fresh, range(len(ids), len(ids) + len(fresh)), strict=True))
        counts = np.fromiter(map(len, words_of), np.int64, count=len(words_of))
        found = map(ids.__getitem__, chain.from_iterable(words_of))
        terms.append(np.fromiter(found, np.int64, count=int(counts.sum())))
        lengths.append(counts)
        del words_of
    if not terms:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), ids, stop
    return np.concatenate(lengths), np.concatenate(terms), ids, stop


def _counted(codes: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes`` (all in ``range(space)``), sorted, and how often
    each occurs: ``np.unique(codes, return_counts=True)``. A code space no larger than
    twice the codes (a small vocabulary) is counted in one pass over a dense array
    instead of sorted."""
    if space <= 2 * len(codes):
        dense = np.bincount(codes, minlength=space)
        found = np.flatnonzero(dense)
        return found, dense[found]
    return np.unique(codes, return_counts=True)


def _terms(texts: Sequence[str], analyzer: Analyzer) -> tuple[list[list[str]], frozenset[str]]:
    """Each text's terms and the stop words still to drop from them.

    For :class:`~ftprep.similarity.scripts.TopicAnalyzer`, a text without unsegmented
    scripts (the usual case) has its words found by one C-level call, and the stop words
    are dropped afterwards, once per distinct word: what the analyzer gives
    (:func:`~ftprep.similarity.scripts.topic_terms`, which for such text is the words of
    the lower-cased text minus the stop words), with no Python-level step per word. Text
    of ASCII characters only (which holds no unsegmented script) is lower-cased and cut
    into its runs of word characters by ``translate`` and ``split``
    (:data:`_ASCII_WORDS`), 20% sooner than the regular expression (35 ms on the natural
    100K topic sample); the one-character runs this also gives are dropped with the stop
    words (no other path yields a one-character ASCII term). A text with unsegmented
    characters gets the analyzer's terms, stop words already dropped; its character
    bigrams are no stop word (checked: none of them holds such a character), so dropping
    the stop words again leaves them as they are. Decided text by text: a corpus of
    natural text where 2% hold Chinese characters no longer takes the analyzer's path for all
    of them (0.49 -> 0.26 s on 20,000 texts)."""
    if isinstance(analyzer, TopicAnalyzer) and not any(map(has_unsegmented, analyzer.stop_words)):
        table, words = _ASCII_WORDS, _WORD2.findall
        return [
            text.translate(table).split()
            if text.isascii()
            else (analyzer(text) if has_unsegmented(low := text.lower()) else words(low))
            for text in texts
        ], analyzer.stop_words | _ASCII_SINGLES
    return [analyzer(t) for t in texts], frozenset()


def _counts(bags: Sequence[Counter[str]], index: dict[str, int]) -> sparse.csr_matrix:
    """Term counts per text (CSR, columns sorted within each row).

    Every bag's terms are looked up in one flat pass and the entries sorted by (row,
    column) in numpy: a bag holds each term once, so that order is the per-row sort."""
    n = len(bags)
    size = sum(map(len, bags))
    # dict.get mapped over the terms (unknown ones: -1) loops in C, not in a generator
    found = map(index.get, chain.from_iterable(bags), repeat(-1, size))
    cols = np.fromiter(found, np.int64, count=size)
    vals = np.fromiter(chain.from_iterable(b.values() for b in bags), np.int64, count=size)
    rows = np.repeat(np.arange(n, dtype=np.int64), [len(b) for b in bags])
    known = cols >= 0
    return _csr(n, len(index), rows[known], cols[known], vals[known])


def _csr(
    n: int, width: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray
) -> sparse.csr_matrix:
    """The (``n`` × ``width``) count matrix of distinct (row, column) entries, columns sorted
    within each row."""
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sparse.csr_matrix(
        (
            vals[order].astype(np.float32),
            cols[order].astype(np.int32),
            indptr,
        ),
        shape=(n, width),
    )


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf times idf, each row scaled to unit length (empty rows stay empty)."""
    x = counts.copy()
    np.log(x.data, out=x.data)
    x.data += np.float32(1)
    x.data *= idf[x.indices]
    return l2_rows(x)


def l2_rows(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """``x`` with each non-empty row scaled to unit Euclidean length."""
    squares = sparse.csr_matrix((x.data.astype(np.float64) ** 2, x.indices, x.indptr), x.shape)
    lengths = np.diff(x.indptr)
    sq = np.asarray(squares.sum(axis=1)).ravel()
    norms = np.sqrt(sq)
    norms[norms == 0] = 1.0
    x.data = (x.data / np.repeat(norms, lengths)).astype(np.float32)
    return x


def l2_dense(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` scaled to unit Euclidean length (zero rows stay zero), as float32."""
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    norms[norms == 0] = 1.0
    return (x / norms[:, None]).astype(np.float32)
