"""Target checks: would the platform chosen with ``--target`` / ``--to`` accept this data?

Each example is written with the target profile's writer and the written record is checked
against the profile's rules (``ftprep/targets/``). Findings are grouped by kind of rule:
``clean.target_role``, ``clean.target_format``, ``clean.target_tools`` and
``clean.target_content`` (errors, from the platform's source code or docs),
``clean.target_unconfirmed`` (warnings: rules not confirmed from an official source),
``clean.target_loss`` (warnings: data the target cannot express and the conversion drops) and
``clean.target_dataset`` (counts, file size, per-example tokens, mixed SFT/preference).

Without a target every check here is inert. The conversion of an example is cached for the
batch so the several checks and the size feature convert it once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np

from ftprep.checks.base import (
    REGISTRY,
    CheckResult,
    CheckSettings,
    DatasetContext,
    Flag,
    batch_form,
    dataset_check,
    example_check,
)
from ftprep.checks.batch_view import CheckBatch, each_row
from ftprep.features import FeatureContext, FeatureTable, batch_memo, register_feature
from ftprep.schema import ChatExample, Example
from ftprep.targets import Conversion, get_target
from ftprep.wording import plural

#: Continued-pretraining documents ("text") are judged too: a platform may not read them.
KINDS = ("chat", "preference", "text")


class TargetSettings(CheckSettings):
    target: str | None = None
    #: ``file``: judge each record as it stands in the input (``validate --target``);
    #: ``output``: judge the record ftprep writes (``split --to``, set by ftprep).
    judge: Literal["file", "output"] = "file"


def conversion(ex: Example, target: str, judge: str = "output") -> Conversion:
    """The example converted to ``target`` and the rules broken, memoised for the current
    batch (the checks and the ``target_bytes`` feature of one batch convert each example
    once).

    With ``judge="file"`` and an upload platform, the issues are those of the record as it
    stands in the input file: the platform receives that record, not ftprep's normalised
    copy. A record in a layout the platform does not read gets one issue saying so, plus
    the issues its conversion would still have (prefixed ``once converted``).
    """
    memo: dict[tuple[int, str], tuple[Example, Conversion]] = batch_memo().setdefault(
        "target_conversions", {}
    )
    key = f"{target}:{judge}"
    hit = memo.get((id(ex), key))
    if hit is not None and hit[0] is ex:
        return hit[1]
    written = memo.get((id(ex), f"{target}:output"))
    if written is None or written[0] is not ex:
        written = (ex, get_target(target).convert(ex))
        memo[(id(ex), f"{target}:output")] = written
    result = written[1]
    profile = get_target(target)
    origin = ex._origin
    if judge == "file" and profile.as_uploaded and origin is not None:
        raw = origin.value
        native = isinstance(raw, dict) and profile.native(raw)
        issues = profile.judge(raw, origin.container)
        if not native:
            issues += [replace(i, detail=f"once converted: {i.detail}") for i in result.issues]
        result = replace(result, issues=issues, losses=[] if native else result.losses)
    memo[(id(ex), key)] = (ex, result)
    return result


def _issues(ex: Example, settings: TargetSettings, rule: str | None) -> Iterator[str]:
    if settings.target is None:
        return
    for issue in conversion(ex, settings.target, settings.judge).issues:
        unconfirmed = rule is None and not issue.confirmed
        if unconfirmed or (issue.confirmed and issue.rule == rule):
            yield issue.detail


@example_check(
    "clean.target_role",
    "clean",
    "error",
    "{count} examples have roles or turn order the target does not accept",
    settings=TargetSettings,
    fix="drop",
    kinds=KINDS,
)
def target_role(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Roles or turn order the target platform rejects.

    What: the example written for the target (`--target`/`--to`) has a role the platform does
    not know, or breaks its turn rules: Bedrock starts with user, alternates and ends with the
    assistant; Mistral allows one system message and ends with the assistant; Fireworks wants
    the system message first; LLaMA-Factory needs human/observation and gpt/function_call in
    alternation; Together rejects a preference prompt ending with the assistant.
    Why: the platform rejects the file, or (LLaMA-Factory) silently skips the example.
    Threshold: none; active only with `--target`/`--to`, every breach is reported.
    Fix: merge or reorder turns, move mid-conversation system text into the first system
    message, or drop the example (`--fix` drops it).
    """
    yield from _issues(ex, settings, "role")


