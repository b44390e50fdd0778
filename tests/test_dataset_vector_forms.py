"""Dataset checks read their columns as whole arrays (numpy masks over a task's rows, a coded
column's codes instead of its decoded values); each must give exactly what its per-row
definition gives. The per-row definitions are written out here as the references, and
hypothesis varies the tables (tasks of every size, documents among chats, every end and
format code, labels present or not)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.answers import (
    E_BROKEN,
    E_DANGLING,
    E_OPEN,
    E_TERMINAL,
    JSON_INVALID,
)
from ftprep.checks.base import DatasetContext, Flag
from ftprep.checks.clean.truncation import TruncationSettings, truncated
from ftprep.checks.consistent.output_format import (
    LabelVocabularySettings,
    label_verdicts,
    label_vocabulary,
)
from ftprep.checks.dataset import task_groups
from ftprep.checks.evaluated import MetricSettings
from ftprep.columns import Coded, among, held, tally
from ftprep.evaluation.tasks import (
    JSON_ANSWER,
    TEXT,
    TOOL_CALL,
    Labels,
    TaskInfo,
    TaskParams,
    decide_task,
    infer_task,
    task_params,
)
from ftprep.features import FeatureTable


def table_of(columns: dict[str, Any]) -> FeatureTable:
    """A finished table holding ``columns`` (lists become coded columns, as in a run)."""
    n = len(next(iter(columns.values())))
    ft = FeatureTable(["x"])
    ft.append({"record": np.arange(n, dtype=np.int64), **columns}, n)
    ft.finish()
    return ft


def as_tuples(flags: list[Flag]) -> list[tuple[Any, ...]]:
    return [(f.row, f.detail, f.fixable, f.group) for f in flags]


CTX = DatasetContext(model=None, records=0, load_errors=0)


@st.composite
def answer_ends(draw: Any) -> dict[str, Any]:
    """Columns of a table of final answers' ends, in a few tasks (system prompts)."""
    n = draw(st.integers(0, 90))
    rows = st.lists(st.integers(0, 6), min_size=n, max_size=n)
    return {
        "kind": draw(st.lists(st.sampled_from(["chat", "chat", "text"]), min_size=n, max_size=n)),
        "system_hash": np.asarray(
            draw(st.lists(st.sampled_from([0, 7, 9]), min_size=n, max_size=n)), dtype=np.uint64
        ),
        "answer_end": np.asarray(draw(rows), dtype=np.int8),
        "answer_end_worst": np.asarray(draw(rows), dtype=np.int8),
        "answer_end_message": np.asarray(draw(rows), dtype=np.int16),
        "answer_format": np.asarray(draw(rows), dtype=np.int8),
        "answer_start_mid": np.asarray(
            draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool
        ),
    }


def truncated_by_row(ft: FeatureTable, settings: TruncationSettings) -> list[Flag]:
    """clean.truncated's definition, one row at a time."""
    worst, last = ft["answer_end_worst"], ft["answer_end"]
    msg, fmt, start_mid = ft["answer_end_message"], ft["answer_format"], ft["answer_start_mid"]
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group):
        ends = last[ref]
        prose = int(np.isin(ends, (E_TERMINAL, E_OPEN, E_DANGLING)).sum())
        share = float((ends == E_TERMINAL).sum()) / prose if prose else 0.0
        judged = prose >= settings.min_prose
        for r in rows:
            w = int(worst[r])
            where = f"message {int(msg[r])}"
            if w == E_BROKEN:
                what = "JSON cut off" if fmt[r] == JSON_INVALID else "code block never closed"
                flags.append(Flag(int(r), f"{where}: {what}"))
            elif judged and w == E_DANGLING and share >= settings.dangling_terminal_share:
                flags.append(
                    Flag(
                        int(r),
                        f"{where} ends on a dangling word or mark ({share:.0%} of "
                        "answers end a sentence)",
                    )
                )
            elif start_mid[r]:
                flags.append(Flag(int(r), "the final answer starts mid-word or mid-sentence"))
            elif judged and w == E_OPEN and share >= settings.min_terminal_share:
                flags.append(
                    Flag(
                        int(r), f"{where} ends mid-sentence ({share:.0%} of answers end a sentence)"
                    )
                )
    flags.sort(key=lambda f: f.row)
    return flags


@settings(max_examples=150, deadline=None)
@given(
    answer_ends(),
    st.integers(5, 12),
    st.integers(1, 6),
    st.sampled_from([0.1, 0.5, 0.8]),
    st.sampled_from([0.1, 0.5]),
)
def test_truncated_flags_what_its_per_row_rules_flag(
    columns: dict[str, Any], min_group: int, min_prose: int, terminal: float, dangling: float
) -> None:
    ft = table_of(columns)
    rules = TruncationSettings(
        min_group=min_group,
        min_prose=min_prose,
        min_terminal_share=terminal,
        dangling_terminal_share=dangling,
    )
    found = truncated(ft, rules, CTX)
    assert as_tuples(found.flags) == as_tuples(truncated_by_row(ft, rules))
    assert found.metrics["truncated_answers"] == len(found.flags)


