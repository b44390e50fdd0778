"""Test data for the diverse/split/evaluated tests: real varied text and templated sets."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.conftest import chat

DATA = Path(__file__).resolve().parent / "data"


def varied_pairs() -> list[tuple[str, str]]:
    """113 hand-written, varied (instruction, answer) pairs across many domains."""
    rows = [json.loads(x) for x in (DATA / "varied_instructions.jsonl").read_text().splitlines()]
    return [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in rows]


def varied_sets() -> dict[str, list[dict[str, Any]]]:
    pairs = varied_pairs()
    return {
        "instructions": [chat(u, a) for u, a in pairs],
        "answers_as_questions": [chat(f"Is this right? {a}", u) for u, a in pairs],
        "translate_prefix": [
            chat(f"Translate into French: {a}", "(French text)") for _, a in pairs
        ],
    }


def templated_sets() -> dict[str, list[dict[str, Any]]]:
    r = random.Random(1)
    countries = [
        "France",
        "Peru",
        "Kenya",
        "Japan",
        "Chile",
        "Egypt",
        "Norway",
        "Ghana",
        "Nepal",
        "Cuba",
        "Italy",
        "Spain",
        "Chad",
        "Mali",
        "Fiji",
        "Laos",
    ]
    tones = ["formal", "friendly", "short", "detailed", "urgent"]
    names = [
        f"{a} {b}"
        for a in ["Anna", "Ben", "Carla", "Dev", "Eli", "Fay"]
        for b in ["Smith", "Ng", "Lopez", "Kim", "Brown"]
    ]
    topics = [
        "budget review",
        "project deadline",
        "team offsite",
        "quarterly report",
        "client meeting",
        "hiring plan",
        "office move",
        "security audit",
    ]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    products = ["blender", "phone", "laptop", "jacket", "lamp", "chair", "kettle", "headset"]
    adjs = ["great", "terrible", "okay", "amazing", "awful", "fine", "broken", "excellent"]
    return {
        "capitals": [
            chat(f"What is the capital of {c}? (question {i})", f"The capital of {c} is listed.")
            for i, c in enumerate(r.choice(countries) for _ in range(150))
        ],
        "emails": [
            chat(
                f"Write a {r.choice(tones)} email to {r.choice(names)} about the "
                f"{r.choice(topics)} on {r.choice(days)}.",
                "Dear colleague, noted.",
            )
            for _ in range(300)
        ],
        "reviews": [
            chat(
                f"Classify the sentiment of this review: The {r.choice(products)} was "
                f"{r.choice(adjs)} and I {r.choice(['loved', 'hated', 'returned'])} it. "
                f"Order {i}.",
                r.choice(["positive", "negative"]),
            )
            for i in range(300)
        ],
        "tickets": [
            chat(
                f"Customer {r.randint(1, 99999)} reports that the "
                f"{r.choice(['app', 'website', 'checkout', 'dashboard'])} "
                f"{r.choice(['crashes', 'is slow', 'shows an error'])} on "
                f"{r.choice(['iOS', 'Android', 'Windows'])} since version {r.randint(1, 9)}."
                f"{r.randint(0, 20)}. Priority?",
                r.choice(["high", "low", "medium"]),
            )
            for _ in range(400)
        ],
    }


_WORD_TEXT = (
    "river stone ledger patient contract invoice orbit violin harvest ember lattice compass "
    "quarry meadow saddle tunnel beacon cipher garnet pollen turbine canyon atlas mortar "
    "falcon vessel thistle prism summit anchor brook copper dune fern glacier harbor ivory "
    "jasmine kettle lantern marble nectar oasis pepper quartz raven spruce timber umber "
    "velvet willow yarrow zephyr basil cedar delta fossil grove hazel island juniper kelp "
    "lagoon maple nutmeg olive pebble quill reef sage tulip urchin valley walnut"
)
WORDS = _WORD_TEXT.split(" ")


def word_text(rng: random.Random, n: int = 12) -> str:
    """A unique-looking sentence of random words (no template), for split tests."""
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" {rng.randint(0, 10**9)}"
