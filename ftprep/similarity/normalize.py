"""Text normalisation for duplicate detection.

Following the field's convention for "exact" duplicates (deepchecks, text-dedup): NFKC,
case-folded, punctuation removed and whitespace folded, so that copies differing only in
case, spacing or punctuation count as the same text.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from collections.abc import Sequence

from ftprep.schema import ChatExample, Message

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_ASCII_PUNCT = str.maketrans(dict.fromkeys(string.punctuation, " "))


def normalize_text(text: str) -> str:
    """NFKC, casefold, drop punctuation, fold whitespace.

    ASCII text (most chat data) takes a translate-table fast path with the same result:
    NFKC changes nothing there and casefold equals lower; measured 8x faster than the regex.
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_PUNCT).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def normalized_messages(batch: Sequence[ChatExample], memo: dict[str, object]) -> list[list[str]]:
    """Each example's message texts, normalised once per batch and shared by extractors."""
    cached = memo.get("normalized_messages")
    if cached is None:
        cached = [[normalize_text(m.text) for m in ex.messages] for ex in batch]
        memo["normalized_messages"] = cached
    return cached  # type: ignore[return-value]


def hash64(text: str) -> int:
    """A stable 64-bit hash (blake2b), the same on every machine and Python run."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def messages_key(messages: list[Message], normalized: list[str] | None = None) -> str:
    """A normalised rendering of a conversation (roles kept) for hashing."""
    texts = normalized if normalized is not None else [normalize_text(m.text) for m in messages]
    return "\x1e".join(f"{m.role}\x1f{t}" for m, t in zip(messages, texts, strict=True))


#: Top-level record fields holding media paths (LLaMA-Factory, TRL and ms-swift multimodal
#: layouts keep them beside the messages; loaders leave them in the metadata).
MEDIA_KEYS = ("images", "videos", "audios")


def media_key(ex: ChatExample) -> str:
    """The media an example shows the model (top-level media lists, non-text content parts).

    Part of every input hash: "What colour is the car?" about two different photos is two
    inputs, not one input with contradicting answers, and not a duplicate.
    """
    refs = [
        f"{k}={json.dumps(ex.metadata[k], sort_keys=True, default=str)}"
        for k in MEDIA_KEYS
        if ex.metadata.get(k)
    ]
    for m in ex.messages:
        if isinstance(m.content, list):
            refs += [
                json.dumps(p.model_dump(exclude_none=True), sort_keys=True, default=str)
                for p in m.content
                if p.type not in ("text", "reasoning")
            ]
    return "\x1d".join(refs)


def conversation_hashes(
    ex: ChatExample, normalized: list[str] | None = None
) -> tuple[int, int, int]:
    """(whole conversation, prompt = everything before the last assistant turn, answer).

    An example with nothing before its answer (a continued-pretraining document, an
    assistant-only record) has no input to share with another: its prompt hash is its own
    conversation hash, so prompt-keyed checks (contradictions, prompt leakage, distinct
    inputs) never group unrelated documents under one empty input.
    """
    texts = normalized if normalized is not None else [normalize_text(m.text) for m in ex.messages]
    last = ex.last_assistant_index
    cut = len(ex.messages) if last is None else last
    answer = "" if last is None else texts[last]
    tools = ("" if not ex.tools else repr(ex.tools)) + media_key(ex)
    whole = hash64(messages_key(ex.messages, texts) + tools)
    if cut == 0:
        return (whole, whole, hash64(answer))
    prompt_key = messages_key(ex.messages[:cut], texts[:cut]) + tools
    return (whole, hash64(prompt_key), hash64(answer))


def _register() -> None:

    import numpy as np

    from ftprep.features import FeatureContext, register_feature

    @register_feature("hashes", ("hash_conversation", "hash_prompt", "hash_answer", "hash_media"))
    def hashes_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
        texts = normalized_messages(batch, ctx.batch)
        rows = [conversation_hashes(ex, t) for ex, t in zip(batch, texts, strict=True)]
        arr = np.array(rows, dtype=np.uint64).reshape(len(rows), 3)
        media = np.fromiter(
            (hash64(media_key(ex)) for ex in batch), dtype=np.uint64, count=len(batch)
        )
        return {
            "hash_conversation": arr[:, 0],
            "hash_prompt": arr[:, 1],
            "hash_answer": arr[:, 2],
            "hash_media": media,
        }


_register()
