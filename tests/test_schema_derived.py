"""Values a model remembers (a message's text, an example's last assistant turn) are the
values computed afresh, before and after the model changes, and never show in what the
model dumps, compares or iterates."""

from __future__ import annotations

import copy
import pickle
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.schema import ChatExample, ContentPart, Message, SourceLocation

LOC = SourceLocation(source="data.jsonl", line=1)

contents = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.lists(
        st.builds(
            ContentPart,
            type=st.sampled_from(["text", "image_url", "reasoning"]),
            text=st.one_of(st.none(), st.text(max_size=5)),
        ),
        max_size=3,
    ),
)
roles = st.sampled_from(["system", "user", "assistant", "tool"])
messages = st.builds(Message, role=roles, content=contents)


def _fresh_text(m: Message) -> str:
    if m.content is None:
        return ""
    if isinstance(m.content, str):
        return m.content
    return "\n".join(p.text for p in m.content if p.text)


def _fresh_last(ex: ChatExample) -> int | None:
    found = [i for i, m in enumerate(ex.messages) if m.role == "assistant"]
    return found[-1] if found else None


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, min_size=1, max_size=5), contents, roles)
def test_remembered_values_follow_changes(
    msgs: list[Message], new_content: Any, new_role: str
) -> None:
    ex = ChatExample(messages=msgs, location=LOC)
    assert ex.last_assistant_index == _fresh_last(ex)
    assert [m.text for m in msgs] == [_fresh_text(m) for m in msgs]
    changed = msgs[0].model_copy(update={"content": new_content, "role": new_role})
    assert changed.text == _fresh_text(changed)
    assert msgs[0].text == _fresh_text(msgs[0])  # the original is untouched
    other = ex.model_copy(update={"messages": [*msgs[1:], changed]})
    assert other.last_assistant_index == _fresh_last(other)
    assert ex.last_assistant_index == _fresh_last(ex)
    msgs[-1].content = new_content
    assert msgs[-1].text == _fresh_text(msgs[-1])
    ex.messages = [changed]
    assert ex.last_assistant_index == _fresh_last(ex)


def test_remembered_values_stay_out_of_dumps_and_equality() -> None:
    plain = Message(role="user", content="hi")
    read = Message(role="user", content="hi")
    assert read.text == "hi"
    assert read == plain and plain == read
    assert read.model_dump() == plain.model_dump()
    assert read.model_dump_json() == plain.model_dump_json()
    assert dict(read) == dict(plain)
    assert repr(read) == repr(plain)
    ex = ChatExample(messages=[read, Message(role="assistant", content="a")], location=LOC)
    assert ex.last_assistant_index == 1
    assert "last_assistant_index" not in dict(ex)
    assert (
        ex.model_dump() == ChatExample(messages=[plain, ex.messages[1]], location=LOC).model_dump()
    )
    assert "text" not in Message.model_json_schema()["properties"]


def test_an_extra_text_key_is_kept_apart() -> None:
    """Mistral's ``text`` next to ``content`` stays an extra key, as before."""
    m = Message.model_validate({"role": "user", "content": "c", "text": "t"})
    assert m.text == "c"
    assert m.model_dump()["text"] == "t"
    assert dict(m)["text"] == "t"
    assert m.extra_keys == ["text"]


def test_copies_and_pickles_keep_the_right_text() -> None:
    m = Message(role="assistant", content=[ContentPart(type="text", text="a")])
    assert m.text == "a"
    for other in (copy.copy(m), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert other.text == "a"
        assert other == m
