"""Checks for the *evaluated* item: no evaluation item in the training data.

Both read the ``contamination`` feature (:mod:`ftprep.contamination`): public benchmark
items (``evaluated.contamination``) and the team's own eval sets
(``evaluated.eval_overlap``).
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import Field

from ftprep.checks.base import CheckResult, CheckSettings, DatasetContext, Flag, dataset_check
from ftprep.columns import held_rows
from ftprep.contamination.feature import run_index
from ftprep.contamination.fingerprint import WINDOW_MIN, Fingerprint, Part
from ftprep.contamination.match import DEFAULT_MIN_SHARE, DEFAULT_MIN_SHORT_SHARE
from ftprep.features import FeatureTable
from ftprep.schema import SourceLocation
from ftprep.wording import plural


class ContaminationSettings(CheckSettings):
    min_share: float = Field(
        DEFAULT_MIN_SHARE,
        gt=0,
        le=1,
        description="share of an item part's 13-grams an example must contain",
    )
    min_short_share: float = Field(
        DEFAULT_MIN_SHORT_SHARE,
        gt=0,
        le=1,
        description="or: share of its 5-word windows (finds lightly edited copies)",
    )


def _hits(
    ft: FeatureTable, index: Fingerprint, settings: ContaminationSettings, evals: bool
) -> dict[int, list[tuple[Part, str]]]:
    """Rows and the parts (benchmark or eval-set, per ``evals``) they reproduce, each with
    how much of it (for the location's detail)."""
    out: dict[int, list[tuple[Part, str]]] = {}
    col = ft["contamination"]
    for row in held_rows(col).tolist():  # few: the hits
        hits = col[row]
        if not hits:
            continue
        kept = []
        for p, long, short in hits:
            part = index.parts[p]
            if (part.location is not None) != evals:
                continue
            if long >= settings.min_share:
                kept.append((part, _share(part, long, index.n)))
            elif short >= settings.min_short_share:
                kept.append((part, f"{short:.0%} of its 5-word spans (edited copy)"))
        if kept:
            out[row] = kept
    return out


def _share(part: Part, share: float, n: int) -> str:
    if part.words < WINDOW_MIN:
        return "the whole text"
    if part.words < n:
        return f"all {part.words} words"
    return f"{share:.0%} of its {n}-grams"


@dataset_check(
    "evaluated.contamination",
    "evaluated",
    "error",
    "{count} examples reproduce public benchmark items",
    settings=ContaminationSettings,
    needs=("contamination",),
    fix="drop",
)
def contamination(
    ft: FeatureTable, settings: ContaminationSettings, ctx: DatasetContext
) -> CheckResult:
    """Example reproduces an item of a public benchmark's test set.

    What: every turn is compared with fingerprints of benchmark test items shipped with
    ftprep (GSM8K test questions and solutions, HumanEval prompts and canonical solutions,
    MT-bench questions; `--benchmarks my.fp` adds your own, made with `ftprep fingerprint`):
    normalised word 13-grams (case, punctuation, spacing and GSM8K's calculator annotations
    folded). An example reproduces an item part when it contains at least `min_share` of
    the part's 13-grams — so a verbatim copy, a lightly edited one and one embedded in a
    longer prompt are found, while text on the same topic shares none. A part shorter than
    13 words counts only when a turn is exactly that text; parts under 8 words are not
    fingerprinted, so common phrases never fire. Each location names the benchmark, item id
    and part; the metrics count contaminated items per benchmark.
    Why: a model trained on a benchmark's test items scores higher on that benchmark without
    being better: the number you report (and compare with others) is inflated, and the
    benchmark no longer measures what it claims.
    Threshold: `min_share` 0.2 of a part's 13-grams (the field decontaminates on 13-gram
    overlap: GPT-3, OLMo, NeMo Curator); error.
    Fix: remove the examples (`ftprep split --fix` drops them, listed), or stop reporting the
    benchmark for this model. Paraphrased topics are fine; copied items are not.
    """
    index = run_index(ctx.config)
    rows = _hits(ft, index, settings, evals=False)
    per_source: dict[str, dict[str, set[str] | int]] = {}
    totals = index.items_per_source()
    flags = []
    for row, found in sorted(rows.items()):
        for part, _ in found:
            entry = per_source.setdefault(part.source, {"items": set(), "examples": 0})
            entry["items"].add(part.item)  # type: ignore[union-attr]
        for source in {p.source for p, _ in found}:
            per_source[source]["examples"] += 1  # type: ignore[operator]
        part, how = found[0]
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        where = f" (line {int(part.item) + 1} of test.jsonl)" if part.source == "GSM8K" else ""
        flags.append(Flag(row, f"{part.source} item {part.item}{where}, {part.part}: {how}{more}"))
    metrics = {
        name: {
            "items": totals.get(name, 0),
            "contaminated_items": len(per_source[name]["items"]) if name in per_source else 0,  # type: ignore[arg-type]
            "examples": per_source[name]["examples"] if name in per_source else 0,
        }
        for name in totals
    }
    if not flags:
        return CheckResult(metrics={"benchmarks": metrics})
    names = sorted(per_source)
    parts = ", ".join(
        f"{n} {plural(len(per_source[n]['items']), 'item', 'items')}"  # type: ignore[arg-type]
        for n in names
    )
    message = (
        f"{plural(len(flags), 'example reproduces', 'examples reproduce')} benchmark test "
        f"items ({parts}): this data would inflate your {', '.join(names)} "
        f"{'score' if len(names) == 1 else 'scores'}"
    )
    return CheckResult(flags=flags, message=message, metrics={"benchmarks": metrics})


@dataset_check(
    "evaluated.eval_overlap",
    "evaluated",
    "error",
    "{count} training examples overlap your eval sets",
    settings=ContaminationSettings,
    needs=("contamination",),
    fix="drop",
)
def eval_overlap(
    ft: FeatureTable, settings: ContaminationSettings, ctx: DatasetContext
) -> CheckResult:
    """Training example overlaps an item of your own eval set.

    What: with `--eval-set FILE` (repeatable; any input format ftprep reads, `--map` applies),
    each eval example's prompt and reference answer are fingerprinted like benchmark items
    (see `evaluated.contamination`; parts as short as 4 words count when a turn is exactly
    that text) and every training example that reproduces one is listed with both
    locations: the training line, and the eval file and line in the detail.
    Why: an eval item in the training data makes your own evaluation measure memory, not
    skill: the improvement you see after finetuning is not real. ftprep's split also keeps
    such examples out of validation.
    Threshold: `min_share` 0.2 of a part's 13-grams, or an exact turn for short parts; error.
    Fix: remove them from the training data (`ftprep split --fix` drops them, listed), or
    move the item out of the eval set if it was meant for training.
    """
    index = run_index(ctx.config)
    rows = _hits(ft, index, settings, evals=True)
    flags = []
    items: set[tuple[str, str]] = set()
    eval_lines: dict[str, set[int]] = defaultdict(set)
    for row, found in sorted(rows.items()):
        part, how = found[0]
        for p, _ in found:
            items.add((p.source, p.item))
            if p.location:
                src, _, line = p.location.rpartition(":")
                eval_lines[src].add(int(line))
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        flags.append(Flag(row, f"{part.location} {part.part}: {how}{more}"))
    sizes: dict[str, set[str]] = defaultdict(set)
    for p in index.parts:
        if p.location is not None:
            sizes[p.source].add(p.item)
    metrics: dict[str, object] = {
        "eval_sets": {name: len(v) for name, v in sorted(sizes.items())},
        "overlapping_items": len(items),
    }
    if not flags:
        return CheckResult(metrics=metrics)
    extra = [
        SourceLocation(source=src, line=line, detail="eval item")
        for src in sorted(eval_lines)
        for line in sorted(eval_lines[src])
    ]
    message = (
        f"{plural(len(flags), 'training example overlaps', 'training examples overlap')} "
        f"{plural(len(items), 'item', 'items')} of your eval sets"
    )
    return CheckResult(flags=flags, message=message, metrics=metrics, locations=extra)
