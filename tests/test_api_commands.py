"""``advise`` and ``cost`` are API calls like every other command: ``ftprep.advise(...)`` and
``ftprep.cost(...)`` return what ``ftprep advise --json`` and ``ftprep cost --json`` print."""

from __future__ import annotations

import json

import pytest

import ftprep
from ftprep.errors import ConfigError
from tests.conftest import varied_chats


def test_advise_is_the_cli_answer(cli, write_jsonl):
    data = write_jsonl(varied_chats(150))
    advice = ftprep.advise(
        {"style": True, "knows": True, "fresh": False, "reasoning": False}, data=[data]
    )
    printed = cli("advise", "--style", "--model-knows", "--no-frequent-updates",
                  "--no-complex-reasoning", "--data", data, "--json")  # fmt: skip
    assert printed.exit_code == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads(advice.model_dump_json())
    assert advice.data is not None and advice.data.examples == 150


def test_cost_of_one_model_is_the_cli_answer(cli, write_jsonl):
    data = write_jsonl(varied_chats(200))
    result = ftprep.cost(
        requests_per_month=20000,
        current="gpt-4.1",
        candidate="gpt-4.1-mini",
        data=[data],
        epochs=2,
    )
    printed = cli("cost", "--requests", "20000", "--current", "gpt-4.1", "--finetuned",
                  "gpt-4.1-mini", "--data", data, "--epochs", "2", "--json")  # fmt: skip
    assert printed.exit_code == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads(result.model_dump_json())
    assert result.training_cost_from == "dataset"


def test_cost_table_is_the_cli_answer(cli):
    result = ftprep.cost(
        requests_per_month=1000, input_tokens=800, output_tokens=200, providers=["openai"]
    )
    printed = cli("cost", "--requests", "1000", "--input-tokens", "800", "--output-tokens",
                  "200", "--provider", "openai", "--json")  # fmt: skip
    assert printed.exit_code == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads(result.model_dump_json())
    assert {o.provider for o in result.options} == {"openai"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"training_cost": 5.0}, "--training-cost needs --finetuned"),
        ({"candidate": "gpt-4.1-mini", "providers": ["openai"]}, "--provider narrows"),
    ],
)
def test_cost_usage_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ftprep.cost(requests_per_month=10, input_tokens=1, output_tokens=1, **kwargs)
