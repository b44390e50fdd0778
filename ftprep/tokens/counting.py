"""Chat token counts the way OpenAI bills finetuning.

Per OpenAI's cookbook: every message costs 3 tokens plus the encoded length of each of its
values (role, content, name, ...), a ``name`` costs one more, and 3 tokens prime the reply.
Tool calls are counted as the encoded JSON of each call's function, and ``tools`` as the
encoded JSON of the definitions (OpenAI's exact tool formatting is internal; this is the
approximation the community uses). Trained tokens are the assistant turns that are not
``weight: 0``.

Counting is batched: the distinct strings of a batch of examples are counted (long ones on
tiktoken's thread pool; short ones by their space-separated words, each distinct word of the
batch encoded once, where that gives the whole text's count: :func:`splits_at_spaces`), then
summed per example with numpy.
Text that looks like a special token (``<|endoftext|>``) is counted as ordinary text, which is
how it reaches the model in training data.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, islice
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np
import tiktoken

from ftprep.schema import ChatExample, Message
from ftprep.tokens.encodings import BUNDLED, bundled_pattern
from ftprep.turns import TEXT_ONLY, flat_turns

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


@dataclass(frozen=True)
class TokenCounts:
    """Per-example token counts for one batch (int64 arrays of equal length)."""

    total: np.ndarray
    trained: np.ndarray
    assistant_last: np.ndarray  # tokens of the final assistant turn (length outliers)


def _message_strings(msg: Message) -> list[str]:
    """The values of a message that are encoded, except the role (counted from a cache)."""
    parts = [msg.text]
    if isinstance(msg.content, list) and msg.reasoning:  # only parts hold reasoning
        parts.append(msg.reasoning)
    if msg.name:
        parts.append(msg.name)
    if msg.tool_calls:
        parts += [
            json.dumps(c.get("function", c), ensure_ascii=False, sort_keys=True)
            for c in msg.tool_calls
        ]
    if msg.function_call:
        parts.append(json.dumps(msg.function_call, ensure_ascii=False, sort_keys=True))
    if msg.tool_call_id:
        parts.append(msg.tool_call_id)
    return parts


#: Strings at least this long are encoded on tiktoken's thread pool; shorter ones serially,
#: where a future per string would cost more than the encoding (measured: 9x slower on
#: 300k chat strings of ~20 tokens).
LONG_STRING = 4096


def _encoder(enc: tiktoken.Encoding) -> Callable[[str], list[int]]:
    """``enc.encode_ordinary``, or the tokenizer core it wraps (one Python frame less per
    string) when that is how ``enc`` is built: the wrapper only adds a retry for text
    holding a lone surrogate, which raises ``UnicodeEncodeError`` in the core (the caller
    then encodes again with the wrapper)."""
    core = getattr(enc, "_core_bpe", None)
    encode = getattr(core, "encode_ordinary", None)
    if encode is None or type(enc).encode_ordinary is not tiktoken.Encoding.encode_ordinary:
        return enc.encode_ordinary
    return encode


#: Whitespace that may stand before a space (``\s`` of Python's ``re``: every character
#: tiktoken's pattern takes for ``\s``, and a few more: tests/test_tokens_words.py).
_SPACE_AFTER_SPACE = re.compile(r"\s ")
#: The ASCII characters of ``\s`` other than the space (a text holding none of them, and
#: no two spaces in a row, has no space after whitespace).
_OTHER_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def splits_at_spaces(text: str) -> bool:
    r"""Whether every space of ``text`` follows a character that is not whitespace (or
    starts it): then the text's tokens are its space-separated words' tokens, the first
    word's on its own and each other's with the space before it (:class:`_AfterSpace`).

    Why that holds, in tiktoken's pattern (``cl100k_base``, ``o200k_base``): a piece
    holds a space only as its first character (the optional lead of a word or punctuation
    piece) or in a run of whitespace, so a piece never runs from a non-space character
    into the space after it: such a space begins a piece. And the pieces before it are the
    same without the text after (no lookbehind or anchor in the pattern; its one lookahead,
    ``\s+(?!\S)``, ends at a whitespace character, which the character before the space
    is not), the pieces from it on the same without the text before; the byte-pair merges
    run within a piece. So the text encodes to its words' encodings end to end."""
    if text.isascii():
        for space in _OTHER_ASCII_SPACE:  # each a memchr: cheaper than one regex scan
            if space in text:
                break
        else:
            return "  " not in text
    return _SPACE_AFTER_SPACE.search(text) is None


