"""Language mismatch: an answer written in another language than its prompt.

A cheap, offline detector, no model: the writing system of the letters (Latin, Cyrillic,
Greek, Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese, Korean) decides first; two
Latin-script texts are told apart by their most frequent function words (English, Spanish,
French, German, Portuguese, Italian, Dutch). A text gets a language only when the evidence
is clear (enough letters, one script dominating, function words of one language well ahead
of the others); otherwise it is not judged. Prompts that name a language or ask for a
translation are skipped: there a change of language is the task.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from ftprep.checks.base import REGISTRY, CheckSettings, batch_form, example_check
from ftprep.checks.batch_view import CheckBatch, Turns, turns_of
from ftprep.checks.byte_words import groups, hits, numbers_of, word_numbers
from ftprep.checks.prose import strip_code, word_set
from ftprep.schema import ChatExample

_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("Cyrillic", "\u0400-\u04ff"),
    ("Greek", "\u0370-\u03ff"),
    ("Arabic", "\u0600-\u06ff\u0750-\u077f"),
    ("Hebrew", "\u0590-\u05ff"),
    ("Devanagari", "\u0900-\u097f"),
    ("Thai", "\u0e00-\u0e7f"),
    ("Korean", "\uac00-\ud7af\u1100-\u11ff"),
    ("Japanese", "\u3040-\u30ff"),
    ("Chinese", "\u4e00-\u9fff\u3400-\u4dbf"),
)
#: Each script's letters as a regex: the straightforward count ``_script_letters`` is held to.
_SCRIPT_RX = tuple((name, re.compile(f"[{chars}]")) for name, chars in _SCRIPTS)
#: Any letter of those scripts: one scan tells whether the nine counts are worth taking
#: (most non-ASCII text is Latin with a curly quote, a dash or an accent).
_ANY_SCRIPT = re.compile("[" + "".join(chars for _, chars in _SCRIPTS) + "]")


def _script_table() -> np.ndarray:
    """Per UTF-16 code unit: 1 + the index in ``_SCRIPTS`` of the script it is a letter
    of, 0 for none (the ranges are all below the surrogates, and none overlap)."""
    table = np.zeros(0x10000, dtype=np.uint8)  # 64 KB: stays in the cache
    for k, (_, chars) in enumerate(_SCRIPTS, start=1):
        for low, high in re.findall("(.)-(.)", chars, flags=re.S):
            if table[ord(low) : ord(high) + 1].any() or ord(high) >= 0xD800:
                raise AssertionError(f"script ranges overlap or reach the surrogates: {chars}")
            table[ord(low) : ord(high) + 1] = k
    return table


_SCRIPT_OF_UNIT = _script_table()


def _script_letters(text: str) -> list[int]:
    """How many letters of each script of ``_SCRIPTS`` ``text`` holds (what each one's
    ``_SCRIPT_RX`` ``findall`` finds): its UTF-16 code units looked up in one table and
    counted at once (a character beyond the BMP is two surrogates, of no script), where
    nine ``findall`` calls cost some ten times more on text of those scripts."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return np.bincount(_SCRIPT_OF_UNIT[units], minlength=len(_SCRIPTS) + 1)[1:].tolist()


#: Han characters carry about a word each, so they count triple against alphabet letters.
_WIDE = frozenset({"Chinese", "Japanese", "Korean"})
_WORDS = re.compile(r"[a-z\u00df-\u024f]+")  # lower-case Latin letters
#: ``_WORDS`` of the lower-cased text, for ASCII text, as a bytes table: letters lower-cased,
#: everything else a space (one pass in C; the regex costs several times more).
_ASCII_LETTERS = bytes(
    (ord(chr(b).lower()) if chr(b).isalpha() else 0x20) if b < 128 else b for b in range(256)
)

