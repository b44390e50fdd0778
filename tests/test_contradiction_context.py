"""clean.contradiction on realistic data: label-like conflicts are errors; paraphrases,
tools-only differences, preference pairs and KTO records are not contradictions.

The fixtures in tests/data/contradictions/ are hand-written after the cases seen on public
finetuning sets (FastChat's identity answers, GPTeacher's tool-use answers, TRL's and
LLaMA-Factory's KTO layouts, OpenAI's preference layout).
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.checks.clean.answer_profile import FREE, JSON_VALUE, LABEL, NONE, classify, facts
from tests.conftest import locations

DATA = Path(__file__).resolve().parent / "data" / "contradictions"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "clinical_coding.jsonl"
CHECKS = ("clean.contradiction", "clean.near_contradiction")


def _found(path: Path) -> dict[str, list[int]]:
    report = ftprep.validate(path)
    return {c: locations(report, c) for c in CHECKS if report.findings_for(c)}


def _rewrite(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    rows = [json.loads(x) for x in src.read_text("utf-8").splitlines()]
    dst.write_text("".join(json.dumps(edit(r)) + "\n" for r in rows), encoding="utf-8")
    return dst


def test_label_like_conflicts_are_errors() -> None:
    report = ftprep.validate(DATA / "label_conflicts.jsonl")
    # a class, a JSON value, a leading ICD-10 code, a tool call's arguments
    assert locations(report, "clean.contradiction") == list(range(1, 9))
    assert report.findings_for("clean.contradiction")[0].severity == "error"


def test_paraphrases_tools_and_system_differences_are_not_contradictions() -> None:
    assert _found(DATA / "not_contradictions.jsonl") == {}


def test_the_same_tool_example_with_the_same_tools_would_conflict(tmp_path) -> None:
    """The tools-only pair is quiet because of the tools, not by accident."""
    rows = [json.loads(x) for x in (DATA / "not_contradictions.jsonl").read_text().splitlines()]
    pair = rows[13:15]
    pair[1]["tools"] = pair[0]["tools"]
    path = tmp_path / "same_tools.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in pair), encoding="utf-8")
    assert _found(path) == {"clean.contradiction": [1, 2]}


def test_kto_and_preference_records_are_skipped(tmp_path) -> None:
    for name in ("kto_trl.jsonl", "kto_sharegpt.jsonl", "kto_messages.jsonl", "preference.jsonl"):
        assert _found(DATA / name) == {}, name
    # The same TRL records without their KTO label are plain completions that conflict.
    plain = _rewrite(
        DATA / "kto_trl.jsonl",
        tmp_path / "plain.jsonl",
        lambda r: {k: v for k, v in r.items() if k != "label"},
    )
    assert _found(plain)["clean.contradiction"] == [1, 2, 3, 4]


def test_diverging_free_text_is_info_and_paraphrase_is_silent(tmp_path) -> None:
    rows = [
        {
            "messages": [
                {
                    "role": "user",
                    "content": "Summarize the clause: Either party may "
                    "terminate this Agreement with 90 days' written notice.",
                },
                {"role": "assistant", "content": a},
            ]
        }
        for a in (
            "Either side can end the contract for any reason with 90 days' written notice.",
            "Summit Foods Corp. has 30 days to pay each invoice it does not dispute; late "
            "amounts carry 2% interest per month.",
        )
    ]
    path = tmp_path / "free.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ftprep.validate(path)
    assert locations(report, "clean.contradiction") == []
    assert locations(report, "clean.near_contradiction") == [1, 2]
    assert report.findings_for("clean.near_contradiction")[0].severity == "info"


def test_sample_data_contradiction_still_fires() -> None:
    report = ftprep.validate(SAMPLE)
    assert locations(report, "clean.contradiction") == [133, 196]
    assert report.findings_for("clean.contradiction")[0].severity == "error"


def test_disabling_the_checks_never_changes_the_split(tmp_path) -> None:
    rows = [json.loads(x) for x in (DATA / "label_conflicts.jsonl").read_text().splitlines()]
    rows += [json.loads(x) for x in (DATA / "not_contradictions.jsonl").read_text().splitlines()]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows * 3), encoding="utf-8")
    outs = []
    for i, disable in enumerate(((), ("clean.near_contradiction",), CHECKS)):
        out = tmp_path / f"out{i}"
        ftprep.split(path, out, disable=list(disable))
        outs.append(
            ((out / "train.jsonl").read_text("utf-8"), (out / "validation.jsonl").read_text())
        )
    assert outs[0] == outs[1] == outs[2]


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_answer_classification_never_fails(text: str) -> None:
    kind, value = classify(text, None)
    assert kind in (NONE, LABEL, JSON_VALUE, FREE)
    assert isinstance(value, str) and isinstance(facts(text), set)


def _judged_pair_by_pair(ft, same: float):  # type: ignore[no-untyped-def]
    """judged_input_groups by its definition: each group's representatives compared pair
    by pair, one similarity and one verdict at a time, on the table's own columns."""
    import numpy as np

    from ftprep.checks.clean.answer_profile import FREE_DIVERGENCE, LABEL_CONFLICT, judge_pair
    from ftprep.checks.clean.contradictions import MAX_REPRESENTATIVES, input_groups
    from ftprep.similarity.minhash import similarity

    values, sig = ft["answer_value"], ft["answer_sig"]
    conflicts, free = [], []
    for rows in input_groups(ft):
        _, first = np.unique(values[rows], return_index=True)
        reps = rows[np.sort(first)][:MAX_REPRESENTATIVES]
        conflict, pairs = False, []
        for x in range(len(reps)):
            for y in range(x + 1, len(reps)):
                a, b = int(reps[x]), int(reps[y])
                if float(similarity(sig[a], sig[b])) >= same:
                    continue
                verdict = judge_pair(ft, a, b)
                conflict |= verdict == LABEL_CONFLICT
                if verdict == FREE_DIVERGENCE:
                    pairs.append((a, b))
        if conflict:
            conflicts.append(rows)
            continue
        for a, b in pairs:
            free.extend((int(m), b) for m in rows[values[rows] == values[a]])
            free.extend((a, int(m)) for m in rows[values[rows] == values[b]])
    arr = np.asarray(free, dtype=np.int64).reshape(-1, 2)
    if len(arr):
        arr = np.unique(np.sort(arr, axis=1), axis=0)
        arr = arr[arr[:, 0] != arr[:, 1]]
    return conflicts, arr


