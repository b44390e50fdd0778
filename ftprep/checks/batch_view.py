"""One batch as the per-example checks read it: what they all derive, derived once.

Every per-example check walks every message of every example, and each used to derive the
same things again: ``Message.text`` (a property: some 330,000 calls per 10,000 chat
examples of three messages), the roles, whether a message has tool calls, a weight or
unknown keys, and each rule scanned every text for its own few characters. A
:class:`CheckBatch` reads each message once per batch, into

- ``turns[row]``: ``(role, text)`` of each message the checks of that row read (a chat or
  text example's messages; a preference pair's prompt, preferred and rejected messages, in
  that order, as ``clean.encoding`` and ``clean.pii`` number them);
- ``row_signs[row]``, ``signs(row)``: the telling characters of the row's texts, all
  together and each (``checks.signs``), which the text rules' screens ask instead of
  scanning the texts, each for its own characters;
- ``marks[row]``: a few bits saying which rare structures the row holds at all (an unknown
  role, a missing content, a weight, an extra key, a tool call or result, a blank turn,
  no assistant turn), so a structural check runs its rule only on the rows that can
  break it, and on none in the usual batch.

A check that has a batch form (``base.batch_form``) receives the :class:`CheckBatch` and
yields ``(row, detail)`` exactly as its per-example function would for each row, in row
order; a check without one (a user's own) runs per example as before
(:func:`run_example_check`). tests/test_check_batches.py holds every batch form to its
per-example function.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial, reduce
from operator import itemgetter, or_
from typing import Any

from ftprep.checks.base import REGISTRY, CheckSpec, Flag, batch_form
from ftprep.checks.byte_words import WORTH, worth_going_on
from ftprep.checks.signs import sign_of
from ftprep.features import batch_memo
from ftprep.schema import KNOWN_ROLES, ChatExample, Example, Message
from ftprep.turns import CALLED_ROWS, TEXT_ONLY, last_assistant
from ftprep.turns import Turns as BatchTurns

#: ``marks`` bits: a row holds...
UNKNOWN_ROLE = 1  # a role the chat format does not know
NO_CONTENT = 2  # a message whose content is None
WEIGHT = 4  # a message with a weight
EXTRA_KEY = 8  # a message with keys the model does not define
TOOLS = 16  # a tool call (``tool_calls``/``function_call``) or a ``tool`` message
BLANK = 32  # a message whose text is empty or whitespace
NO_ASSISTANT = 64  # no assistant message
NAMED = 128  # a message with a name
PARTS = 256  # a message whose content is a list of parts
CALL_ID = 512  # a message with a tool call id
#: What a message holds beyond its role and text (or no content), for the token counter
#: (``turns.TEXT_ONLY``; a ``tool`` message counts too, which only makes it look itself).
_BEYOND_TEXT = WEIGHT | TOOLS | NAMED | PARTS | CALL_ID

#: The text of a ``(role, text)`` pair.
_TEXT = itemgetter(1)
#: A row's ``(role, text)`` pairs. Tuples, like the rows' signs: the collector stops
#: tracking a tuple of strings the first time it meets it, so a batch's thousands of them
#: do not pile up in the oldest generation and bring on full collections (lists would).
RowTurns = tuple[tuple[str, str], ...]
#: A role tuple and whether each message calls a tool: all that the role order reads.
Shape = tuple[tuple[str, ...], tuple[bool, ...] | None]


def messages_of(ex: Example) -> list[Message]:
    """The messages the checks of ``ex`` read, in the order details number them."""
    if isinstance(ex, ChatExample):
        return ex.messages
    return [*ex.input, *ex.preferred, *ex.non_preferred]


def _read(
    messages: list[Message],
) -> tuple[RowTurns, int, bool, tuple[str, ...], tuple[str, ...], tuple[Any, ...]]:
    """(role, text) of each message, the row's ``marks``, whether any message calls a
    tool, and the roles, texts and ``tool_calls`` of its messages each as a tuple (what
    ``turns.Turns`` holds); one pass, each field read once, from the model's ``__dict__``
    (where pydantic keeps the fields: a dict lookup costs a third of an attribute access
    on a model)."""
    roles: list[str] = []
    texts: list[str] = []
    tool_calls: list[Any] = []
    marks = NO_ASSISTANT
    calls = False
    for m in messages:
        fields = m.__dict__
        role = fields["role"]
        content = fields["content"]
        if content is None:
            text = ""
            marks |= NO_CONTENT
        elif content.__class__ is str:
            text = content
        else:
            text = m.text
            marks |= PARTS
        roles.append(role)
        texts.append(text)
        called = fields["tool_calls"]
        tool_calls.append(called)
        if role == "assistant":
            marks &= ~NO_ASSISTANT
        elif role not in KNOWN_ROLES:
            marks |= UNKNOWN_ROLE
        elif role == "tool":
            marks |= TOOLS
        if called or fields["function_call"]:
            marks |= TOOLS
            calls = True
        if fields["weight"] is not None:
            marks |= WEIGHT
        if fields["name"]:
            marks |= NAMED
        if fields["tool_call_id"]:
            marks |= CALL_ID
        if m.__pydantic_extra__:
            marks |= EXTRA_KEY
        if not text or text.isspace():
            marks |= BLANK
    pair = tuple(zip(roles, texts, strict=True))
    return pair, marks, calls, tuple(roles), tuple(texts), tuple(tool_calls)


class CheckBatch:
    """The examples of one batch with their chat views (``examples[row]``, ``views[row]``)
    and what the checks share of them (module docstring), read on first use."""

    def __init__(self, examples: Sequence[Example], views: Sequence[ChatExample]) -> None:
        self.examples = examples
        self.views = views
        self._rows: dict[tuple[str, ...], list[int]] = {}
        self._all = list(range(len(examples)))
        #: The kind of every example, when the batch holds only one.
        self._single: str | None = None
        self._turns: list[RowTurns] | None = None
        self._marks: list[int] = []
        self._signs: dict[int, tuple[bytes | None, ...]] = {}
        self._row_signs: list[bytes | None] | None = None
        self._calls: list[bool] = []
        self._roles: list[tuple[str, ...]] = []
        self._texts: list[tuple[str, ...]] = []
        self._answers: dict[tuple[str, ...], tuple[list[int], list[str]]] = {}

    def rows(self, kinds: tuple[str, ...]) -> list[int]:
        """The rows whose example kind is one of ``kinds`` (those a check of ``kinds`` sees)."""
        rows = self._rows.get(kinds)
        if rows is None:
            if not self._rows:  # the first call: one kind for the whole batch is the rule
                kinds_here = {ex.kind for ex in self.examples}
                if len(kinds_here) == 1:
                    self._single = next(iter(kinds_here))
            if self._single is not None:
                rows = self._all if self._single in kinds else []
            else:
                rows = [row for row, ex in enumerate(self.examples) if ex.kind in kinds]
            self._rows[kinds] = rows
        return rows

    def target(self, row: int) -> Example:
        """What a check's per-example function receives for ``row`` (a chat example's view)."""
        ex = self.examples[row]
        return self.views[row] if ex.kind == "chat" else ex

    def _read_all(self) -> list[RowTurns]:
        if self._turns is None:
            turns, marks, calls = [], [], []
            roles, texts, tool_calls = [], [], []
            for ex in self.examples:
                t, m, c, r, x, k = _read(messages_of(ex))
                turns.append(t)
                marks.append(m)
                calls.append(c)
                roles.append(r)
                texts.append(x)
                tool_calls.append(k)
            self._turns, self._marks, self._calls = turns, marks, calls
            self._texts = texts
            self._roles = roles
            if all(ex.__class__ is ChatExample for ex in self.examples):
                # the views are the examples themselves: what ``turns.batch_turns`` would
                # read of them is read here already, so the feature extractors of this
                # batch take it from the batch memo instead of reading every message again
                shared = BatchTurns(roles, texts, tool_calls, list(map(last_assistant, roles)))
                memo = batch_memo()
                memo.setdefault("turns", shared)
                memo.setdefault(CALLED_ROWS, calls)
                memo.setdefault(TEXT_ONLY, not reduce(or_, marks, 0) & _BEYOND_TEXT)
        return self._turns

    @property
    def turns(self) -> list[RowTurns]:
        """Per row, ``(role, text)`` of each of :func:`messages_of` its example."""
        return self._read_all()

    def signs(self, row: int) -> tuple[bytes | None, ...]:
        """The :func:`~ftprep.checks.signs.sign_of` each text of ``row``, made when first
        asked for (most rows are ruled out by their :attr:`row_signs` alone)."""
        signs = self._signs.get(row)
        if signs is None:
            signs = self._signs[row] = tuple([sign_of(text) for _, text in self.turns[row]])
        return signs

    @property
    def row_signs(self) -> list[bytes | None]:
        """Per row, the sign of all its texts end to end (their signs end to end), None
        when one is not ASCII: a screen that finds none of its characters there rules out
        the whole row at once (capitals of two texts meeting may look like a run: that
        only lets a row through)."""
        if self._row_signs is None:
            self._row_signs = [sign_of("".join(map(_TEXT, turns))) for turns in self.turns]
        return self._row_signs

    @property
    def texts(self) -> list[tuple[str, ...]]:
        """Per row, the texts of its :attr:`turns` (the same strings, without the roles)."""
        self._read_all()
        return self._texts

    @property
    def roles(self) -> list[tuple[str, ...]]:
        """Per row, the roles of its :attr:`turns` (the same strings, without the texts)."""
        self._read_all()
        return self._roles

    @property
    def marks(self) -> list[int]:
        """Per row, the bits above of what its messages hold."""
        self._read_all()
        return self._marks

    def answers(self, kinds: tuple[str, ...]) -> tuple[list[int], list[str]]:
        """The non-empty assistant texts of the rows of ``kinds``, in order, and the row of
        each: what the answer rules read (``clean.repetition``, ``clean.refusal``), read
        from :attr:`turns` once for all of them."""
        found = self._answers.get(kinds)
        if found is None:
            owners: list[int] = []
            texts: list[str] = []
            turns = self.turns
            for row in self.rows(kinds):
                for role, text in turns[row]:
                    if role == "assistant" and text:
                        owners.append(row)
                        texts.append(text)
            found = self._answers[kinds] = (owners, texts)
        return found

    def answer_texts(self, row: int) -> list[str]:
        """The non-empty assistant texts of ``row`` (its part of :meth:`answers`)."""
        return [text for role, text in self.turns[row] if role == "assistant" and text]

    def marked(self, kinds: tuple[str, ...], bits: int) -> list[int]:
        """The rows of ``kinds`` holding any of ``bits``: the only ones a structural rule
        about those structures can flag."""
        marks = self.marks
        return [row for row in self.rows(kinds) if marks[row] & bits]

    def shape(self, row: int) -> Shape:
        """The roles of ``row`` and, when any message calls a tool, which ones do."""
        self._read_all()
        roles = self._roles[row]
        if not self._calls[row]:
            return roles, None
        messages = messages_of(self.examples[row])
        return roles, tuple(bool(m.tool_calls or m.function_call) for m in messages)


def each_row(
    batch: CheckBatch, rows: Iterable[int], func: Callable[..., Iterable[str]], settings: Any
) -> Iterator[tuple[int, str]]:
    """``func``'s details on each of ``rows``, as ``(row, detail)``."""
    for row in rows:
        for detail in func(batch.target(row), settings):
            yield row, detail


