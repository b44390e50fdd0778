"""Terminal view of an :class:`~ftprep.advise.advice.Advice`: the recommendation, the path
through the tree, the evidence from the data, and the comparison matrix."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ftprep.advise.advice import Advice


def render_advice(advice: Advice, console: Console) -> None:
    console.print(Text.assemble(("recommendation: ", "bold"), (advice.title, "bold green")))
    console.print(Text(advice.summary))
    console.print(Text("path:", style="bold"))
    for i, step in enumerate(advice.path, 1):
        answer = "yes" if step.answer else "no"
        flag = f"--{step.flag}" if step.answer else f"--no-{step.flag}"
        console.print(Text(f"  {i}. {step.text} → {answer} ({flag})"))
    console.print(Text(f"why: {advice.why}"))
    if advice.second_opinion is not None:
        so = advice.second_opinion
        console.print(
            Text(
                f"second opinion (beyond the decision tree): {so.title}: {so.why}",
                style="bold yellow",
            )
        )
    if advice.data is not None:
        d = advice.data
        console.print(
            Text(
                f"data: {', '.join(d.inputs)}: {d.examples} examples, {d.load_errors} load errors",
                style="bold",
            )
        )
        for ev in advice.evidence:
            mark = "•" if not ev.triggered else ("✔" if ev.agrees else "!")
            style = "dim" if not ev.triggered else ("green" if ev.agrees else "yellow")
            console.print(Text(f"  {mark} {ev.message}", style=style))
    for caveat in advice.caveats:
        console.print(Text(f"caveat: {caveat}", style="yellow"))
    console.print(Text(f"next: {advice.next}"))
    m = advice.matrix
    table = Table(title="How the approaches compare", title_justify="left", show_lines=True)
    table.add_column("", no_wrap=True)
    for oid, entry in m["approaches"].items():
        chosen = oid == advice.recommendation
        table.add_column(
            ("▶ " if chosen else "") + entry["title"],
            style="bold" if chosen else None,
            overflow="fold",
        )
    for dim in m["dimensions"]:
        table.add_row(m["labels"][dim], *(e[dim] for e in m["approaches"].values()))
    console.print(table)