_STOPWORDS: dict[str, frozenset[str]] = {
    "English": word_set(
        "the and of to is in that it you for are with this was be have not on what how "
        "your can will from they would there their which an or if but do does were has had "
        "been when where who why some about into should could"
    ),
    "Spanish": word_set(
        "el la los las de que en un una es por para con no se su al lo como más pero sus "
        "le ya este esta porque muy sin también son está puede hay fue ser tiene qué cuál "
        "cómo dónde cuando todo todos mi mis usted ustedes entre desde hasta"
    ),
    "French": word_set(
        "le la les de des et est un une du en que qui pour dans ce cette pas sur au avec "
        "il elle nous vous sont ne se plus par mais ou être votre je ils avoir fait tout "
        "tous très leur leurs aussi où quand"
    ),
    "German": word_set(
        "der die das und ist nicht ein eine zu den mit sich des auf für im dem auch es "
        "von sie ich wir sind wird oder aber wie bei einen werden kann noch nur schon wenn "
        "dass wo warum haben hat mein dein"
    ),
    "Portuguese": word_set(
        "os as de que do da em um uma é para com não no na por mais dos das se ao como "
        "mas foi seu sua você são está também isso isto ele ela eles elas nós pelo pela "
        "muito quando onde mesmo ainda até"
    ),
    "Italian": word_set(
        "il lo la gli le di che è un una per non con del della sono si nel anche come ma "
        "più questo questa alla dei delle essere può nella nelle degli lui lei loro perché "
        "quando dove molto tutto"
    ),
    "Dutch": word_set(
        "de het een en van is dat niet op te in met voor zijn er aan ook als bij maar om "
        "dan wordt nog wel kan deze uw"
    ),
}
#: Words that are also common English words ("as", "do", "die", "in") say nothing about a
#: Latin-script text, one-letter words are as often variables ("y", "e") as words, and a
#: word shared by two languages decides between neither: each language keeps only the
#: function words that are its own.
_ENGLISH_HOMOGRAPHS = word_set("as do no in is an die on so me he we son den men are")
_USABLE = {
    lang: frozenset(
        w for w in stop if len(w) > 1 and (lang == "English" or w not in _ENGLISH_HOMOGRAPHS)
    )
    for lang, stop in _STOPWORDS.items()
}
_EXCLUSIVE: dict[str, frozenset[str]] = {
    lang: frozenset(
        w for w in stop if not any(w in other for o, other in _USABLE.items() if o != lang)
    )
    for lang, stop in _USABLE.items()
}
_WORD_LANGUAGE = {w: lang for lang, words in _EXCLUSIVE.items() for w in words}
#: A prompt with any of these asks for (or allows) another language.
_LANGUAGE_WORDS = (
    "translat", "traduc", "übersetz", "overset", "language", "idioma", "langue", "sprache",
    "english", "spanish", "español", "castellano", "french", "français", "francais", "german",
    "deutsch", "portugu", "italian", "italiano", "dutch", "nederlands", "chinese", "mandarin",
    "cantonese", "中文", "汉语", "漢語", "英文", "英语", "翻译", "翻譯", "日本語", "日语",
    "japanese", "korean", "한국어", "russian", "русск", "arabic", "عرب", "hebrew", "hindi",
    "greek", "thai", "swedish", "polish", "turkish", "vietnamese", "indonesian", "bilingual",
    "multilingual",
)  # fmt: skip
_MIN_LETTERS = 20
_SAMPLE_CHARS = 2000  # the opening of a text carries all the evidence needed
_MIN_SHARE = 0.6
_MIN_STOPWORDS = 3
_STOPWORD_LEAD = 2.0


_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s+(.*)$")


