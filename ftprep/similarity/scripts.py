"""Tokens for scripts written without spaces between words (Chinese, Japanese, Thai, ...).

Word-based measures split text at non-word characters, so a Chinese sentence is one "word":
every input is its own token, TF-IDF finds no shared terms (the topic clusters all come out
as "(no words)"), distinct-n is meaningless and cosine similarity is 0 or 1. For these
scripts the unit is the character: runs of them become character n-grams (bigrams for
topics, characters for distinct-n, trigrams for near-duplicate shingles), while words of
spaced scripts around them stay words.

Text without any such character is tokenised exactly as before (callers keep their original
path for it), so results on Latin-script data do not change. Hangul is written with spaces
between words and stays word-based.

Every function here is pure: a corpus is tokenised from its own texts alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

#: Han (with extensions and compatibility ideographs), kana, Thai, Lao, Myanmar, Khmer.
UNSEGMENTED = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002fa1f\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
)
_RUN = re.compile(f"[{UNSEGMENTED}]+")
_ANY = re.compile(f"[{UNSEGMENTED}]")
#: scikit-learn's default word pattern (TfidfVectorizer) and the one distinct-n uses.
_WORD2 = re.compile(r"(?u)\b\w\w+\b")
_WORD1 = re.compile(r"(?u)\b\w+\b")


def has_unsegmented(text: str) -> bool:
    """True when ``text`` holds at least one character of an unsegmented script."""
    return _ANY.search(text) is not None


def any_unsegmented(texts: Iterable[str]) -> bool:
    return any(has_unsegmented(t) for t in texts)


def char_ngrams(run: str, n: int) -> list[str]:
    """The character n-grams of ``run`` (the run itself when it is shorter than n)."""
    if len(run) <= n:
        return [run]
    return [run[i : i + n] for i in range(len(run) - n + 1)]


def topic_terms(text: str, stop_words: frozenset[str] = frozenset()) -> list[str]:
    """TF-IDF terms: words (2+ word characters, lower-cased, stop words dropped) of the
    spaced parts, character bigrams of the unsegmented runs."""
    text = text.lower()
    terms: list[str] = []
    pos = 0
    for m in _RUN.finditer(text):
        terms += [w for w in _WORD2.findall(text[pos : m.start()]) if w not in stop_words]
        terms += char_ngrams(m.group(), 2)
        pos = m.end()
    terms += [w for w in _WORD2.findall(text[pos:]) if w not in stop_words]
    return terms


def units(text: str) -> list[str]:
    """Tokens in reading order for distinct-n: words of the spaced parts (lower-cased), one
    token per character of the unsegmented runs."""
    text = text.lower()
    out: list[str] = []
    pos = 0
    for m in _RUN.finditer(text):
        out += _WORD1.findall(text[pos : m.start()])
        out += list(m.group())
        pos = m.end()
    out += _WORD1.findall(text[pos:])
    return out


class TopicAnalyzer:
    """A picklable TF-IDF analyzer: :func:`topic_terms` with a fixed stop-word list."""

    def __init__(self, stop_words: Iterable[str] = ()) -> None:
        self.stop_words = frozenset(stop_words)

    def __call__(self, text: str) -> list[str]:
        return topic_terms(text, self.stop_words)


#: A line is boilerplate when at least this many texts, and this share of them, hold it.
BOILERPLATE_MIN_TEXTS = 5
BOILERPLATE_MIN_SHARE = 0.01


def boilerplate_lines(texts: Sequence[str]) -> frozenset[str]:
    """Lines (stripped) that at least BOILERPLATE_MIN_TEXTS texts and BOILERPLATE_MIN_SHARE
    of them hold *next to other lines*: a tool description or instruction pasted above each
    request. A text that is a single line ("Who are you?") is the request itself and never
    makes its line boilerplate."""
    counts: Counter[str] = Counter()
    for t in texts:
        lines = {ln.strip() for ln in t.splitlines() if ln.strip()}
        if len(lines) >= 2:
            counts.update(lines)
    floor = max(BOILERPLATE_MIN_TEXTS, BOILERPLATE_MIN_SHARE * len(texts))
    return frozenset(ln for ln, c in counts.items() if c >= floor)


def strip_lines(text: str, drop: frozenset[str]) -> str:
    """``text`` without the ``drop`` lines, unless nothing else would be left."""
    if not drop:
        return text
    kept = [ln for ln in text.splitlines() if ln.strip() not in drop]
    return "\n".join(kept) if any(ln.strip() for ln in kept) else text
