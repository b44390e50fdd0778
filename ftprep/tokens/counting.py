"""Chat token counts the way OpenAI bills finetuning.

Per OpenAI's cookbook: every message costs 3 tokens plus the encoded length of each of its
values (role, content, name, ...), a ``name`` costs one more, and 3 tokens prime the reply.
Tool calls are counted as the encoded JSON of each call's function, and ``tools`` as the
encoded JSON of the definitions (OpenAI's exact tool formatting is internal; this is the
approximation the community uses). Trained tokens are the assistant turns that are not
``weight: 0``.

Counting is batched: the strings of a batch of examples are encoded (long ones on tiktoken's
thread pool, short ones directly, which is faster for them), then summed per example with
numpy.
Text that looks like a special token (``<|endoftext|>``) is counted as ordinary text, which is
how it reaches the model in training data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import tiktoken

from ftprep.schema import ChatExample, Message

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


def encoded_lengths(strings: Sequence[str], enc: tiktoken.Encoding) -> np.ndarray:
    """Token count of each string (special-token text counted as ordinary text).

    Each distinct string is encoded once: the same system prompt (or role, or tool list)
    in every example of a batch costs one encoding, not one per example."""
    index: dict[str, int] = {}
    which = np.fromiter(
        (index.setdefault(s, len(index)) for s in strings), dtype=np.int64, count=len(strings)
    )
    distinct = list(index)
    lengths = np.fromiter(
        (len(enc.encode_ordinary(s)) if len(s) < LONG_STRING else 0 for s in distinct),
        dtype=np.int64,
        count=len(distinct),
    )
    long_idx = [i for i, s in enumerate(distinct) if len(s) >= LONG_STRING]
    if long_idx:
        threads = min(8, os.cpu_count() or 1)
        encoded = enc.encode_ordinary_batch([distinct[i] for i in long_idx], num_threads=threads)
        lengths[long_idx] = [len(t) for t in encoded]
    return lengths[which] if len(strings) else np.zeros(0, dtype=np.int64)


def count_batch(examples: Sequence[ChatExample], enc: tiktoken.Encoding) -> TokenCounts:
    """Token counts of a batch of chat examples under OpenAI's chat counting rules."""
    strings: list[str] = []
    owner: list[int] = []  # example index per string
    trained_mask: list[bool] = []
    last_mask: list[bool] = []
    encode = enc.encode_ordinary
    role_tokens: dict[str, int] = {}
    fixed: list[int] = []  # tokens that need no encoding, per example
    for i, ex in enumerate(examples):
        tokens = REPLY_PRIMING
        last = ex.last_assistant_index
        for j, msg in enumerate(ex.messages):
            role = role_tokens.get(msg.role)
            if role is None:
                role = role_tokens[msg.role] = len(encode(msg.role))
            tokens += TOKENS_PER_MESSAGE + role + (TOKENS_PER_NAME if msg.name else 0)
            trains = msg.role == "assistant" and msg.weight != 0
            is_last = j == last
            for s in _message_strings(msg):
                strings.append(s)
                owner.append(i)
                trained_mask.append(trains)
                last_mask.append(is_last)
        if ex.tools:
            strings.append(json.dumps(ex.tools, ensure_ascii=False, sort_keys=True))
            owner.append(i)
            trained_mask.append(False)
            last_mask.append(False)
        fixed.append(tokens)
    lengths = encoded_lengths(strings, enc)
    own = np.asarray(owner, dtype=np.int64)
    n = len(examples)
    total = np.asarray(fixed, dtype=np.int64) + np.bincount(
        own, weights=lengths, minlength=n
    ).astype(np.int64)
    trained = np.bincount(own, weights=lengths * np.asarray(trained_mask), minlength=n)
    last_answer = np.bincount(own, weights=lengths * np.asarray(last_mask), minlength=n)
    return TokenCounts(
        total=total, trained=trained.astype(np.int64), assistant_last=last_answer.astype(np.int64)
    )


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
        counts = count_batch(batch, ctx.encoding)
        return {
            "tokens_total": counts.total,
            "tokens_trained": counts.trained,
            "tokens_last_answer": counts.assistant_last,
        }


_register()