def _splitting(texts: list[str]) -> Iterator[bool]:
    """:func:`splits_at_spaces` of each of ``texts`` in turn, the ASCII ones screened
    together: when they hold no two spaces in a row and none of the other ASCII
    whitespace characters (the usual batch: one scan for each over all of them joined, at
    memchr speed), every one of them splits; the others are asked one by one, and only as
    they are reached (a batch whose word cache stops early asks no more)."""
    ascii_texts = list(map(str.isascii, texts))
    joined = "\x00".join(compress(texts, ascii_texts))  # NUL is no whitespace
    if "  " in joined or any(space in joined for space in _OTHER_ASCII_SPACE):
        yield from map(splits_at_spaces, texts)
        return
    search = _SPACE_AFTER_SPACE.search
    for text, plain in zip(texts, ascii_texts, strict=True):
        yield True if plain else search(text) is None


class _AfterSpace(dict[str, int]):
    """Token count of ``" " + word`` for each word asked, encoded on first ask: one
    batch's cache (made per call, never kept), where the same word comes back thousands
    of times."""

    __slots__ = ("encode",)

    def __init__(self, encode: Callable[[str], list[int]]) -> None:
        super().__init__()
        self.encode = encode

    def __missing__(self, word: str) -> int:
        count = self[word] = len(self.encode(" " + word))
        return count


#: A batch of fewer characters (~90,000 words) is encoded text by text: a new word costs
#: a call to the encoder of its own (:data:`_NEW_COST`), so the cache pays only once most
#: words come back, which takes a batch of a few hundred
#: thousand words of natural text (the first 4,096 words of a batch of natural_10000 are
#: ~36% new, the 12th window ~5%; over all 240,000, 3.6%), and not one of the real data
#: sets at hand (all of tests/data/real as one batch, 285,000 characters: 25 -> 20 ms
#: whole; one file of 42 Alpaca records: 37 -> 65 µs an example by words).
_MIN_CHARS = 1 << 19
#: The word cache's cost, a word encoded within its whole text counting 1: a new word is
#: encoded by a call of its own (~6.7), a word seen before is a dict look-up (~0.4), so the
#: cache pays from ~9% new words down. A batch's share of new words falls as it goes (36%
#: in the first 4,096 words of a batch of natural_10000, 5% in the 12th), so the cache is
#: let run into a deficit first, up to a tenth of what encoding the batch whole would
#: cost, checked every :data:`_WINDOW` words; past that it stops and the rest of the batch
#: is encoded whole. So a batch costs at most ~10% more than whole encoding: text with a
#: large vocabulary stops early (GPTeacher roleplay 10-14% over, GSM8K 8%, where the cache
#: run to the end cost 18-20% over), text whose words come back gains (natural_10000 -35%,
#: the GPTeacher toolformer set -17%). natural_10000's batches peak at a deficit of 6-8%
#: before they pay.
_WINDOW = 4096
_NEW_COST = 6.7
_SEEN_COST = 0.4
_MOST_DEFICIT = 0.1


