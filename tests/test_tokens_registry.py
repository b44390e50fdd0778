"""The model registry: built-in entries, user overrides from the config, tiers, local
tokenizers, and clear errors for bad entries."""

from __future__ import annotations

import gzip
import json
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.errors import ConfigError
from ftprep.tokens.models import PRICE_FIELDS, all_models, resolve_model, tier_price
from tests.conftest import varied_chats

OPENAI = {
    "gpt-4o": ("gpt-4o-2024-08-06", 25.0, 65536),
    "gpt-4o-mini": ("gpt-4o-mini-2024-07-18", 3.0, 65536),
    "gpt-4.1": ("gpt-4.1-2025-04-14", 25.0, 65536),
    "gpt-4.1-mini": ("gpt-4.1-mini-2025-04-14", 5.0, 65536),
    "gpt-4.1-nano": ("gpt-4.1-nano-2025-04-14", 1.5, 32768),
    "gpt-3.5-turbo": ("gpt-3.5-turbo-0125", 8.0, 16385),
}


@pytest.mark.parametrize(("alias", "expected"), OPENAI.items())
def test_openai_models_by_alias(alias, expected):
    model = resolve_model(alias)
    assert (model.id, model.training_per_1m, model.max_example_tokens) == expected
    assert model.provider == "openai" and model.approximate is False
    assert model.training_stops == date(2027, 1, 6)
    assert model.bills_validation is False
    assert model.source and model.source.startswith("https://")
    assert all(getattr(model, f) is not None for f in PRICE_FIELDS)


@pytest.mark.parametrize(
    ("alias", "shutdown"),
    [("gpt-4o", "2027-01-14"), ("gpt-4.1-mini", "2027-01-14"), ("gpt-4.1-nano", "2026-10-23"),
     ("gpt-3.5-turbo", "2026-10-23")],
)  # fmt: skip
def test_shutdown_dates(alias, shutdown):
    assert resolve_model(alias).shutdown == date.fromisoformat(shutdown)


def test_every_entry_is_dated_sourced_and_consistent():
    models = all_models()
    assert {m.provider for m in models} >= {"openai", "together", "local"}
    for m in models:
        assert m.checked is not None, m.id
        assert not (m.confirmed and m.unconfirmed), m.id
        assert all(getattr(m, f) is None or getattr(m, f) >= 0 for f in PRICE_FIELDS), m.id
        if m.provider != "openai":
            assert m.approximate, m.id
    unconfirmed = {m.id for m in models if not m.confirmed}
    assert "gpt-4.1-2025-04-14" in unconfirmed  # limit only published by Azure


@pytest.mark.parametrize(
    ("tier", "params", "method", "price", "label"),
    [
        ("together", 8, "lora", 0.48, "Up to 16B"),
        ("together", 16, "full", 0.54, "Up to 16B"),
        ("together", 32, "lora", 1.50, "17B-69B"),
        ("together", 46.7, "full", 1.65, "17B-69B"),
        ("together", 70, "lora", 2.90, "70-100B"),
        ("fireworks", 8, "lora", 0.50, "Models up to 16B"),
        ("fireworks", 235, "full", 12.00, "Models 80B - 300B"),
        ("fireworks", 671, "lora", 10.00, "Models >300B"),
    ],
)
def test_tier_prices(tier, params, method, price, label):
    value, table = tier_price(tier, params, method)
    assert value == price and table["label"] == label


def test_together_models_priced_from_their_tier():
    llama = resolve_model("llama-3.1-8b")
    assert llama.training_per_1m == 0.48 and llama.bills_validation is True
    assert llama.price_tier == "Up to 16B (LoRA SFT)"
    assert resolve_model("llama-3.3-70b").training_per_1m == 2.90
    assert llama.ft_input_per_1m is None  # dedicated endpoints: not per token


def test_together_tier_has_no_bracket_above_100b():
    with pytest.raises(ConfigError, match="no bracket"):
        tier_price("together", 400)


def _pyproject(tmp_path, body: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.ftprep]\n{body}\n", encoding="utf-8")


def _data(tmp_path, n: int = 120):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in varied_chats(n)) + "\n", encoding="utf-8")
    return path


def test_user_override_changes_price_in_report(tmp_path, cli, monkeypatch):
    _pyproject(tmp_path, '[tool.ftprep.models."gpt-4o-mini-2024-07-18"]\ntraining_per_1m = 4.0\n'
               'checked = "2026-11-20"')  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = cli("validate", _data(tmp_path), "--json")
    cost = json.loads(result.stdout)["stats"]["cost"]
    assert cost["training_per_1m"] == 4.0 and cost["price_checked"] == "2026-11-20"
    assert cost["estimated_cost_usd"] == pytest.approx(cost["total_billed_tokens"] * 4.0 / 1e6)


