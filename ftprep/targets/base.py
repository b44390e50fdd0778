"""What a target profile is: a platform's rules as data, a writer and a validator.

A profile answers three questions for one finetuning platform or trainer:

- *data*: which roles, keys, tools, weights and preference pairs it accepts, per-example
  limits, minimum/maximum examples and file-size limits, with the sources they come from;
- *writer*: ``write(example)`` turns a normalized example into the platform's record and
  lists what could not be carried over (``losses``: "message 3: weight 0 dropped");
- *validator*: ``check(record)`` applies the platform's rules to a written record and returns
  :class:`Issue` values. It reads the record, not the example, so it also catches anything
  the writer could not express (a system turn in mid-conversation for Bedrock...).

Rules from the platform's own source code or docs are errors; rules only remembered or from
secondary sources (``[MEM]`` in the research notes) are ``confirmed=False`` and reported as
warnings (``clean.target_unconfirmed``) until someone checks them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from ftprep.errors import ConfigError
from ftprep.jsonl import record_size
from ftprep.schema import ChatExample, Example, PreferenceExample

Rule = Literal["role", "format", "tools", "content"]
#: The date the rules below were checked against their sources.
CHECKED = "2026-11-25"
#: The generic structure checks a chat platform's own validator settles (a profile's
#: ``defers``): the platform's verdict decides readiness, these report as warnings.
CHAT_STRUCTURE_CHECKS: tuple[str, ...] = (
    "clean.empty_turn",
    "clean.missing_content",
    "clean.invalid_weight",
    "clean.unknown_key",
    "clean.unknown_role",
    "clean.no_assistant_message",
    "clean.tool_arguments",
    "clean.tool_call_duplicate_id",
    "clean.tool_result_unanswered",
)
#: ... and the preference checks, for platforms that validate preference files too.
PREFERENCE_STRUCTURE_CHECKS: tuple[str, ...] = (
    "clean.preference_empty_side",
    "clean.preference_prompt_ends_with_assistant",
)


@dataclass(frozen=True)
class Cite:
    """Where a rule comes from: a URL or repository path, and how it was confirmed."""

    url: str
    tag: Literal["SRC", "DOC", "RUN", "MEM"]
    note: str = ""


@dataclass(frozen=True)
class Issue:
    """One rule a record breaks. ``rule`` picks the check id (``clean.target_<rule>``)."""

    rule: Rule
    detail: str
    confirmed: bool = True


@dataclass(frozen=True)
class Limit:
    """A numeric limit and whether its source is confirmed (unconfirmed: a warning)."""

    value: int
    confirmed: bool = True


@dataclass
class Written:
    """A record in the target's format and what the conversion could not keep."""

    record: dict[str, Any]
    losses: list[str] = field(default_factory=list)


@dataclass
class Conversion:
    """``write`` then ``check``: the record, its losses and the rules it breaks."""

    record: dict[str, Any]
    losses: list[str]
    issues: list[Issue]
    size: int