def test_labels_counted_by_code_keep_their_first_seen_order() -> None:
    """A coded column's codes follow first occurrence, so a Counter of the decoded values
    and one built from the codes list the labels in the same order."""
    values = ["b", None, "a", "b", "c", None, "a"]
    ft = table_of({"label_candidate": values})
    assert list(Counter(v for v in ft["label_candidate"] if v is not None)) == ["b", "a", "c"]


values_and_rows = st.lists(
    st.one_of(st.none(), st.sampled_from(["a", "b", "Ab", ""]), st.integers(0, 2), st.booleans()),
    max_size=40,
).flatmap(
    lambda values: st.tuples(
        st.just(values),
        st.lists(st.integers(0, max(len(values) - 1, 0)), max_size=60 if values else 0),
    )
)


@settings(max_examples=200, deadline=None)
@given(values_and_rows, st.booleans())
def test_coded_answers_from_codes_what_its_values_answer(
    case: tuple[list[Any], list[int]], released: bool
) -> None:
    values, picked = case
    col = Coded.of(values)
    if released and values:
        col[0] = None  # a gatherer's release: the value may be gone
        values = [None, *values[1:]]
    for column in (col, values):
        rows = np.asarray(picked, dtype=np.int64)
        decoded = [values[i] for i in picked]
        assert held(column, rows).tolist() == [v is not None for v in decoded]
        want = Counter(v for v in decoded if v is not None)
        got = tally(column, rows)
        assert got == want and list(got) == list(want)  # same keys, same first-seen order
        assert [type(k) for k in got] == [type(k) for k in want]
        wanted = {"a", 1}
        assert among(column, rows, wanted).tolist() == [
            k for k, v in enumerate(decoded) if v is not None and v in wanted
        ]


def label_vocabulary_by_row(ft: FeatureTable, rules: LabelVocabularySettings) -> Any:
    """consistent.label_vocabulary's definition, reading the labels one row at a time."""
    labels = ft["label_candidate"]
    flags: list[Flag] = []
    sizes: list[int] = []
    for rows, ref in task_groups(ft, rules.min_group):
        ref_labels = [labels[i] for i in ref if labels[i] is not None]
        if len(ref) < rules.min_examples or len(ref_labels) < rules.min_label_share * len(ref):
            continue
        surface = Counter(ref_labels)
        if len(surface) > rules.max_labels:
            continue
        sizes.append(len(surface))
        verdict = label_verdicts(surface, rules.typo_ratio)
        for r in rows:
            lab = labels[r]
            if lab is not None and lab in verdict:
                flags.append(Flag(int(r), verdict[lab]))
    flags.sort(key=lambda f: f.row)
    return as_tuples(flags), sizes


LABELS = ["positive", "Positive", "positive.", "postive", "negative", "Negative", "neutral"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([*LABELS, None, None]), st.sampled_from([0, 5]), st.booleans()),
        max_size=120,
    ),
    st.integers(5, 12),
    st.sampled_from([0.2, 0.6]),
    st.sampled_from([2.0, 10.0]),
)
def test_label_vocabulary_flags_what_its_per_row_definition_flags(
    rows: list[tuple[str | None, int, bool]], min_group: int, share: float, typo: float
) -> None:
    ft = table_of(
        {
            "label_candidate": [lab for lab, _, _ in rows],
            "system_hash": np.asarray([s for _, s, _ in rows], dtype=np.uint64),
            "kind": ["text" if doc else "chat" for _, _, doc in rows],
        }
    )
    rules = LabelVocabularySettings(
        min_group=min_group, min_examples=5, min_label_share=share, typo_ratio=typo
    )
    found = label_vocabulary(ft, rules, CTX)
    flags, sizes = label_vocabulary_by_row(ft, rules)
    assert as_tuples(found.flags) == flags
    assert found.metrics["label_vocabulary_sizes"] == sizes