def _word_lengths(
    texts: list[str], encode: Callable[[str], list[int]], size: int | None = None
) -> list[int]:
    """``len(encode(text))`` of each of ``texts``, a text that :func:`splits_at_spaces`
    as the sum of its words' counts, each distinct word of the batch encoded once (on
    natural text a text's ~35 words are ~8,700 distinct ones per batch of 2,048 examples:
    a dict look-up each costs less than tiktoken's regex over the word); any other text
    encoded whole. ``size``: the texts' characters, when the caller has counted them."""
    if size is None:
        size = sum(map(len, texts))
    after_space = _AfterSpace(encode)
    rest = after_space.__getitem__
    first: dict[str, int] = {}  # the first word of a text, without a space before it
    lengths: list[int] = []
    append = lengths.append
    whole = 0.0  # what encoding the batch whole costs, in words
    seen = 0  # words looked up so far
    chars = 0  # in the texts they came from
    checked = 0  # words looked up at the last check
    for index, (text, splits) in enumerate(zip(texts, _splitting(texts), strict=True)):
        if seen - checked >= _WINDOW:
            checked = seen
            if not whole:  # the batch's words, estimated from the first window
                whole = seen / chars * size
            new = len(after_space) + len(first)
            deficit = new * (_NEW_COST - 1) + (seen - new) * (_SEEN_COST - 1)
            if deficit > _MOST_DEFICIT * whole:  # the cache does not pay here: stop
                lengths.extend(map(len, map(encode, texts[index:])))
                break
        if not splits:
            append(len(encode(text)))
            continue
        words = text.split(" ")
        seen += len(words)
        chars += len(text)
        head = words[0]
        count = first.get(head)
        if count is None:
            count = first[head] = len(encode(head))
        append(count + sum(map(rest, islice(words, 1, None))) if len(words) > 1 else count)
    return lengths


@lru_cache(maxsize=8)
def _by_words(pattern: str | None) -> bool:
    """Whether texts split by ``pattern`` encode word by word (:func:`splits_at_spaces`
    reasons it for the bundled encodings' patterns; any other is encoded whole)."""
    return pattern is not None and pattern in {bundled_pattern(name) for name in BUNDLED}


def _distinct_lengths(distinct: list[str], enc: tiktoken.Encoding) -> list[int]:
    """Token count of each of ``distinct``, short strings by their words
    (:func:`_word_lengths`), long ones on tiktoken's thread pool."""
    if distinct and max(map(len, distinct)) < LONG_STRING:  # the usual batch
        try:
            size = sum(map(len, distinct))
            if size >= _MIN_CHARS and _by_words(getattr(enc, "_pat_str", None)):
                return _word_lengths(distinct, _encoder(enc), size)
            return list(map(len, map(_encoder(enc), distinct)))
        except UnicodeEncodeError:  # a lone surrogate: the wrapper knows what to do
            return list(map(len, map(enc.encode_ordinary, distinct)))
    encode = enc.encode_ordinary
    lengths = [len(encode(s)) if len(s) < LONG_STRING else 0 for s in distinct]
    long_idx = [i for i, s in enumerate(distinct) if len(s) >= LONG_STRING]
    if long_idx:
        threads = min(8, os.cpu_count() or 1)
        encoded = enc.encode_ordinary_batch([distinct[i] for i in long_idx], num_threads=threads)
        for i, tokens in zip(long_idx, encoded, strict=True):
            lengths[i] = len(tokens)
    return lengths


def encoded_lengths(strings: Sequence[str], enc: tiktoken.Encoding) -> np.ndarray:
    """Token count of each string (special-token text counted as ordinary text).

    Each distinct string is encoded once: the same system prompt (or role, or tool list)
    in every example of a batch costs one encoding, not one per example."""
    distinct = list(dict.fromkeys(strings))
    length_of = dict(zip(distinct, _distinct_lengths(distinct, enc), strict=True))
    return np.fromiter(map(length_of.__getitem__, strings), dtype=np.int64, count=len(strings))


