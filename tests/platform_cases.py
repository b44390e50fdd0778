"""Accept/reject cases recreated from each platform's own validator and its tests.

Every case names the public source it mirrors (the platform's validator test, validator code
or docs page), the records of one file and whether the platform accepts that file as it
stands. The inputs are written for ftprep (several mirror the upstream test inputs); the
verdicts are the upstream validators' (for Together they were confirmed by running the
``together`` 2.14.0 SDK's ``check_file``, the last release with client-side semantic checks,
and the tool rules of its successor's client code).

Sources:
- T  togethercomputer/together-python tests/unit/test_files_checks.py, test_preference_openai.py
     and src/together/(lib/)utils/files.py (together-py ``validate_messages`` with tools)
- O  openai/openai-cookbook examples/Chat_finetuning_data_prep.ipynb (format error
     categories) and the fine-tuning guide (weights on assistant turns, tools, DPO shape)
- M  mistralai/mistral-finetune finetune/data/tokenize.py (``build_instruct_sample``) and
     mistralai/mistral-common protocol/instruct/validator.py (V3, finetuning mode)
- F  docs.fireworks.ai fine-tuning (OpenAI-compatible, system message first)
- B  docs.aws.amazon.com Bedrock/Nova conversation-2024 data preparation
- V  cloud.google.com Vertex AI Gemini supervised tuning data preparation
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    target: str
    id: str
    records: tuple[Any, ...]
    accepts: bool
    source: str


def u(text: str, **kw: Any) -> dict[str, Any]:
    return {"role": "user", "content": text, **kw}


def a(text: str | None, **kw: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", **kw}
    if text is not None:
        msg["content"] = text
    return msg


def s(text: str) -> dict[str, Any]:
    return {"role": "system", "content": text}


def chat(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages), **extra}


IMG = "data:image/jpeg;base64,/9j/4AAQSkZJRg=="
WX_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def call(cid: str = "call_1", args: Any = '{"city": "Paris"}', name: str = "get_weather"):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


def tool_chat(cid: str = "call_1", args: Any = '{"city": "Paris"}', **kw: Any) -> dict[str, Any]:
    return chat(
        u("Weather in Paris?"),
        a(None, tool_calls=[call(cid, args, kw.pop("name", "get_weather"))]),
        {"role": "tool", "tool_call_id": cid, "content": "20C"},
        a("It is 20C."),
        tools=kw.pop("tools", [WX_TOOL]),
    )


# --- Together ---------------------------------------------------------------------------
PREF = {
    "input": {
        "messages": [
            u("Hi there, I have a question."),
            a("Hello, how is your day going?"),
            u("Hello, can you tell me how cold San Francisco is today?"),
        ]
    },
    "preferred_output": [a("Today in San Francisco it is mild, with a high near 20C.")],
    "non_preferred_output": [a("It is not particularly cold in San Francisco today.")],
}
PREF2 = {
    "input": {"messages": [u("What's the best way to learn programming?")]},
    "preferred_output": [a("Practise consistently on real projects, starting with Python.")],
    "non_preferred_output": [a("Just read some books and you'll be fine.")],
}


def pref(**change: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    first = copy.deepcopy(PREF)
    for key, value in change.items():
        if value is DELETE:
            del first[key]
        else:
            first[key] = value
    return first, PREF2


DELETE = object()

TOGETHER = [
    Case(
        "together",
        "valid_general",
        ({"text": "Hello, world!"}, {"text": "How are you?"}),
        True,
        "T test_check_jsonl_valid_general",
    ),
    Case(
        "together",
        "valid_instruction",
        (
            {"prompt": "Translate the following sentence.", "completion": "Hello, world!"},
            {"prompt": "Summarize the text.", "completion": "A corporation creates AI."},
        ),
        True,
        "T test_check_jsonl_valid_instruction",
    ),
    Case(
        "together",
        "valid_instruction_multimodal",
        (
            {
                "prompt": [
                    {"type": "text", "text": "Difference between these images?"},
                    {"type": "image_url", "image_url": {"url": IMG}},
                    {"type": "image_url", "image_url": {"url": IMG}},
                ],
                "completion": "The first is a cat, the second a dog.",
            },
        ),
        True,
        "T test_check_jsonl_valid_instruction_multimodal",
    ),
    Case(
        "together",
        "valid_conversational_single_turn",
        (
            chat(u("Hello"), a("Hi there!")),
            chat(u("How are you?"), a("I am fine.")),
            chat(s("You are a kind AI"), u("How are you?"), a("I am fine.")),
        ),
        True,
        "T test_check_jsonl_valid_conversational_single_turn",
    ),
    Case(
        "together",
        "valid_conversational_multiple_turns",
        (
            chat(
                u("Is it going to rain today?"),
                a("Yes, expect showers."),
                u("And in Tokyo?"),
                a("Sunny with a chance of rain."),
            ),
        ),
        True,
        "T test_check_jsonl_valid_conversational_multiple_turns",
    ),
    Case(
        "together",
        "valid_conversational_multimodal",
        (
            chat(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Difference between these images?"},
                        {"type": "image_url", "image_url": {"url": IMG}},
                    ],
                },
                {"role": "assistant", "content": [{"type": "text", "text": "Hi there!"}]},
            ),
        ),
        True,
        "T test_check_jsonl_valid_conversational_multimodal_single_turn",
    ),
    Case(
        "together",
        "valid_weights_all_messages",
        (
            chat(
                u("Hello", weight=1),
                a("Hi there!", weight=0),
                u("How are you?", weight=1),
                a("I'm doing well!", weight=1),
            ),
            chat(
                {**s("You are helpful"), "weight": 0},
                u("Weather?", weight=1),
                a("Sunny today!", weight=1),
            ),
        ),
        True,
        "T test_check_jsonl_valid_weights_all_messages (weights on any role)",
    ),
    Case(
        "together",
        "valid_weights_mixed_with_none",
        (
            chat(
                u("Hello", weight=1),
                a("Hi there!", weight=0),
                u("How are you?"),
                a("I'm doing well!"),
            ),
        ),
        True,
        "T test_check_jsonl_valid_weights_mixed_with_none",
    ),
    Case(
        "together",
        "valid_preference_openai",
        (PREF, PREF2),
        True,
        "T test_check_jsonl_valid_preference_openai",
    ),
    Case(
        "together",
        "valid_tool_calls",
        (tool_chat(),),
        True,
        "T files.py _validate_tool_calls / _validate_tools",
    ),
    Case(
        "together",
        "valid_empty_user_turn",
        (chat(u(""), a("Hello!")),),
        True,
        "T files.py validate_messages (empty content is not checked)",
    ),
    Case(
        "together",
        "invalid_json_line",
        ({"text": "Hello, world!"}, "Invalid JSON Line"),
        False,
        "T test_check_jsonl_invalid_json",
    ),
    Case(
        "together",
        "missing_required_field",
        ({"prompt": "Translate.", "completion": "Hello"}, {"prompt": "Summarize the text."}),
        False,
        "T test_check_jsonl_missing_required_field",
    ),
    Case(
        "together",
        "invalid_role",
        (chat({"role": "invalid_role", "content": "Hi"}),),
        False,
        "T test_check_jsonl_invalid_role",
    ),
    Case(
        "together",
        "non_alternating_roles",
        (chat(u("Hi"), u("Hello again")),),
        False,
        "T test_check_jsonl_non_alternating_roles",
    ),
    Case(
        "together",
        "assistant_role_exists",
        (chat(u("Hi")),),
        False,
        "T test_check_jsonl_assistant_role_exists",
    ),
    Case(
        "together",
        "invalid_value_type",
        ({"text": 123},),
        False,
        "T test_check_jsonl_invalid_value_type",
    ),
    Case(
        "together",
        "missing_field_in_conversation",
        (chat(u("Hi"), {"role": "assistant"}),),
        False,
        "T test_check_jsonl_missing_field_in_conversation",
    ),
    Case(
        "together",
        "wrong_turn_type",
        ({"messages": ["Hi!", u("Hi"), {"role": "assistant"}]},),
        False,
        "T test_check_jsonl_wrong_turn_type",
    ),
    Case(
        "together",
        "extra_column",
        ({"text": "Hello, world!", "extra_column": "extra"},),
        False,
        "T test_check_jsonl_extra_column",
    ),
    Case(
        "together",
        "empty_messages",
        ({"messages": []},),
        False,
        "T test_check_jsonl_empty_messages",
    ),
    Case(
        "together",
        "invalid_weight_float",
        (chat(u("Hello", weight=1.0), a("Hi there!", weight=0)),),
        False,
        "T test_check_jsonl_invalid_weight_float",
    ),
    Case(
        "together",
        "invalid_weight",
        (chat(u("Hello", weight=2), a("Hi there!", weight=0)),),
        False,
        "T test_check_jsonl_invalid_weight",
    ),
    Case(
        "together",
        "invalid_multimodal_content",
        (
            chat(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Hello"},
                        {"type": "image_url", "image_url": {"url": "<malformed_base64_image>"}},
                    ],
                },
                {"role": "assistant", "content": [{"type": "text", "text": "Hi there!"}]},
            ),
        ),
        False,
        "T test_check_jsonl_invalid_multimodal_content",
    ),
    Case(
        "together",
        "image_in_assistant_turn",
        (
            chat(
                u("Draw"),
                {
                    "role": "assistant",
                    "content": [{"type": "image_url", "image_url": {"url": IMG}}],
                },
            ),
        ),
        False,
        "T files.py: only user messages can contain images",
    ),
    Case(
        "together",
        "tool_arguments_object",
        (tool_chat(args={"city": "Paris"}),),
        False,
        "T files.py: arguments must be a serialized JSON string",
    ),
    Case(
        "together",
        "tool_arguments_not_json",
        (tool_chat(args="{city: Paris"),),
        False,
        "T files.py: arguments must be valid JSON",
    ),
    Case(
        "together",
        "tool_arguments_not_object",
        (tool_chat(args="[1, 2]"),),
        False,
        "T files.py: arguments must deserialize to an object",
    ),
    Case(
        "together",
        "tool_call_unknown_function",
        (tool_chat(name="get_time"),),
        False,
        "T files.py: tool_call.function.name must reference a tool in the tools list",
    ),
    Case(
        "together",
        "tools_empty",
        (tool_chat(tools=[]),),
        False,
        "T files.py: 'tools' must not be empty if provided",
    ),
    Case(
        "together",
        "tool_type_not_function",
        (tool_chat(tools=[{"type": "retrieval", "function": WX_TOOL["function"]}]),),
        False,
        "T files.py: tool type must be 'function'",
    ),
    Case(
        "together",
        "tool_calls_on_user_turn",
        (chat(u("Hi", tool_calls=[call()]), a("Hello")),),
        False,
        "T files.py: message with role 'user' cannot have 'tool_calls'",
    ),
]
_PREF_CASES = [
    ("missing_input", {"input": DELETE}),
    ("missing_preferred_output", {"preferred_output": DELETE}),
    ("missing_non_preferred_output", {"non_preferred_output": DELETE}),
    ("empty_messages", {"input": {"messages": []}}),
    ("missing_role_preferred", {"preferred_output": [{"content": "Missing role field"}]}),
    ("missing_role_non_preferred", {"non_preferred_output": [{"content": "Missing role"}]}),
    ("missing_content_preferred", {"preferred_output": [{"role": "assistant"}]}),
    ("missing_content_non_preferred", {"non_preferred_output": [{"role": "assistant"}]}),
    ("wrong_output_format_preferred", {"preferred_output": "Not an array but a string"}),
    ("wrong_output_format_non_preferred", {"non_preferred_output": "Not an array"}),
    ("missing_content", {"input": {"messages": [{"role": "user"}]}}),
    ("multiple_preferred_outputs", {"preferred_output": [a("First"), a("Second")]}),
    ("multiple_non_preferred_outputs", {"non_preferred_output": [a("First"), a("Second")]}),
    ("empty_preferred_output", {"preferred_output": []}),
    ("empty_non_preferred_output", {"non_preferred_output": []}),
    ("non_string_content_in_messages", {"input": {"messages": [u(123)]}}),  # type: ignore[arg-type]
    (
        "invalid_role_in_messages",
        {"input": {"messages": [{"role": "invalid_role", "content": "Hello"}]}},
    ),
    ("invalid_weight_type", {"input": {"messages": [u("Hello", weight="not_an_integer")]}}),
    ("invalid_weight_value", {"input": {"messages": [u("Hello", weight=2)]}}),
    ("non_dict_message", {"input": {"messages": ["Not a dictionary"]}}),
    ("non_dict_input", {"input": "Not a dictionary"}),
    ("missing_messages_in_input", {"input": {}}),
    ("non_assistant_role_in_preferred", {"preferred_output": [u("This should be assistant")]}),
    ("non_assistant_role_in_non_preferred", {"non_preferred_output": [u("Should be assistant")]}),
    ("prompt_ends_with_assistant", {"input": {"messages": [u("Hi"), a("Hello")]}}),
]
TOGETHER += [
    Case(
        "together", f"preference_{name}", pref(**change), False, f"T test_preference_openai {name}"
    )
    for name, change in _PREF_CASES
]
# Upstream's test_preference_openai also lists two consecutive user turns as invalid, but
# the released checker (2.14.0, run on this input) accepts them: no alternation rule.
TOGETHER.append(
    Case(
        "together",
        "preference_consecutive_user_turns",
        pref(input={"messages": [u("Hello"), u("How are you?")]}),
        True,
        "T 2.14.0 check_file run on the upstream non_alternating_roles input",
    )
)

# --- OpenAI -----------------------------------------------------------------------------
OPENAI = [
    Case(
        "openai",
        "valid_chat",
        (chat(s("Be brief."), u("Capital of France?"), a("Paris.")),),
        True,
        "O cookbook: no format errors",
    ),
    Case(
        "openai",
        "valid_weight_zero",
        (chat(u("Hi"), a("Hello", weight=0), u("Bye"), a("Bye!", weight=1)),),
        True,
        "O guide: weight 0/1 on assistant messages",
    ),
    Case("openai", "valid_tool_calls", (tool_chat(),), True, "O guide: function calling"),
    Case("openai", "valid_preference", (PREF, PREF2), True, "O DPO guide: preference format"),
    Case("openai", "data_type", (["not", "an", "object"],), False, "O cookbook data_type"),
    Case(
        "openai",
        "missing_messages_list",
        ({"messages": []},),
        False,
        "O cookbook missing_messages_list",
    ),
    Case(
        "openai",
        "message_missing_key",
        (chat(u("Hi"), {"role": "assistant"}),),
        False,
        "O cookbook message_missing_key",
    ),
    Case(
        "openai",
        "message_unrecognized_key",
        (chat(u("Hi", foo=1), a("Hello")),),
        False,
        "O cookbook message_unrecognized_key",
    ),
    Case(
        "openai",
        "unrecognized_role",
        (chat({"role": "bot", "content": "Hi"}, a("Hello")),),
        False,
        "O cookbook unrecognized_role",
    ),
    Case(
        "openai",
        "missing_content",
        (chat(u(123), a("Hello")),),
        False,  # type: ignore[arg-type]
        "O cookbook missing_content (content not text)",
    ),
    Case(
        "openai",
        "example_missing_assistant_message",
        (chat(s("Be brief."), u("Hi")),),
        False,
        "O cookbook example_missing_assistant_message",
    ),
    Case(
        "openai",
        "weight_on_user",
        (chat(u("Hi", weight=0), a("Hello")),),
        False,
        "O guide: weight only on assistant messages",
    ),
    Case(
        "openai",
        "weight_two",
        (chat(u("Hi"), a("Hello", weight=2)),),
        False,
        "O guide: weight is 0 or 1",
    ),
    Case(
        "openai",
        "tool_arguments_object",
        (tool_chat(args={"city": "Paris"}),),
        False,
        "O guide/API: arguments are a JSON string",
    ),
    Case(
        "openai",
        "tool_name_invalid",
        (
            tool_chat(
                name="get weather",
                tools=[
                    {"type": "function", "function": {**WX_TOOL["function"], "name": "get weather"}}
                ],
            ),
        ),
        False,
        "O API: function names are a-z, A-Z, 0-9, _ or -, at most 64",
    ),
    Case(
        "openai",
        "tool_schema_invalid",
        (
            tool_chat(
                tools=[
                    {
                        "type": "function",
                        "function": {**WX_TOOL["function"], "parameters": {"type": "objekt"}},
                    }
                ]
            ),
        ),
        False,
        "O API: parameters are a JSON Schema object",
    ),
    Case(
        "openai",
        "tool_call_without_id",
        (
            chat(
                u("Weather?"),
                a(
                    None,
                    tool_calls=[
                        {"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                    ],
                ),
                {"role": "tool", "content": "20C", "tool_call_id": "x"},
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "O API: tool calls carry an id",
    ),
    Case(
        "openai",
        "tool_message_without_id",
        (
            chat(
                u("Weather?"),
                a(None, tool_calls=[call()]),
                {"role": "tool", "content": "20C"},
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "O API: tool messages need tool_call_id",
    ),
    Case(
        "openai",
        "preference_output_string",
        pref(preferred_output="Hi!"),
        False,
        "O DPO guide: preferred_output is a list with one assistant message",
    ),
    Case(
        "openai",
        "preference_input_not_object",
        pref(input="Say hi"),
        False,
        "O DPO guide: input is an object with messages",
    ),
    Case(
        "openai",
        "preference_two_outputs",
        pref(preferred_output=[a("One"), a("Two")]),
        False,
        "O DPO guide: exactly one assistant message per side",
    ),
]

# --- Mistral ----------------------------------------------------------------------------
M_TOOL = {"type": "function", "function": dict(WX_TOOL["function"])}


def m_tool_chat(**kw: Any) -> dict[str, Any]:
    return tool_chat(cid=kw.pop("cid", "F4dNtnord"), **kw)


MISTRAL = [
    Case(
        "mistral",
        "valid_chat",
        (chat(s("Be brief."), u("Capital?"), a("Paris.")),),
        True,
        "M build_instruct_sample",
    ),
    Case(
        "mistral",
        "valid_empty_user_turn",
        (chat(u(""), a("Hello!")),),
        True,
        "M validator: user messages are not validated",
    ),
    Case(
        "mistral",
        "valid_interactions_alias",
        ({"interactions": [u("Hi"), a("Hello")]},),
        True,
        "M messages_keys",
    ),
    Case(
        "mistral",
        "valid_text_key",
        (chat({"role": "user", "text": "Hi"}, {"role": "assistant", "text": "Hello"}),),
        True,
        "M content_keys: content or text",
    ),
    Case("mistral", "valid_tools", (m_tool_chat(),), True, "M tool calls, 9-character ids"),
    Case(
        "mistral",
        "valid_extra_top_level_key",
        (chat(u("Hi"), a("Hello"), id=7),),
        True,
        "M build_instruct_sample ignores other keys",
    ),
    Case(
        "mistral",
        "valid_weight_on_user_ignored",
        (chat(u("Hi", weight=0), a("Hello")),),
        True,
        "M: only FinetuningAssistantMessage reads weight",
    ),
    Case(
        "mistral",
        "valid_consecutive_user_turns",
        (chat(u("Hi"), u("Are you there?"), a("Yes.")),),
        True,
        "M validator message order: user may follow user",
    ),
    Case(
        "mistral",
        "valid_final_call_null_id",
        (chat(u("Weather?"), a(None, tool_calls=[call("null")]), tools=[WX_TOOL]),),
        True,
        "M V3: id 'null' allowed on the last message",
    ),
    Case(
        "mistral",
        "both_messages_and_interactions",
        ({"messages": [u("Hi"), a("Hello")], "interactions": [u("Hi"), a("Hello")]},),
        False,
        "M: cannot contain both keys",
    ),
    Case(
        "mistral",
        "message_without_role",
        (chat({"content": "Hi"}, a("Hello")),),
        False,
        "M: a message does not contain a 'role' key",
    ),
    Case(
        "mistral",
        "text_and_content",
        (chat({"role": "user", "text": "a", "content": "b"}, a("Hello")),),
        False,
        "M: both text and content",
    ),
    Case(
        "mistral",
        "message_without_content",
        (chat({"role": "user"}, a("Hello")),),
        False,
        "M: non-function-call message must have content",
    ),
    Case(
        "mistral",
        "unrecognized_role",
        (chat({"role": "bot", "content": "Hi"}, a("Hello")),),
        False,
        "M UnrecognizedRoleError",
    ),
    Case(
        "mistral",
        "two_system_messages",
        (chat(s("A"), s("B"), u("Hi"), a("Hello")),),
        False,
        "M: only one system message",
    ),
    Case(
        "mistral",
        "last_message_user",
        (chat(u("Hi"), a("Hello"), u("Bye")),),
        False,
        "M validator: expected last role assistant for finetuning",
    ),
    Case(
        "mistral",
        "single_assistant_message",
        (chat(a("Hello")),),
        False,
        "M validator: a one-message conversation starts with user or system",
    ),
    Case(
        "mistral",
        "content_and_tool_calls",
        (
            chat(
                u("Weather?"),
                a("Let me check.", tool_calls=[call("F4dNtnord")]),
                {"role": "tool", "tool_call_id": "F4dNtnord", "content": "20C"},
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "M validator: content or tool_calls, not both",
    ),
    Case(
        "mistral",
        "empty_assistant_answer",
        (chat(u("Hi"), a("")),),
        False,
        "M validator: content or tool_calls, not neither",
    ),
    Case(
        "mistral",
        "tool_arguments_object",
        (m_tool_chat(args={"city": "Paris"}),),
        False,
        "M _parse_tool_calls: arguments of type str",
    ),
    Case(
        "mistral",
        "tool_call_id_not_9_chars",
        (tool_chat(cid="call_1"),),
        False,
        "M V3: tool call id a-z, A-Z, 0-9, length 9",
    ),
    Case(
        "mistral",
        "tool_message_without_id",
        (
            chat(
                u("Weather?"),
                a(None, tool_calls=[call("F4dNtnord")]),
                {"role": "tool", "content": "20C"},
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "M _parse_tool_message: tool_call_id required",
    ),
    Case(
        "mistral",
        "function_name_invalid",
        (
            m_tool_chat(
                name="get weather",
                tools=[
                    {"type": "function", "function": {**WX_TOOL["function"], "name": "get weather"}}
                ],
            ),
        ),
        False,
        "M validator: function name pattern",
    ),
    Case(
        "mistral",
        "tool_schema_invalid",
        (
            m_tool_chat(
                tools=[
                    {
                        "type": "function",
                        "function": {**WX_TOOL["function"], "parameters": {"type": "objekt"}},
                    }
                ]
            ),
        ),
        False,
        "M validator: Draft7Validator.check_schema",
    ),
    Case(
        "mistral",
        "tool_without_description",
        (
            m_tool_chat(
                tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
            ),
        ),
        False,
        "M _parse_available_tools: name, description, parameters",
    ),
    Case(
        "mistral",
        "calls_without_results",
        (
            chat(
                u("Weather?"),
                a(None, tool_calls=[call("F4dNtnord")]),
                a("No idea."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "M validator: not the same number of function calls and responses",
    ),
    Case(
        "mistral",
        "more_results_than_calls",
        (
            chat(
                u("Weather?"),
                a(None, tool_calls=[call("F4dNtnord")]),
                {"role": "tool", "tool_call_id": "F4dNtnord", "content": "20C"},
                {"role": "tool", "tool_call_id": "F4dNtnord", "content": "21C"},
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "M validator: more tool responses than calls",
    ),
    Case(
        "mistral",
        "user_after_tool",
        (
            chat(
                u("Weather?"),
                a(None, tool_calls=[call("F4dNtnord")]),
                {"role": "tool", "tool_call_id": "F4dNtnord", "content": "20C"},
                u("So?"),
                a("20C."),
                tools=[WX_TOOL],
            ),
        ),
        False,
        "M validator message order: tool is followed by assistant or tool",
    ),
    Case(
        "mistral",
        "weight_two",
        (chat(u("Hi"), a("Hello", weight=2)),),
        False,
        "M validator: assistant weight 0 or 1",
    ),
]

# --- Other upload platforms --------------------------------------------------------------
BEDROCK_OK = {
    "schemaVersion": "bedrock-conversation-2024",
    "system": [{"text": "Be brief."}],
    "messages": [
        {"role": "user", "content": [{"text": "Capital of France?"}]},
        {"role": "assistant", "content": [{"text": "Paris."}]},
    ],
}
VERTEX_OK = {
    "contents": [
        {"role": "user", "parts": [{"text": "Capital of France?"}]},
        {"role": "model", "parts": [{"text": "Paris."}]},
    ]
}
OTHERS = [
    Case(
        "fireworks",
        "valid_chat",
        (chat(s("Be brief."), u("Hi"), a("Hello", weight=1)),),
        True,
        "F OpenAI-compatible messages with weight",
    ),
    Case(
        "fireworks",
        "system_not_first",
        (chat(u("Hi"), s("Be brief."), a("Hello")),),
        False,
        "F docs: the system message must be the first",
    ),
    Case("bedrock", "valid_conversation", (BEDROCK_OK,), True, "B conversation-2024 schema"),
    Case(
        "bedrock",
        "openai_layout_as_is",
        (chat(u("Hi"), a("Hello")),),
        False,
        "B: Bedrock reads the bedrock-conversation-2024 layout only",
    ),
    Case(
        "bedrock",
        "assistant_first",
        ({**BEDROCK_OK, "messages": BEDROCK_OK["messages"][::-1]},),
        False,
        "B docs: first turn user, last turn assistant",
    ),
    Case("vertex", "valid_contents", (VERTEX_OK,), True, "V contents with user/model parts"),
    Case(
        "vertex",
        "assistant_role",
        (
            {
                "contents": [
                    VERTEX_OK["contents"][0],
                    {"role": "assistant", "parts": [{"text": "Paris."}]},
                ]
            },
        ),
        False,
        "V docs: roles are user and model",
    ),
]

CASES: list[Case] = TOGETHER + OPENAI + MISTRAL + OTHERS
