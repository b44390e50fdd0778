"""Models built straight from values that already have exactly their fields' types.

Validating a chat record with pydantic costs about 2 µs per model (a message, the
example, its location, its origin): most of the time of loading a typical record, whose
fields already have exactly the declared types (``role`` a ``str``, ``content`` a ``str``
or ``null``...). For such values validation changes nothing but the containers (a new
list or dict holding the same items), so the functions here build the model instance
directly, with what validation would have stored, and return None for anything else
(a wrong type, a missing role, a part without a string ``type``, a ``bool`` weight, a
non-string key), which the caller then validates in full: so every load error and every
coercion stays pydantic's. (``model_construct`` would skip validation too, but it costs more than
validating in pydantic 2.13.)

An instance is what :class:`pydantic.BaseModel` keeps in its four slots (the field
values in field order, the names of the fields given, the extra keys, the private
attributes); :data:`ENABLED` checks at import that instances built here equal validated
ones slot for slot, and turns the shortcut off if a pydantic release stores them
differently. ``tests/test_exact_models.py`` compares both paths on generated records.
"""

from __future__ import annotations

from collections.abc import Callable
from types import EllipsisType
from typing import Any, TypeVar

from pydantic import BaseModel

from ftprep.schema import (
    ChatExample,
    ContentPart,
    Message,
    PreferenceExample,
    RawOrigin,
    SourceLocation,
)

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")

_new = object.__new__
#: The setters of the four slots every model instance has (``BaseModel`` declares them):
#: a call each, without ``object.__setattr__``'s look-up of the descriptor by name.
_set_values = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__

#: A message's field values before the record's are filled in: field order, defaults.
_MESSAGE_DEFAULTS: dict[str, Any] = {
    "role": None,
    "content": None,
    "name": None,
    "tool_calls": None,
    "tool_call_id": None,
    "function_call": None,
    "weight": None,
}
_OPTIONAL_TEXT = frozenset({"name", "tool_call_id"})
_EXAMPLES = (ChatExample, PreferenceExample)


def _instance(
    cls: type[_M],
    values: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None,
    private: dict[str, Any] | None,
) -> _M:
    """A ``cls`` holding exactly these slots, as validation leaves them."""
    obj = _new(cls)
    _set_values(obj, values)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, extra)
    _set_private(obj, private)
    return obj


def _object(value: Any) -> dict[str, Any] | None:
    """A copy of ``value`` if it is a dict with string keys only (``dict[str, Any]``
    validates it to such a copy), else None."""
    if type(value) is not dict:
        return None
    for key in value:
        if type(key) is not str:
            return None
    return dict(value)


def _objects(value: Any) -> list[dict[str, Any]] | None:
    """``list[dict[str, Any]]`` as validation builds it (new list, new dicts), or None."""
    if type(value) is not list:
        return None
    return _each(_object, value)


def _each(exact: Callable[[Any], _T | None], items: list[Any]) -> list[_T] | None:
    """``exact`` of every item, or None as soon as one of them needs validating."""
    out = []
    for item in items:
        built = exact(item)
        if built is None:
            return None
        out.append(built)
    return out


def _parts(raw: list[Any]) -> list[ContentPart] | None:
    """``list[ContentPart]`` as validation builds it from part dicts whose ``type`` is a
    string and ``text`` a string or null (other keys kept as extras), or None."""
    out = []
    for item in raw:
        if type(item) is not dict or type(item.get("type")) is not str:
            return None
        values = {"type": item["type"], "text": None}
        extra = {}
        for key, value in item.items():
            if key == "text":
                if value is not None and type(value) is not str:
                    return None
                values["text"] = value
            elif type(key) is not str:
                return None
            elif key != "type":
                extra[key] = value
        out.append(_instance(ContentPart, values, set(item), extra, None))
    return out


def exact_message(raw: Any) -> Message | None:
    """``Message.model_validate(raw)`` when ``raw`` is a message dict whose fields have
    exactly their types (text content only), else None (validate it instead)."""
    if type(raw) is not dict:
        return None
    role = raw.get("role")
    if type(role) is not str:
        return None
    if len(raw) == 2:  # the usual shape, {"role", "content"}, without the loop below
        content = raw.get("content", raw)
        if type(content) is str or content is None:
            values = _MESSAGE_DEFAULTS.copy()
            values["role"] = role
            values["content"] = content
            return _instance(Message, values, {"role", "content"}, {}, None)
    values = _MESSAGE_DEFAULTS.copy()
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "role":
            values[key] = value
        elif key == "content":
            if type(value) is list:
                if (value := _parts(value)) is None:
                    return None
            elif value is not None and type(value) is not str:
                return None
            values[key] = value
        elif key in _OPTIONAL_TEXT:
            if value is not None and type(value) is not str:
                return None
            values[key] = value
        elif key == "weight":
            if value is not None and type(value) is not int and type(value) is not float:
                return None
            values[key] = value
        elif key == "tool_calls":
            if value is not None and (value := _objects(value)) is None:
                return None
            values[key] = value
        elif key == "function_call":
            if value is not None and (value := _object(value)) is None:
                return None
            values[key] = value
        elif type(key) is str:
            extra[key] = value
        else:
            return None
    return _instance(Message, values, set(raw), extra, None)


