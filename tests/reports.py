"""Shared material for the renderer tests: a real report with known defects at known lines,
and the same report with the optional sections (clusters, system prompts) and hostile text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ftprep
from ftprep.api import make_config
from ftprep.report.model import Report
from ftprep.schema import SourceLocation
from tests.conftest import chat, varied_chats

HOSTILE = '<script>alert("pwned")</script>'
LABELS = ("billing", "shipping", "account")
#: Lines (1-based) of the injected defects in :func:`defect_lines`.
DUPLICATE_LINES = (4, 11, 12)
EMPTY_LINE = 21
MALFORMED_LINE = 31
LONG_LINE = 41
TOKEN_LIMIT = 200


def defect_lines(n: int = 200) -> list[str]:
    """``n`` JSONL lines with labels and: copies of line 4 at 11 and 12, an empty answer
    (with hostile text in the question) at 21, broken JSON at 31, a ~300-token example at 41."""
    records = varied_chats(n)
    for i, rec in enumerate(records):
        rec["label"] = LABELS[i % 3]
    lines = [json.dumps(r) for r in records]
    lines[10] = lines[3]
    lines[11] = lines[3]
    lines[EMPTY_LINE - 1] = json.dumps(chat(f"Hi {HOSTILE}", "   ", label="billing"))
    lines[MALFORMED_LINE - 1] = '{"messages": [ broken'
    lines[LONG_LINE - 1] = json.dumps(chat("word " * 300, "ok", label="account"))
    return lines


def write_defects(path: Path, n: int = 200) -> Path:
    path.write_text("\n".join(defect_lines(n)) + "\n", encoding="utf-8")
    return path


def config() -> Any:
    """Default config with the over-length limit lowered so one example exceeds it."""
    return make_config(None, sets=[f"clean.over_token_limit.max_tokens={TOKEN_LIMIT}"])


def split_report(path: Path, out: Path) -> Report:
    return ftprep.split(path, out, config=config())


CLUSTERS = [
    {"name": "refund · order", "size": 120},
    {"name": f"password {HOSTILE}", "size": 50},
    {"name": "shipping $x$ & co", "size": 25},
]
SYSTEM_PROMPTS = [
    {"text": "You are a concise support assistant.", "count": 180},
    {"text": f"You are {HOSTILE} [EMAIL]", "count": 17},
]


def enrich(report: Report) -> Report:
    """The report plus clusters, system prompt variants and a hostile location detail and
    input path (as other stages and masked checks would produce them)."""
    consistent = report.checklist.consistent.model_copy(
        update={
            "metrics": {**report.checklist.consistent.metrics, "system_prompts": SYSTEM_PROMPTS}
        }
    )
    checklist = report.checklist.model_copy(update={"consistent": consistent})
    stats = {**report.stats, "diversity": {"clusters": CLUSTERS}}
    first = report.findings[0]
    hostile_loc = SourceLocation(source=f"x{HOSTILE}.jsonl", line=7, detail=f"text: {HOSTILE}")
    findings = [
        first.model_copy(update={"locations": [hostile_loc, *first.locations]}),
        *report.findings[1:],
    ]
    return report.model_copy(update={"checklist": checklist, "stats": stats, "findings": findings})
