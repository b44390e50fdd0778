"""The API layer: ``advise`` and ``cost`` are API calls like every other command
(``ftprep.advise(...)`` and ``ftprep.cost(...)`` return what ``ftprep advise --json`` and
``ftprep cost --json`` print), and a run's config is resolved once, by ``make_config``."""

from __future__ import annotations

import json

import pytest

import ftprep
from ftprep import api
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


def test_a_resolved_config_is_used_as_is():
    cfg = api.make_config(None, target="together", sets=["sufficient.count.minimum=5"])
    assert cfg.resolved and api.make_config(cfg) is cfg
    assert api.make_config(cfg, seed=3).seed == 3
    changed = cfg.model_copy(update={"target": "openai"})
    assert not changed.resolved
    again = api.make_config(changed)
    assert again is not changed and again.checks["clean.target_role"]["target"] == "openai"
    assert not ftprep.Config().resolved


def test_the_cli_resolves_the_config_once(cli, write_jsonl, tmp_path, monkeypatch):
    """Each command resolves its settings once: later calls get the resolved config back."""
    config = tmp_path / "ftprep.toml"
    config.write_text('[checks."sufficient.count"]\nminimum = 5\n')
    data = write_jsonl(varied_chats(20))
    resolutions = []
    real = api.make_config

    def spy(given=None, **kwargs):
        out = real(given, **kwargs)
        if out is not given:
            resolutions.append(kwargs)
        return out

    monkeypatch.setattr(api, "make_config", spy)
    for command in (
        ["validate", data, "--config", config, "--target", "openai", "-j1"],
        ["split", data, "--config", config, "--out", tmp_path / "split", "-j1"],
        ["convert", data, "--to", "openai", "-o", tmp_path / "out.jsonl", "--config", config],
        ["cost", "--requests", "10", "--data", data, "--finetuned", "gpt-4o-mini"],
    ):
        resolutions.clear()
        result = cli(*command)
        assert result.exit_code in (0, 1), result.stderr
        assert len(resolutions) == 1, (command, resolutions)
