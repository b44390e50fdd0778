"""Refusals and AI disclaimers in assistant turns."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator

import numpy as np

from ftprep.checks.base import CheckSettings, example_check
from ftprep.checks.batch_view import Turns, by_screened_answers, turns_of
from ftprep.checks.byte_words import (
    WIDE_SPACE,
    Hits,
    groups,
    hits,
    numbers_of,
    or_by_owner,
    word_numbers,
)
from ftprep.checks.clean import refusal_words
from ftprep.checks.prose import normalize_quotes, word_set
from ftprep.checks.words import WORD_BYTES, ascii_word_list
from ftprep.schema import ChatExample

_NEG = (
    r"(?:\s+|'m\s+|\s+am\s+)(?:cannot|can't|can not|won't be able to|will not be able to"
    r"|won't|will not|unable to|not able to|not going to be able to"
    r"|must decline to|not allowed to|not permitted to|not going to|refuse to|have to decline to)"
)
_THAT = r"(?:that|this|it|your request|this request|that request|the request|such (?:a )?requests?)"
_OBJ = (
    rf"(?:(?:help|assist)(?: you)? with {_THAT}\b"
    r"|(?:help|assist)(?: you)? with (?:requests?|anything|creating|writing|generating|producing"
    r"|providing|illegal|harmful|unethical)\b"
    r"|(?:help|assist)(?: you)?\s*[.!]"
    r"|(?:fulfill|fulfil|comply with|complete|honor|grant) (?:that|this|your|such)\b"
    r"|comply\s*[.!]"
    r"|(?:provide|generate|create|write|produce|share|give) (?:that|this|such)"
    r"(?: (?:kind|type) of)?"
    r" (?:content|information|material|request|response)"
    r"|(?:engage|participate) in (?:that|this|such|any)\b"
    r"|(?:do|answer|discuss|support|condone|endorse) (?:that|this)(?: request| question| topic)?"
    r"\s*[.!]"
    r"|(?:continue|proceed) with (?:that|this)\b)"
)
_AI = r"(?:an? )?(?:ai|a\.i\.|artificial intelligence|(?:large )?language model|llm)"
_PROFESSIONAL = (
    r"(?:licensed |certified |qualified |real |medical |legal |financial )?(?:doctor|physician"
    r"|lawyer|attorney|medical professional|legal professional|financial advisor|therapist"
    r"|healthcare (?:professional|provider))"
)
#: (kind, keys, pattern) on lower-cased text with typographic apostrophes folded. Refusal
#: and disclaimer *phrasing* only — no topical words — so polite apologies ("I'm sorry to
#: hear that"), "I cannot stress enough" or a support policy ("I can't refund orders older
#: than 30 days") never match. A pattern runs only on a window around one of its keys
#: (plain substrings, found at memchr speed), which keeps the check cheap on long answers.
PATTERNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "ai disclaimer",
        ("as an", "as a "),
        rf"\bas {_AI}(?: (?:language model|model|assistant|chatbot|system|"
        rf"program))?\s*(?:,|\bi\b|developed|created|trained|designed)",
    ),
    (
        "ai disclaimer",
        ("an ai", "a.i.", "artificial intelligence", "language model", "llm"),
        rf"\bi(?:'m| am) (?:just |only |merely |simply )?{_AI}\b(?! (?:researcher|"
        rf"engineer|developer|company|startup|team))",
    ),
    (
        "ai disclaimer",
        ("have",),
        r"\bi (?:do not|don't|cannot|can't) have (?:any )?(?:personal |real-time |real "
        r"time |human )?(?:opinions|feelings|emotions|beliefs|preferences|experiences|"
        r"consciousness|a physical (?:body|form)|access to (?:the internet|real-time|"
        r"current events|live data|external))",
    ),
    (
        "ai disclaimer",
        ("browse", "internet", "the web", "real-time", "websites"),
        r"\b(?:i (?:can't|cannot|am unable to|'m unable to|am not able to|'m not able "
        r"to)|i (?:don't|do not) have the ability to) (?:browse|access|search) (?:the "
        r"internet|the web|real-time|websites)",
    ),
    (
        "ai disclaimer",
        ("cutoff", "cut-off"),
        r"\b(?:my|the) (?:knowledge|training)(?: data)? cut-?off\b",
    ),
    (
        "ai disclaimer",
        ("as of my",),
        r"\bas of my (?:last )?(?:knowledge |training )?(?:update|cut-?off)\b",
    ),
    (
        "ai disclaimer",
        ("training data",),
        r"\bmy training data (?:only )?(?:goes|extends|runs) (?:up )?(?:to|until)\b",
    ),
    (
        "ai disclaimer",
        ("openai", "anthropic", "google", "meta", "microsoft", "mistral"),
        r"\bi (?:was|am|'m|have been|'ve been) (?:trained|developed|created|built|made|"
        r"programmed) by (?:openai|anthropic|google|meta|microsoft|mistral)\b",
    ),
    (
        "ai disclaimer",
        ("m not a", "am not a"),
        rf"\bi(?:'m| am) not an? {_PROFESSIONAL}\b",
    ),
    (
        "ai disclaimer",
        ("advice",),
        r"\bi (?:cannot|can't|can not|am unable to|'m unable to|am not able to|'m not "
        r"able to|am not qualified to|'m not qualified to|am not allowed to) (?:provide|"
        r"give|offer) (?:you )?(?:with )?(?:any |specific |personal |personalized )?(?:medical|"
        r"legal|financial|professional|investment|tax|coding|clinical|health)(?: [\w-]+)? "
        r"advice\b",
    ),
    (
        "refusal",
        (
            "cannot",
            "can't",
            "can not",
            "won't",
            "will not",
            "unable",
            "not able",
            "decline",
            "not allowed",
            "not permitted",
            "not going",
            "refuse",
        ),
        rf"\bi{_NEG} {_OBJ}",
    ),
    (
        "refusal",
        ("decline", "refuse"),
        r"\bi (?:must|have to|need to|will have to|'ll have to) (?:respectfully |"
        r"politely )?(?:decline|refuse)\b",
    ),
    (
        "refusal",
        ("violat", "against", "breach"),
        r"\b(?:this|that|your) (?:request|question|query|prompt) (?:violates|goes "
        r"against|is against|is in violation of|breaches)\b",
    ),
    (
        "refusal",
        ("against", "violat"),
        r"\b(?:against|violates?|goes against) (?:my (?:ethical )?(?:guidelines|"
        r"programming|principles|policies)|openai(?:'s)? (?:usage |content |use-case "
        r")?polic(?:y|ies))",
    ),
    (
        "refusal",
        ("for me to",),
        r"\bit (?:is|'s|would be) (?:not appropriate|inappropriate|unethical|not "
        r"ethical|irresponsible) for me to\b",
    ),
    (
        "refusal",
        ("comfortable", "not going to be able"),
        r"\bi(?:'m| am) not (?:comfortable|going to be able to help) (?:with (?:that|"
        r"this)|providing|writing|helping|answering|generating|discussing|creating)\b",
    ),
    (
        "refusal",
        ("comfortable", "appropriate"),
        r"\bi (?:don't|do not) (?:feel comfortable|think it(?:'s| is| would be) "
        r"appropriate) (?:providing|writing|helping|answering|generating|discussing|"
        r"creating|to)\b",
    ),
)
_COMPILED = tuple((kind, keys, re.compile(rx)) for kind, keys, rx in PATTERNS)
#: Per pattern (in order): groups of words, each group holding a word of every match. Only
#: words a match holds whole (followed by a space or an apostrophe inside the match) are
#: used, so a window's end cutting a word never hides a match. An ASCII answer whose word
#: set (``words.ascii_words``) misses a group cannot match that pattern.
_NEEDS: tuple[tuple[frozenset[str], ...], ...] = tuple(
    tuple(word_set(group) for group in groups.split(" / "))
    for groups in (
        "as",
        "i / am m",
        "i / have",
        "i / browse access search",
        "knowledge training",
        "as / of / my",
        "my / training / data",
        "i / by",
        "i / not",
        "i / provide give offer",
        "i / cannot can won will unable not must refuse have",
        "i / must have need will ll",
        "this that your / request question query prompt",
        "against violate violates",
        "it / for / me",
        "i / not",
        "i / don do",
    )
)
_FIRST_NEEDS = frozenset().union(*(needs[0] for needs in _NEEDS))


def _group_bits() -> tuple[dict[str, int], tuple[int, ...]]:
    """Each group of ``_NEEDS`` a bit: per word of any group, the bits of the groups
    holding it, and per pattern, the bits of all its groups. The words of a text set
    the bits of the groups they meet; a pattern is possible when all its bits are set
    (one pass over the words found, not a set test per group)."""
    words: dict[str, int] = {}
    patterns: list[int] = []
    bit = 1
    for needs in _NEEDS:
        patterns.append(0)
        for group in needs:
            patterns[-1] |= bit
            for word in group:
                words[word] = words.get(word, 0) | bit
            bit <<= 1
    return words, tuple(patterns)


_GROUP_BITS, _PATTERN_BITS = _group_bits()
#: The bits of every group: a text the rule asks of every pattern.
_ALL_PATTERNS = functools.reduce(operator.or_, _PATTERN_BITS)
_NEED_WORDS = frozenset(_GROUP_BITS)
#: The rules of each set of held group bits met so far (a few hundred sets at most in
#: practice; each a pure function of its bits).
_RULES_OF: dict[int, list[tuple[str, tuple[str, ...], re.Pattern[str]]]] = {}
_RULES_KEPT = 4096
#: For the last batch's answers the batch screen (``_plain_answers``) left open (ASCII, or
#: read as such): the groups of the patterns the screen left possible (those whose groups
#: the answer's words hold and one of whose runs they hold), which ``find_refusal`` reads
#: in place of the groups it would read from the words. Every pattern that may match
#: keeps its bits (a word sharing a number with a needed one, or a pattern's groups met
#: through another's, only let more patterns be tried). A pure function of the text: a
#: stale entry is never wrong.
_HELD: dict[str, int] = {}
_BEFORE, _AFTER = 48, 96
#: Words at least one of which every pattern contains: a set lookup rejects most answers
#: before any substring search.
_SCREEN = word_set(
    "ai llm model intelligence opinions feelings emotions beliefs preferences experiences "
    "consciousness physical access browse internet web websites real-time cutoff cut-off "
    "update training openai anthropic google meta microsoft mistral doctor physician lawyer "
    "attorney professional advisor therapist healthcare advice cannot can't won't unable not "
    "refuse decline violates violate violation against breaches appropriate inappropriate "
    "unethical irresponsible comfortable"
)
_NO_DISCLAIMER = frozenset({"ai disclaimer"})
_PUNCT = str.maketrans({c: " " for c in ',.;:!?()[]{}<>"*_/|'})
#: ``_PUNCT`` as a bytes table, for ASCII text (``str.translate`` looks each character up
#: in a dict; this is one pass in C).
_ASCII_PUNCT = bytes(0x20 if chr(b) in ',.;:!?()[]{}<>"*_/|' else b for b in range(256))


#: ``_SCREEN`` as ASCII bytes.
_SCREEN_BYTES = frozenset(word.encode("ascii") for word in _SCREEN)
#: For an ASCII text: ``_ASCII_PUNCT`` after lower case, and the separators ``str.split``
#: cuts at but ``bytes.split`` does not (0x1c-0x1f) turned into spaces, so that
#: ``text.encode().translate(_ASCII_LOWER_PUNCT).split()`` is ``_screen_words(text.lower())``
#: encoded, in one translation and no decoding.
_ASCII_LOWER_PUNCT = bytes(
    0x20 if 0x1C <= b <= 0x1F else _ASCII_PUNCT[ord(chr(b).lower()) if b < 0x80 else b]
    for b in range(256)
)


def _screen_words(lower: str) -> list[str]:
    """``lower.translate(_PUNCT).split()``: the words ``_SCREEN`` is asked about (the
    table leaves the bytes of non-ASCII characters, all 0x80 or more in UTF-8, alone)."""
    if lower.isascii():
        return lower.encode("ascii").translate(_ASCII_PUNCT).decode("ascii").split()
    data = lower.encode("utf-8", "surrogatepass").translate(_ASCII_PUNCT)
    return data.decode("utf-8", "surrogatepass").split()


#: A prompt that asks the assistant about itself ("Who are you?", "Are you ChatGPT?", "Do
#: you call OpenAI APIs?") or casts it as an AI character ("Role play as an AI assistant…"):
#: then "I'm a language model trained by…" is the answer the data means to teach (identity
#: sets such as FastChat's), not a disclaimer copied from a chat model. Phrasing only.
_SELF_PROMPT = re.compile(
    r"\b(?:who|what) (?:are|r) (?:you|u)\b|\btell me (?:about|who) (?:you|yourself)\b"
    r"|\bwhat are you called\b|\babout yourself\b|\bintroduce yourself\b"
    r"|\b(?:do|did) (?:you|u) have (?:a|any) name\b|\bwhat (?:should|can|do|may) i call you\b"
    r"|\bwho (?:taught|owns|makes|runs) you\b|\byour (?:name|creators?|developers?|makers?"
    r"|origin|model|training|identity|purpose)\b|\bwho (?:made|created|trained"
    r"|developed|built|programmed|designed) you\b|\bdo you (?:call|use|run on) \w+"
    r"|\bare you (?:an? |the )?(?:ai|bot|robot|human|person|machine|chatbot|chat ?gpt|gpt"
    r"|davinci|curie|ada|babbage|based on|trained|made|developed|created|built|powered"
    r"|real|sentient|conscious|(?:large )?language model|alive|an assistant|vicuna|llama"
    r"|claude|bard|gemini|openai|google|microsoft|meta)"
    r"|\b(?:you are|you're|as|play|playing|roleplay as|role-play as|role play as|pretend to be"
    r"|imagine you are|imagine being|act as|acting as|persona of) (?:an? |the )?(?:[\w-]+ ){0,3}?"
    r"(?:ai|a\.i\.|artificial intelligence|robot|android|chatbot|language model"
    r"|virtual assistant|ai assistant|computer program|machine)\b"
)


def asks_about_assistant(prompt: str) -> bool:
    """True when ``prompt`` asks the assistant about itself or casts it as an AI."""
    return bool(_SELF_PROMPT.search(normalize_quotes(prompt).lower()))


def find_refusal(text: str, skip: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(kind, matched phrase) of the first refusal/disclaimer in ``text``, or None.

    Kinds in ``skip`` ("ai disclaimer") are not looked for.
    """
    held = _HELD.get(text)
    if held is None:
        listed = ascii_word_list(text)
        if listed is None:
            held = _ALL_PATTERNS
        elif _FIRST_NEEDS.isdisjoint(listed):
            return None
        else:
            held = 0
            for word in _NEED_WORDS.intersection(listed):
                held |= _GROUP_BITS[word]
    rules = _RULES_OF.get(held & _ALL_PATTERNS)
    if rules is None:
        rules = [
            rule for rule, bits in zip(_COMPILED, _PATTERN_BITS, strict=True) if held & bits == bits
        ]
        if len(_RULES_OF) < _RULES_KEPT:
            _RULES_OF[held & _ALL_PATTERNS] = rules
    if not rules:
        return None
    if text.isascii():
        if _SCREEN_BYTES.isdisjoint(text.encode("ascii").translate(_ASCII_LOWER_PUNCT).split()):
            return None
        lower = text.lower()
    else:
        lower = normalize_quotes(text).lower()
        if _SCREEN.isdisjoint(_screen_words(lower)):
            return None
    short = len(lower) <= _BEFORE + _AFTER
    for kind, keys, rx in rules:
        if kind in skip:
            continue
        for key in keys:
            pos = lower.find(key)
            if pos == -1:
                continue
            if short:
                m = rx.search(lower)
                if m:
                    return kind, " ".join(m[0].split())
                break
            while pos != -1:
                m = rx.search(lower, max(0, pos - _BEFORE), pos + len(key) + _AFTER)
                if m:
                    return kind, " ".join(m[0].split())
                pos = lower.find(key, pos + 1)
    return None


