"""Task-type inference: classification, structured extraction, tool calling or generation.

While examples stream past, the ``answers`` extractor records per example a few small
facts about the final answer: its kind (plain text, a JSON object/array, or a conversation
with tool calls), the first tool called, and the answer itself when it is short (a label
candidate). Short answers are interned, so a million examples with five labels hold five
strings. From those columns :func:`infer_task` decides, in order:

1. tool calling: at least ``min_share`` of examples contain an assistant tool call;
2. structured extraction: at least ``min_share`` of final answers are JSON objects/arrays;
3. classification: few distinct short answers. OpenAI's legacy rule (distinct answers
   fewer than a third of the examples), plus answers of at most ``max_label_chars``
   characters and at most ``max_labels`` distinct values; or labels given in metadata
   (``label``, ``--map label=COL``) with short answers;
4. otherwise free-form generation.

Labels, for balance checks and the stratified split, are the metadata labels when present
(they win), else the short answers of classification data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import getitem
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ftprep.columns import GONE, NONE, Coded, as_coded
from ftprep.features import FeatureContext, FeatureTable, register_feature
from ftprep.schema import ChatExample
from ftprep.turns import batch_turns, called_rows

Task = Literal["classification", "extraction", "tool_calling", "generation"]
TEXT, JSON_ANSWER, TOOL_CALL, NO_ANSWER = 0, 1, 2, 3
#: Longest answer recorded as a label candidate (the configurable limit must not exceed it).
LABEL_CAP = 100
#: Distinct short answers interned per run; beyond this the data is not classification.
INTERN_CAP = 2_000
#: The check whose settings configure task inference.
SETTINGS_CHECK = "evaluated.metric"


class TaskParams(BaseModel):
    """Thresholds of task inference (settings of ``evaluated.metric``)."""

    model_config = ConfigDict(extra="ignore")

    min_share: float = Field(
        0.5, gt=0, le=1, description="share of examples with tool calls / JSON answers"
    )
    max_label_chars: int = Field(
        40, ge=1, le=LABEL_CAP, description="longest answer that can be a class label"
    )
    max_labels: int = Field(50, ge=2, description="most distinct answers for classification")
    min_short_share: float = Field(
        0.95, gt=0, le=1, description="share of answers that must be short for classification"
    )


def task_params(config: Any) -> TaskParams:
    """The task-inference thresholds configured for ``evaluated.metric``."""
    raw = config.checks.get(SETTINGS_CHECK, {}) if config is not None else {}
    return TaskParams.model_validate(raw)


def _tool_name(ex: ChatExample) -> tuple[bool, str | None]:
    for m in ex.messages:
        if m.role != "assistant":
            continue
        if m.tool_calls:
            fn = m.tool_calls[0].get("function") if isinstance(m.tool_calls[0], dict) else None
            name = fn.get("name") if isinstance(fn, dict) else None
            return True, None if name is None else str(name)
        if m.function_call:
            name = m.function_call.get("name")
            return True, None if name is None else str(name)
    return False, None


def _is_json(text: str) -> bool:
    t = text.strip()
    if not t or t[0] not in "{[" or t[-1] not in "}]":
        return False
    try:
        return isinstance(json.loads(t), dict | list)
    except ValueError:
        return False


@dataclass
class _Interner:
    strings: dict[str, str] = field(default_factory=dict)

    def get(self, text: str) -> str | None:
        found = self.strings.get(text)
        if found is not None:
            return found
        if len(self.strings) >= INTERN_CAP:
            return None
        self.strings[text] = text
        return text


class _InternAnswers:
    """Gatherer: one string object per distinct label/tool name across the run, for the first
    INTERN_CAP distinct ones in input order (later new ones become None), as if one
    interner had seen every batch in turn."""

    def __init__(self, config: Any = None) -> None:
        self.interner = _Interner()

    def add(self, columns: dict[str, Any], start: int) -> None:
        tools, labels = columns["tool_name"], columns["answer_label"]
        get = self.interner.get
        if isinstance(tools, Coded) and isinstance(labels, Coded):
            self._add_coded(tools, labels)
            return
        for i in range(len(labels)):
            if tools[i] is not None:
                tools[i] = get(tools[i])
            if labels[i] is not None:
                labels[i] = get(labels[i])

    def _add_coded(self, tools: Coded, labels: Coded) -> None:
        """:meth:`add` a distinct value at a time (what the table's columns hold).

        Interning an equal string changes nothing a coded column holds, so all it can do
        is release the values past the cap; and a value is past it from its first
        occurrence on (the cap never frees a place). So each distinct value goes through
        the interner once, in the order the row loop would first meet it (by row, a
        tool before a label), and the rows of the capped ones are released together."""
        columns = (tools, labels)
        firsts: list[tuple[int, int, int]] = []  # (first row, column, slot)
        for which, col in enumerate(columns):
            slots, rows = np.unique(col.codes, return_index=True)
            pairs = zip(slots.tolist(), rows.tolist(), strict=True)
            firsts += [(row, which, slot) for slot, row in pairs if slot != NONE]
        capped: tuple[list[int], list[int]] = ([], [])
        get = self.interner.get
        for _, which, slot in sorted(firsts):
            if get(columns[which].values[slot]) is None:
                capped[which].append(slot)
        for col, gone in zip(columns, capped, strict=True):
            if gone:
                col.release(np.isin(col.codes, gone))

    def finish(self, table: FeatureTable) -> None:
        """Nothing to add once every batch is in: labels were interned as they came."""


@register_feature(
    "answers",
    ("answer_kind", "answer_label", "answer_short", "tool_name"),
    gather=_InternAnswers,
)
def answers_feature(batch: Sequence[ChatExample], ctx: FeatureContext) -> dict[str, Any]:
    """Per example: the final answer's kind, the answer itself when it is a short one
    line (a label candidate), and the first tool an assistant message calls.

    Read from the batch's shared turns (:func:`~ftprep.turns.batch_turns`) a column at a
    time: each final answer stripped once, the JSON test only for answers that open and
    close like JSON, and the first tool looked for (:func:`_tool_name`, reading the
    messages) only in the examples where some message calls one
    (:func:`~ftprep.turns.called_rows`)."""
    # One object per distinct string of this batch; the gatherer interns across batches
    # and applies the cap (so a capped string here could not differ from one run to another).
    interned: dict[str, str] = {}
    n = len(batch)
    turns = batch_turns(batch, ctx.batch)
    lasts = turns.last
    answered = [i for i, last in enumerate(lasts) if last is not None]
    texts = [""] * n
    if len(answered) == n:
        texts = list(map(str.strip, map(getitem, turns.texts, lasts)))  # type: ignore[arg-type]
    else:
        for i in answered:
            texts[i] = turns.texts[i][lasts[i]].strip()  # type: ignore[index]
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    kinds = np.where(sizes == 0, np.int8(NO_ANSWER), np.int8(TEXT)).astype(np.int8)
    for i in compress(range(n), map(str.startswith, texts, repeat(("{", "[")))):
        if _is_json(texts[i]):
            kinds[i] = JSON_ANSWER
    lines = np.fromiter(map(str.__contains__, texts, repeat("\n")), dtype=bool, count=n)
    short = (sizes > 0) & (sizes <= LABEL_CAP) & ~lines
    labels: list[str | None] = [None] * n
    for i in np.flatnonzero(short).tolist():
        labels[i] = interned.setdefault(texts[i], texts[i])
    tools: list[str | None] = [None] * n
    for i in compress(range(n), called_rows(batch, ctx.batch)):
        has_tool, name = _tool_name(batch[i])
        if has_tool:
            kinds[i] = TOOL_CALL
        if name is not None:
            tools[i] = interned.setdefault(name, name)
    return {"answer_kind": kinds, "answer_label": labels, "answer_short": short, "tool_name": tools}


@dataclass
class Labels:
    """A label index per row (-1: none), the label names, and where they came from."""

    index: np.ndarray
    names: list[str]
    source: Literal["metadata", "answers"]

    def counts(self, rows: np.ndarray | None = None) -> np.ndarray:
        idx = self.index if rows is None else self.index[rows]
        return np.bincount(idx[idx >= 0], minlength=len(self.names))


@dataclass
class TaskInfo:
    task: Task
    evidence: str
    labels: Labels | None
    shares: dict[str, float]


def _index_codes(values: list[Any], codes: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Label index per row (-1: none) and the names, sorted (deterministic, independent
    of row order), of the rows of a coded column (``codes`` into ``values``, NONE for
    None): each distinct code's name looked up once, the rows' indexes by one take."""
    present = np.unique(codes[codes != NONE]).tolist()
    names = sorted({values[c] for c in present})
    pos = {name: i for i, name in enumerate(names)}
    table = np.full(len(values) + 1, -1, dtype=np.int64)  # the last slot: NONE's (-1)
    for c in present:
        table[c] = pos[values[c]]
    return table[codes], names


def infer_task(ft: FeatureTable, params: TaskParams) -> TaskInfo:
    """Decide the task type (see the module docstring); cached on the table by the
    thresholds it reads (``evaluated.metric`` passes its settings, which hold more: the
    engine, the split and the checks that pass :func:`task_params` share its inference)."""
    key = json.dumps([getattr(params, name) for name in TaskParams.model_fields])
    if key not in ft.derived.tasks:
        ft.derived.tasks[key] = _infer(ft, params)
    info: TaskInfo = ft.derived.tasks[key]
    return info


def _infer(ft: FeatureTable, p: TaskParams) -> TaskInfo:
    n = ft.n
    if n == 0:
        return TaskInfo("generation", "no examples", None, {})
    kinds = ft["answer_kind"]
    tool_share = float((kinds == TOOL_CALL).mean())
    json_share = float((kinds == JSON_ANSWER).mean())
    # The label candidates as codes: whether a value is short enough is asked once per
    # distinct value (a label set has few), not once per row.
    raw = as_coded(ft["answer_label"])
    fits = [v is not GONE and len(v) <= p.max_label_chars for v in raw.values]
    short = np.asarray([*fits, False], dtype=bool)[raw.codes]  # NONE (-1): the last slot
    short_share = float(short.mean())
    answers = np.where(short, raw.codes, NONE)
    distinct = len({raw.values[c] for c in np.unique(answers[answers != NONE]).tolist()})
    meta = as_coded(ft["meta_label"])
    has_meta = int((meta.codes != NONE).sum()) >= 0.5 * n
    labels: Labels | None = None
    if has_meta:
        index, names = _index_codes(meta.values, meta.codes)
        labels = Labels(index, names, "metadata")

    def answer_labels() -> Labels:
        index, names = _index_codes(raw.values, answers)
        return Labels(index, names, "answers")

    return decide_task(p, n, (tool_share, json_share, short_share), distinct, labels, answer_labels)


def decide_task(
    p: TaskParams,
    n: int,
    shares_of: tuple[float, float, float],
    distinct: int,
    labels: Labels | None,
    answer_labels: Callable[[], Labels],
) -> TaskInfo:
    """The task type from what the table says of ``n`` examples: the shares of tool calls,
    JSON answers and short answers (``shares_of``), the number of ``distinct`` short
    answers, the metadata ``labels`` (None unless half the examples carry one), and how to
    make labels of the short answers (asked only when they are the task's labels). One
    definition, whichever way the columns were read."""
    tool_share, json_share, short_share = shares_of
    shares = {
        "tool_calls": round(tool_share, 4),
        "json_answers": round(json_share, 4),
        "short_answers": round(short_share, 4),
        "distinct_short_answers": distinct,
    }
    if tool_share >= p.min_share:
        return TaskInfo("tool_calling", f"{tool_share:.0%} of examples call a tool", labels, shares)
    if json_share >= p.min_share:
        return TaskInfo(
            "extraction", f"{json_share:.0%} of answers are JSON objects or arrays", labels, shares
        )
    few = 2 <= distinct <= p.max_labels and distinct < n / 3
    if short_share >= p.min_short_share and few:
        return TaskInfo(
            "classification",
            f"{distinct} distinct short answers across {n} examples",
            labels if labels is not None else answer_labels(),
            shares,
        )
    if labels is not None and short_share >= p.min_short_share:
        return TaskInfo(
            "classification", f"{len(labels.names)} labels given in metadata", labels, shares
        )
    return TaskInfo("generation", "answers are free-form text", labels, shares)