_FIELDS = attrgetter("__dict__")
_MESSAGES = attrgetter("messages")
_TOOLS = attrgetter("tools")
_CONTENT = itemgetter("content")
#: The fields of a message that add strings or tokens beyond its role and text, and its
#: weight: all None in the usual message.
_BEYOND_TEXT = itemgetter("name", "tool_calls", "function_call", "tool_call_id", "weight")
_NOTHING_BEYOND = (None,) * 5
_NAME_TO_ID = itemgetter(slice(0, 4))
_WEIGHT = itemgetter(4)
#: Content types whose message's strings are its text alone (None: the empty text).
_TEXT_CONTENT = frozenset({str, type(None)})


def _plain_counts(
    examples: Sequence[ChatExample], enc: tiktoken.Encoding, memo: dict[str, Any] | None = None
) -> TokenCounts | None:
    """:func:`count_batch` for a batch whose messages all have text (or no) content and no
    name, tool call or tool call id (the usual batch), the sums in numpy; None for any other
    batch. Roles and texts are the batch's :func:`~ftprep.turns.flat_turns` (in ``memo``,
    the batch memo, where the feature extractors before this one left them). Whether the
    batch is plain is the memo's :data:`~ftprep.turns.TEXT_ONLY` when the checks' batch
    view left it True; else the other fields are read here, in one ``map`` over the
    messages' field dicts (a second for the weights when one is set)."""
    memo = {} if memo is None else memo
    weights: list[Any] | None = None
    if memo.get(TEXT_ONLY) is not True:  # not known from the batch view: read the fields
        fields = list(map(_FIELDS, chain.from_iterable(map(_MESSAGES, examples))))
        if not set(map(type, map(_CONTENT, fields))) <= _TEXT_CONTENT:
            return None
        if not all(map(_NOTHING_BEYOND.__eq__, map(_BEYOND_TEXT, fields))):
            beyond = list(map(_BEYOND_TEXT, fields))
            if any(map(any, map(_NAME_TO_ID, beyond))):
                return None
            weights = list(map(_WEIGHT, beyond))
    flat = flat_turns(examples, memo)
    roles, sizes, owner = flat.roles, flat.counts, flat.owner
    if not roles or not sizes.all():  # no message, or an example without (see reduceat)
        return None
    # each role coded once: its tokens and whether it is an answer read from the code
    code_of = {role: code for code, role in enumerate(dict.fromkeys(roles))}
    codes = np.fromiter(map(code_of.__getitem__, roles), dtype=np.intp, count=len(roles))
    encode = enc.encode_ordinary
    role_tokens = np.asarray([len(encode(role)) for role in code_of], dtype=np.int64)
    n, m = len(examples), len(roles)
    fixed = (
        REPLY_PRIMING
        + TOKENS_PER_MESSAGE * sizes
        + np.bincount(owner, weights=role_tokens[codes], minlength=n).astype(np.int64)
    )
    answers = codes == code_of.get("assistant", -1)
    if weights is None:
        trained = answers
    else:
        trained = answers & np.fromiter((w != 0 for w in weights), dtype=bool, count=m)
    # the final assistant message of each example (``last_assistant_index``), if any
    position = np.where(answers, np.arange(m, dtype=np.int64), -1)
    finals = np.maximum.reduceat(position, np.cumsum(sizes) - sizes)
    finals = finals[finals >= 0]
    all_tools = list(map(_TOOLS, examples))
    strings, own = flat.texts, owner
    if any(all_tools):
        tools = [(i, t) for i, t in enumerate(all_tools) if t]
        strings = [*strings, *[json.dumps(t, ensure_ascii=False, sort_keys=True) for _, t in tools]]
        own = np.concatenate([owner, np.asarray([i for i, _ in tools], dtype=np.int64)])
    lengths = encoded_lengths(strings, enc)
    total = fixed + np.bincount(own, weights=lengths, minlength=n).astype(np.int64)
    return TokenCounts(
        total=total,
        trained=_sums(own, lengths, np.flatnonzero(trained), n),
        assistant_last=_sums(own, lengths, finals, n),
    )