def infer_by_row(ft: FeatureTable, p: TaskParams) -> TaskInfo:
    """evaluation.tasks' inference, reading the label columns one row at a time."""

    def index(values: list[Any]) -> tuple[np.ndarray, list[str]]:
        names = sorted({v for v in values if v is not None})
        pos = {name: i for i, name in enumerate(names)}
        return np.asarray([-1 if v is None else pos[v] for v in values], dtype=np.int64), names

    n = ft.n
    if n == 0:
        return TaskInfo("generation", "no examples", None, {})
    kinds = ft["answer_kind"]
    tool_share = float((kinds == TOOL_CALL).mean())
    json_share = float((kinds == JSON_ANSWER).mean())
    raw = list(ft["answer_label"])
    short = np.asarray([v is not None and len(v) <= p.max_label_chars for v in raw], dtype=bool)
    short_share = float(short.mean())
    answers = [v if s else None for v, s in zip(raw, short, strict=True)]
    distinct = len({v for v in answers if v is not None})
    meta = list(ft["meta_label"])
    labels = None
    if sum(v is not None for v in meta) >= 0.5 * n:
        labels = Labels(*index(meta), "metadata")
    return decide_task(
        p,
        n,
        (tool_share, json_share, short_share),
        distinct,
        labels,
        lambda: Labels(*index(answers), "answers"),
    )


ANSWERS = ["yes", "no", "maybe so", "a rather longer answer than a label", None]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ANSWERS),
            st.sampled_from(["b", "a", None]),
            st.sampled_from([TEXT, TEXT, TEXT, JSON_ANSWER, TOOL_CALL]),
        ),
        max_size=60,
    ),
    st.integers(1, 12),
    st.sampled_from([0.5, 0.9]),
    st.booleans(),
)
def test_task_inference_is_its_per_row_definition(
    rows: list[tuple[Any, Any, int]], chars: int, short_share: float, release: bool
) -> None:
    ft = table_of(
        {
            "answer_label": [a for a, _, _ in rows],
            "meta_label": [m for _, m, _ in rows],
            "answer_kind": np.asarray([k for _, _, k in rows], dtype=np.int8),
        }
    )
    if release and rows:
        ft["answer_label"][0] = None  # a gatherer's cap releases values in place
    params = TaskParams(max_label_chars=chars, min_short_share=short_share)
    got, want = infer_task(ft, params), infer_by_row(ft, params)
    assert (got.task, got.evidence, got.shares) == (want.task, want.evidence, want.shares)
    assert (got.labels is None) == (want.labels is None)
    if got.labels is not None and want.labels is not None:
        assert got.labels.names == want.labels.names and got.labels.source == want.labels.source
        assert got.labels.index.tolist() == want.labels.index.tolist()
        assert got.labels.index.dtype == want.labels.index.dtype


def test_metric_settings_share_the_engines_task_inference() -> None:
    """evaluated.metric passes its settings (thresholds and more): the inference it gets is
    the one the engine, the split and the other checks computed from the same thresholds."""
    ft = table_of(
        {
            "answer_label": ["yes", "no"] * 10,
            "meta_label": [None] * 20,
            "answer_kind": np.zeros(20, dtype=np.int8),
        }
    )
    first = infer_task(ft, task_params(None))
    assert infer_task(ft, MetricSettings()) is first
    assert infer_task(ft, MetricSettings(max_label_chars=2)) is not first


def label_counts_by_row(labels: list[Any], sides: np.ndarray, max_labels: int) -> Any:
    """report.distributions.label_counts' definition, a Counter step per row (sides: train
    0, validation 1, dropped -1)."""
    if not any(label is not None for label in labels):
        return None
    counters: dict[int, Counter[str]] = {side: Counter() for side in (0, 1, -1)}
    for label, side in zip(labels, sides.tolist(), strict=True):
        counters[int(side)]["(no label)" if label is None else label] += 1
    totals = counters[0] + counters[1] + counters[-1]
    ordered = sorted(totals, key=lambda k: (-totals[k], k))
    shown, rest = ordered[:max_labels], ordered[max_labels:]
    out: dict[str, Any] = {
        "labels": shown,
        "train": [counters[0][k] for k in shown],
        "validation": [counters[1][k] for k in shown],
        "dropped": [counters[-1][k] for k in shown],
        "distinct": len(ordered),
    }
    if rest:
        out["other"] = {
            "labels": len(rest),
            "train": sum(counters[0][k] for k in rest),
            "validation": sum(counters[1][k] for k in rest),
            "dropped": sum(counters[-1][k] for k in rest),
        }
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "(no label)", None]), st.sampled_from([0, 1, -1])
        ),
        max_size=60,
    ),
    st.integers(1, 4),
    st.booleans(),
)
def test_label_counts_are_its_per_row_counts(
    rows: list[tuple[Any, int]], max_labels: int, coded: bool
) -> None:
    from ftprep.report.distributions import label_counts

    labels = [lab for lab, _ in rows]
    sides = np.asarray([s for _, s in rows], dtype=np.int8)
    column: Any = Coded.of(labels) if coded else labels
    got = label_counts(column, sides, max_labels=max_labels)
    want = label_counts_by_row(labels, sides, max_labels)
    assert got == want
    if got is not None:
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in want.items()}