def _name_list(text: str) -> bool:
    """A list of short items (names of places, people, products): their words say nothing
    about the language of the answer ("Les 400 Coups" in an English list of restaurants)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    items = [m.group(1) for ln in lines if (m := _ITEM.match(ln))]
    if len(items) < 3 or len(items) < 0.5 * len(lines):
        return False
    return sum(len(i.split()) for i in items) / len(items) <= 6


def detect_language(text: str, settled: str | None = None) -> str | None:
    """The language (or, outside the Latin script, the writing system) of ``text``; "Latin"
    for a Latin-script text whose language is not clear; None when even the script is not.

    ``settled``: a Latin-script language the caller reads like "Latin" (the prompt's own,
    when judging its answer): returned as soon as its function words lead, without the
    costlier test that would only decide between the two.
    """
    return _detect(text, settled, True)


def _detect(text: str, settled: str | None, lists: bool) -> str | None:
    """:func:`detect_language`; ``lists`` false: a Latin-script text whose function words
    clearly lead is given their language even when it is a list of names (the caller
    asks :func:`_name_list` itself, only when the answer would make it matter)."""
    text = strip_code(text)[:_SAMPLE_CHARS]
    if text.isascii():
        # Only Latin letters: the script is settled by their number, which the translated
        # bytes tell before any word is cut (a letter stays a byte, all else is a space).
        letters = text.encode("ascii").translate(_ASCII_LETTERS)
        if len(letters) - letters.count(b" ") < _MIN_LETTERS:
            return None
        return _latin_language(text, letters.decode("ascii").split(), settled, lists)
    counts: dict[str, int] = {}
    if _ANY_SCRIPT.search(text):
        for (name, _), n in zip(_SCRIPTS, _script_letters(text), strict=True):
            if n:
                counts[name] = n * (3 if name in _WIDE else 1)
    if "Japanese" in counts and "Chinese" in counts:
        counts["Japanese"] += counts.pop("Chinese")  # kanji with kana is Japanese
    words = _WORDS.findall(text.lower())
    latin = sum(map(len, words))
    if latin:
        counts["Latin"] = latin
    total = sum(counts.values())
    if total < _MIN_LETTERS:
        return None
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < _MIN_SHARE * total:
        return None
    if script != "Latin":
        return script
    return _latin_language(text, words, settled, lists)


def _latin_language(
    text: str, words: list[str], settled: str | None = None, lists: bool = True
) -> str:
    """The language of a Latin-script ``text`` of enough letters, by its lower-case
    ``words``: one whose function words are clearly ahead, else "Latin" (``settled``: see
    :func:`detect_language`; ``lists``: see :func:`_detect`)."""
    if _WORD_LANGUAGE.keys().isdisjoint(words):
        return "Latin"  # not one function word: no language is clear
    found = list(filter(None, map(_WORD_LANGUAGE.get, words)))  # a language per function word
    if found.count(found[0]) == len(found):  # one language alone (most texts): no ranking
        best, lang, second = len(found), found[0], 0
    else:
        ranked = sorted(((found.count(lang), lang) for lang in _STOPWORDS), reverse=True)
        (best, lang), (second, _) = ranked[:2]
    clear = best >= _MIN_STOPWORDS and best >= _STOPWORD_LEAD * second
    if clear and (lang == settled or not lists or not _name_list(text)):
        return lang
    return "Latin"


def language_mismatch_of(prompt: str, context: str, answer: str) -> tuple[str, str] | None:
    """(prompt language, answer language) when they differ and ``prompt``/``context`` (the
    system prompt) do not ask for another language; None otherwise."""
    found = _clash(prompt, answer)
    if found is None or _asks_for_language(prompt, context):
        return None
    return found


def _asks_for_language(prompt: str, context: str) -> bool:
    """Whether the prompt or the system prompt names a language or asks to translate."""
    asks = (prompt + "\n" + context).lower()
    return any(k in asks for k in _LANGUAGE_WORDS)


def _clash(prompt: str, answer: str) -> tuple[str, str] | None:
    """(prompt language, answer language) when they clearly differ, whatever was asked."""
    # The cheapest test that settles the answer first: each returns None on its own.
    # With an ASCII answer, a prompt whose function words lead but that is a list of names
    # (read as "Latin") clashes with nothing: whether it is one is asked last, only when
    # the answer is clearly in another language.
    later = answer.isascii()
    asked = _detect(prompt, None, not later)
    if asked is None or (asked == "Latin" and later):
        return None  # an unclear Latin prompt only clashes with another script
    # the prompt's own language and "Latin" read alike below: no need to tell them apart
    given = detect_language(answer, asked if asked in _STOPWORDS else None)
    if given is None or given == asked:
        return None
    if "Latin" in (asked, given) and (asked in _STOPWORDS or given in _STOPWORDS):
        return None  # a Latin-script text of unclear language may be in either language
    if later and asked in _STOPWORDS and _name_list(strip_code(prompt)[:_SAMPLE_CHARS]):
        return None  # the prompt is a list of names: "Latin", which an ASCII answer is
    return asked, given


@example_check(
    "clean.language_mismatch",
    "clean",
    "warning",
    "{count} answers are in another language than their prompt",
)
def language_mismatch(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Answer is in another language than its prompt.

    What: the final answer against the user turn before it, code excluded. The writing
    system decides first (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai,
    Chinese, Japanese, Korean; one must make up 60% of at least 20 letters, a CJK character
    counting as three); Latin-script texts are told apart by function words (English,
    Spanish, French, German, Portuguese, Italian, Dutch: at least three, twice as many as
    the runner-up). Texts without clear evidence are not judged, and prompts or system
    prompts that name a language or ask to translate are skipped.
    Why: machine-translated or mixed-up pairs (a Chinese question with an English answer)
    teach the model to switch language unasked.
    Threshold: a clear detection on both sides that disagrees.
    Fix: regenerate the answer in the prompt's language, fix the pairing, or drop the
    example; if replying in another language is intended, say so in the system prompt.
    """
    found = mismatch_in(turns_of(ex), settings)
    if found:
        yield found