class Profile(ABC):
    """Base class of a target profile; one subclass per platform module."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: Roles a written record may contain (in the target's own vocabulary).
    roles: ClassVar[frozenset[str]]
    tools: ClassVar[bool] = True
    #: Where per-message training weights can be expressed: "assistant", "any" or None.
    weights: ClassVar[str | None] = None
    preference: ClassVar[bool] = False
    #: Whether the platform reads plain documents for continued pretraining
    #: (``{"text": ...}``); others get a document as a one-turn assistant conversation.
    documents: ClassVar[bool] = False
    images: ClassVar[bool] = False
    min_examples: ClassVar[Limit | None] = None
    max_examples: ClassVar[Limit | None] = None
    max_file_bytes: ClassVar[Limit | None] = None
    max_validation_bytes: ClassVar[Limit | None] = None
    max_validation_examples: ClassVar[Limit | None] = None
    max_example_tokens: ClassVar[Limit | None] = None
    #: The loader format that reads the written SFT / preference records back.
    reads_back: ClassVar[tuple[str, str | None]] = ("chat", "dpo")
    sources: ClassVar[tuple[Cite, ...]] = ()
    notes: ClassVar[tuple[str, ...]] = ()
    #: Upload services read one file format, so a file is judged as it stands
    #: (:meth:`judge`); trainers (TRL, axolotl, LLaMA-Factory) are configured to read many
    #: layouts, so their verdict is on the file ftprep writes for them.
    as_uploaded: ClassVar[bool] = True
    #: Containers the platform takes (``jsonl``: JSON Lines only).
    containers: ClassVar[frozenset[str]] = frozenset({"jsonl"})
    #: Generic structure checks whose concern this platform's own rules settle: with the
    #: target set they report at warning level, and the platform's verdict (the
    #: ``clean.target_*`` errors) decides readiness. docs/targets.md explains each.
    defers: ClassVar[tuple[str, ...]] = ()

    def write(self, ex: Example) -> Written:
        if isinstance(ex, PreferenceExample):
            if self.preference:
                return self.write_preference(ex)
            chat = ChatExample(
                messages=[*ex.input, *ex.preferred],
                tools=ex.tools,
                metadata=ex.metadata,
                location=ex.location,
            )
            written = self.write_chat(chat)
            written.losses.insert(
                0,
                f"preference pair written as a chat example on the chosen reply; the rejected "
                f"reply is dropped ({self.name} has no preference format)",
            )
            return written
        if ex.kind == "text" and self.documents:
            return self.write_document(ex)
        return self.write_chat(ex)

    def write_document(self, ex: ChatExample) -> Written:
        """A continued-pretraining document as ``{"text": ...}`` (profiles that keep extra
        columns override this to carry the metadata)."""
        losses: list[str] = []
        if ex.metadata:
            keys = ", ".join(repr(k) for k in sorted(ex.metadata))
            losses.append(f"top-level {keys} dropped ({self.name} documents carry only 'text')")
        return Written(ex.to_record(), losses)

    @abstractmethod
    def write_chat(self, ex: ChatExample) -> Written:
        """The chat example as one record of this platform's SFT format."""

    def write_preference(self, ex: PreferenceExample) -> Written:
        """The pair as one record of this platform's preference format (profiles with
        ``preference = True`` override this; :meth:`write` never calls it otherwise)."""
        raise ConfigError(f"target {self.name} has no preference (DPO) format")

    @abstractmethod
    def check(self, record: dict[str, Any]) -> list[Issue]:
        """The platform rules a record in this platform's format breaks."""

    def native(self, record: dict[str, Any]) -> bool:
        """Whether the record is in one of the layouts the platform reads (it may still
        break the platform's rules); other layouts need ``ftprep convert`` first."""
        return True

    def judge(self, record: Any, container: str = "jsonl") -> list[Issue]:
        """The rules a record breaks *as it stands in the file* (nothing repaired).

        A file the platform cannot take at all (another container, another record layout)
        gets one issue per record naming the fix, not one per missing field.
        """
        where = []
        if container not in self.containers:
            where.append(
                f"a {container} file (it reads {', '.join(sorted(self.containers))} files)"
            )
        if not isinstance(record, dict):
            where.append("a line that is not a JSON object")
        elif not self.native(record):
            keys = ", ".join(sorted(map(str, record))) or "no keys"
            where.append(f"a record with the keys {keys}, which is not one of its layouts")
        if where:
            fix = f"`ftprep convert --to {self.name}` writes a file it reads"
            issue = Issue("format", f"{self.name} does not read {' holding '.join(where)}; {fix}")
            if not isinstance(record, dict) or not self.native(record):
                return [issue]
            return [issue, *self._checked(record)]
        return self._checked(record)

    def _checked(self, record: dict[str, Any]) -> list[Issue]:
        try:
            return self.check(record)
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            return [Issue("format", f"{self.name} cannot read this record ({exc})")]

    def dataset_notes(self, kinds: set[str]) -> list[Issue]:
        """Dataset-level caveats (an unconfirmed record layout for some kind...)."""
        return []

    def companions(self, files: dict[str, Path], kinds: set[str]) -> dict[Path, str]:
        """Extra files to write next to the outputs (``split``: train/validation), by path."""
        return {}

    def convert(self, ex: Example) -> Conversion:
        written = self.write(ex)
        return Conversion(
            record=written.record,
            losses=written.losses,
            issues=self.check(written.record),
            size=record_size(written.record),
        )
