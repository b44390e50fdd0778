"""Where fingerprints come from: public benchmark files, and a team's own eval sets.

Benchmarks are read in their published layouts (GSM8K test ``question``/``answer``,
HumanEval ``prompt``/``canonical_solution``, MT-bench ``turns``), each item split into the
parts a training example could reproduce. An eval set is any input ftprep reads (JSONL,
CSV, Parquet, Excel, Alpaca, ShareGPT, ``--map``...): each example's prompt (its user
turns) and its reference answer (the final assistant turn) are two parts, located at the
eval file's line so a finding can name both sides.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftprep.contamination.fingerprint import Part
from ftprep.errors import InputError
from ftprep.loaders import LoadOptions, open_source
from ftprep.schema import ChatExample, PreferenceExample

#: The benchmarks bundled with ftprep: name, file in the benchmarks folder, provenance.
BUNDLED: tuple[dict[str, str], ...] = (
    {
        "name": "GSM8K",
        "file": "gsm8k_test.jsonl",
        "split": "test",
        "source": "openai/grade-school-math @ 3101c7d, grade_school_math/data/test.jsonl",
        "licence": "MIT",
    },
    {
        "name": "HumanEval",
        "file": "HumanEval.jsonl.gz",
        "split": "test",
        "source": "openai/human-eval @ 6d43fb9, data/HumanEval.jsonl.gz",
        "licence": "MIT",
    },
    {
        "name": "MT-bench",
        "file": "mt_bench_questions.jsonl",
        "split": "questions",
        "source": "lm-sys/FastChat @ 0e6d3e4, fastchat/llm_judge/data/mt_bench/question.jsonl",
        "licence": "Apache-2.0",
    },
)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line.strip():
                yield line_no, json.loads(line)


def benchmark_parts(name: str, path: Path) -> Iterator[tuple[Part, str]]:
    """The parts of every item of a bundled benchmark file, in its published layout."""
    for line_no, row in _rows(path):
        if name == "GSM8K":
            # GSM8K has no ids: the 0-based row (as dataset loaders index it); the finding's
            # detail also gives the 1-based line of test.jsonl
            item = str(line_no - 1)
            yield Part(name, item, "question", 0), row["question"]
            yield Part(name, item, "solution", 0), row["answer"]
        elif name == "HumanEval":
            item = row["task_id"]
            yield Part(name, item, "prompt", 0), row["prompt"]
            # the solution with its prompt: a canonical solution alone is often a few generic
            # lines ("while b: a, b = b, a % b") that ordinary code shares
            yield Part(name, item, "solution", 0), row["prompt"] + row["canonical_solution"]
        elif name == "MT-bench":
            item = str(row["question_id"])
            for turn, text in enumerate(row["turns"], start=1):
                yield Part(name, item, f"turn {turn}", 0), text
        else:  # pragma: no cover - BUNDLED names only
            raise ValueError(name)


def eval_set_parts(
    path: Path, options: LoadOptions | None = None, name: str | None = None
) -> Iterator[tuple[Part, str]]:
    """Prompt and reference answer of every example of a team's eval file. With ``name``
    the parts are a benchmark of that name (``ftprep fingerprint``), without locations."""
    source = open_source(path, options or LoadOptions())
    label = name or str(path)
    loaded = 0
    for rec in source:
        if rec.example is None:
            continue
        loaded += 1
        ex = rec.example
        line = rec.location.line
        where = None if name else f"{path}:{line}"
        if isinstance(ex, PreferenceExample):
            prompt = [m.text for m in ex.input if m.role == "user"]
            answer = [m.text for m in ex.preferred]
        else:
            assert isinstance(ex, ChatExample)
            last = ex.last_assistant_index
            prompt = [m.text for m in ex.prompt_messages if m.role == "user"]
            answer = [ex.messages[last].text] if last is not None else []
        raw_id = ex.metadata.get("id")
        item = f"line {line}" if raw_id is None else str(raw_id)
        if any(prompt):
            yield Part(label, item, "prompt", 0, where), "\n".join(prompt)
        if any(answer):
            yield Part(label, item, "answer", 0, where), "\n".join(answer)
    if loaded == 0:
        raise InputError(str(path), "no example could be read from this eval set")


__all__ = ["BUNDLED", "benchmark_parts", "eval_set_parts"]
