"""Output format: JSON vs not, the JSON schema, markdown vs plain, the label vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from pydantic import Field

from ftprep.checks.answers import (
    FENCED,
    FORMAT_NAMES,
    JSON,
    JSON_FENCED,
    JSON_INVALID,
    MARKDOWN,
    NONE,
    PLAIN,
)
from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.checks.consistent.requests import (
    ASK_CODE,
    ASK_JSON,
    ASK_LIST,
    ASK_MARKDOWN,
    ASK_TABLE,
)
from ftprep.checks.dataset import excerpts_by_key, task_groups
from ftprep.columns import among, held, tally
from ftprep.features import FeatureTable
from ftprep.similarity.topics import topic_params, topics

_JSONISH = (JSON, JSON_FENCED, JSON_INVALID)


class OutputFormatSettings(CheckSettings):
    dominant_share: float = Field(
        0.7, gt=0.5, le=1, description="share of JSON answers that makes JSON the format"
    )
    max_markup_share: float = Field(
        0.1, gt=0, lt=1, description="at most this share of markdown/code: the set is plain"
    )
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


#: What a request must ask for to excuse an answer's format in a set that does otherwise.
_EXCUSED_BY = {
    FENCED: ASK_CODE | ASK_MARKDOWN | ASK_JSON,
    MARKDOWN: ASK_CODE | ASK_MARKDOWN | ASK_TABLE | ASK_LIST,
    PLAIN: ASK_CODE | ASK_TABLE | ASK_LIST | ASK_MARKDOWN,
}


def like_with_like(
    ft: FeatureTable, min_group: int, config: Any
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows to judge, reference rows) for groups of examples that do the same task.

    A shared system prompt defines a task. Examples without one (a mixed instruction set:
    poems, code, maths, translation) are split by topic cluster, and only examples inside a
    cluster are compared: a code answer among recipes is odd, among programming questions
    it is the norm. Examples outside the clustered sample are not judged.
    """
    system = ft["system_hash"] if "system_hash" in ft else np.zeros(ft.n, dtype=np.uint64)
    clusters: np.ndarray | None = None
    for rows, ref in task_groups(ft, min_group):
        if system[rows[0]] != 0 and len(rows) >= min_group:
            yield rows, ref
            continue
        if clusters is None:
            top = topics(ft, topic_params(config)) if "sample_input" in ft else None
            clusters = top.row_cluster if top is not None and top.k > 1 else np.zeros(0)
        if len(clusters) == 0:
            yield rows, ref
            continue
        for c in np.unique(clusters[rows]):
            if c < 0:
                continue
            members = rows[clusters[rows] == c]
            yield members, members


