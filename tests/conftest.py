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


def varied_chats(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` distinct, plausible chat records (no defects)."""
    import random

    rng = random.Random(seed)
    topics = ["invoice", "refund", "password", "shipping", "warranty", "subscription",
              "address", "discount", "delivery", "account"]
    verbs = ["update", "cancel", "check", "change", "reset", "track", "renew", "apply"]
    out = []
    for i in range(n):
        t, v = rng.choice(topics), rng.choice(verbs)
        out.append(chat(f"How do I {v} my {t}? Order #{1000 + i}, placed {rng.randint(1, 28)} "
                        f"days ago.", f"To {v} your {t} for order #{1000 + i}, open Settings, "
                        f"choose {t.title()} and follow step {rng.randint(1, 9)}.",
                        system="You are a concise support assistant."))
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
