"""``ftprep cost``: monthly cost of the current model vs a finetuned smaller one."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ftprep.costing import Usage, break_even_months, compare
from ftprep.costing.scale import monthly_cost
from ftprep.tokens.models import resolve_model
from tests.conftest import varied_chats

ON = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("requests", "tin", "tout", "pin", "pout", "usd"),
    [
        (1_000_000, 1000, 200, 2.50, 10.00, 4500.0),  # gpt-4o
        (1_000_000, 1000, 200, 0.30, 1.20, 540.0),  # finetuned gpt-4o-mini
        (1_000_000, 300, 200, 0.30, 1.20, 330.0),  # ... with a shorter prompt
        (50_000, 2000, 500, 2.00, 8.00, 400.0),  # gpt-4.1
        (10, 0, 0, 5.0, 5.0, 0.0),
    ],
)
def test_monthly_cost_table(requests, tin, tout, pin, pout, usd):
    assert monthly_cost(requests, tin, tout, pin, pout) == pytest.approx(usd)


@pytest.mark.parametrize(
    ("training", "savings", "months"),
    [(100.0, 3960.0, 100 / 3960), (500.0, 250.0, 2.0), (0.0, 10.0, 0.0), (100.0, 0.0, None),
     (100.0, -5.0, None)],
)  # fmt: skip
def test_break_even_table(training, savings, months):
    result = break_even_months(training, savings)
    assert result == (pytest.approx(months) if months is not None else None)


def test_large_to_finetuned_small_at_one_million_requests():
    usage = Usage(requests_per_month=1_000_000, input_tokens=1000, output_tokens=200)
    result = compare(resolve_model("gpt-4o"), resolve_model("gpt-4o-mini"), usage,
                     training_cost=45.0, on=ON)  # fmt: skip
    assert result.current.monthly_usd == pytest.approx(4500.0)
    assert result.candidate.monthly_usd == pytest.approx(540.0)
    assert result.monthly_savings_usd == pytest.approx(3960.0)
    assert result.savings_share == pytest.approx(0.88)  # the ~90% a team expects
    assert result.annual_savings_usd == pytest.approx(47_520.0)
    assert result.break_even_months == pytest.approx(45 / 3960, abs=1e-4)
    assert result.break_even_requests == 11_364  # ceil(45 / 0.00396)
    assert result.first_year_net_usd == pytest.approx(47_475.0)
    assert result.months_until_shutdown == pytest.approx(50 / (365.25 / 12), abs=0.01)
    assert any("2027-01-06" in n for n in result.notes)


def test_break_even_after_shutdown_warns():
    usage = Usage(requests_per_month=1000, input_tokens=500, output_tokens=100)
    result = compare(resolve_model("gpt-4o"), resolve_model("gpt-4o-mini"), usage,
                     training_cost=500.0, on=ON)  # fmt: skip
    assert result.break_even_months > result.months_until_shutdown
    assert any("never recovered" in w for w in result.warnings)


def test_finetuned_costing_more_never_breaks_even():
    usage = Usage(requests_per_month=1000, input_tokens=500, output_tokens=100)
    result = compare(resolve_model("gpt-4o-mini"), resolve_model("gpt-4.1"), usage,
                     training_cost=10.0, on=ON)  # fmt: skip
    assert result.monthly_savings_usd < 0
    assert result.break_even_months is None and result.break_even_requests is None
    assert any("never pays for itself" in w for w in result.warnings)


def test_cli_cost_json(cli, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-11-25")
    result = cli("cost", "--requests", "1000000", "--input-tokens", "1000", "--output-tokens",
                 "200", "--finetuned", "gpt-4o-mini", "--finetuned-input-tokens", "300",
                 "--training-cost", "120", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["current"]["model"] == "gpt-4o-2024-08-06"
    assert out["candidate"]["monthly_usd"] == pytest.approx(330.0)
    assert out["monthly_savings_usd"] == pytest.approx(4170.0)
    assert out["training_cost_from"] == "given"
    assert out["as_of"] == "2026-11-25"


def test_cli_cost_terminal_shows_savings_and_stop_date(cli, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-11-25")
    result = cli("cost", "--requests", "1000000", "--input-tokens", "1000", "--output-tokens",
                 "200", "--finetuned", "gpt-4o-mini", "--training-cost", "45")  # fmt: skip
    assert result.exit_code == 0
    assert "monthly savings: $3,960.00 (88%)" in result.stdout
    assert "OpenAI stops new finetuning jobs on 2027-01-06" in result.stdout


def test_cost_from_data_equals_split_report(cli, write_jsonl, tmp_path, monkeypatch):
    """--data goes through the same engine: the training cost is the split report's."""
    data = write_jsonl(varied_chats(400))
    out = tmp_path / "out"
    assert cli("split", data, "--out", out, "--epochs", "2", "--model", "gpt-4.1-mini",
               "--json").exit_code == 0  # fmt: skip
    report_cost = json.loads((out / "report.json").read_text())["stats"]["cost"]
    result = cli("cost", "--requests", "200000", "--current", "gpt-4.1", "--finetuned",
                 "gpt-4.1-mini", "--data", data, "--epochs", "2", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out_json = json.loads(result.stdout)
    assert out_json["training_cost_from"] == "dataset"
    assert out_json["training"]["total_billed_tokens"] == report_cost["total_billed_tokens"]
    assert out_json["training_cost_usd"] == pytest.approx(report_cost["estimated_cost_usd"])
    assert out_json["usage"]["source"] == "dataset averages"
    assert 0 < out_json["usage"]["output_tokens"] < out_json["usage"]["input_tokens"]


def test_cost_data_with_load_errors_says_so(cli, write_jsonl):
    data = write_jsonl([*varied_chats(150), "{not json"])
    result = cli("cost", "--requests", "1000", "--data", data, "--finetuned", "gpt-4o-mini",
                 "--json")  # fmt: skip
    assert result.exit_code == 0
    assert any("1 records could not be loaded" in w for w in json.loads(result.stdout)["warnings"])
    table = json.loads(cli("cost", "--requests", "1000", "--data", data, "--json").stdout)
    mini = next(o for o in table["options"] if o["model"] == "gpt-4o-mini-2024-07-18")
    assert any("1 records could not be loaded" in w for w in mini["training"]["warnings"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--requests", "10"], "--input-tokens and --output-tokens"),
        (["--requests", "10", "--input-tokens", "5"], "--output-tokens"),
        (["--requests", "10", "--input-tokens", "5", "--output-tokens", "5", "--finetuned",
          "open-model"], "ft_input_per_1m"),
        (["--requests", "10", "--input-tokens", "5", "--output-tokens", "5", "--epochs", "3"],
         "--epochs needs --data"),
        (["--requests", "0", "--input-tokens", "5", "--output-tokens", "5"], "--requests"),
        (["--input-tokens", "5", "--output-tokens", "5"], "--requests"),
        (["--requests", "10", "--data", "missing.jsonl"], "missing.jsonl"),
    ],
)  # fmt: skip
def test_cost_usage_errors(cli, args, needle):
    result = cli("cost", *args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_data_and_training_cost_are_exclusive(cli, write_jsonl):
    data = write_jsonl(varied_chats(5))
    result = cli("cost", "--requests", "10", "--data", data, "--training-cost", "5",
                 "--finetuned", "gpt-4o-mini")  # fmt: skip
    assert result.exit_code == 2 and "either --data or --training-cost" in result.stderr
    result = cli("cost", "--requests", "10", "--data", data, "--training-cost", "5")
    assert result.exit_code == 2 and "--training-cost needs --finetuned" in result.stderr


def _options(cli, *args: str) -> dict:
    result = cli("cost", "--requests", "1000000", "--input-tokens", "1000", "--output-tokens",
                 "200", *args, "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cost_compares_every_provider_side_by_side(cli, write_jsonl, tmp_path, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-12-01")
    data = write_jsonl(varied_chats(300))
    table = _options(cli, "--data", str(data))
    rows = {o["model"]: o for o in table["options"]}
    assert {"openai", "together", "local"} <= set(table["providers"])
    # each option's training bill equals what `split --model M` reports for the same data
    out = tmp_path / "out"
    assert cli("split", data, "--out", out, "--model", "llama-3.1-8b", "-q").exit_code in (0, 1)
    report_cost = json.loads((out / "report.json").read_text())["stats"]["cost"]
    llama = rows["meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"]
    assert llama["training"]["total_billed_tokens"] == report_cost["total_billed_tokens"]
    assert llama["training_cost_usd"] == pytest.approx(report_cost["estimated_cost_usd"])
    assert llama["inference_priced_as"] == "base"
    # a shut-down model is listed with its reason, and nothing to act on
    nano = rows["gpt-4.1-nano-2025-04-14"]
    assert nano["status"] == "shut_down" and nano["break_even_months"] is None
    assert nano["monthly_savings_usd"] is None and nano["training_cost_usd"] is None
    assert table["options"][-1]["status"] != "available"
    # savings of an OpenAI model that shuts down in 1.4 months are counted until then only
    mini = rows["gpt-4o-mini-2024-07-18"]
    assert mini["months_until_shutdown"] == pytest.approx(1.45, abs=0.01)
    expected = mini["monthly_savings_usd"] * mini["months_until_shutdown"] - mini[
        "training_cost_usd"]
    assert mini["first_year_net_usd"] == pytest.approx(expected, abs=1e-3)
    assert table["best"] == table["options"][0]["model"]
    assert table["best"] != "gpt-4o-mini-2024-07-18"


def test_provider_narrows_and_unknown_provider_is_usage_error(cli, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-12-01")
    table = _options(cli, "--provider", "together")
    assert table["providers"] == ["together"]
    assert all(o["provider"] == "together" for o in table["options"])
    assert table["training_from"] == "none"
    both = _options(cli, "--provider", "openai,Together AI")
    assert both["providers"] == ["openai", "together"]
    result = cli("cost", "--requests", "10", "--input-tokens", "5", "--output-tokens", "5",
                 "--provider", "acme")  # fmt: skip
    assert result.exit_code == 2 and "unknown provider acme" in result.stderr
    assert "together" in result.stderr


def test_terminal_table_and_shut_down_candidate(cli, monkeypatch):
    monkeypatch.setenv("FTPREP_TODAY", "2026-12-01")
    result = cli("cost", "--requests", "1000000", "--input-tokens", "1000", "--output-tokens",
                 "200")  # fmt: skip
    assert result.exit_code == 0
    assert "Finetuning options" in result.stdout and "shut down" in result.stdout
    assert "Together" in result.stdout and "OpenAI" in result.stdout
    # one shut-down model in detail: no break-even, the right flag, no "$-" amounts
    result = cli("cost", "--requests", "1000", "--input-tokens", "1000", "--output-tokens",
                 "200", "--current", "gpt-4o-mini", "--finetuned", "gpt-4.1-nano",
                 "--training-cost", "5")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "choose another model with --finetuned" in result.stdout
    assert "--model" not in result.stdout
    assert "$-" not in result.stdout
    assert "break-even:" not in result.stdout or "never" in result.stdout
    out = json.loads(cli("cost", "--requests", "1000", "--input-tokens", "1000",
                         "--output-tokens", "200", "--finetuned", "gpt-4.1-nano",
                         "--training-cost", "5", "--json").stdout)  # fmt: skip
    assert out["break_even_months"] is None and out["first_year_net_usd"] is None
