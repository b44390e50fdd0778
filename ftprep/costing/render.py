"""Text lines for the token and cost statistics, shared by the Markdown and terminal reports
(so both say the same thing: which tokenizer counted, the estimate, the price's date, and the
model's lifecycle dates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ftprep.costing.options import OptionsComparison
from ftprep.costing.scale import DAYS_PER_MONTH, Comparison

Level = Literal["info", "note", "warning"]


def _days(value: float) -> str:
    return "under 0.1 days" if value < 0.1 else f"{value:,.1f} days"


def _money(value: float) -> str:
    """``$1,234.50``; ``-$1.14`` (the sign before the dollar); 4 decimals under a cent."""
    sign, value = ("-", -value) if value < 0 else ("", value)
    return f"{sign}${value:,.2f}" if value >= 0.01 or value == 0 else f"{sign}${value:,.4f}"


def stat_lines(stats: dict[str, Any]) -> list[tuple[Level, str]]:
    """(level, text) lines describing ``stats["tokens"]`` and ``stats["cost"]``."""
    lines: list[tuple[Level, str]] = []
    tok = stats.get("tokens") or {}
    cost = stats.get("cost") or {}
    if tok:
        per = tok.get("per_example") or {}
        tokenizer = tok.get("tokenizer") or tok.get("encoding")
        lines.append(
            (
                "info",
                f"tokens ({tokenizer}, model {tok['model']}): total {tok['total']:,}, "
                f"trained {tok['trained']:,}; per example min {per.get('min', 0)}, "
                f"p5 {per.get('p5', 0):g}, median {per.get('median', 0):g}, "
                f"p95 {per.get('p95', 0):g}, max {per.get('max', 0)}; limit "
                f"{tok['limit']:,}, over the limit {tok['over_limit']}",
            )
        )
        if tok.get("approximation"):
            lines.append(("note", f"token counts are {tok['approximation']}"))
    if cost:
        source = "--epochs" if cost.get("epochs_source") == "option" else "default rule"
        text = (
            f"training: {cost.get('train_examples', 0)} examples × {cost.get('epochs', 0)} "
            f"epochs ({source}) = {cost.get('billed_tokens', 0):,} billed tokens"
        )
        if cost.get("validation_billed_tokens"):
            text += (
                f" + {cost['validation_billed_tokens']:,} validation tokens = "
                f"{cost['total_billed_tokens']:,}"
            )
        lines.append(("info", text))
        if cost.get("estimated_cost_usd") is not None:
            tier = f", {cost['price_tier']}" if cost.get("price_tier") else ""
            unconfirmed = "" if cost.get("price_confirmed") else "; not all figures confirmed"
            lines.append(
                (
                    "info",
                    f"estimated training cost: {_money(cost['estimated_cost_usd'])} at "
                    f"${cost['training_per_1m']:g} per 1M tokens ({cost['model']}{tier}; prices "
                    f"checked {cost.get('price_checked') or 'n/a'}, "
                    f"{cost.get('price_source') or 'no source'}{unconfirmed})",
                )
            )
        else:
            lines.append(("info", f"estimated training cost: n/a (no price for {cost['model']})"))
        lines += [("note", n) for n in cost.get("notes", [])]
        lines += [("warning", w) for w in cost.get("warnings", [])]
    return lines


def markdown_lines(stats: dict[str, Any], escape: Callable[[str], str]) -> list[str]:
    """The statistics as Markdown list items (warnings in bold), text passed through
    ``escape`` (model ids and notes come from user configuration)."""
    out = []
    for level, text in stat_lines(stats):
        prefix = "⚠️ **warning:** " if level == "warning" else ""
        out.append(f"- {prefix}{escape(text)}")
    return out


def render_comparison(result: Comparison, console: Console) -> None:
    """Print a cost comparison: both monthly bills, the savings and the break-even point."""
    u = result.usage
    console.print(
        Text(
            f"{u.requests_per_month:,} requests/month, {u.input_tokens:g} input + "
            f"{u.output_tokens:g} output tokens per request ({u.source}); as of {result.as_of}"
        )
    )
    table = Table(title="Monthly cost", title_justify="left")
    table.add_column("model", no_wrap=True)
    table.add_column("$/1M in/out", justify="right", no_wrap=True)
    table.add_column("tokens in/out", justify="right", no_wrap=True)
    table.add_column("monthly", justify="right", no_wrap=True)
    for side in (result.current, result.candidate):
        table.add_row(
            side.model + (" (finetuned)" if side.finetuned else ""),
            f"{side.input_per_1m:g}/{side.output_per_1m:g}",
            f"{side.input_tokens:g}/{side.output_tokens:g}",
            _money(side.monthly_usd),
        )
    console.print(table)
    share = f" ({result.savings_share:.0%})" if result.savings_share is not None else ""
    console.print(
        Text(
            f"monthly savings: {_money(result.monthly_savings_usd)}{share}; per year "
            f"{_money(result.annual_savings_usd)}",
            style="bold",
        )
    )
    if result.training_cost_usd is not None:
        t = result.training
        detail = (
            f" ({t.train_examples} examples × {t.epochs} epochs = "
            f"{t.total_billed_tokens:,} billed tokens at ${t.training_per_1m:g}/1M)"
            if t is not None and t.training_per_1m is not None
            else ""
        )
        console.print(Text(f"one-time training cost: {_money(result.training_cost_usd)}{detail}"))
    if result.break_even_months is not None:
        console.print(
            Text(
                f"break-even: {_days(result.break_even_days or 0.0)} "
                f"({result.break_even_months:.2f} months, "
                f"{result.break_even_requests:,} requests); first-year net "
                f"{_money(result.first_year_net_usd or 0.0)}",
                style="bold green",
            )
        )
    elif result.training_cost_usd is not None:
        console.print(Text("break-even: never at this traffic", style="bold red"))
    for side in (result.current, result.candidate):
        unconfirmed = "" if side.price_confirmed else ", not all confirmed"
        console.print(
            Text(
                f"prices for {side.model}: checked {side.price_checked or 'n/a'}, "
                f"{side.price_source or 'no source'}{unconfirmed}",
                style="dim",
            )
        )
    if result.savings_until_shutdown_usd is not None:
        console.print(
            Text(
                f"savings until {result.candidate.model} shuts down "
                f"({result.months_until_shutdown:g} months): "
                f"{_money(result.savings_until_shutdown_usd)}",
                style="yellow",
            )
        )
    for note in result.notes:
        console.print(Text(note, style="dim"))
    for warning in result.warnings:
        console.print(Text(f"warning: {warning}", style="bold yellow"))


STATUS_TEXT = {
    "available": "available",
    "training_stopped": "no new jobs",
    "shut_down": "shut down",
}


def render_options(result: OptionsComparison, console: Console) -> None:
    """Print every finetunable option side by side with the current model's bill."""
    u, cur = result.usage, result.current
    console.print(
        Text(
            f"{u.requests_per_month:,} requests/month, {u.input_tokens:g} input + "
            f"{u.output_tokens:g} output tokens per request ({u.source}); as of {result.as_of}"
        )
    )
    console.print(
        Text(f"current: {cur.model}{' (finetuned)' if cur.finetuned else ''} costs "
             f"{_money(cur.monthly_usd)}/month", style="bold")
    )  # fmt: skip
    table = Table(title="Finetuning options", title_justify="left")
    for name, right in (("model", False), ("provider", False), ("training", True),
                        ("monthly", True), ("saves/month", True), ("break-even", True),
                        ("net, year 1", True), ("status", False)):  # fmt: skip
        table.add_column(
            name,
            justify="right" if right else "left",
            overflow="fold",
            no_wrap=name not in ("model", "status"),
        )

    def money(value: float | None) -> str:
        return "n/a" if value is None else _money(value)

    for o in result.options:
        dates = "; ".join(
            x for x in (STATUS_TEXT[o.status],
                        o.status == "available" and o.training_stops
                        and f"jobs stop {o.training_stops}",
                        o.status == "available" and o.shutdown and f"off {o.shutdown}") if x
        )  # fmt: skip
        months = "never" if o.monthly_savings_usd is not None and o.monthly_savings_usd <= 0 else (
            "n/a" if o.break_even_months is None else _days(o.break_even_months * DAYS_PER_MONTH)
        )
        table.add_row(
            ("▶ " if o.model == result.best else "") + o.model,
            o.provider_name or o.provider,
            money(o.training_cost_usd),
            money(o.monthly_usd),
            money(o.monthly_savings_usd),
            months,
            money(o.first_year_net_usd),
            dates,
        )
    console.print(table)
    if result.best:
        console.print(Text(f"▶ best first-year net: {result.best}", style="bold green"))
    console.print(
        Text("net, year 1: savings over 12 months (or until the model shuts down, if sooner) "
             "less the training cost", style="dim")
    )  # fmt: skip
    for note in result.notes:
        console.print(Text(note, style="dim"))
    console.print(
        Text("details of one option: ftprep cost ... --finetuned MODEL; narrow with --provider",
             style="dim")
    )  # fmt: skip
