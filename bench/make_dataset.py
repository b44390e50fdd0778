"""Deterministic synthetic chat dataset for benchmarks.

    python bench/make_dataset.py 100000 bench/out/chat_100k.jsonl [--seed 0]

Examples look like support/coding/clinical chats of realistic lengths (a system prompt, a
user turn of 1–4 sentences, an answer of 1–6 sentences, sometimes a second exchange), with
about 1% exact duplicates and 1% near duplicates so the similarity stages do real work.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

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


def example(rng: random.Random) -> dict[str, object]:
    messages = [{"role": "system", "content": rng.choice(SYSTEMS)}]
    for _ in range(1 if rng.random() < 0.8 else 2):
        messages.append(
            {"role": "user", "content": " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))}
        )
        messages.append(
            {
                "role": "assistant",
                "content": " ".join(sentence(rng) for _ in range(rng.randint(1, 6))),
            }
        )
    return {"messages": messages}


def generate(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
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
            lines.append(json.dumps(example(rng)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(generate(args.n, args.seed)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
