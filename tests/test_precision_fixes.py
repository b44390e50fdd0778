"""Precision fixes found by judging real data (tests/data/real): each false finding class
stays quiet, and the true case next to it still fires."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ftprep.checks.clean.markup import markup_items
from ftprep.pii.context import judge
from ftprep.pii.detectors import CATEGORIES, find_pii
from tests.conftest import chat, varied_chats

REAL = Path(__file__).resolve().parent / "data" / "real"


def _personal(text: str) -> list[bool]:
    return [judge(text, m).personal for m in find_pii(text, CATEGORIES)]


def test_inline_tool_call_code_is_not_markup_residue() -> None:
    row = json.loads((REAL / "gpteacher_toolformer.jsonl").read_text("utf-8").splitlines()[23])
    assert "python('def is_prime" in row["output"]
    assert markup_items(row["output"]) == (0, None)
    assert markup_items("Dear team,\\nthe invoice is attached.\\nRegards") == (2, "literal \\n")
    assert markup_items("Call render('<p>hi</p>') to draw it.") == (0, None)
    assert markup_items("The answer is <p>yes</p> and <br> more.")[0] >= 2


def test_a_business_advertised_number_is_not_personal() -> None:
    ad = ("If you want expert advice and quality service in Edmonton, give McKinley Heating "
          "Service Experts a call at 780-800-7092 to get your questions addressed.")  # fmt: skip
    assert _personal(ad) == [False]
    assert _personal("Call us today at (415) 867-2231 for a free estimate!") == [False]
    assert _personal("Hi, this is Dana, my number is (415) 867-2231, call me back.") == [True]
    assert _personal("The customer called from (415) 867-2231 about the refund.") == [True]


def test_kto_flags_are_not_classes(cli: Any, tmp_path: Path) -> None:
    rows = varied_chats(200, seed=6)
    for i, r in enumerate(rows):
        r["label"] = i % 10 != 0  # KTO: desirable or not
    data = tmp_path / "kto.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    report = json.loads(cli("validate", str(data), "--json").stdout)
    assert not [f for f in report["findings"] if f["check"] == "diverse.label_balance"]
    classes = [dict(chat(f"Ticket {i}: question about order {i}", "billing"), label="billing")
               for i in range(5)]  # fmt: skip
    assert classes[0]["label"] == "billing"  # a string label is still a class


def test_a_typed_space_after_a_question_is_not_a_whitespace_habit(cli: Any, tmp_path: Path) -> None:
    rows = varied_chats(150, seed=12)
    rows[10]["messages"][-2]["content"] += " "  # typed: ignored
    rows[20]["messages"][-2]["content"] += "\n\n"  # a pasted trailing block: a defect
    rows[30]["messages"][-1]["content"] = " " + rows[30]["messages"][-1]["content"]
    data = tmp_path / "ws.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    report = json.loads(cli("validate", str(data), "--json").stdout)
    finding = next(f for f in report["findings"] if f["check"] == "consistent.whitespace")
    assert [loc["line"] for loc in finding["locations"]] == [21, 31]


def test_own_split_leakage_uses_the_same_near_duplicate_rule(cli: Any, tmp_path: Path) -> None:
    """Toolformer-style data: a long shared tool preamble over different requests. The
    split's groups set the preamble aside; the leakage check must judge pairs the same way,
    or ftprep would report its own split as leaking."""
    preamble = (
        "toolformer: enabled\ntoolformer access: weather, calculator\n"
        "A weather tool. Use it to get the forecast for a city on a date.\nweather(city, date)\n"
        "A calculator. Use it for arithmetic on numbers the user gives.\ncalculator(expression)\n"
    )
    rows = [
        chat(preamble + request, answer)
        for request, answer in (
            (f"What will the weather be in city number {i} on day {i % 28 + 1}?",
             f"weather('city {i}', 'day {i % 28 + 1}')")
            if i % 2
            else (f"What is {i} times {i + 7}, plus {i * 3}?", f"calculator('{i}*{i + 7}+{i * 3}')")
            for i in range(240)
        )
    ]  # fmt: skip
    data = tmp_path / "tools.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    report = json.loads(cli("validate", str(data), "--json").stdout)
    assert not [f for f in report["findings"] if f["check"] == "split.leakage_near"]
