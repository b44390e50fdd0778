"""Shared fixtures: real files on disk, the real CLI, and no network.

pytest-socket (configured in pyproject.toml with --disable-socket) makes any attempt to
open a network socket fail the test, so "offline" is enforced, not assumed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ftprep.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"


def chat(user: str, assistant: str, system: str | None = None, **extra: Any) -> dict[str, Any]:
    """A chat record as plain JSON data."""
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": messages, **extra}


_NOUNS = [
    "invoice",
    "refund",
    "password",
    "parcel",
    "warranty",
    "subscription",
    "address",
    "voucher",
    "courier",
    "account",
    "printer",
    "router",
    "laptop",
    "battery",
    "charger",
    "monitor",
    "keyboard",
    "headset",
    "camera",
    "tablet",
    "lease",
    "mortgage",
    "pension",
    "premium",
    "deductible",
    "claim",
    "policy",
    "statement",
    "transfer",
    "payment",
    "deposit",
    "budget",
    "forecast",
    "ledger",
    "audit",
    "receipt",
    "contract",
    "clause",
    "tenant",
    "landlord",
    "deadline",
    "hearing",
    "appeal",
    "permit",
    "visa",
    "passport",
    "ticket",
    "booking",
    "itinerary",
    "luggage",
    "flight",
    "hotel",
    "recipe",
    "oven",
    "garden",
    "fence",
    "roof",
    "boiler",
    "radiator",
    "thermostat",
    "insulation",
    "window",
    "plumbing",
]
_VERBS = [
    "update",
    "cancel",
    "check",
    "change",
    "reset",
    "track",
    "renew",
    "apply",
    "transfer",
    "close",
    "open",
    "verify",
    "replace",
    "repair",
    "configure",
    "schedule",
    "dispute",
    "calculate",
    "estimate",
    "compare",
    "export",
    "import",
    "archive",
    "restore",
    "upgrade",
    "downgrade",
    "register",
]
_ADJ = [
    "urgent",
    "overdue",
    "missing",
    "broken",
    "expensive",
    "confusing",
    "recent",
    "duplicate",
    "foreign",
    "annual",
    "monthly",
    "shared",
    "corporate",
    "personal",
    "temporary",
    "damaged",
    "delayed",
]
_OPENERS = (
    "Quick question:",
    "Hi there.",
    "I need help.",
    "Hello,",
    "Sorry to bother you.",
    "Good morning.",
    "Can you help?",
    "Hey.",
    "One more thing.",
    "Urgent:",
)
_ASKS = (
    "How do I {v} my {a} {n}?",
    "What happens if I {v} the {n} before the {n2}?",
    "Is it possible to {v} a {n} without a {n2}?",
    "Why can't I {v} my {n} anymore?",
    "Where do I find the {n} for my {a} {n2}?",
    "Who should I contact to {v} the {n}?",
    "Can the {n} and the {n2} be combined?",
    "When will my {a} {n} arrive?",
)
_CONTEXT = (
    "It has been {k} days.",
    "My {n} was set up in {y}.",
    "I tried twice already.",
    "The {n2} shows an error code {c}.",
    "My colleague had the same issue with a {n}.",
    "I am on the {a} plan.",
    "This is for a {a} {n2}.",
    "",
    "",
)
_ANSWERS = (
    "You can {v} the {n} from the {n2} page; it takes about {k} minutes.",
    "First {v} the {n2}, then the {n} updates automatically within {k} hours.",
    "A {a} {n} cannot be changed online, so call the {n2} desk and quote code {c}.",
    "Open the {n2} settings, select {N}, and confirm; you will get a receipt by email.",
    "That depends on your {n2}: for {a} plans the {n} is handled after {k} days.",
    "Yes. Go to {N} > {N2}, choose {v}, and keep the reference {c} for your records.",
    "No, the {n} must be {v}ed by an agent; we reply within {k} business days.",
)


def varied_chats(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` distinct, plausible chat records with genuinely varied wording (no defects).

    Every example draws its sentences, nouns, verbs and numbers independently, so no two
    are near duplicates and the set passes diversity checks.
    """
    import random

    rng = random.Random(seed)

    def fill(template: str) -> str:
        n1, n2 = rng.sample(_NOUNS, 2)
        return template.format(
            v=rng.choice(_VERBS),
            a=rng.choice(_ADJ),
            n=n1,
            n2=n2,
            N=n1.title(),
            N2=n2.title(),
            k=rng.randint(2, 90),
            y=rng.randint(2009, 2025),
            c=f"{rng.choice('ABCDEFGHJK')}{rng.randint(100, 999)}",
        )

    out = []
    for _ in range(n):
        parts = [
            rng.choice(_OPENERS),
            fill(rng.choice(_ASKS)),
            fill(rng.choice(_CONTEXT)),
            fill(rng.choice(_CONTEXT)),
        ]
        user = " ".join(p for p in parts if p)
        answer = " ".join(fill(t) for t in rng.sample(_ANSWERS, 2))
        out.append(chat(user, answer, system="You are a concise support assistant."))
    return out


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """Write records (dicts, or raw strings written verbatim) as a JSONL file."""

    def write(records: Sequence[Any], name: str = "data.jsonl") -> Path:
        path = tmp_path / name
        lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Invoke the real CLI in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


def locations(report: Any, check: str) -> list[int]:
    """Line numbers of every location of ``check``'s finding (empty when no finding)."""
    found = [f for f in report.findings if f.check == check]
    return sorted(loc.line for f in found for loc in f.locations)