def exact_messages(raw: list[Any]) -> list[Message] | None:
    """:func:`exact_message` of every item, or None if one of them needs validating."""
    return _each(exact_message, raw) if ENABLED else None


def plain_messages(raw: Any) -> list[Message] | None:
    """``list[Message]`` validated from ``raw`` when it is a non-empty list of messages of
    the usual shape, ``{"role": str, "content": str | None}`` each (what
    :func:`exact_message` builds for them, in one loop, without a call per message); None
    for anything else, including a list that is empty or holds another shape."""
    if not ENABLED or type(raw) is not list or not raw:
        return None
    out = []
    for item in raw:
        if type(item) is not dict or len(item) != 2:
            return None
        role = item.get("role")
        content = item.get("content", item)
        if type(role) is not str or (type(content) is not str and content is not None):
            return None
        values = _MESSAGE_DEFAULTS.copy()
        values["role"] = role
        values["content"] = content
        obj = _new(Message)
        _set_values(obj, values)
        _set_fields_set(obj, {"role", "content"})
        _set_extra(obj, {})
        _set_private(obj, None)
        out.append(obj)
    return out


def plain_chat(
    messages: list[Message], metadata: dict[str, Any], location: SourceLocation
) -> ChatExample:
    """``exact_chat(messages, metadata, location, None)`` for ``messages`` from
    :func:`plain_messages` and ``metadata`` a new dict with string keys (the caller's
    copy: kept, not copied again)."""
    values = {
        "kind": "chat",
        "messages": messages,
        "tools": None,
        "metadata": metadata,
        "location": location,
    }
    fields_set = {"messages", "metadata", "location", "tools"}
    return _instance(ChatExample, values, fields_set, None, {"_origin": None})


def plain_chat_line(
    messages: list[Message],
    metadata: dict[str, Any],
    source: str,
    line: int,
    value: Any,
    layout: str,
    container: str,
) -> ChatExample:
    """``plain_chat(messages, metadata, exact_location(source, line))`` with its origin
    set to ``exact_origin(value, layout, container)``: a JSONL line's plain chat example
    (three models) built in one call, for the loop that loads a batch of lines."""
    if not ENABLED or type(source) is not str or type(line) is not int:
        example = plain_chat(messages, metadata, exact_location(source, line))
        set_origin(example, exact_origin(value, layout, container))
        return example
    new, set_values, set_fields_set = _new, _set_values, _set_fields_set
    set_extra, set_private = _set_extra, _set_private
    location = new(SourceLocation)
    set_values(location, {"source": source, "line": line, "detail": None})
    set_fields_set(location, {"source", "line"})
    set_extra(location, None)
    set_private(location, None)
    origin = new(RawOrigin)
    set_values(origin, {"value": value, "layout": layout, "container": container})
    set_fields_set(origin, {"value", "layout", "container"})
    set_extra(origin, None)
    set_private(origin, None)
    example = new(ChatExample)
    set_values(
        example,
        {
            "kind": "chat",
            "messages": messages,
            "tools": None,
            "metadata": metadata,
            "location": location,
        },
    )
    set_fields_set(example, {"messages", "metadata", "location", "tools"})
    set_extra(example, None)
    set_private(example, {"_origin": origin})
    return example


def set_origin(example: Any, origin: RawOrigin) -> None:
    """``example._origin = origin``: the dict write pydantic's ``__setattr__`` makes for a
    private attribute, without its dispatch (for the library's own example models)."""
    private = example.__pydantic_private__
    if ENABLED and type(private) is dict and type(example) in _EXAMPLES:
        private["_origin"] = origin
    else:
        example._origin = origin


def exact_location(source: Any, line: Any) -> SourceLocation:
    """``SourceLocation(source=source, line=line)``."""
    if ENABLED and type(source) is str and type(line) is int:
        values = {"source": source, "line": line, "detail": None}
        return _instance(SourceLocation, values, {"source", "line"}, None, None)
    return SourceLocation(source=source, line=line)