@example_check(
    "clean.refusal", "clean", "warning", "{count} answers refuse or disclaim being an AI"
)
def refusal(ex: ChatExample, settings: CheckSettings) -> Iterator[str]:
    """Assistant turn refuses or disclaims being an AI.

    What: refusal and AI-disclaimer *phrasing* in assistant turns: "As an AI language
    model…", "I'm just an AI", "I don't have personal opinions", "my knowledge cutoff",
    "I'm sorry, but I can't help with that", "I cannot fulfill this request", "I must
    decline", "this request violates…", "I'm not a doctor", "I can't provide legal advice".
    Only phrasing is matched, never topics, so ordinary polite answers ("I'm sorry to hear
    that, here's how…", "I cannot stress enough…", "I can't refund orders older than 30 days,
    but…") are left alone. AI disclaimers answering a prompt that asks the assistant about
    itself ("Who are you?", "Are you ChatGPT?") or casts it as an AI character ("Role play
    as a sentient AI…") are the intended answer of identity data and are not flagged;
    refusals always are.
    Why: answers copied from a chat model carry its refusals and disclaimers; finetuning on
    them teaches your model to refuse in-scope requests and to talk about itself instead of
    answering — the most common quality defect of distilled data.
    Threshold: any match in an assistant turn.
    Fix: regenerate or rewrite the answer, or drop the example. If refusing is the intended
    behaviour for out-of-scope requests, keep a deliberate, consistent set of such examples
    and switch this check off.
    """
    found = refusals_in(turns_of(ex), settings)
    if found:
        yield found


