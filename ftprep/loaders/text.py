"""Plain documents for continued pretraining: ``{"text": ...}``.

LLaMA-Factory's pre-training layout (``data/c4_demo.jsonl``), Together's ``text`` format and
the usual shape of a raw corpus. A document has no prompt and no answer: every token of it
is trained. It loads as a :class:`~ftprep.schema.ChatExample` of ``kind="text"`` holding one
assistant message with the whole text, so token counts, duplicates and the split treat it
like any example, while the checks that judge a conversation (roles, prompts, answers,
contradictions) skip it: a document cannot lack an assistant turn or contradict another.

Other keys of the record are kept as metadata. A record that also carries an answer-like
field (``output``, ``response``, ``summary``, ``label``...) is *not* taken for a document:
it is a supervised, summarisation or classification record, read with ``--map``.
"""

from __future__ import annotations

from typing import Any

from ftprep.loaders.mapped import GUESSES
from ftprep.loaders.messages import text_field
from ftprep.loaders.registry import LoadOptions, register_format
from ftprep.schema import ChatExample, Example, LoadError, Message, SourceLocation

#: Keys that make a record with ``text`` a supervised record rather than a document.
NOT_A_DOCUMENT = frozenset(
    {
        *GUESSES["assistant"],
        *("answers", "targets", "summary", "highlights", "translation", "label", "labels"),
        *("chosen", "rejected", "kto_tag"),
    }
)


def _detect(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and isinstance(v.get("text"), str)
        and not ({k.lower() for k in v if isinstance(k, str)} & NOT_A_DOCUMENT)
    )


@register_format(
    "text",
    'Continued pretraining documents: {"text": ...}',
    detect=_detect,
    priority=-10,
)
def adapt_text(value: Any, loc: SourceLocation, opts: LoadOptions) -> Example | LoadError:
    text = text_field(value, "text", loc)
    if isinstance(text, LoadError):
        return text
    assert text is not None  # required field
    metadata = {k: v for k, v in value.items() if k != "text"}
    return ChatExample(
        kind="text",
        messages=[Message(role="assistant", content=text)],
        metadata=metadata,
        location=loc,
    )