def test_user_added_model_priced_by_tier(tmp_path, cli, monkeypatch):
    _pyproject(
        tmp_path,
        'model = "my-qwen"\n[tool.ftprep.models."my-qwen"]\nprovider = "together"\n'
        'encoding = "o200k_base"\nmax_example_tokens = 32768\ntier = "together"\n'
        'params_b = 32\nmethod = "full"',
    )
    monkeypatch.chdir(tmp_path)
    result = cli("validate", _data(tmp_path), "--json")
    stats = json.loads(result.stdout)["stats"]
    assert stats["cost"]["training_per_1m"] == 1.65
    assert stats["cost"]["price_tier"] == "17B-69B (full SFT)"
    assert stats["cost"]["validation_billed"] is True
    assert stats["cost"]["validation_billed_tokens"] == stats["cost"]["validation_tokens"] > 0
    assert stats["tokens"]["approximate"] is True
    assert "approximate" in stats["tokens"]["approximation"]


def test_open_model_context_length_is_configurable(tmp_path, cli, monkeypatch):
    _pyproject(tmp_path, 'model = "open-model"\n[tool.ftprep.models."open-model"]\n'
               "max_example_tokens = 60")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = cli("validate", _data(tmp_path), "--json")
    report = json.loads(result.stdout)
    tok = report["stats"]["tokens"]
    assert tok["limit"] == 60 and tok["approximate"] is True
    over = [f for f in report["findings"] if f["check"] == "clean.over_token_limit"]
    assert tok["over_limit"] == over[0]["count"] > 0
    assert report["stats"]["cost"]["estimated_cost_usd"] is None  # local: no per-token price


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("training_per_1m = -1.0", "training_per_1m"),
        ('max_example_tokens = "many"', "max_example_tokens"),
        ('checked = "last week"', "checked"),
        ('tier = "together"\nparams_b = 8\nmethod = "qlora"', "method: Input should be"),
    ],
)
def test_bad_override_is_a_usage_error(tmp_path, cli, monkeypatch, body, needle):
    _pyproject(tmp_path, f'[tool.ftprep.models."gpt-4o-mini-2024-07-18"]\n{body}')
    monkeypatch.chdir(tmp_path)
    result = cli("validate", _data(tmp_path, 5))
    assert result.exit_code == 2
    assert "gpt-4o-mini-2024-07-18" in result.stderr and needle in result.stderr
    assert "Traceback" not in result.stderr


def test_local_rank_file_counts_like_its_encoding(tmp_path, cli, monkeypatch):
    blob = resources.files("ftprep.tokens").joinpath("data", "cl100k_base.tiktoken.gz")
    ranks = tmp_path / "mymodel.tiktoken"
    ranks.write_bytes(gzip.decompress(blob.read_bytes()))
    _pyproject(
        tmp_path,
        f'model = "my-llama"\n[tool.ftprep.models."my-llama"]\nprovider = "local"\n'
        f'encoding = "{ranks.as_posix()}"\npattern = "cl100k_base"\nmax_example_tokens = 8192',
    )
    monkeypatch.chdir(tmp_path)
    data = _data(tmp_path)
    local = json.loads(cli("validate", data, "--json").stdout)["stats"]["tokens"]
    reference = json.loads(cli("validate", data, "--json", "--model", "gpt-3.5-turbo").stdout)[
        "stats"
    ]["tokens"]
    assert local["total"] == reference["total"]
    assert local["tokenizer"] == f"local rank file {ranks.as_posix()} (cl100k_base split pattern)"
    assert local["approximate"] is True


def test_missing_rank_file_is_a_usage_error(tmp_path, cli, monkeypatch):
    _pyproject(tmp_path, 'model = "x"\n[tool.ftprep.models."x"]\nprovider = "local"\n'
               'encoding = "nowhere/model.tiktoken"\nmax_example_tokens = 100')  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = cli("validate", _data(tmp_path, 5))
    assert result.exit_code == 2
    assert "nowhere/model.tiktoken: tiktoken rank file not found" in result.stderr


def test_unknown_model_lists_known_ones(cli, tmp_path):
    result = cli("validate", _data(tmp_path, 5), "--model", "gpt-5-turbo-max")
    assert result.exit_code == 2
    assert "unknown model 'gpt-5-turbo-max'" in result.stderr and "gpt-4o" in result.stderr


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
    st.text(max_size=20), st.lists(st.text(max_size=5), max_size=3),
    st.dates().map(str),
)  # fmt: skip
_FIELDS = st.sampled_from(
    ["provider", "encoding", "max_example_tokens", "aliases", "approximate", "pattern",
     "training_per_1m", "ft_input_per_1m", "bills_validation", "validation_passes", "tier",
     "params_b", "method", "checked", "shutdown", "training_stops", "confirmed", "unconfirmed",
     "minimum_charge_usd"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_FIELDS, _VALUES, max_size=5))
def test_any_override_resolves_or_fails_cleanly(override):
    """A user's config is untrusted input: it yields a model or a ConfigError, never a crash."""
    try:
        model = resolve_model("gpt-4o-mini", {"gpt-4o-mini-2024-07-18": override})
    except ConfigError as exc:
        assert "gpt-4o-mini-2024-07-18" in str(exc) or "tier" in str(exc)
    else:
        assert model.max_example_tokens >= 1
        assert model.training_per_1m is None or model.training_per_1m >= 0