def refusals_in(turns: Turns, settings: CheckSettings) -> str | None:
    """``clean.refusal``'s detail for a conversation's ``(role, text)`` turns, or None."""
    details = []
    prompt = ""
    for i, (role, text) in enumerate(turns, start=1):
        if role == "user":
            prompt = text  # not the system prompt: "You are a helpful AI assistant" is generic
            continue
        if role != "assistant" or not text:
            continue
        found = find_refusal(text)
        if found and found[0] in _NO_DISCLAIMER and prompt and asks_about_assistant(prompt):
            # Only then does the prompt matter: look again, for refusals only.
            found = find_refusal(text, _NO_DISCLAIMER)
        if found:
            details.append(f"{found[0]} in message {i}: '{found[1][:60]}'")
    return "; ".join(details) if details else None


def _screen_bits() -> tuple[dict[str, int], tuple[int, ...]]:
    """What the batch's screen asks of an ASCII answer's words (``WORD_BYTES``, the
    words ``_NEEDS`` are cut with) for ``_SCREEN``, as bits above those of
    ``_GROUP_BITS``: per word, its bits, and the bits each way of meeting ``_SCREEN``
    needs all of. A word of ``_SCREEN`` that is one such word ("ai") sets one shared
    bit; one that is cut into several ("can't": "can", "t") needs a bit of each. A
    ``_SCREEN`` word of an answer's ``_screen_words`` always leaves its pieces among
    its words (``_PUNCT`` cuts at no word byte but the underscore: the screen leaves
    answers holding one to the rule)."""
    whole = 1 << sum(map(len, _NEEDS))  # the shared bit
    bit = whole << 1  # the next piece's
    words: dict[str, int] = {}
    ways = [whole]
    for screened in sorted(_SCREEN):
        pieces = screened.encode("ascii").translate(WORD_BYTES).decode("ascii").split()
        if len(pieces) == 1:
            words[screened] = whole
            continue
        way = 0
        for piece in pieces:
            if piece not in words:
                words[piece], bit = bit, bit << 1
            way |= words[piece]
        ways.append(way)
    return words, tuple(ways)


