"""Check units: one registry, three kinds, one result shape.

A check has a stable id (``clean.exact_duplicate``: the checklist item, then the name, and
the item names the module it lives in), a default severity, settings (a pydantic model, so
thresholds are configuration), and a docstring in three parts (what it looks at / why it
matters for finetuning / how to fix) that feeds docs/checks.md, ``ftprep checks`` and the HTML
report. Kinds:

- ``load``: documents a load-error code (``clean.malformed_json``); the loaders raise it.
- ``example``: looks at one example while the data streams; yields a :class:`Flag` per problem.
- ``dataset``: receives the :class:`~ftprep.features.FeatureTable` once loading is done and
  returns a :class:`CheckResult`.

Built-in checks register exactly as a user's would, with the decorators below.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "info"]
Item = Literal["sufficient", "diverse", "consistent", "clean", "split", "evaluated"]
ITEMS: tuple[Item, ...] = ("sufficient", "diverse", "consistent", "clean", "split", "evaluated")
Fix = Literal["drop", "drop_repeats", "trim", "strip_unknown_keys", "redact_pii"]
#: Fixes applied only when asked for by name (``--redact pii``), not by ``--fix`` alone.
ON_REQUEST: dict[str, str] = {"redact_pii": "pii"}


class CheckSettings(BaseModel):
    """Settings every check has; a check's own settings subclass this with its thresholds."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """One flagged example: its feature-table row, a short detail, whether ``--fix`` may act
    on it (e.g. the later copies of a duplicate, not the first), and the group it belongs
    to when the finding is about groups of examples (near copies, contradictions): a group
    that ``--fix`` leaves with one member is no longer a finding."""

    row: int
    detail: str | None = None
    fixable: bool = True
    group: int = -1

    def __reduce__(self) -> tuple[type[Flag], tuple[int, str | None, bool, int]]:
        """Pickle as a call with the four fields: a frozen slots dataclass otherwise
        unpickles through ``__setstate__``, one ``object.__setattr__`` per field, ~3.5 us a
        flag (5x this). The process gathering a pool's results unpickles every flag of
        every batch (~17,000 on 100,000 natural examples), taking that CPU from the
        workers."""
        return (Flag, (self.row, self.detail, self.fixable, self.group))


@dataclass
class CheckResult:
    """What a check found: flagged rows, an optional summary/metrics, a severity override."""

    flags: list[Flag] = field(default_factory=list)
    message: str | None = None
    summary: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    status: Literal["pass", "warn", "fail", "skipped"] | None = None
    #: Locations outside the feature table (e.g. lines of a separate validation file),
    #: reported after the flags' locations, in this order.
    locations: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class CheckSpec:
    id: str
    item: Item
    severity: Severity
    kind: Literal["load", "example", "dataset"]
    doc: str
    message: str
    settings: type[CheckSettings] = CheckSettings
    func: Callable[..., Any] | None = None
    needs: tuple[str, ...] = ()
    fix: Fix | None = None
    kinds: tuple[str, ...] = ("chat",)
    #: A dataset check that judges the split (or the data the split keeps): it runs after
    #: the split is planned, with ``ctx.plan``/``ctx.kept`` set.
    after_split: bool = False
    #: An example check's batch form (:func:`batch_form`): the same flags as ``func`` on
    #: every row, from what the batch's checks share (``ftprep.checks.batch_view``).
    batch: Callable[..., Iterable[tuple[int, str]]] | None = None

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].rstrip(".")

    def sections(self) -> dict[str, str]:
        """The docstring's parts: summary, and the What/Why/Fix/Threshold paragraphs."""
        text = inspect.cleandoc(self.doc)
        out: dict[str, str] = {"summary": text.splitlines()[0]}
        current = None
        for line in text.splitlines()[1:]:
            head = line.split(":", 1)[0].strip().lower()
            if head in ("what", "why", "fix", "threshold") and ":" in line:
                current = head
                out[current] = line.split(":", 1)[1].strip()
            elif current and line.strip():
                out[current] += " " + line.strip()
        return out


REGISTRY: dict[str, CheckSpec] = {}


def _register(spec: CheckSpec) -> None:
    item, _, name = spec.id.partition(".")
    if item != spec.item or not name:
        raise ValueError(f"check id {spec.id!r} must be '<item>.<name>' with item {spec.item!r}")
    REGISTRY[spec.id] = spec


def load_check(id: str, item: Item, severity: Severity, message: str, doc: str) -> None:
    """Document a load-error code so it is a check like any other (docs, severity, disable)."""
    _register(
        CheckSpec(
            id=id, item=item, severity=severity, kind="load", doc=doc, message=message, fix="drop"
        )
    )


def example_check(
    id: str,
    item: Item,
    severity: Severity,
    message: str,
    settings: type[CheckSettings] = CheckSettings,
    fix: Fix | None = None,
    kinds: tuple[str, ...] = ("chat",),
) -> Callable[[Callable[..., Iterable[Flag | str]]], Callable[..., Any]]:
    """Register ``fn(example, settings) -> iterable of details`` as a per-example check.

    The function yields one string (the detail) per problem in the example; the runner
    turns them into flags at the example's location. ``message`` is the finding's text,
    formatted with ``count``.
    """

    def deco(fn: Callable[..., Iterable[Any]]) -> Callable[..., Any]:
        _register(
            CheckSpec(
                id=id,
                item=item,
                severity=severity,
                kind="example",
                doc=fn.__doc__ or "",
                message=message,
                settings=settings,
                func=fn,
                fix=fix,
                kinds=kinds,
            )
        )
        return fn

    return deco


def batch_form(
    id: str,
) -> Callable[[Callable[..., Iterable[tuple[int, str]]]], Callable[..., Any]]:
    """Give the registered example check ``id`` a batch form:
    ``fn(batch: CheckBatch, settings) -> iterable of (row, detail)``, yielding for each row
    of the check's kinds, in row order, exactly the details its function yields for that
    row. Runs in its place: one call per batch instead of one per example, reading the
    texts and structures the batch's checks share instead of deriving them again.

    Registering the id again (a user's own check of that id) drops the batch form, so it
    never outlives the function it stands for.
    """

    def deco(fn: Callable[..., Iterable[tuple[int, str]]]) -> Callable[..., Any]:
        spec = REGISTRY[id]
        if spec.kind != "example":
            raise ValueError(f"{id!r} is not a per-example check")
        REGISTRY[id] = replace(spec, batch=fn)
        return fn

    return deco


def dataset_check(
    id: str,
    item: Item,
    severity: Severity,
    message: str,
    settings: type[CheckSettings] = CheckSettings,
    needs: tuple[str, ...] = (),
    fix: Fix | None = None,
    after_split: bool = False,
) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """Register ``fn(features, settings, ctx) -> CheckResult`` as a dataset check
    (``after_split``: it judges the planned split, so it runs after it)."""

    def deco(fn: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        _register(
            CheckSpec(
                id=id,
                item=item,
                severity=severity,
                kind="dataset",
                doc=fn.__doc__ or "",
                message=message,
                settings=settings,
                func=fn,
                needs=needs,
                fix=fix,
                after_split=after_split,
            )
        )
        return fn

    return deco


@dataclass
class DatasetContext:
    """What a dataset check may know besides the features: the model, the input counts and
    the run's config; checks declared ``after_split`` also get the split (``plan``, the
    rows ``kept`` after ``--fix`` drops, and the ``existing`` split when one was given)."""

    model: Any
    records: int
    load_errors: int
    config: Any = None
    kept: Any = None
    plan: Any = None
    existing: Any = None
