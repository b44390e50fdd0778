"""Small realistic datasets for the clean/consistent check tests (built from the corpus
generator's domains, so they are varied and defect-free)."""

from __future__ import annotations

import json
import random
from typing import Any

from tests.defects.domains import GENERATORS, SYSTEM


def task(domain: str, n: int, seed: int = 0, system: bool = True) -> list[dict[str, Any]]:
    """``n`` distinct clean chat records of one task (support, medical, legal, code,
    classify, extract), with the task's system prompt."""
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        ex = GENERATORS[domain](rng)
        key = json.dumps(ex["messages"][:-1])
        if key in seen:
            continue
        seen.add(key)
        msgs = ex["messages"]
        if system:
            msgs = [{"role": "system", "content": SYSTEM[domain]}, *msgs]
        out.append({"messages": msgs})
    return out


def answer(rec: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in reversed(rec["messages"]) if m["role"] == "assistant")


def user(rec: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in rec["messages"] if m["role"] == "user")