def test_judged_groups_are_the_pair_by_pair_verdicts(tmp_path, monkeypatch) -> None:
    """The groups' similarities measured in one call and the verdicts read from plain
    arrays give what comparing pair by pair on the table gives: the same conflicting
    groups and diverging pairs, on labels, free texts, JSON, copies and near copies, from
    a table in memory and one spilled to disk (its columns memmaps)."""
    import numpy as np

    from ftprep.api import make_config
    from ftprep.checks.clean.contradictions import judged_input_groups
    from ftprep.engine import analyze
    from ftprep.features import Derived

    rng = np.random.default_rng(4)
    answers = [
        "yes", "No", "positive", "Negative", '{"label": "spam"}', '{"label": "ham"}',
        "Paris is the capital of France, on the Seine.",
        "Paris, on the Seine, is the capital of France.",
        "The invoice is due in 30 days; Summit Foods pays 2% interest after that.",
        "Berlin has 3.7 million inhabitants and is Germany's capital.",
        "Photosynthesis turns light, water and CO2 into sugar and oxygen in plants.",
        "def add(a, b):\n    return a + b", "", "  ", "42", "forty-two", "Ünïcödé answer 東京",
    ]  # fmt: skip
    rows = []
    for _ in range(400):
        prompt = f"Question {int(rng.integers(0, 40))}: what about item {int(rng.integers(0, 3))}?"
        answer = answers[int(rng.integers(0, len(answers)))]
        rows.append({"messages": [{"role": "user", "content": prompt},
                                  {"role": "assistant", "content": answer}]})  # fmt: skip
    path = tmp_path / "groups.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for budget in (None, "0"):
        if budget is None:
            monkeypatch.delenv("FTPREP_FEATURE_MEMORY_MB", raising=False)
        else:
            monkeypatch.setenv("FTPREP_FEATURE_MEMORY_MB", budget)
        ft = analyze([path], make_config(None), jobs=1).features
        assert ft.spilled == (budget is not None)
        for same in (0.9, 0.5, 1.0):
            ft.derived = Derived()
            groups, free = judged_input_groups(ft, same)
            want_groups, want_free = _judged_pair_by_pair(ft, same)
            assert [g.tolist() for g in groups] == [g.tolist() for g in want_groups]
            assert free.dtype == want_free.dtype and free.tolist() == want_free.tolist()
        assert len(want_groups) and len(want_free)  # both kinds occur
