"""Models built without validation (:mod:`ftprep.loaders.exact`) equal validated ones.

For generated records (right and wrong types, nulls, extra keys, tool calls, weights,
part lists, Mistral's ``text`` alias, non-dict messages) loading with the shortcut gives
the same example, slot for slot (field values and their types, the fields given, extra
keys, private attributes), or the same load error, as loading with full validation.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ftprep.loaders import exact
from ftprep.loaders.raw import RawRecord
from ftprep.loaders.record import load_record
from ftprep.loaders.registry import LoadOptions
from ftprep.schema import ChatExample, LoadError, Message, SourceLocation

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
tool_call = st.fixed_dictionaries(
    {"id": st.text(max_size=4), "type": st.just("function")},
    optional={
        "function": st.fixed_dictionaries(
            {"name": st.text(max_size=4), "arguments": st.one_of(st.text(max_size=6), json_values)}
        )
    },
)
part = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "image_url", "reasoning"])},
    optional={"text": st.one_of(st.none(), st.text(max_size=6)), "reasoning": st.text(max_size=4)},
)
#: Values of the declared type for each message key (extra keys: anything).
good_values: dict[str, st.SearchStrategy[Any]] = {
    "role": st.sampled_from(["user", "assistant", "system", "tool", "bot"]),
    "content": st.one_of(st.none(), st.text(max_size=10), st.lists(part, max_size=2)),
    "text": st.text(max_size=6),
    "name": st.one_of(st.none(), st.text(max_size=4)),
    "tool_calls": st.one_of(st.none(), st.lists(tool_call, max_size=2)),
    "tool_call_id": st.one_of(st.none(), st.text(max_size=4)),
    "function_call": st.one_of(
        st.none(), st.dictionaries(st.text(max_size=4), json_values, max_size=2)
    ),
    "weight": st.one_of(st.none(), st.sampled_from([0, 1, 0.0, 1.0, 2, 0.5, True, False])),
    "refusal": json_values,
    "x-extra": json_values,
}


@st.composite
def message_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly well-typed messages: each value is of its declared type 7 times in 8."""
    keys = draw(st.lists(st.sampled_from(sorted(good_values)), unique=True, max_size=6))
    if draw(st.integers(0, 9)) > 0 and "role" not in keys:
        keys.insert(draw(st.integers(0, len(keys))), "role")
    return {k: draw(good_values[k] if draw(st.integers(0, 7)) else json_values) for k in keys}


messages_values = st.one_of(
    st.lists(st.one_of(message_dicts(), json_scalars), min_size=0, max_size=4),
    st.lists(message_dicts(), min_size=1, max_size=4),
    json_values,
)
records = st.fixed_dictionaries(
    {"messages": messages_values},
    optional={
        "tools": st.one_of(
            st.none(),
            st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=2), max_size=2),
            json_values,
        ),
        "parallel_tool_calls": st.booleans(),
        "label": json_values,
    },
)


def _deep(model: Any) -> Any:
    """Everything a model instance holds, nested models included, with value types."""
    if isinstance(model, BaseModel):
        return (
            type(model),
            [(k, _deep(v)) for k, v in model.__dict__.items()],
            model.__pydantic_fields_set__,
            _deep(model.__pydantic_extra__),
            _deep(model.__pydantic_private__),
        )
    if isinstance(model, dict):
        return [(type(k), k, _deep(v)) for k, v in model.items()]
    if isinstance(model, list | tuple):
        return (type(model), [_deep(v) for v in model])
    return (type(model), repr(model))


def _load(value: Any, options: LoadOptions, shortcut: bool, fmt: str = "chat") -> Any:
    saved = exact.ENABLED
    exact.ENABLED = shortcut
    try:
        result = load_record(RawRecord(line=7, value=value), "in.jsonl", fmt, "jsonl", options)
    finally:
        exact.ENABLED = saved
    return _deep(result)


def test_shortcut_is_on() -> None:
    """This pydantic release stores instances the way the shortcut builds them."""
    assert exact.ENABLED


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.sampled_from([None, "You are terse."]))
def test_chat_records_load_the_same(record: dict[str, Any], system: str | None) -> None:
    options = LoadOptions(system=system)
    assert _load(record, options, True) == _load(record, options, False)


plain_turns = st.fixed_dictionaries(
    {
        "role": st.one_of(st.sampled_from(["user", "assistant", "system", "bot"]), json_scalars),
        "content": st.one_of(st.none(), st.text(max_size=10), json_scalars),
    }
)
#: Records of the shape the chat format's shortcut builds, and records one step away from
#: it (a third key, a turn that is not a dict, an alias, tools, a non-string top key).
plain_records = st.builds(
    lambda turns, odd, top: {"messages": turns + odd, **top},
    st.lists(plain_turns, max_size=4),
    st.one_of(
        st.just([]),
        st.lists(st.one_of(json_scalars, message_dicts(), plain_turns), max_size=1),
    ),
    st.dictionaries(
        st.one_of(
            st.sampled_from(["label", "tools", "interactions", "available_tools", "id"]),
            st.integers(0, 3),
        ),
        json_values,
        max_size=2,
    ),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_records, st.sampled_from([None, "You are terse."]))
def test_plain_chat_records_load_the_same(record: dict[Any, Any], system: str | None) -> None:
    """The chat format's shortcut (``chat._plain``) gives what its adapter gives."""
    options = LoadOptions(system=system)
    assert _load(record, options, True) == _load(record, options, False)