def _pair(turns: Turns) -> tuple[int, str, str] | None:
    """(index, prompt, answer) of the final answer and the user turn before it, both
    non-empty: what :func:`mismatch_in` judges; None when there is no such pair."""
    last = len(turns) - 1
    while last >= 0 and turns[last][0] != "assistant":
        last -= 1
    if last <= 0:
        return None  # no assistant turn, or nothing before it
    role, prompt = turns[last - 1]
    answer = turns[last][1]
    if role != "user" or not prompt or not answer:
        return None
    return last, prompt, answer


def mismatch_in(turns: Turns, settings: CheckSettings) -> str | None:
    """``clean.language_mismatch``'s detail for a conversation's ``(role, text)`` turns."""
    pair = _pair(turns)
    if pair is None:
        return None
    last, prompt, answer = pair
    found = _clash(prompt, answer)
    if found is None:
        return None
    # the system prompt is read only now: most pairs are settled without it
    context = "\n".join(t for r, t in turns[:last] if r in ("system", "developer"))
    if _asks_for_language(prompt, context):
        return None
    return f"message {last + 1} is {found[1]}, the prompt is {found[0]}"


#: The function words that are ASCII, as word numbers read with ``_ASCII_LETTERS``.
_ASCII_FUNCTION_WORDS = numbers_of([w for w in _WORD_LANGUAGE if w.isascii()], _ASCII_LETTERS)
#: The languages in the order :func:`_latin_language` ranks those of equal counts (its
#: sort puts the greater name first).
_RANKED = sorted(_STOPWORDS, reverse=True)


def _function_word_table() -> tuple[np.ndarray, np.ndarray]:
    """Per number of ``_ASCII_FUNCTION_WORDS`` (in its order): the length of its word
    and the column of ``_RANKED`` of its language."""
    words = [w for w in _WORD_LANGUAGE if w.isascii()]
    _, numbers = word_numbers(words, _ASCII_LETTERS)  # one word each
    at = np.searchsorted(_ASCII_FUNCTION_WORDS.numbers, numbers)
    if len(set(at.tolist())) != len(words):
        raise AssertionError("two function words share a number")
    lengths = np.zeros(len(words), dtype=np.int64)
    languages = np.zeros(len(words), dtype=np.int64)
    lengths[at] = [len(w) for w in words]
    languages[at] = [_RANKED.index(_WORD_LANGUAGE[w]) for w in words]
    return lengths, languages


_FUNCTION_LENGTH, _FUNCTION_LANGUAGE = _function_word_table()


def _plain(text: str) -> bool:
    """Whether :func:`_detect` reads ``text`` as :func:`_clear_languages` does: ASCII,
    and without code (``strip_code`` leaves it as it is)."""
    return text.isascii() and "`" not in text and "~~~" not in text


#: Characters beyond ASCII that :func:`_detect` reads as it reads an ASCII "?" (typographic
#: punctuation, spaces, symbols, arrows, box drawing, emoji): no script's, none a letter of
#: ``_WORDS``, each its own lower case; ``test_text_screens`` checks every one of them.
_LIKE_ASCII = (
    "\u00a0-\u00bf\u00d7\u2000-\u206f\u20a0-\u20cf\u2190-\u23ff\u2500-\u27bf"
    "\u3000-\u303f\U0001f000-\U0001faff"
)
_NOT_LIKE_ASCII = re.compile(f"[^\\x00-\\x7f{_LIKE_ASCII}]")