@example_check(
    "clean.target_format",
    "clean",
    "error",
    "{count} examples break the target's record format",
    settings=TargetSettings,
    fix="drop",
    kinds=KINDS,
)
def target_format(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Record shape the target platform rejects.

    What: the record breaks a structural rule of the platform: missing content, keys it does
    not allow, weights other than 0/1 (Together: an integer, so `1.0` fails) or on the wrong
    role, tool-call arguments that are not a JSON string, Mistral's 9-character tool-call ids
    and "content or tool calls, not both", a DPO side that is not exactly one assistant
    message (a string `preferred_output`, a non-object `input`), no assistant message, or a
    layout the platform does not read. `validate --target` judges each record as it stands
    in the input file (what the platform would receive); `split --to` and `convert --to`
    judge the lines they write.
    Why: platforms reject the whole file for one bad line.
    Threshold: none; active only with `--target`/`--to`, every breach is reported.
    Fix: correct the example at the reported line; the detail names the message and rule.
    """
    yield from _issues(ex, settings, "format")


@example_check(
    "clean.target_tools",
    "clean",
    "error",
    "{count} examples use tools in a way the target does not support",
    settings=TargetSettings,
    fix="drop",
    kinds=KINDS,
)
def target_tools(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Tool definitions or calls the target does not support.

    What: tool use sent to a target without it (Amazon Nova SFT documents that tool sections
    may fail the job), tool definitions the target rejects (function names outside
    `[a-zA-Z0-9_-]{1,64}`, `parameters` that are not a valid JSON Schema, Mistral's required
    `name`/`description`/`parameters`, Together's non-empty `tools` list and calls to declared
    functions only), or Mistral tool calls without the same number of results.
    Why: the job fails, or the model is trained on tool syntax it will never see served.
    Threshold: none; active only with `--target`/`--to`, every breach is reported.
    Fix: choose a target with tool-calling support, complete the tool definitions, or drop
    the tool-calling examples.
    """
    yield from _issues(ex, settings, "tools")


@example_check(
    "clean.target_content",
    "clean",
    "error",
    "{count} examples have content the target does not accept",
    settings=TargetSettings,
    fix="drop",
    kinds=KINDS,
)
def target_content(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Content the target platform rejects (media, reserved words, mixed text/multimodal).

    What: images where the target does not take them or in a form it cannot read (Together:
    base64 JPEG/PNG/WEBP data URLs in user turns, at most 10, under 10 MB; Bedrock: S3 only;
    Vertex: gs:// URIs), Nova's reserved prompt prefixes (`User:`, `Bot:`...), text and
    multimodal messages mixed in one example.
    Why: the platform rejects the file.
    Threshold: none; active only with `--target`/`--to`, every breach is reported.
    Fix: re-encode or re-host the media as the target requires, or remove it.
    """
    yield from _issues(ex, settings, "content")


@example_check(
    "clean.target_unconfirmed",
    "clean",
    "warning",
    "{count} examples break a target rule that is not confirmed from official sources",
    settings=TargetSettings,
    kinds=KINDS,
)
def target_unconfirmed(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Breaks a target rule known only from secondary sources (unconfirmed).

    What: rules ftprep's research could not confirm in the platform's code or docs (marked
    [MEM] in docs/targets.md), e.g. Vertex ending with a model turn, Mistral's role order,
    OpenAI's `developer` role, TRL roles unknown to common chat templates.
    Why: such examples may be rejected or trained differently; the rule is reported as a
    warning so it never blocks a run on hearsay.
    Threshold: none; active only with `--target`/`--to`; warnings, since the rule is unconfirmed.
    Fix: check the platform's current docs; fix the example or disable the check.
    """
    yield from _issues(ex, settings, None)


@example_check(
    "clean.target_loss",
    "clean",
    "warning",
    "{count} examples lose data in the conversion to the target",
    settings=TargetSettings,
    kinds=KINDS,
)
def target_loss(ex: Example, settings: TargetSettings) -> Iterator[str]:
    """Conversion to the target drops data it cannot express.

    What: everything the target's format cannot carry, named with where it was: `weight: 0`
    into a format without weights (the turn will be trained), extra top-level keys,
    message names, non-text content, the rejected reply of a preference pair written for a
    target without preference training, trailing user turns (LLaMA-Factory).
    Why: nothing may be lost silently; a dropped `weight: 0` changes what the model learns.
    Threshold: none; active only with `--target`/`--to`, every dropped field is listed.
    Fix: pick a target that expresses the data, or accept the listed losses.
    """
    if settings.target is None:
        return
    yield from conversion(ex, settings.target, settings.judge).losses


def _without_target(id: str) -> None:
    """Give target check ``id`` a batch form that skips the batch outright without a target
    (the usual run: every target check is inert then, so asking each example is waste)."""
    spec = REGISTRY[id]
    func = spec.func

    def rows(batch: CheckBatch, settings: TargetSettings) -> Iterator[tuple[int, str]]:
        if settings.target is None:
            return iter(())
        return each_row(batch, batch.rows(spec.kinds), func, settings)  # type: ignore[arg-type]

    rows.__doc__ = f"{id}, nothing to do without a target."
    batch_form(id)(rows)


for _id in (
    "clean.target_role",
    "clean.target_format",
    "clean.target_tools",
    "clean.target_content",
    "clean.target_unconfirmed",
    "clean.target_loss",
):
    _without_target(_id)


@register_feature("target_bytes", ("target_bytes",))
def target_bytes(views: Sequence[ChatExample], fctx: FeatureContext) -> dict[str, Any]:
    """Bytes of each example written in the target's format (0 without a target)."""
    target = getattr(fctx.config, "target", None)
    batch = fctx.examples or views
    if target is None or len(batch) != len(views):
        return {"target_bytes": np.zeros(len(views), dtype=np.int64)}
    sizes = [conversion(ex, target).size for ex in batch]
    return {"target_bytes": np.asarray(sizes, dtype=np.int64)}


class TargetDatasetSettings(CheckSettings):
    target: str | None = None
    max_examples: int | None = None
    judge: Literal["file", "output"] = "file"


def _fmt_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


@dataset_check(
    "clean.target_dataset",
    "clean",
    "error",
    "the dataset breaks the target's dataset limits",
    settings=TargetDatasetSettings,
    needs=("target_bytes", "tokens"),
)
def target_dataset(
    ft: FeatureTable, settings: TargetDatasetSettings, ctx: DatasetContext
) -> CheckResult:
    """Dataset breaks the target's count, size or per-example token limits.

    What: fewer examples than the target's minimum (OpenAI 10, Fireworks 3, Together 1), more
    than its maximum, a written file over its size limit (measured on the files `split --to`
    and `convert` write; estimated from the converted records for `validate --target`),
    examples over its per-example token limit (Vertex 131,072; counted with ftprep's
    tokenizer, so approximate), or SFT and preference examples mixed in one file.
    Why: the platform refuses the upload or the job.
    Threshold: the profile's limits (docs/targets.md); `max_examples` overrides the maximum
    where it is model-specific (Bedrock).
    Fix: add or remove examples, split the file, shorten long examples, or keep SFT and
    preference data in separate files.
    """
    if settings.target is None:
        return CheckResult()
    profile = get_target(settings.target)
    errors: list[str] = []
    warnings: list[str] = []
    n = ft.n
    kinds = set(ft["kind"])
    total = int(ft["target_bytes"].sum())
    metrics: dict[str, Any] = {"target": profile.name, "examples": n, "bytes": total}

    def add(ok: bool, confirmed: bool, text: str) -> None:
        if not ok:
            (errors if confirmed else warnings).append(text)

    if profile.min_examples:
        lim = profile.min_examples
        add(
            n >= lim.value,
            lim.confirmed,
            f"{plural(n, 'example')}; {profile.name} needs at least {lim.value}",
        )
    max_examples = settings.max_examples or (
        profile.max_examples.value if profile.max_examples else None
    )
    if max_examples is not None:
        confirmed = settings.max_examples is not None or bool(
            profile.max_examples and profile.max_examples.confirmed
        )
        add(
            n <= max_examples,
            confirmed,
            f"{plural(n, 'example')}; {profile.name} accepts at most {max_examples}",
        )
    if profile.max_file_bytes:
        lim = profile.max_file_bytes
        add(
            total <= lim.value,
            lim.confirmed,
            f"output ~{_fmt_bytes(total)}; {profile.name} allows {_fmt_bytes(lim.value)} per file",
        )
    if len(kinds) > 1:
        errors.append("SFT and preference examples are mixed; write them to separate files")
    for issue in profile.dataset_notes(kinds):
        (errors if issue.confirmed else warnings).append(issue.detail)
    flags: list[Flag] = []
    if profile.max_example_tokens:
        limit = profile.max_example_tokens.value
        over = np.flatnonzero(ft["tokens_total"] > limit)
        flags = [
            Flag(int(r), f"~{int(ft['tokens_total'][r])} tokens > {limit}", fixable=False)
            for r in over
        ]
        if flags:
            warnings.append(
                f"{plural(len(flags), 'example')} over {profile.name}'s {limit} tokens "
                "(estimated)"
            )
    if not errors and not warnings and not flags:
        return CheckResult(metrics=metrics)
    return CheckResult(
        flags=flags,
        message="; ".join(errors + warnings),
        metrics=metrics,
        severity="error" if errors else "warning",
    )
