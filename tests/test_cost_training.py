"""Epoch rule, training-cost arithmetic, report cost section and lifecycle dates."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftprep.costing import estimate_training, lifecycle_notes, training_cost
from ftprep.costing.lifecycle import today
from ftprep.errors import ConfigError
from ftprep.tokens.billing import billed_tokens, default_epochs
from ftprep.tokens.models import resolve_model
from tests.conftest import varied_chats


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (0, 3), (1, 25), (3, 25), (4, 25), (5, 20), (10, 10), (20, 5), (33, 3), (34, 3),
        (100, 3), (1000, 3), (8333, 3), (8334, 2), (12500, 2), (12501, 1), (25000, 1),
        (1_000_000, 1),
    ],
)  # fmt: skip
def test_default_epochs_table(n, epochs):
    assert default_epochs(n) == epochs


@given(st.integers(min_value=1, max_value=10_000_000))
def test_default_epochs_invariants(n):
    e = default_epochs(n)
    assert 1 <= e <= 25
    if n * 3 < 100:
        assert n * e <= 100 or e == 1  # reach toward 100 passes without passing it
        assert e == min(25, 100 // n)
    elif n * 3 > 25_000:
        assert n * e <= 25_000 or e == 1
    else:
        assert e == 3


@pytest.mark.parametrize(
    ("tokens", "limit", "billed"),
    [([100, 200, 300], 1000, 600), ([100, 2000, 300], 1000, 1400), ([5000], 16385, 5000),
     ([70000, 10], 65536, 65546), ([], 100, 0)],
)  # fmt: skip
def test_billed_tokens_truncate_at_limit(tokens, limit, billed):
    assert billed_tokens(np.asarray(tokens, dtype=np.int64), limit) == billed


@pytest.mark.parametrize(
    ("tokens", "price", "minimum", "usd"),
    [
        (1_000_000, 3.0, None, 3.0),
        (300_000, 3.0, None, 0.9),  # OpenAI guide: 100k tokens x 3 epochs on 4o-mini ~ $0.90
        (300_000, 8.0, None, 2.4),  # ... and ~ $2.40 on gpt-3.5-turbo
        (2_500_000, 25.0, None, 62.5),
        (1_000, 10.0, 20.0, 20.0),  # Together large models: per-job minimum
        (3_000_000, 10.0, 20.0, 30.0),
        (0, 0.48, None, 0.0),
    ],
)
def test_training_cost_table(tokens, price, minimum, usd):
    assert training_cost(tokens, price, minimum) == pytest.approx(usd)


@pytest.mark.parametrize(
    ("model", "train", "val", "epochs", "billed", "usd"),
    [
        # OpenAI: validation never billed; 4 examples -> 25 epochs by default
        ("gpt-4o-mini", [1000] * 4, [500], None, 100_000, 0.3),
        ("gpt-4o", [1000] * 200, [500] * 20, 2, 400_000, 10.0),
        # gpt-3.5: examples truncated at 16,385
        ("gpt-3.5-turbo", [20_000, 1000], [], 1, 17_385, 17_385 * 8 / 1e6),
        # Together: n_epochs x train + 1 pass x validation
        ("llama-3.1-8b", [1000] * 200, [1000] * 20, 3, 620_000, 620_000 * 0.48 / 1e6),
    ],
)
def test_estimate_table(model, train, val, epochs, billed, usd):
    est = estimate_training(resolve_model(model), np.array(train), np.array(val), epochs=epochs,
                            on=date(2026, 11, 25))  # fmt: skip
    assert est.total_billed_tokens == billed
    assert est.estimated_cost_usd == pytest.approx(usd)


def test_unknown_price_gives_no_cost_and_says_why():
    est = estimate_training(resolve_model("open-model"), np.array([100] * 150), on=date(2026, 1, 1))
    assert est.estimated_cost_usd is None
    assert any("training_per_1m" in n for n in est.notes)


LIFE = [
    # (model, today, [(level, code, date)])
    ("gpt-4o-mini", "2026-11-25", [("note", "training_stops", "2027-01-06"),
                                   ("note", "shutdown_scheduled", "2027-01-14")]),
    ("gpt-4o-mini", "2027-01-06", [("warning", "training_stopped", "2027-01-06"),
                                   ("note", "shutdown_scheduled", "2027-01-14")]),
    ("gpt-4o-mini", "2027-01-20", [("warning", "model_shut_down", "2027-01-14")]),
    ("gpt-4.1-nano", "2026-11-25", [("warning", "model_shut_down", "2026-10-23")]),
    ("gpt-3.5-turbo", "2026-10-22", [("note", "training_stops", "2027-01-06"),
                                     ("note", "shutdown_scheduled", "2026-10-23")]),
    ("llama-3.1-8b", "2030-01-01", []),
]  # fmt: skip


@pytest.mark.parametrize(("model", "on", "expected"), LIFE)
def test_lifecycle_table(model, on, expected):
    notes = lifecycle_notes(resolve_model(model), date.fromisoformat(on))
    assert [(n.level, n.code, n.date.isoformat()) for n in notes] == expected


def test_today_is_injectable(monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2027-02-01")
    assert today() == date(2027, 2, 1)
    monkeypatch.setenv("FTPREP_TODAY", "soon")
    with pytest.raises(ConfigError, match="FTPREP_TODAY"):
        today()
    monkeypatch.delenv("FTPREP_TODAY")
    assert today() == date.today()


@pytest.fixture
def data(write_jsonl):
    return write_jsonl(varied_chats(300))


def test_epochs_option_in_report(cli, data):
    default = json.loads(cli("validate", data, "--json").stdout)["stats"]["cost"]
    assert (default["epochs"], default["epochs_source"]) == (3, "default")
    cost = json.loads(cli("validate", data, "--json", "--epochs", "7").stdout)["stats"]["cost"]
    assert (cost["epochs"], cost["epochs_source"]) == (7, "option")
    assert cost["billed_tokens"] == cost["billed_tokens_per_epoch"] * 7
    assert cost["total_billed_tokens"] == cost["billed_tokens"]  # OpenAI: validation free
    assert cost["estimated_cost_usd"] == pytest.approx(cost["billed_tokens"] * 3.0 / 1e6)
    assert cost["train_examples"] + cost["validation_examples"] == 300
    assert cli("validate", data, "--epochs", "0").exit_code == 2


def test_epochs_from_config_and_split_report_agree(tmp_path, cli, data, monkeypatch):
    (tmp_path / "ftprep.toml").write_text("epochs = 4\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = cli("split", data, "--out", out, "--json")
    assert result.exit_code == 0
    cost = json.loads((out / "report.json").read_text())["stats"]["cost"]
    train_lines = (out / "train.jsonl").read_text().splitlines()
    assert cost["epochs"] == 4 and cost["train_examples"] == len(train_lines)
    validate = json.loads(cli("validate", data, "--json").stdout)["stats"]["cost"]
    assert validate == cost


def test_openai_stop_date_shown_in_reports(cli, data, tmp_path, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-11-25")
    md = tmp_path / "r.md"
    result = cli("validate", data, "--report", md)
    assert "OpenAI stops new finetuning jobs on 2027-01-06" in result.stdout
    text = md.read_text()
    assert "OpenAI stops new finetuning jobs on 2027-01-06" in text
    assert "prices checked 2025-01-31" in text
    report = json.loads(cli("validate", data, "--json").stdout)
    assert report["stats"]["cost"]["training_stops"] == "2027-01-06"
    assert report["stats"]["cost"]["warnings"] == []


def test_shut_down_model_warns(cli, data, tmp_path, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-11-25")
    md = tmp_path / "r.md"
    result = cli("validate", data, "--model", "gpt-4.1-nano", "--report", md)
    assert "gpt-4.1-nano-2025-04-14 was shut down on 2026-10-23" in result.stdout
    assert "**warning:** gpt-4.1-nano-2025-04-14 was shut down on 2026-10-23" in md.read_text()
    cost = json.loads(cli("validate", data, "--json", "--model", "gpt-4.1-nano").stdout)
    assert any("shut down on 2026-10-23" in w for w in cost["stats"]["cost"]["warnings"])
    monkeypatch.setenv("FTPREP_TODAY", "2027-01-07")
    cost = json.loads(cli("validate", data, "--json").stdout)["stats"]["cost"]
    assert any("stopped accepting new finetuning jobs on 2027-01-06" in w for w in cost["warnings"])


def test_non_openai_report_says_count_is_approximate(cli, data, tmp_path):
    md = tmp_path / "r.md"
    result = cli("validate", data, "--model", "llama-3.3-70b", "--report", md)
    assert "token counts are approximate: counted with tiktoken o200k_base" in result.stdout
    assert "approximate: counted with tiktoken o200k\\_base" in md.read_text()
    assert "2027-01-06" not in md.read_text()
