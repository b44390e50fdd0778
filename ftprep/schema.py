"""The data model every loader produces and every check reads.

Models validate *structure* (is this a message? is content text or parts?) and stay lenient
about *quality*: an unknown role, a weight of 2 or an empty answer is representable here so
that a check can report it at its exact line instead of the loader rejecting it wholesale.
Only what cannot be represented at all (not an object, no role) becomes a :class:`LoadError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.main import TupleGenerator

#: Roles the OpenAI chat finetuning format accepts (``function`` is the legacy tool role,
#: ``developer`` the newer name for ``system``).
KNOWN_ROLES: frozenset[str] = frozenset(
    {"system", "developer", "user", "assistant", "tool", "function"}
)
#: Message keys the OpenAI format accepts; anything else is flagged by ``clean.unknown_key``.
KNOWN_MESSAGE_KEYS: frozenset[str] = frozenset(
    {"role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight", "refusal"}
)


class SourceLocation(BaseModel):
    """Where a record came from: a file and a 1-based line.

    For JSONL the line is the record's line; for a JSON array, the line where the element
    starts; for tabular files the row's line counting the header as line 1.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    line: int
    detail: str | None = None


class ContentPart(BaseModel):
    """One part of multi-part content (text, image_url, ...). Unknown part fields are kept."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class RawOrigin(BaseModel):
    """The record an example was read from, as it stands in the file.

    Kept beside the example (a private attribute, never serialised) so that a target
    platform's rules can judge the record the platform would receive, not ftprep's
    normalised copy: a float weight, a string ``preferred_output`` or object tool-call
    arguments are repaired by the loaders but rejected by the platforms.
    """

    model_config = ConfigDict(frozen=True)

    value: Any
    layout: str
    container: str


_R = TypeVar("_R", bound="_Remembers")


class _Remembers(BaseModel):
    """A model that remembers values derived from its fields (``functools.cached_property``,
    listed in ``_DERIVED``): checks and features read a message's text some twenty times
    per example, and a property call costs more than the work. The values live in the
    instance ``__dict__`` beside the fields, never serialised, compared or iterated, and
    are forgotten when a field is assigned or :meth:`model_copy` updates one (models are
    never changed otherwise: a list field is replaced, not mutated in place)."""

    _DERIVED: ClassVar[tuple[str, ...]] = ()

    def _forget(self) -> None:
        state = self.__dict__
        for name in self._DERIVED:
            state.pop(name, None)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).__pydantic_fields__:
            self._forget()
        super().__setattr__(name, value)

    def model_copy(self: _R, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> _R:
        copied = super().model_copy(update=update, deep=deep)
        if update:
            copied._forget()
        return copied

    def __iter__(self) -> TupleGenerator:
        """The fields and extra keys, as :meth:`BaseModel.__iter__` (``dict(model)``)."""
        derived = self._DERIVED
        yield from [
            (k, v) for k, v in self.__dict__.items() if not k.startswith("_") and k not in derived
        ]
        extra = self.__pydantic_extra__
        if extra:
            yield from extra.items()


class Message(_Remembers):
    """One chat turn. Extra keys are kept (and reported) rather than silently dropped."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    function_call: dict[str, Any] | None = None
    weight: int | float | None = None

    _DERIVED: ClassVar[tuple[str, ...]] = ("text",)

    @cached_property
    def text(self) -> str:
        """The message's text: the string content, or its text parts joined by newlines
        (found once per message: see :class:`_Remembers`)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.text)

    @property
    def reasoning(self) -> str:
        """Reasoning ("thinking") parts, kept apart from the answer: a loader stores them as
        ``{"type": "reasoning", "reasoning": str}`` parts so that checks on the answer text
        (format, truncation, length) judge the answer, while token counts include both."""
        if not isinstance(self.content, list):
            return ""
        out = [getattr(p, "reasoning", None) for p in self.content if p.type == "reasoning"]
        return "\n".join(r for r in out if isinstance(r, str) and r)

    @property
    def extra_keys(self) -> list[str]:
        """Keys present on the input message that the chat format does not define."""
        return sorted((self.model_extra or {}).keys())


class ChatExample(_Remembers):
    """A supervised chat example: the normalized form of every SFT input format.

    ``kind="text"`` marks a plain document for continued pretraining (``{"text": ...}``): one
    assistant message holding the whole text, since every token of it is trained. Checks run
    per kind, so the conversation checks (roles, prompts, answers) skip documents and only
    the checks that make sense for raw text (empty, encoding, PII, duplicates) see them.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["chat", "text"] = "chat"
    messages: list[Message]
    tools: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    location: SourceLocation
    #: The raw record (set by the loader; see :class:`RawOrigin`).
    _origin: RawOrigin | None = PrivateAttr(default=None)
    _DERIVED: ClassVar[tuple[str, ...]] = ("last_assistant_index",)

    def to_record(self) -> dict[str, Any]:
        """The example as an OpenAI chat JSONL record (metadata is not part of it); a
        continued-pretraining document as ``{"text": ...}``."""
        if self.kind == "text":
            return {"text": "\n".join(m.text for m in self.messages)}
        rec: dict[str, Any] = {"messages": [m.model_dump(exclude_none=True) for m in self.messages]}
        if self.tools is not None:
            rec["tools"] = self.tools
        return rec

    @property
    def prompt_messages(self) -> list[Message]:
        """Everything before the final assistant turn: what the model is conditioned on."""
        last = self.last_assistant_index
        return self.messages if last is None else self.messages[:last]

    @cached_property
    def last_assistant_index(self) -> int | None:
        """The index of the final assistant turn, None without one (found once per
        example: see :class:`_Remembers`)."""
        messages = self.messages
        for i in range(len(messages) - 1, -1, -1):
            if messages[i].role == "assistant":
                return i
        return None


class PreferenceExample(BaseModel):
    """A preference pair (DPO-style): a prompt conversation and a preferred/rejected reply."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["preference"] = "preference"
    input: list[Message]
    preferred: list[Message]
    non_preferred: list[Message]
    tools: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    location: SourceLocation
    #: The raw record (set by the loader; see :class:`RawOrigin`).
    _origin: RawOrigin | None = PrivateAttr(default=None)

    def to_record(self) -> dict[str, Any]:
        """The pair as an OpenAI preference (DPO) record."""
        rec: dict[str, Any] = {
            "input": {"messages": [m.model_dump(exclude_none=True) for m in self.input]},
            "preferred_output": [m.model_dump(exclude_none=True) for m in self.preferred],
            "non_preferred_output": [m.model_dump(exclude_none=True) for m in self.non_preferred],
        }
        if self.tools is not None:
            rec["input"]["tools"] = self.tools
        return rec


Example = ChatExample | PreferenceExample


class LoadError(BaseModel):
    """A record that could not be turned into an example. Loading continues after it.

    ``code`` is a registered check id (``clean.malformed_json``...), so load errors appear
    in the report as findings of that check, with the same docs and severity settings.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    location: SourceLocation