def _like_plain(text: str) -> bool:
    """Whether :func:`_detect` reads ``text`` as it reads ``_as_plain(text)`` (which is
    :func:`_plain`): without code, and beyond ASCII only characters of ``_LIKE_ASCII``
    (the same letters, the same words between them)."""
    if "`" in text or "~~~" in text:
        return False
    return text.isascii() or _NOT_LIKE_ASCII.search(text) is None


def _as_plain(text: str) -> str:
    """``text`` with every character beyond ASCII turned into "?" (one for one, so its
    first ``_SAMPLE_CHARS`` characters stay the same ones)."""
    return text if text.isascii() else text.encode("ascii", "replace").decode("ascii")


def _clear_languages(texts: list[str]) -> list[int]:
    """Per text (each :func:`_plain`): the column of ``_RANKED`` of the language
    :func:`_latin_language` finds clearly ahead in its first ``_SAMPLE_CHARS``
    characters, or -1 when none is or the text has fewer than ``_MIN_LETTERS`` letters
    (then :func:`_detect` gives None or "Latin"). The function words of all the texts
    are counted at once (``byte_words.hits``; a word of up to eight letters is known by
    its number and its length, and function words have at most seven)."""
    samples = [text[:_SAMPLE_CHARS] for text in texts]
    width = len(_RANKED)
    out: list[int] = []
    for part in groups(samples):
        chosen = samples[part.start : part.stop]
        found = hits(chosen, _ASCII_LETTERS, _ASCII_FUNCTION_WORDS, sizes=True)
        assert found.word_bytes is not None
        exact = _FUNCTION_LENGTH[found.needle] == found.length
        which = found.owner[exact] * width + _FUNCTION_LANGUAGE[found.needle[exact]]
        counts = np.bincount(which, minlength=len(chosen) * width).reshape(len(chosen), width)
        ranked = np.sort(counts, axis=1)
        best, second = ranked[:, -1], ranked[:, -2]
        clear = (best >= _MIN_STOPWORDS) & (best >= _STOPWORD_LEAD * second)
        clear &= found.word_bytes >= _MIN_LETTERS
        out += np.where(clear, counts.argmax(axis=1), -1).tolist()
    return out


@batch_form("clean.language_mismatch")
def mismatch_rows(batch: CheckBatch, settings: CheckSettings) -> Iterator[tuple[int, str]]:
    """``clean.language_mismatch`` on the batch's shared texts: :func:`mismatch_in` on
    the rows that can clash. When both texts are ASCII (:func:`_plain`), or read as
    such (:func:`_like_plain`: no script but the Latin one, no letter beyond ASCII), the
    answer clashes with the prompt only when each has a language clearly ahead and the
    two differ (an unclear "Latin" or no verdict on either side clashes with nothing; a
    list of names only turns a clear language into "Latin"): asked of the batch's plain
    pairs at once (:func:`_clear_languages`, of ``_as_plain`` texts); other rows go to
    the rule."""
    turns = batch.turns
    rows: list[int] = []
    plain: list[tuple[int, str, str]] = []
    for row in batch.rows(REGISTRY["clean.language_mismatch"].kinds):
        pair = _pair(turns[row])
        if pair is None:
            continue
        _, prompt, answer = pair
        if _like_plain(prompt + answer):  # both at once (a "~~~" made by the two: the rule)
            plain.append((len(rows), _as_plain(prompt), _as_plain(answer)))
        rows.append(row)
    suspect = [True] * len(rows)
    if plain:
        # the prompts first: most pairs whose prompt is unclear are settled by it alone
        asked = _clear_languages([prompt for _, prompt, _ in plain])
        judged = []
        for (k, _, answer), language in zip(plain, asked, strict=True):
            suspect[k] = False
            if language >= 0:
                judged.append((k, answer, language))
        given = _clear_languages([answer for _, answer, _ in judged])
        for (k, _, language), answered in zip(judged, given, strict=True):
            suspect[k] = answered >= 0 and answered != language
    for row, held in zip(rows, suspect, strict=True):
        if held:
            found = mismatch_in(turns[row], settings)
            if found is not None:
                yield row, found
