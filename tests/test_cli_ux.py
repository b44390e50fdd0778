"""What a new user trips over first: help text, listings, misspelt options, hidden findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE_DATA

DEFECTIVE = SAMPLE_DATA / "clinical_coding.jsonl"


def test_help_names_every_command_without_truncation(cli: Any) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:")[1].strip().splitlines()
    names = {line.split()[0] for line in commands}
    assert names == {"advise", "checks", "convert", "cost", "evaluate", "fingerprint", "split",
                     "targets", "validate"}  # fmt: skip
    assert not any(line.rstrip().endswith("...") for line in commands), commands


def test_checks_listing_is_aligned_for_long_ids(cli: Any) -> None:
    lines = cli("checks").stdout.splitlines()
    width = max(len(line.split()[0]) for line in lines)
    columns = {line.index(line.split()[1], width) for line in lines}
    assert columns == {width + 2}, "the item column starts at one position on every line"


def test_misspelt_setting_lists_the_valid_keys(cli: Any) -> None:
    result = cli("validate", str(DEFECTIVE), "--set", "clean.pii.enabeld=false")
    assert result.exit_code == 2
    assert "clean.pii.enabeld" in result.stderr
    assert "clean.pii has" in result.stderr and "enabled" in result.stderr


def test_validate_fix_points_to_split(cli: Any) -> None:
    result = cli("validate", str(DEFECTIVE), "--fix")
    assert result.exit_code == 2
    assert "ftprep split INPUT... --out DIR --fix" in result.stderr
    assert "--config" not in result.stderr


def test_hidden_findings_are_named_and_reports_located(cli: Any, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    result = cli("validate", str(DEFECTIVE), "-q", "--report", str(report))
    assert result.exit_code == 1
    out = result.stdout
    assert "more findings (locations in" in out and str(report) in out
    assert f"reports: {report}" in out
    assert "in the report" not in out  # no promise of a report that was not written
    result = cli("validate", str(DEFECTIVE), "-q", "--metric", "bleu_score")
    assert "evaluated.metric" in result.stdout  # never hidden behind "more findings"
    assert "(locations in --report report.md)" in result.stdout


def test_a_target_implies_its_own_model(cli: Any, tmp_path: Path) -> None:
    import json

    from ftprep.targets import TARGETS
    from ftprep.tokens.models import resolve_model, target_model

    for name in TARGETS:
        model = target_model(name)
        assert model is not None, f"--target {name} implies no model"
        provider = resolve_model(model).provider
        assert (provider == "openai") == (name == "openai"), (name, model)

    data = tmp_path / "d.jsonl"
    data.write_text(DEFECTIVE.read_text("utf-8"), "utf-8")
    report = json.loads(cli("validate", str(data), "--target", "bedrock", "--json").stdout)
    assert report["stats"]["tokens"]["model"] == "bedrock-model"
    assert "OpenAI" not in json.dumps(report["stats"]["cost"])
    chosen = json.loads(
        cli("validate", str(data), "--target", "bedrock", "--model", "gpt-4o", "--json").stdout
    )
    assert chosen["stats"]["tokens"]["model"] == "gpt-4o-2024-08-06"
    (tmp_path / "ftprep.toml").write_text('model = "gpt-4.1-mini"\n', "utf-8")
    config = str(tmp_path / "ftprep.toml")
    args = ("validate", str(data), "--target", "together", "--config", config, "--json")
    configured = json.loads(cli(*args).stdout)
    assert configured["stats"]["tokens"]["model"] == "gpt-4.1-mini-2025-04-14"


def test_fix_leaves_no_group_finding_whose_copy_it_dropped(cli: Any, tmp_path: Path) -> None:
    import json

    from tests.conftest import chat, varied_chats

    rows = varied_chats(150, seed=3)
    text = "My parcel from last Tuesday never arrived; the tracking page shows no update at all."
    rows.insert(20, chat(text, "Sorry about that: I have opened a trace with the courier."))
    rows.insert(90, chat(text.upper(), "Sorry about that: I have opened a trace with the courier."))
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    before = json.loads(cli("validate", str(data), "--json").stdout)
    near = [f for f in before["findings"] if f["check"] == "clean.near_duplicate"]
    assert near and near[0]["severity"] == "warning"
    assert cli("split", str(data), "--out", str(tmp_path / "out"), "--fix", "-q").exit_code in (
        0,
        1,
    )
    after = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert [d["reason"] for d in after["split"]["drops"]] == ["clean.exact_duplicate"]
    near = [f for f in after["findings"] if f["check"] == "clean.near_duplicate"]
    assert all(f["severity"] == "info" for f in near), near
    assert all("resolved by --fix" in f["message"] for f in near)


def test_counts_agree_with_their_nouns(cli: Any, tmp_path: Path) -> None:
    import json

    from tests.conftest import chat, varied_chats

    rows = varied_chats(130, seed=8)
    question = "Which plan includes priority support for business accounts with many seats?"
    rows.insert(5, chat(question, "business"))
    rows.insert(60, chat(question, "enterprise"))
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", "utf-8")
    out = cli("validate", str(data), "-q").stdout
    assert "1 load error" in out and "1 load errors" not in out
    report = json.loads(cli("validate", str(data), "--json").stdout)
    messages = [f["message"] for f in report["findings"]]
    assert any(m.startswith("1 record is not valid JSON") for m in messages), messages
    contradiction = next(f for f in report["findings"] if f["check"] == "clean.contradiction")
    assert contradiction["message"].startswith("2 examples in 1 group give")


def test_templated_messages_agree_for_a_count_of_one() -> None:
    from ftprep.report.build import singular

    assert singular("1 answers refuse or disclaim being an AI") == (
        "1 answer refuses or disclaims being an AI"
    )
    assert singular("1 records are not valid JSON") == "1 record is not valid JSON"
    assert singular("1 examples have turns with surrounding whitespace") == (
        "1 example has turns with surrounding whitespace"
    )
    assert singular("2 examples have turns") == "2 examples have turns"
