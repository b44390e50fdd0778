"""Load one raw record: the one path every source and every engine loads by.

Below both the sources (:mod:`ftprep.loaders.source`) and the check that a format reads a
file at all (:mod:`ftprep.loaders.probe`), which each load records through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ftprep.loaders.chat import _plain, messages_only
from ftprep.loaders.exact import exact_location, exact_origin, set_origin
from ftprep.loaders.fastjson import orjson, quick_openers
from ftprep.loaders.raw import RawRecord, parsed_record
from ftprep.loaders.readers import MAX_DEPTH, TEXT_CONTAINERS, JsonLines, json_data, parse_line
from ftprep.loaders.registry import FORMATS, LoadOptions
from ftprep.schema import Example, LoadError, SourceLocation


def load_record(
    raw: RawRecord, name: str, fmt: str, container: str, options: LoadOptions
) -> Example | LoadError:
    """One raw record as an example or a load error at its line: strict JSON values, the
    format's adapter (whatever it cannot handle is a load error, never an exception), and
    the record as it stands kept beside the example. The one path every engine loads by."""
    error = raw.error
    if error is not None:
        if error.location.source != name:
            loc = SourceLocation(source=name, line=error.location.line)
            error = error.model_copy(update={"location": loc})
        return error
    loc = exact_location(name, raw.line)
    walk = container not in TEXT_CONTAINERS  # text readers check values themselves
    tabular = container in ("parquet", "xlsx", "dataframe", "dataset")
    value, problem = json_data(raw.value, tabular) if walk else (raw.value, None)
    if problem is not None:
        return LoadError(code=problem[0], message=problem[1], location=loc)
    spec = FORMATS[fmt]
    built = None if spec.shortcut is None else spec.shortcut(value, loc, options)
    result = _adapt_safely(spec.adapt, value, loc, options, fmt) if built is None else built
    if not isinstance(result, LoadError):
        set_origin(result, exact_origin(raw.value, fmt, container))
    return result


def load_records(
    raws: Iterable[RawRecord] | JsonLines,
    name: str,
    fmt: str,
    container: str,
    options: LoadOptions,
) -> list[Example | LoadError]:
    """:func:`load_record` of each of a batch's records, in order.

    A JSONL batch's lines (:class:`JsonLines`) are parsed here, and a line that orjson
    parses and the format's shortcut builds goes straight from its bytes to its example:
    the steps :func:`parse_line` and :func:`load_record` take for it, without the
    intermediate record and the per-record set-up; a plain chat line
    (:func:`~ftprep.loaders.chat.messages_only`) also without the byte scan that looks
    for what orjson reads differently, which its value cannot hold (together about 3 µs
    of the ~13 a chat line costs). Every other line takes those two functions, so what
    each line gives is theirs.
    """
    shortcut = FORMATS[fmt].shortcut
    if (
        not isinstance(raws, JsonLines)
        or container != "jsonl"
        or shortcut is None
        or orjson is None
    ):
        return [load_record(raw, name, fmt, container, options) for raw in raws]
    only = messages_only if shortcut is _plain and options.system is None else None
    loads, refused = orjson.loads, orjson.JSONDecodeError
    path = raws.path
    out: list[Example | LoadError] = []
    append = out.append
    for number, item in zip(raws.lines, raws.items, strict=True):
        if type(item) is not bytes:
            raw = item if isinstance(item, RawRecord) else parse_line(path, number, item)
            append(load_record(raw, name, fmt, container, options))
            continue
        if number == 1:  # a BOM to skip, maybe: parse_line knows
            append(load_record(parse_line(path, number, item), name, fmt, container, options))
            continue
        try:
            value = loads(item)
        except refused:  # the strict reader says what is wrong, in its own words
            append(load_record(parse_line(path, number, item), name, fmt, container, options))
            continue
        if only is not None and (built := only(value, name, number, fmt, container)) is not None:
            append(built)
            continue
        openers = quick_openers(item)
        if openers is None or openers > MAX_DEPTH:  # the strict path, or depth to check
            append(load_record(parse_line(path, number, item), name, fmt, container, options))
            continue
        built = shortcut(value, exact_location(name, number), options)
        if built is None:
            append(load_record(parsed_record(number, value), name, fmt, container, options))
        else:
            set_origin(built, exact_origin(value, fmt, container))
            append(built)
    return out


def _adapt_safely(
    adapt: Any, value: Any, loc: SourceLocation, options: LoadOptions, fmt: str
) -> Example | LoadError:
    """Run a format adapter; whatever it cannot handle is a load error at the record, so
    one odd record never stops a run (adapters are written for well-formed shapes)."""
    try:
        result: Example | LoadError = adapt(value, loc, options)
        return result
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        if isinstance(exc, KeyError):
            what = f"the field {exc} is missing"
        elif isinstance(exc, IndexError):
            what = "a list is shorter than this format needs"
        else:
            what = f"{type(exc).__name__}: {exc}"
        return LoadError(
            code="clean.unreadable_record",
            message=f"cannot read this record as {fmt}: {what}; fix the record or pass "
            "--from with the right format",
            location=loc,
        )
