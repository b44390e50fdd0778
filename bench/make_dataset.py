"""Deterministic synthetic chat dataset for benchmarks.

    python bench/make_dataset.py 100000 bench/out/chat_100k.jsonl [--seed 0] [--natural]

Examples look like support/coding/clinical chats of realistic lengths (a system prompt, a
user turn of 1–4 sentences, an answer of 1–6 sentences, sometimes a second exchange), with
about 1% exact duplicates and 1% near duplicates so the similarity stages do real work.

The default sentences draw from a 71-word list: cheap to generate, but a topic sample of
them has a 71-term vocabulary, which no real dataset has. ``--natural`` writes sentences
as walks on a word-bigram chain of the real public datasets in ``tests/data/real``
instead (their vocabulary and word frequencies, no sentence repeated), so what grows
with the vocabulary (the topics' TF-IDF and SVD, token counts of real words) is
measured too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"

WORDS = (
    "account invoice refund patient dose tablet fever cough clause tenant lease court appeal "
    "function variable error stack deploy server cache query index table column parser token "
    "budget ledger audit payment transfer balance premium claim policy symptom diagnosis "
    "referral imaging biopsy result report summary schedule meeting deadline contract review "
    "update change cancel verify replace repair configure compare export import restore "
    "upgrade quickly carefully today tomorrow urgent overdue missing broken recent annual"
).split()
SYSTEMS = [
    "You are a concise support assistant.",
    "You are a careful clinical coder.",
    "You are a senior Python reviewer. Answer with code when useful.",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


#: What a clean dataset's prose rarely holds and a walk would spread everywhere: template
#: and markup characters, escapes, long digit runs (phone numbers, ids).
_ODD = re.compile(r"[\[\]{}<>@#|\\_*`~^$]|\d{4,}")


def real_chain() -> tuple[list[str], dict[str, list[str]]]:
    """A word-bigram chain of the texts in ``tests/data/real``: the words that open their
    sentences, and each word's successors (repeated as often as they follow it), so a
    walk has real text's vocabulary and word frequencies without repeating its sentences."""
    starts: list[str] = []
    follows: dict[str, list[str]] = {}
    for path in sorted(REAL.iterdir()):
        raw = path.read_text("utf-8")
        values = (
            [json.loads(line) for line in raw.splitlines() if line.strip()]
            if path.suffix == ".jsonl"
            else [json.loads(raw)]
            if path.suffix == ".json"
            else []
        )
        for value in values:
            for text in _strings(value):
                for piece in re.split(r"(?<=[.!?])\s+", text):
                    words = piece.split()
                    if len(words) < 4 or not re.search(r"[A-Za-z]{3}", piece) or _ODD.search(piece):
                        continue
                    starts.append(words[0])
                    for a, b in itertools.pairwise(words):
                        follows.setdefault(a, []).append(b)
    return starts, follows


def natural_sentence(
    chain: tuple[list[str], dict[str, list[str]]],
) -> Callable[[random.Random], str]:
    """A walk of 6–40 words on ``chain`` (see :func:`real_chain`), ended at a word that ends
    a sentence (or given a full stop), and before it would repeat a word pair (the chain's
    cycles would otherwise make loops that real answers seldom have)."""
    starts, follows = chain

    def say(rng: random.Random) -> str:
        words = [rng.choice(starts)]
        seen: set[tuple[str, str]] = set()
        while len(words) < 40:
            last = words[-1]
            if len(words) >= 6 and last[-1] in ".!?":
                return " ".join(words)
            nexts = follows.get(last) or starts
            picked = rng.choice(nexts)
            if (last, picked) in seen:  # a loop ("Eat a banana! Eat a banana! ..."): stop
                break
            seen.add((last, picked))
            words.append(picked)
        return " ".join(words).rstrip(".!?,;:") + "."

    return say


def example(
    rng: random.Random, say: Callable[[random.Random], str] = sentence
) -> dict[str, object]:
    messages = [{"role": "system", "content": rng.choice(SYSTEMS)}]
    for _ in range(1 if rng.random() < 0.8 else 2):
        messages.append(
            {"role": "user", "content": " ".join(say(rng) for _ in range(rng.randint(1, 4)))}
        )
        messages.append(
            {
                "role": "assistant",
                "content": " ".join(say(rng) for _ in range(rng.randint(1, 6))),
            }
        )
    return {"messages": messages}


def generate(n: int, seed: int = 0, natural: bool = False) -> list[str]:
    rng = random.Random(seed)
    say = natural_sentence(real_chain()) if natural else sentence
    lines: list[str] = []
    for i in range(n):
        roll = rng.random()
        if i > 10 and roll < 0.01:
            lines.append(lines[rng.randrange(len(lines))])
        elif i > 10 and roll < 0.02:
            record = json.loads(lines[rng.randrange(len(lines))])
            record["messages"][1]["content"] += " Thanks."
            lines.append(json.dumps(record))
        else:
            lines.append(json.dumps(example(rng, say)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--natural", action="store_true", help="sentences of the real datasets in tests/data/real"
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = generate(args.n, args.seed, args.natural)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