def exact_detailed_location(source: Any, line: Any, detail: Any) -> SourceLocation:
    """``SourceLocation(source=source, line=line, detail=detail)``: a finding's location,
    built tens of thousands of times for a big file's report."""
    if ENABLED and type(source) is str and type(line) is int and type(detail) in _DETAILS:
        values = {"source": source, "line": line, "detail": detail}
        return _instance(SourceLocation, values, {"source", "line", "detail"}, None, None)
    return SourceLocation(source=source, line=line, detail=detail)


#: The types of a location's detail that need no validation (``str | None``).
_DETAILS = (str, type(None))


def exact_origin(value: Any, layout: Any, container: Any) -> RawOrigin:
    """``RawOrigin(value=value, layout=layout, container=container)``."""
    if ENABLED and type(layout) is str and type(container) is str:
        values = {"value": value, "layout": layout, "container": container}
        return _instance(RawOrigin, values, {"value", "layout", "container"}, None, None)
    return RawOrigin(value=value, layout=layout, container=container)


def text_message(role: str, content: str | None) -> Message:
    """``Message(role=role, content=content)``: a turn an adapter assembled from text."""
    if ENABLED and type(role) is str and type(content) is str:
        values = _MESSAGE_DEFAULTS.copy()
        values["role"] = role
        values["content"] = content
        return _instance(Message, values, {"role", "content"}, {}, None)
    return Message(role=role, content=content)


def exact_chat(
    messages: list[Message],
    metadata: dict[str, Any],
    location: SourceLocation,
    tools: list[dict[str, Any]] | EllipsisType | None = ...,
) -> ChatExample:
    """``ChatExample(messages=..., metadata=..., location=..., tools=...)``, ``tools``
    left out when not given (``...``), as the constructor call would."""
    if ENABLED and type(location) is SourceLocation:
        copied_tools = None if tools is ... or tools is None else _objects(tools)
        copied_meta = _object(metadata)
        if (
            (copied_tools is not None or tools is ... or tools is None)
            and copied_meta is not None
            and all(type(m) is Message for m in messages)
        ):
            values = {
                "kind": "chat",
                "messages": list(messages),
                "tools": copied_tools,
                "metadata": copied_meta,
                "location": location,
            }
            fields_set = {"messages", "metadata", "location"}
            if tools is not ...:
                fields_set.add("tools")
            return _instance(ChatExample, values, fields_set, None, {"_origin": None})
    if tools is ...:
        return ChatExample(messages=messages, metadata=metadata, location=location)
    return ChatExample(messages=messages, tools=tools, metadata=metadata, location=location)


def slots(model: BaseModel) -> tuple[Any, ...]:
    """What a model instance holds, for comparing two of them exactly: its type, its slots
    (key order included) and the types of its field values."""
    values = model.__dict__
    return (
        type(model),
        list(values.items()),
        [type(v) for v in values.values()],
        model.__pydantic_fields_set__,
        model.__pydantic_extra__,
        model.__pydantic_private__,
    )


def _same_parts(built: Message | None, valid: Message) -> bool:
    if built is None or not isinstance(built.content, list) or not isinstance(valid.content, list):
        return False
    return [slots(p) for p in built.content] == [slots(p) for p in valid.content]


def _agrees() -> bool:
    """Whether instances built here equal validated ones in this pydantic release."""
    global ENABLED
    ENABLED = True
    try:
        record = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{}"}}],
            "weight": 1,
            "x-extra": [1],
        }
        parts = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}
        built = exact_message(record)
        loc = exact_location("data.jsonl", 3)
        valid_loc = SourceLocation(source="data.jsonl", line=3)
        origin = exact_origin(record, "chat", "jsonl")
        example = exact_chat([built] if built else [], {"k": 1}, loc, [{"type": "function"}])
        plain = exact_chat([text_message("user", "q")], {}, loc)
        valid_plain = ChatExample(
            messages=[Message(role="user", content="q")], metadata={}, location=loc
        )
        valid_msg = Message.model_validate(record)
        valid = ChatExample(
            messages=[valid_msg], tools=[{"type": "function"}], metadata={"k": 1}, location=loc
        )
        return (
            built is not None
            and slots(built) == slots(valid_msg)
            and slots(loc) == slots(valid_loc)
            and slots(origin) == slots(RawOrigin(value=record, layout="chat", container="jsonl"))
            and slots(example) == slots(valid)
            and slots(plain) == slots(valid_plain)
            and _same_parts(exact_message(parts), Message.model_validate(parts))
            and slots(plain.messages[0]) == slots(valid_plain.messages[0])
        )
    except Exception:  # any surprise from a pydantic release: validate everything
        return False


#: Whether the shortcut is on (see the module docstring).
ENABLED = True
ENABLED = _agrees()
