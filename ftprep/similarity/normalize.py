"""Text normalisation for duplicate detection.

Following the field's convention for "exact" duplicates (deepchecks, text-dedup): NFKC,
case-folded, punctuation removed and whitespace folded, so that copies differing only in
case, spacing or punctuation count as the same text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ftprep.schema import ChatExample, Message

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+", re.UNICODE)


def normalize_text(text: str) -> str:
    """NFKC, casefold, drop punctuation, fold whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def hash64(text: str) -> int:
    """A stable 64-bit hash (blake2b), the same on every machine and Python run."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def messages_key(messages: list[Message]) -> str:
    """A normalised rendering of a conversation (roles kept) for hashing."""
    return "\x1e".join(f"{m.role}\x1f{normalize_text(m.text)}" for m in messages)


def conversation_hashes(ex: ChatExample) -> tuple[int, int, int]:
    """(whole conversation, prompt = everything before the last assistant turn, answer)."""
    last = ex.last_assistant_index
    prompt = ex.messages if last is None else ex.messages[:last]
    answer = "" if last is None else normalize_text(ex.messages[last].text)
    tools = "" if not ex.tools else repr(ex.tools)
    prompt_key = messages_key(prompt) + tools
    return (hash64(messages_key(ex.messages) + tools), hash64(prompt_key), hash64(answer))


def _register() -> None:
    from collections.abc import Sequence

    import numpy as np

    from ftprep.features import FeatureContext, register_feature

    @register_feature("hashes", ("hash_conversation", "hash_prompt", "hash_answer"))
    def hashes_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, object]:
        rows = [conversation_hashes(ex) for ex in batch]
        arr = np.array(rows, dtype=np.uint64).reshape(len(rows), 3)
        return {"hash_conversation": arr[:, 0], "hash_prompt": arr[:, 1], "hash_answer": arr[:, 2]}


_register()
