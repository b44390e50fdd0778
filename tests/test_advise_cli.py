"""``ftprep advise``: every path of the decision tree through the CLI, non-interactive
failures, interactive prompts, and evidence from a dataset."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftprep.advise import all_paths, answer_shape, load_tree
from ftprep.advise.evidence import DATED, FACTOID
from ftprep.advise.tree import parse_tree
from ftprep.errors import ConfigError
from tests.conftest import chat, varied_chats

REPO = Path(__file__).resolve().parent.parent

#: Every path: flags given -> (leaf, recommendation). Written out, not derived from the tree.
PATHS = [
    (["--style"], "finetune_style", "finetune"),
    (["--no-style", "--model-knows"], "prompt_only", "prompt"),
    (["--no-style", "--no-model-knows", "--frequent-updates"], "rag_fresh", "rag"),
    (["--no-style", "--no-model-knows", "--no-frequent-updates", "--complex-reasoning"],
     "finetune_domain", "finetune"),
    (["--no-style", "--no-model-knows", "--no-frequent-updates", "--no-complex-reasoning"],
     "rag_prompts_stable", "rag_prompts"),
]  # fmt: skip


def test_table_covers_every_path_of_the_tree():
    tree = load_tree()
    derived = set()
    for answers, leaf in all_paths(tree):
        flags = tuple(
            f"--{tree.questions[q].flag}" if a else f"--no-{tree.questions[q].flag}"
            for q, a in answers.items()
        )
        derived.add((flags, leaf.id, leaf.outcome))
    assert derived == {(tuple(f), leaf, out) for f, leaf, out in PATHS}
    assert {out for _, _, out in PATHS} == {"finetune", "prompt", "rag", "rag_prompts"}


@pytest.mark.parametrize(("flags", "leaf", "outcome"), PATHS)
def test_every_path_through_the_cli(cli, flags, leaf, outcome):
    result = cli("advise", *flags, "--json")
    assert result.exit_code == 0, result.stderr
    advice = json.loads(result.stdout)
    assert (advice["leaf"], advice["recommendation"]) == (leaf, outcome)
    taken = [f"--{s['flag']}" if s["answer"] else f"--no-{s['flag']}" for s in advice["path"]]
    assert taken == flags
    assert all(s["answered"] == "given" for s in advice["path"])
    matrix = advice["matrix"]
    assert set(matrix["approaches"]) == {"finetune", "prompt", "rag", "rag_prompts"}
    assert matrix["dimensions"] == [
        "setup_cost",
        "per_query_cost",
        "latency",
        "freshness",
        "reasoning",
        "style_control",
        "data_needs",
        "complexity",
    ]
    # terminal view of the same path
    text = cli("advise", *flags).stdout
    assert f"recommendation: {advice['title']}" in text
    assert "How the approaches compare" in text and "Per-query cost" in text


@pytest.mark.parametrize(
    ("flags", "missing"),
    [
        ([], "--style or --no-style"),
        (["--no-style"], "--model-knows or --no-model-knows"),
        (["--no-style", "--no-model-knows", "--complex-reasoning"],
         "--frequent-updates or --no-frequent-updates"),
        (["--no-style", "--no-model-knows", "--no-frequent-updates"],
         "--complex-reasoning or --no-complex-reasoning"),
    ],
)  # fmt: skip
def test_missing_answer_without_terminal_is_usage_error(cli, flags, missing):
    result = cli("advise", *flags)
    assert result.exit_code == 2
    assert missing in result.stderr
    assert result.stdout == ""


def test_no_stdin_does_not_hang():
    proc = subprocess.run(
        [sys.executable, "-m", "ftprep", "advise", "--no-style"],
        cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--model-knows or --no-model-knows" in proc.stderr


def test_interactive_prompts_ask_only_the_path(cli_input):
    result = cli_input("n\ny\n", "advise", "--interactive", "--json")
    assert result.exit_code == 0, result.stderr
    advice = json.loads(result.stdout)  # prompts went to stderr: stdout is clean JSON
    assert advice["leaf"] == "prompt_only"
    assert [s["answered"] for s in advice["path"]] == ["asked"] * 2
    assert "style, format or tone" in result.stderr
    assert "updated frequently" not in result.stderr  # not on this path
    assert "domain-specific and complex" not in result.stderr


def test_interactive_mixes_flags_and_prompts(cli_input):
    result = cli_input("n\nn\n", "advise", "--no-style", "--no-model-knows", "--interactive",
                       "--json")  # fmt: skip
    advice = json.loads(result.stdout)
    assert advice["leaf"] == "rag_prompts_stable"
    assert [s["answered"] for s in advice["path"]] == ["given", "given", "asked", "asked"]


def test_interactive_end_of_input_is_usage_error(cli_input):
    result = cli_input("", "advise", "--interactive")
    assert result.exit_code == 2
    assert "--style/--no-style" in result.stderr


@pytest.fixture
def cli_input():
    from click.testing import CliRunner

    from ftprep.cli import main

    def run(text: str, *args: str):
        return CliRunner().invoke(main, list(args), input=text, catch_exceptions=False)

    return run


def _evidence(advice: dict, rid: str) -> dict:
    return next(e for e in advice["evidence"] if e["id"] == rid)


def test_too_few_examples_turns_finetune_into_fallback(cli, write_jsonl):
    data = write_jsonl(varied_chats(60))
    advice = json.loads(cli("advise", "--style", "--data", data, "--json").stdout)
    assert advice["tree_outcome"] == advice["recommendation"] == "finetune"  # the tree decides
    assert advice["second_opinion"]["recommendation"] == "prompt"
    assert advice["second_opinion"]["based_on"] == "too_few_examples"
    few = _evidence(advice, "too_few_examples")
    assert few["triggered"] and few["observed"] == 60 and few["agrees"] is False
    assert advice["data"]["examples"] == 60
    # same data, a path that does not finetune: nothing changes
    advice = json.loads(cli("advise", "--no-style", "--model-knows", "--data", data,
                            "--json").stdout)  # fmt: skip
    assert advice["recommendation"] == "prompt" and advice["second_opinion"] is None


def test_domain_leaf_falls_back_to_rag_prompts(cli, write_jsonl):
    data = write_jsonl(varied_chats(30))
    flags = ["--no-style", "--no-model-knows", "--no-frequent-updates", "--complex-reasoning"]
    advice = json.loads(cli("advise", *flags, "--data", data, "--json").stdout)
    assert advice["recommendation"] == "finetune"
    assert advice["second_opinion"]["recommendation"] == "rag_prompts"
    text = cli("advise", *flags, "--data", data).stdout
    assert "recommendation: Finetune" in text
    assert "second opinion (beyond the decision tree): RAG + better prompts" in text


def test_known_material_with_domain_reasoning_is_a_second_opinion(cli):
    advice = json.loads(cli("advise", "--no-style", "--model-knows", "--complex-reasoning",
                            "--json").stdout)  # fmt: skip
    assert advice["recommendation"] == "prompt"  # the tree's answer
    assert [s["question"] for s in advice["path"]] == ["style", "knows"]
    assert advice["second_opinion"]["recommendation"] == "finetune"
    plain = json.loads(cli("advise", "--no-style", "--model-knows", "--json").stdout)
    assert plain["second_opinion"] is None


FACTS = [
    ("What is the capital of Australia?", "Canberra."),
    ("Who wrote the Treaty of Waitangi's English text?", "James Busby drafted it."),
    ("When was the Basel III framework published?", "In December 2010."),
    ("Which enzyme is elevated in acute pancreatitis?", "Lipase, above three times normal."),
    ("How many days is the cooling-off period in the contract?", "Fourteen days."),
]  # fmt: skip


def _facts(n: int) -> list[dict]:
    return [chat(f"{q} (case {i})", a) for i in range(n // len(FACTS) + 1) for q, a in FACTS][:n]


def test_factual_recall_favours_rag_and_flags_contradiction(cli, write_jsonl):
    data = write_jsonl(_facts(150))
    advice = json.loads(cli("advise", "--no-style", "--model-knows", "--complex-reasoning",
                            "--data", data, "--json").stdout)  # fmt: skip
    recall = _evidence(advice, "factual_recall")
    assert recall["triggered"] and recall["observed"] == 1.0 and recall["agrees"] is False
    assert any("--no-model-knows" in c for c in advice["caveats"])
    assert advice["recommendation"] == "prompt"  # evidence informs; the answers decide
    rag = json.loads(cli("advise", "--no-style", "--no-model-knows", "--frequent-updates",
                         "--no-complex-reasoning", "--data", data, "--json").stdout)  # fmt: skip
    assert _evidence(rag, "factual_recall")["agrees"] is True


def test_uniform_json_format_favours_finetuning(cli, write_jsonl):
    records = [
        chat(f"Extract the parties from contract {i}: Acme Ltd and Borg plc, dated 2024.",
             json.dumps({"party_a": "Acme Ltd", "party_b": f"Borg plc {i}", "ref": i}))
        for i in range(150)
    ]  # fmt: skip
    data = write_jsonl(records)
    advice = json.loads(cli("advise", "--style", "--data", data, "--json").stdout)
    uniform = _evidence(advice, "uniform_format")
    assert uniform["triggered"] and uniform["agrees"] is True
    assert "party_a,party_b,ref" in uniform["message"]
    assert advice["data"]["dominant_shape"] == "json{party_a,party_b,ref}"
    assert not _evidence(advice, "dated_content")["triggered"]  # the date is in the prompt
    no_style = json.loads(cli("advise", "--no-style", "--model-knows",
                              "--data", data, "--json").stdout)  # fmt: skip
    assert any("--style?" in c for c in no_style["caveats"])


def test_labels_and_dated_content(cli, write_jsonl):
    labels = ["billing", "technical", "account"]
    records = [chat(f"Ticket {i}: my invoice from March 3 is wrong", labels[i % 3])
               for i in range(120)]  # fmt: skip
    records += [chat(f"Latest rate {i}?", f"As of 2026-11-0{i % 9 + 1} the rate is {i}%.")
                for i in range(60)]  # fmt: skip
    data = write_jsonl(records)
    advice = json.loads(cli("advise", "--style", "--data", data, "--json").stdout)
    assert advice["data"]["dominant_shape"] == "label"
    assert advice["data"]["distinct_labels"] == 3
    assert _evidence(advice, "uniform_format")["observed"] == pytest.approx(120 / 180, abs=1e-4)
    dated = _evidence(advice, "dated_content")
    assert dated["observed"] == pytest.approx(60 / 180, abs=1e-4) and dated["triggered"]
    assert dated["agrees"] is False
    assert any("not asked on this path" in c for c in advice["caveats"])


def test_data_errors(cli, write_jsonl, tmp_path):
    result = cli("advise", "--style", "--data", tmp_path / "nope.jsonl")
    assert result.exit_code == 2 and "nope.jsonl" in result.stderr
    data = write_jsonl([*varied_chats(120), "{broken"])
    advice = json.loads(cli("advise", "--style", "--data", data, "--json").stdout)
    assert advice["data"]["load_errors"] == 1 and advice["data"]["examples"] == 120


@given(st.text(max_size=400))
def test_answer_shape_never_fails(text):
    shape = answer_shape(text)
    assert (
        shape == "prose"
        or shape == "label"
        or shape.startswith("json")
        or ">" in shape
        or (shape in ("heading", "bullet", "numbered", "table", "code") or shape.startswith("kv("))
    )
    FACTOID.match(text)
    DATED.search(text)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ('{"b": 1, "a": 2}', "json{a,b}"),
        ("[1, 2]", "json[]"),
        ("positive", "label"),
        ("Canberra.", "prose"),
        ("Diagnosis: flu\nCode: J11.1\nPlan: rest", "kv(diagnosis)>kv(code)>kv(plan)"),
        ("## Summary\n- one\n- two", "heading>bullet"),
        ("1. first\n2. second", "numbered"),
        ("Plain prose.\nMore prose.", "prose"),
    ],
)
def test_answer_shapes(text, shape):
    assert answer_shape(text) == shape


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["nodes"]["style"].update(no="style"), "cycle"),
        (lambda d: d["nodes"]["style"].update(no="nowhere"), "unknown node 'nowhere'"),
        (lambda d: d["nodes"]["rag_fresh"].update(outcome="vibes"), "unknown outcome 'vibes'"),
        (lambda d: d["nodes"].update(orphan={"outcome": "rag"}), "never reached: orphan"),
        (lambda d: d["matrix"]["rag"].pop("latency"), "matrix.rag lacks latency"),
    ],
)
def test_tree_validation(mutate, needle):
    from importlib import resources

    from ftprep.advise.tree import tomllib

    data = tomllib.loads(
        resources.files("ftprep.advise").joinpath("data", "tree.toml").read_text("utf-8")
    )
    mutate(data)
    with pytest.raises(ConfigError, match=needle):
        parse_tree(data)