_SCREEN_BITS, _SCREEN_WAYS = _screen_bits()
#: Every word the batch's screen asks about, as word numbers (``checks.byte_words``):
#: those of the groups, of ``_SCREEN`` and of the runs of words the patterns' matches hold.
_ASKED_NUMBERS = numbers_of(_NEED_WORDS | _SCREEN_BITS.keys() | refusal_words.WORDS, WORD_BYTES)
#: Which of ``refusal_words.RUNS`` an answer's words hold, read from the same hits.
_RUNS = refusal_words.RunReader(_ASKED_NUMBERS)


def _word_bits() -> np.ndarray:
    """Per number of ``_ASKED_NUMBERS`` (in its order): the bits of its word, need and
    screen (of both words, should two share a number: the screen only lets more by)."""
    words = sorted(_NEED_WORDS | _SCREEN_BITS.keys())
    _, numbers = word_numbers(words, WORD_BYTES)  # one word each
    bits = np.zeros(len(_ASKED_NUMBERS.numbers), dtype=np.int64)
    at = np.searchsorted(_ASKED_NUMBERS.numbers, numbers).tolist()
    for word, k in zip(words, at, strict=True):
        bits[k] |= _GROUP_BITS.get(word, 0) | _SCREEN_BITS.get(word, 0)
    return bits