def screened_by(id: str, bits: int) -> None:
    """Give the registered check ``id`` a batch form that runs its function only on the
    rows marked with any of ``bits``: its rule can flag no other (the structure it is about
    is absent from them), and in most batches no row is marked at all."""
    spec = REGISTRY[id]
    func = spec.func
    assert func is not None

    def screened(batch: CheckBatch, settings: Any) -> Iterator[tuple[int, str]]:
        return each_row(batch, batch.marked(spec.kinds, bits), func, settings)

    screened.__doc__ = f"{id} on the rows that hold what it is about."
    batch_form(id)(screened)


#: ``(role, text)`` of each message of an example, as :attr:`CheckBatch.turns` holds them.
Turns = Sequence[tuple[str, str]]


def turns_of(ex: Example) -> list[tuple[str, str]]:
    """``(role, text)`` of each of :func:`messages_of` ``ex``: what a text rule reads."""
    return [(m.role, m.text) for m in messages_of(ex)]


def by_turns(
    id: str,
    rule: Callable[..., str | None],
    signed: bool = False,
    clean: Callable[[CheckBatch, int], bool] | None = None,
) -> None:
    """Give the registered check ``id``, whose function yields ``rule(turns_of(ex),
    settings)`` when it is not None, the batch form that applies ``rule`` to the batch's
    shared :attr:`CheckBatch.turns` (texts read once for all the text rules); ``signed``:
    and to their :meth:`CheckBatch.signs`, as a third argument (the rule screens its texts
    by their signs, and by the texts themselves without it). ``clean(batch, row)``: true
    only when ``rule`` surely finds nothing in the row (skipped then)."""
    kinds = REGISTRY[id].kinds

    def rows(batch: CheckBatch, settings: Any) -> Iterator[tuple[int, str]]:
        turns = batch.turns
        for row in batch.rows(kinds):
            if clean is not None and clean(batch, row):
                continue
            if signed:
                found = rule(turns[row], settings, batch.signs(row))
            else:
                found = rule(turns[row], settings)
            if found is not None:
                yield row, found

    rows.__doc__ = f"{id} on the batch's shared texts."
    batch_form(id)(rows)