def count_batch(
    examples: Sequence[ChatExample], enc: tiktoken.Encoding, memo: dict[str, Any] | None = None
) -> TokenCounts:
    """Token counts of a batch of chat examples under OpenAI's chat counting rules.

    A batch of text-only messages is counted whole (:func:`_plain_counts`, reading the
    roles and texts the batch memo ``memo`` holds, when given). Otherwise a message with
    text content and no name, tool call or tool call id (most of them) is read from its
    field dict (one string: its content); any other goes through
    :func:`_message_strings`."""
    plain = _plain_counts(examples, enc, memo)
    if plain is not None:
        return plain
    strings: list[str] = []
    owner: list[int] = []  # example index per string
    trained: list[int] = []  # indices in ``strings`` of the trained ones
    last_answer: list[int] = []  # ... and of the final assistant turn's
    encode = enc.encode_ordinary
    role_tokens: dict[str, int] = {}
    fixed: list[int] = []  # tokens that need no encoding, per example
    for i, ex in enumerate(examples):
        tokens = REPLY_PRIMING
        last = ex.last_assistant_index
        for j, msg in enumerate(ex.messages):
            fields = msg.__dict__
            role = fields["role"]
            role_count = role_tokens.get(role)
            if role_count is None:
                role_count = role_tokens[role] = len(encode(role))
            content = fields["content"]
            first = len(strings)
            if content.__class__ is str and not (
                fields["name"] or fields["tool_calls"] or fields["function_call"]
                or fields["tool_call_id"]
            ):  # fmt: skip
                tokens += TOKENS_PER_MESSAGE + role_count
                strings.append(content)
                owner.append(i)
            else:
                tokens += TOKENS_PER_MESSAGE + role_count + (TOKENS_PER_NAME if msg.name else 0)
                more = _message_strings(msg)
                strings += more
                owner += [i] * len(more)
            if role == "assistant" and fields["weight"] != 0:
                trained += range(first, len(strings))
            if j == last:
                last_answer += range(first, len(strings))
        if ex.tools:
            strings.append(json.dumps(ex.tools, ensure_ascii=False, sort_keys=True))
            owner.append(i)
        fixed.append(tokens)
    lengths = encoded_lengths(strings, enc)
    own = np.asarray(owner, dtype=np.int64)
    n = len(examples)
    total = np.asarray(fixed, dtype=np.int64) + np.bincount(
        own, weights=lengths, minlength=n
    ).astype(np.int64)
    return TokenCounts(
        total=total,
        trained=_sums(own, lengths, trained, n),
        assistant_last=_sums(own, lengths, last_answer, n),
    )


def _sums(
    own: np.ndarray, lengths: np.ndarray, which: list[int] | np.ndarray, n: int
) -> np.ndarray:
    """Per example, the sum of ``lengths`` at the string indices ``which``."""
    idx = np.asarray(which, dtype=np.int64)
    return np.bincount(own[idx], weights=lengths[idx], minlength=n).astype(np.int64)


def count_messages(messages: list[dict[str, object]], enc: tiktoken.Encoding) -> int:
    """Token count of one conversation given as plain dicts (a convenience for notebooks)."""
    from ftprep.schema import SourceLocation

    ex = ChatExample(
        messages=[Message.model_validate(m) for m in messages],
        location=SourceLocation(source="<memory>", line=1),
    )
    return int(count_batch([ex], enc).total[0])


def _register() -> None:
    from ftprep.features import FeatureContext, register_feature

    @register_feature("tokens", ("tokens_total", "tokens_trained", "tokens_last_answer"))
    def tokens_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
        counts = count_batch(batch, ctx.encoding, ctx.batch)
        return {
            "tokens_total": counts.total,
            "tokens_trained": counts.trained,
            "tokens_last_answer": counts.assistant_last,
        }


_register()