_WORD_BITS = _word_bits()
#: ``_PATTERN_BITS`` and ``_SCREEN_WAYS`` as arrays, for the batch screen.
_PATTERNS = np.array(_PATTERN_BITS, dtype=np.int64)
_WAYS = np.array(_SCREEN_WAYS, dtype=np.int64)


#: The characters beyond ASCII whose lower case holds an ASCII letter (dotted capital I,
#: Kelvin sign; ``test_text_screens`` asks every code point). In an answer without them,
#: every character beyond ASCII leaves none in the text the rule reads (quotes folded,
#: lower case): a word a match holds whole is a run of ASCII letters between characters
#: that are not word characters, so it stays whole, and a word of ``_screen_words``
#: leaves its pieces, when each such character is read as a "?" (a non-word byte).
_LOWERS_TO_ASCII = re.compile("[\u0130\u212a]")


def _plain_answers(answers: list[str], settings: CheckSettings) -> list[bool]:
    """Per answer: True when :func:`find_refusal` surely finds nothing in it: its words
    (read for all answers at once, ``byte_words.hits``) meet no way of holding a word
    of ``_SCREEN``, or no pattern's every group of ``_NEEDS``: an ASCII answer's, or
    one beyond ASCII read with a "?" for each such character, when none lowers to ASCII
    (``_LOWERS_TO_ASCII``). Other answers beyond ASCII are asked of every pattern, read
    as the rule reads them (quotes folded, lower case) in UTF-8; those with white space
    beyond ASCII, and answers with an underscore, are left to the rule. A word that only
    shares its number with one looked for lets its answer through. The bits of the
    answers left open that are not asked of every pattern are kept in ``_HELD``."""
    out = [False] * len(answers)
    _HELD.clear()
    rows: list[int] = []  # the answers read, in order
    wide: list[int] = []  # of ``rows``: the answers beyond ASCII
    found: list[Hits] = []  # per group of answers read
    for part in groups(answers):
        texts: list[bytes] = []
        before = len(rows)
        for i in part:
            text = answers[i]
            if "_" in text:
                continue
            if text.isascii():
                texts.append(text.encode("ascii"))
            elif _LOWERS_TO_ASCII.search(text) is None:
                texts.append(text.encode("ascii", "replace"))  # a "?" a character beyond
            elif WIDE_SPACE.search(text):
                continue
            else:
                texts.append(normalize_quotes(text).lower().encode("utf-8", "surrogatepass"))
                wide.append(len(rows))
            rows.append(i)
        if texts:
            part_hits = hits(texts, WORD_BYTES, _ASKED_NUMBERS, follow=True)
            found.append(part_hits._replace(owner=part_hits.owner + before))
    if not rows:
        return out
    # the hits of all groups at once (an owner's words are all in one group, so words
    # of different groups never look like neighbours: their owners differ)
    ats = [f.at for f in found if f.at is not None]
    afters = [f.after for f in found if f.after is not None]
    assert len(ats) == len(afters) == len(found)  # hits(follow=True) gives both
    every = Hits(
        np.concatenate([f.owner for f in found]),
        np.concatenate([f.needle for f in found]),
        np.concatenate([f.length for f in found]),
        None,
        np.concatenate(ats),
        np.concatenate(afters),
    )
    held = or_by_owner(len(rows), every.owner, _WORD_BITS[every.needle])
    held[wide] |= _ALL_PATTERNS
    runs = _RUNS.held(len(rows), every)
    runs[wide] = _RUNS.every
    held = held[:, None]
    # per answer and pattern: all its groups met, and one of its runs
    may = ((held & _PATTERNS) == _PATTERNS) & ((runs[:, None] & _RUNS.patterns) != 0)
    possible = may.any(axis=1) & ((held & _WAYS) == _WAYS).any(axis=1)
    # the groups of the patterns still possible
    left = np.bitwise_or.reduce(np.where(may, _PATTERNS, 0), axis=1)
    wide_rows = set(wide)
    for k, (i, open_, bits) in enumerate(zip(rows, possible.tolist(), left.tolist(), strict=True)):
        out[i] = not open_
        if open_ and k not in wide_rows:
            _HELD[answers[i]] = bits
    return out


#: The batch form: :func:`refusals_in` on the rows whose answers ``_plain_answers`` leaves
#: open. The screen costs about a quarter of what the rule costs on the answers it rules
#: out, so it is worth reading on where it rules out a quarter of the text (natural
#: answers: some two fifths).
by_screened_answers("clean.refusal", refusals_in, _plain_answers, worth=0.25)