#: Rows a text screen reads first, to tell whether screening the batch is worth it.
SCREEN_FIRST = 64


def suspect_rows(
    rows: list[int],
    texts_of: Callable[[int], list[str]],
    clean: Callable[[list[str]], list[bool]],
) -> Iterator[int]:
    """The rows of ``rows``, in order, but those all of whose texts (``texts_of(row)``)
    ``clean`` rules out: a text rule's screen asked of many rows at once. The first
    ``SCREEN_FIRST`` rows tell whether it is worth it: where the texts it rules out hold
    less than ``byte_words.WORTH`` of their characters (natural text, say, holding what
    it looks for), the other rows are all yielded unread, at no more cost than reading
    them one by one."""
    first, rest = rows[:SCREEN_FIRST], rows[SCREEN_FIRST:]
    owners, texts = _texts_of_rows(first, texts_of)
    ruled_out = clean(texts)
    kept = {row for row, out in zip(owners, ruled_out, strict=True) if not out}
    yield from (row for row in first if row in kept)
    if not worth_going_on(texts, ruled_out):
        yield from rest
        return
    owners, texts = _texts_of_rows(rest, texts_of)
    kept = {row for row, out in zip(owners, clean(texts), strict=True) if not out}
    yield from (row for row in rest if row in kept)


