"""Dataset-relative clean checks: contradictions, truncation, short answers, markup, near
duplicates — caught at exact lines, and left alone where the set's own norm allows it."""

from __future__ import annotations

import json

import ftprep
from ftprep.checks.answers import E_BROKEN, E_DANGLING, E_OPEN, E_SHORT, E_STRUCTURED, ending
from tests.conftest import locations
from tests.textsets import answer, task, user

# --- contradictions -----------------------------------------------------------------------


def test_contradiction_groups_list_every_line_and_are_errors(write_jsonl) -> None:
    records = task("classify", 40, seed=1)
    twin = json.loads(json.dumps(records[5]))
    user(twin)["content"] = user(twin)["content"].upper()  # same input after normalising
    answer(twin)["content"] = next(
        x for x in ("Positive", "Negative", "Neutral") if x != answer(records[5])["content"]
    )
    records.insert(30, twin)
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.contradiction") == [6, 31]
    finding = report.findings_for("clean.contradiction")[0]
    assert finding.severity == "error"
    assert "line(s) 31" in finding.locations[0].detail


def test_identical_answers_and_light_answer_edits_are_not_contradictions(write_jsonl) -> None:
    records = task("legal", 30, seed=2)
    copy = json.loads(json.dumps(records[3]))
    answer(copy)["content"] = answer(copy)["content"].replace(" must ", " shall ", 1)
    records.append(copy)
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.contradiction") == []


def test_near_contradiction_is_info_and_ignores_number_changes(write_jsonl) -> None:
    records = task("support", 60, seed=4)
    base = records[10]
    typo = json.loads(json.dumps(base))
    user(typo)["content"] = user(typo)["content"] + " Thanks!"
    answer(typo)["content"] = answer(records[40])["content"]
    other = json.loads(json.dumps(base))
    user(other)["content"] = user(other)["content"] + " It is 3 years old."
    answer(other)["content"] = answer(records[41])["content"]
    records += [typo, other]
    report = ftprep.validate(write_jsonl(records))
    assert 61 in locations(report, "clean.near_contradiction")
    assert 11 in locations(report, "clean.near_contradiction")
    assert 62 not in locations(report, "clean.near_contradiction")
    assert report.findings_for("clean.near_contradiction")[0].severity == "info"


def test_split_keeps_contradictions_on_one_side_and_fix_never_resolves(write_jsonl, tmp_path):
    records = task("classify", 120, seed=5)
    for i in range(0, 40, 4):
        twin = json.loads(json.dumps(records[i]))
        answer(twin)["content"] = "Neutral" if answer(twin)["content"] != "Neutral" else "Positive"
        records.append(twin)
    path = write_jsonl(records)
    out = tmp_path / "out"
    report = ftprep.fix(path, out)
    assert len(locations(report, "clean.contradiction")) == 20
    assert report.split.dropped == 0  # never resolved by --fix
    train = (out / "train.jsonl").read_text("utf-8").splitlines()
    val = (out / "validation.jsonl").read_text("utf-8").splitlines()
    assert len(train) + len(val) == len(records)

    def key(line: str) -> str:
        rec = json.loads(line)
        return user(rec)["content"]

    assert not {key(x) for x in train} & {key(x) for x in val}


# --- truncation ---------------------------------------------------------------------------


def test_ending_classes() -> None:
    assert ending("To reset it, open the settings page and then cl") == E_OPEN
    assert ending("To reset it, open the settings page and then click the") == E_DANGLING
    assert ending("We offer refunds, returns, and") == E_DANGLING
    assert ending("Here is the code:\n```python\nprint(1)\n") == E_BROKEN
    assert ending('{"a": 1, "b": [1, 2') == E_BROKEN
    assert ending("Positive") == E_SHORT
    assert ending("Steps:\n- Open settings\n- Click reset") == E_STRUCTURED
    assert ending("def f(x):\n    return x") == E_STRUCTURED
    assert ending("The full list of options is at https://example.com/docs") == E_STRUCTURED


def test_truncated_answers_flagged_against_the_set_norm(write_jsonl) -> None:
    records = task("legal", 40, seed=6)
    text = answer(records[7])["content"]
    answer(records[7])["content"] = text[: len(text) // 2].rsplit(" ", 1)[0]
    answer(records[12])["content"] = text[: len(text) // 2].rsplit(" ", 1)[0] + " and"
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.truncated") == [8, 13]


def test_unpunctuated_sets_are_not_flagged_but_broken_json_is(write_jsonl) -> None:
    records = task("extract", 40, seed=7)
    for rec in records[:20]:
        answer(rec)["content"] = "Vendor and amount extracted, see the fields below"
    answer(records[30])["content"] = answer(records[30])["content"][:40]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.truncated") == [31]


# --- short answers ------------------------------------------------------------------------


def test_short_answers_flagged_but_not_in_label_sets(write_jsonl) -> None:
    records = task("support", 50, seed=8)
    answer(records[3])["content"] = "Yes."
    answer(records[20])["content"] = "See above."
    labels = task("classify", 50, seed=8)
    report = ftprep.validate(write_jsonl(records + labels))
    assert locations(report, "clean.short_answer") == [4, 21]


# --- markup -------------------------------------------------------------------------------


def test_markup_residue_flagged_where_the_set_is_plain(write_jsonl) -> None:
    records = task("medical", 40, seed=9)
    answer(records[2])["content"] = "<p>" + answer(records[2])["content"] + "</p>"
    answer(records[5])["content"] = answer(records[5])["content"].replace(" ", "&nbsp;", 1)
    user(records[8])["content"] += " See the <div> element docs."  # a mention, not residue
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.markup") == [3, 6]


def test_markup_is_not_flagged_when_it_is_the_style(write_jsonl) -> None:
    records = task("support", 40, seed=10)
    for rec in records[:20]:
        answer(rec)["content"] = "<p>" + answer(rec)["content"] + "</p>"
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.markup") == []


# --- near duplicates ----------------------------------------------------------------------


def test_case_and_spacing_copies_are_exact_and_near_duplicates(write_jsonl) -> None:
    records = task("support", 30, seed=11)
    assert locations(ftprep.validate(write_jsonl(records)), "clean.near_duplicate") == []
    copy = json.loads(json.dumps(records[4]))
    user(copy)["content"] = user(copy)["content"].lower()
    same = json.loads(json.dumps(records[9]))
    records += [copy, same]
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.exact_duplicate") == [5, 10, 31, 32]
    assert locations(report, "clean.near_duplicate") == [5, 31]