def test_plain_chat_takes_the_shortcut() -> None:
    from ftprep.loaders.chat import _plain

    loc = exact.exact_location("in.jsonl", 1)
    record = {"messages": [{"role": "user", "content": "q"}, {"content": None, "role": "x"}]}
    built = _plain({**record, "label": 1}, loc, LoadOptions())
    assert isinstance(built, ChatExample) and built.metadata == {"label": 1}
    assert _plain(record, loc, LoadOptions(system="s")) is None
    assert _plain({"messages": []}, loc, LoadOptions()) is None


@settings(max_examples=400, deadline=None)
@given(message_dicts())
def test_message_equals_validated(raw: dict[str, Any]) -> None:
    built = exact.exact_message(raw)
    try:
        valid = Message.model_validate(raw)
    except ValueError:
        assert built is None
        return
    if built is not None:
        assert _deep(built) == _deep(valid)
        assert built.model_dump() == valid.model_dump()
        for key in ("tool_calls", "function_call"):
            if raw.get(key) is not None:  # validation copies containers; so does the shortcut
                assert getattr(built, key) is not raw[key]


def test_plain_records_take_the_shortcut() -> None:
    """The common shapes are built directly (else the shortcut would save nothing)."""
    plain = {"role": "user", "content": "hi"}
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f"}}],
        "weight": 1,
    }
    parts = {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}]}
    assert exact.exact_message(plain) is not None
    assert exact.exact_message(call) is not None
    assert exact.exact_message(parts) is not None
    assert exact.exact_messages([plain, call]) is not None


@pytest.mark.parametrize(
    "raw",
    [
        {"content": "no role"},
        {"role": 3, "content": "x"},
        {"role": "user", "content": 3},
        {"role": "user", "content": [{"type": "text", "text": 3}]},
        {"role": "user", "content": [{"text": "no type"}]},
        {"role": "user", "weight": True},
        {"role": "user", "tool_calls": [["not", "a", "dict"]]},
        {"role": "user", "function_call": "f()"},
        {1: "non-string key", "role": "user"},
    ],
)
def test_anything_else_is_validated(raw: dict[Any, Any]) -> None:
    assert exact.exact_message(raw) is None


def test_location_origin_and_example_equal_validated() -> None:
    loc = exact.exact_location("data.jsonl", 4)
    assert _deep(loc) == _deep(SourceLocation(source="data.jsonl", line=4))
    msg = Message(role="user", content="q")
    tools = [{"type": "function", "function": {"name": "f"}}]
    built = exact.exact_chat([msg], {"id": 1}, loc, tools)
    valid = ChatExample(messages=[msg], tools=tools, metadata={"id": 1}, location=loc)
    assert _deep(built) == _deep(valid)
    assert built.tools is not tools and built.tools is not None
    assert built.tools[0] is not tools[0]
    plain = exact.exact_chat([exact.text_message("user", "q")], {}, loc)
    assert _deep(plain) == _deep(ChatExample(messages=[msg], metadata={}, location=loc))


def test_errors_keep_their_messages() -> None:
    """A record the shortcut declines gets pydantic's error, word for word."""
    record = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "weight": []}]}
    result = load_record(RawRecord(line=2, value=record), "f", "chat", "jsonl", LoadOptions())
    assert isinstance(result, LoadError)
    assert result.code == "clean.invalid_message"
    assert result.message.startswith("message 2 (assistant): weight")


text_values = st.one_of(st.text(max_size=8), json_values)
alpaca_records = st.fixed_dictionaries(
    {"instruction": text_values, "output": text_values},
    optional={
        "input": text_values,
        "system": text_values,
        "history": st.one_of(st.lists(st.lists(text_values, max_size=3), max_size=2), json_values),
        "id": json_values,
    },
)
prompt_records = st.fixed_dictionaries(
    {"prompt": text_values, "completion": text_values}, optional={"label": json_values}
)
mapped_records = st.fixed_dictionaries(
    {"q": text_values, "a": text_values}, optional={"sys": text_values, "k": json_values}
)
MAPPING = {"user": "q", "assistant": "a", "system": "sys"}
turns = st.fixed_dictionaries(
    {
        "from": st.one_of(
            st.sampled_from(["human", "gpt", "system", "observation", "x"]), json_values
        ),
        "value": text_values,
    }
)
sharegpt_records = st.fixed_dictionaries(
    {"conversations": st.one_of(st.lists(turns, max_size=4), json_values)},
    optional={"system": text_values, "tools": st.one_of(st.none(), json_values), "id": json_values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.tuples(st.just("alpaca"), alpaca_records),
        st.tuples(st.just("prompt_completion"), prompt_records),
        st.tuples(st.just("mapped"), mapped_records),
        st.tuples(st.just("sharegpt"), sharegpt_records),
    ),
    st.sampled_from([None, "Be brief."]),
)
def test_text_formats_load_the_same(case: tuple[str, dict[str, Any]], system: str | None) -> None:
    """Adapters that assemble turns from text fields build them without validation too."""
    fmt, record = case
    options = LoadOptions(system=system, mapping=MAPPING if fmt == "mapped" else {})
    assert _load(record, options, True, fmt) == _load(record, options, False, fmt)


def test_parsed_record_equals_the_dataclass() -> None:
    """``parse_line`` builds its records without the frozen dataclass's ``__init__``."""
    import pickle

    from ftprep.loaders.raw import parsed_record

    built = parsed_record(3, {"messages": []})
    made = RawRecord(line=3, value={"messages": []})
    assert built == made and repr(built) == repr(made) and type(built) is RawRecord
    assert pickle.loads(pickle.dumps(built)) == made
    assert built.error is None and vars(built) == vars(made)