@dataset_check(
    "consistent.output_format",
    "consistent",
    "warning",
    "{count} answers break the output format of the task",
    settings=OutputFormatSettings,
    needs=("answer_shape", "system_prompt", "asked_format", "text_sample"),
)
def output_format(
    ft: FeatureTable, settings: OutputFormatSettings, ctx: DatasetContext
) -> CheckResult:
    """Answer does not follow the output format of its task, and its request did not ask.

    What: the format of each final answer — JSON (bare or in a ```` ```json ```` fence),
    JSON that does not parse, markdown (headings, bold, tables, links), code blocks, plain
    text — against the answers of the same task: examples sharing a system prompt, or, in a
    set without one (a mixed instruction set), examples of the same topic cluster (see
    `diverse.coverage`). When at least `dominant_share` of them are JSON: answers that are
    not JSON, that do not parse, or that are fenced where the others are bare (or the
    reverse). When at most `max_markup_share` use markdown or code blocks: the ones that do.
    An answer is excused when its own request (the last user turn) asks for its format: a
    code block for "write a Python function", markdown for "make a table" or "a list of
    five tips", prose for a request that asks for code or a list in a JSON set. `**` between
    digits (`3**2`) is Python's power operator, not bold.
    Why: a model finetuned for structured output must produce it every time; a few prose
    or broken-JSON answers teach it that breaking the format is acceptable, and a parser
    downstream fails. Markdown in a plain-text task leaks `**` and `#` into a UI that shows
    raw text.
    Threshold: `dominant_share` 0.7, `max_markup_share` 0.1, at least `min_examples` per
    task or cluster.
    Fix: rewrite the flagged answers in the task's format (validate JSON with
    `json.loads`), or drop them.
    """
    fmt = ft["answer_format"]
    asked = ft["asked_format"] if "asked_format" in ft else np.zeros(ft.n, dtype=np.int8)
    config = ctx.config
    flags: list[Flag] = []
    for rows, ref in like_with_like(ft, settings.min_group, config):
        f = fmt[ref]
        f = f[f != NONE]
        if len(f) < settings.min_examples:
            continue
        jsonish = np.isin(f, _JSONISH).mean()
        if jsonish >= settings.dominant_share:
            usual = JSON if (f == JSON).sum() >= (f == JSON_FENCED).sum() else JSON_FENCED
            for r in rows[~np.isin(fmt[rows], (NONE, usual))].tolist():
                v = int(fmt[r])
                if v == JSON_INVALID:
                    detail = "answer is not valid JSON"
                elif v in _JSONISH:
                    detail = (
                        f"{FORMAT_NAMES[v]} where {jsonish:.1%} of answers are "
                        f"{FORMAT_NAMES[usual]}"
                    )
                elif int(asked[r]) & ASK_JSON == 0 and int(asked[r]) & _EXCUSED_BY[v]:
                    continue  # the request asked for code, a table or a list, not JSON
                else:
                    detail = (
                        f"answer is {FORMAT_NAMES[v]} text, not JSON ({jsonish:.1%} of "
                        "answers are JSON)"
                    )
                flags.append(Flag(int(r), detail))
            continue
        text = f[np.isin(f, (PLAIN, MARKDOWN, FENCED))]
        if len(text) < settings.min_examples:
            continue
        marked = np.isin(text, (MARKDOWN, FENCED)).mean()
        if marked <= settings.max_markup_share:
            for r in rows[np.isin(fmt[rows], (MARKDOWN, FENCED))]:
                if int(asked[r]) & _EXCUSED_BY[int(fmt[r])]:
                    continue
                what = "markdown" if fmt[r] == MARKDOWN else "a code block"
                flags.append(
                    Flag(
                        int(r),
                        f"uses {what} where {1 - marked:.0%} of its task's answers are plain "
                        "text, and the request did not ask for it",
                    )
                )
    flags.sort(key=lambda fl: fl.row)
    values, counts = np.unique(np.asarray(fmt)[np.asarray(fmt) != NONE], return_counts=True)
    named = Counter[str]()
    for v, c in zip(values.tolist(), counts.tolist(), strict=True):
        named[FORMAT_NAMES[v]] += c
    return CheckResult(flags=flags, metrics={"answer_formats": dict(sorted(named.items()))})


class JsonKeysSettings(CheckSettings):
    min_dominant_share: float = Field(
        0.5, gt=0, le=1, description="share of JSON objects the usual key set must have"
    )
    rare_share: float = Field(
        0.1, gt=0, lt=1, description="key sets used by less than this share are flagged"
    )
    min_examples: int = Field(20, ge=5, description="JSON objects needed to judge")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


@dataset_check(
    "consistent.json_keys",
    "consistent",
    "warning",
    "{count} JSON answers have keys that differ from the usual schema",
    settings=JsonKeysSettings,
    needs=("answer_shape", "system_prompt"),
)
def json_keys(ft: FeatureTable, settings: JsonKeysSettings, ctx: DatasetContext) -> CheckResult:
    """JSON answer's keys differ from the task's usual schema.

    What: the set of top-level keys of each JSON-object answer, against the task's (same
    system prompt, else the whole set): when one key set is used by at least
    `min_dominant_share` of the JSON objects, answers whose key set is rare (less than
    `rare_share`) are flagged, naming the missing and extra keys. Optional fields that many
    answers omit form common key sets and are not flagged.
    Why: a renamed or missing key in a few answers teaches the model two schemas; the
    consumer of its output breaks on the variant.
    Threshold: `min_dominant_share` 0.5, `rare_share` 0.1, at least `min_examples` objects.
    Fix: map the variant keys to the schema's names, add missing keys (with `null`), or drop
    the examples.
    """
    keys = ft["json_keys"]
    names = excerpts_by_key(keys, ft["json_keys_text"])
    flags: list[Flag] = []
    for rows, ref in task_groups(ft, settings.min_group):
        k = keys[ref]
        k = k[k != 0]
        if len(k) < settings.min_examples:
            continue
        uniq, counts = np.unique(k, return_counts=True)
        top = int(np.argmax(counts))
        if counts[top] / len(k) < settings.min_dominant_share:
            continue
        usual = int(uniq[top])
        usual_names = set(names.get(usual, "").split(", ")) - {""}
        rare = uniq[counts / len(k) < settings.rare_share]  # never 0 (no JSON object)
        for r in rows[np.isin(keys[rows], rare)].tolist():
            v = int(keys[r])
            mine = set(names.get(v, "").split(", ")) - {""}
            parts = []
            if usual_names and mine:
                if usual_names - mine:
                    parts.append("missing " + ", ".join(sorted(usual_names - mine)))
                if mine - usual_names:
                    parts.append("extra " + ", ".join(sorted(mine - usual_names)))
            detail = "; ".join(parts) or "key set differs from the usual one"
            flags.append(Flag(int(r), detail[:200]))
    flags.sort(key=lambda f: f.row)
    return CheckResult(flags=flags, metrics={"json_key_sets": len(np.unique(keys[keys != 0]))})