def suspect_rows_of(
    rows: list[int],
    texts_of: Callable[[int], list[str]],
    gathered: Callable[[], tuple[list[int], list[str]]],
    clean: Callable[[list[str]], list[bool]],
    worth: float = WORTH,
) -> Iterator[int]:
    """:func:`suspect_rows`, the texts of the rows after the first ``SCREEN_FIRST`` taken,
    when the screen is worth it, from ``gathered()``: all the texts of ``rows`` (and no
    other), in row order, and the row of each, gathered once for the batch (and never
    where the screen stops after the first rows). ``worth``: the share of the first
    rows' characters the screen must rule out to read on (``byte_words.worth_going_on``)."""
    first, rest = rows[:SCREEN_FIRST], rows[SCREEN_FIRST:]
    owners, texts = _texts_of_rows(first, texts_of)
    ruled_out = clean(texts)
    kept = {row for row, out in zip(owners, ruled_out, strict=True) if not out}
    yield from (row for row in first if row in kept)
    if not rest:
        return
    if not worth_going_on(texts, ruled_out, worth):
        yield from rest
        return
    owners, texts = gathered()
    cut = bisect.bisect_left(owners, rest[0])
    kept = {row for row, out in zip(owners[cut:], clean(texts[cut:]), strict=True) if not out}
    yield from (row for row in rest if row in kept)


def by_screened_answers(
    id: str,
    rule: Callable[[Turns, Any], str | None],
    clean: Callable[[list[str], Any], list[bool]],
    worth: float = WORTH,
) -> None:
    """Give the registered check ``id``, whose function yields ``rule(turns_of(ex),
    settings)`` when it is not None and which reads the answers only, the batch form that
    applies ``rule`` to the rows whose answers ``clean(answers, settings)`` (asked of many
    answers at once; true where the rule surely finds nothing with those settings) does
    not rule out: :func:`suspect_rows_of` over the batch's shared answers (``worth``:
    its share)."""
    kinds = REGISTRY[id].kinds

    def rows(batch: CheckBatch, settings: Any) -> Iterator[tuple[int, str]]:
        turns = batch.turns
        gathered = partial(batch.answers, kinds)
        screen = partial(_screen_with, clean, settings)
        found_rows = suspect_rows_of(batch.rows(kinds), batch.answer_texts, gathered, screen, worth)
        for row in found_rows:
            found = rule(turns[row], settings)
            if found:
                yield row, found

    rows.__doc__ = f"{id} on the rows whose answers the batch screen leaves open."
    batch_form(id)(rows)


def _screen_with(
    clean: Callable[[list[str], Any], list[bool]], settings: Any, texts: list[str]
) -> list[bool]:
    """``clean(texts, settings)``: a screen with its check's settings bound."""
    return clean(texts, settings)


def _texts_of_rows(
    rows: list[int], texts_of: Callable[[int], list[str]]
) -> tuple[list[int], list[str]]:
    """The texts of ``rows`` end to end, and the row of each."""
    owners: list[int] = []
    texts: list[str] = []
    for row in rows:
        more = texts_of(row)
        owners += [row] * len(more)
        texts += more
    return owners, texts


def run_example_check(spec: CheckSpec, settings: Any, batch: CheckBatch) -> list[Flag]:
    """The flags of one per-example check over ``batch``, in row order: its batch form
    when it has one, else its function on each row of its kinds."""
    if spec.batch is not None:
        return [Flag(row, detail) for row, detail in spec.batch(batch, settings)]
    func = spec.func
    assert func is not None
    found: list[Flag] = []
    for row in batch.rows(spec.kinds):
        for detail in func(batch.target(row), settings):
            found.append(Flag(row, detail))
    return found


__all__ = [
    "CheckBatch",
    "Turns",
    "by_screened_answers",
    "by_turns",
    "each_row",
    "messages_of",
    "run_example_check",
    "screened_by",
    "suspect_rows",
    "suspect_rows_of",
    "turns_of",
]