class LabelVocabularySettings(CheckSettings):
    min_label_share: float = Field(
        0.6, gt=0, le=1, description="share of label-like answers that makes a task classification"
    )
    max_labels: int = Field(50, ge=2, description="more distinct labels: not a label set")
    typo_ratio: float = Field(
        10.0, gt=1, description="a label this many times rarer than a look-alike is a typo"
    )
    min_examples: int = Field(20, ge=5, description="fewer examples: no judgement")
    min_group: int = Field(30, ge=5, description="examples sharing a system prompt form a task")


_FOLD = re.compile(r"[\W_]+", re.UNICODE)


def _fold(label: str) -> str:
    return _FOLD.sub("", label.casefold())


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def label_verdicts(surface: Mapping[str, int], typo_ratio: float) -> dict[str, str]:
    """What is wrong with each label of a task's label set (``surface``: each spelling and
    its count, in the order first seen), for the labels that are a variant: the same after
    :func:`_fold` as a more common spelling, or within edit distance 2 of a label used
    ``typo_ratio`` times as often. One definition, whichever way the counts were read."""
    by_fold: dict[str, Counter[str]] = {}
    for lab, c in surface.items():
        by_fold.setdefault(_fold(lab), Counter())[lab] = c
    canonical = {f: forms.most_common(1)[0][0] for f, forms in by_fold.items()}
    fold_count = {f: sum(forms.values()) for f, forms in by_fold.items()}
    verdict: dict[str, str] = {}
    for lab in surface:
        f = _fold(lab)
        if lab != canonical[f]:
            verdict[lab] = f"'{lab}' where the usual spelling is '{canonical[f]}'"
            continue
        if len(f) < 4:
            continue
        for other, oc in fold_count.items():
            if other != f and oc >= typo_ratio * fold_count[f] and _edit_distance(f, other) <= 2:
                verdict[lab] = f"'{lab}' looks like a misspelling of '{canonical[other]}'"
                break
    return verdict


@dataset_check(
    "consistent.label_vocabulary",
    "consistent",
    "warning",
    "{count} answers spell a label differently from the rest",
    settings=LabelVocabularySettings,
    needs=("answer_shape", "system_prompt"),
)
def label_vocabulary(
    ft: FeatureTable, settings: LabelVocabularySettings, ctx: DatasetContext
) -> CheckResult:
    """Classification label spelled differently from the rest of the set.

    What: in classification-style tasks (at least `min_label_share` of the final answers are
    short labels — up to four words on one line — with at most `max_labels` distinct
    values), labels that are a variant of a more common label: the same after folding
    case, spaces and punctuation (`positive` vs `Positive`, `Positive.`), or a likely typo
    (edit distance 1–2 from a label used `typo_ratio` times as often, e.g. `Postive`).
    Why: to the model every spelling is a separate class; variants split the training
    signal, and at inference the model emits spellings your evaluation does not expect.
    Threshold: `min_label_share` 0.6, `max_labels` 50, `typo_ratio` 10.
    Fix: map every variant to the canonical spelling (the report names it).
    """
    labels = ft["label_candidate"]
    flags: list[Flag] = []
    vocab_sizes: list[int] = []
    for rows, ref in task_groups(ft, settings.min_group):
        if len(ref) < settings.min_examples or int(
            held(labels, ref).sum()
        ) < settings.min_label_share * len(ref):
            continue
        surface = tally(labels, ref)  # the labels of ref, in the order first seen
        if len(surface) > settings.max_labels:
            continue
        vocab_sizes.append(len(surface))
        verdict = label_verdicts(surface, settings.typo_ratio)
        if verdict:
            for r in rows[among(labels, rows, verdict)].tolist():
                flags.append(Flag(r, verdict[labels[r]]))
    flags.sort(key=lambda f: f.row)
    return CheckResult(flags=flags, metrics={"label_vocabulary_sizes": vocab_sizes})
