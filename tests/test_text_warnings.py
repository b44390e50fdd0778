"""Per-example text warnings judged on real data: each rule's true and false positives.

The real records (tests/data/text_warnings/, copied from public datasets with provenance)
carry our hand judgement; the pipeline must report exactly the judged findings on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftprep
from ftprep.checks.answers import E_DANGLING, E_OPEN, E_TERMINAL, ending, starts_mid
from ftprep.checks.clean.language import detect_language, language_mismatch_of
from ftprep.checks.clean.missing_input import find_missing_reference
from ftprep.checks.clean.refusal import asks_about_assistant, find_refusal
from ftprep.checks.clean.repetition import RepetitionSettings, find_repetition
from ftprep.checks.clean.residue import find_residue
from ftprep.checks.clean.short_answer import short_answer_plausible

DATA = Path(__file__).parent / "data" / "text_warnings"
TEXT_CHECKS = (
    "clean.template_residue",
    "clean.missing_input",
    "clean.language_mismatch",
    "clean.refusal",
    "clean.repetition",
    "clean.placeholder",
)


def _by_line(report: ftprep.Report) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in report.findings:
        if f.check in TEXT_CHECKS:
            for loc in f.locations:
                out.setdefault(loc.line, set()).add(f.check)
    return out


def _record_lines(path: Path) -> list[int]:
    """1-based line where each element of a JSON array starts (ftprep's location rule)."""
    lines = path.read_text("utf-8").split("\n")
    return [i for i, ln in enumerate(lines, start=1) if ln == " {"]


def test_real_alpaca_records_get_exactly_the_judged_findings() -> None:
    path = DATA / "real_alpaca.json"
    rows = json.loads(path.read_text("utf-8"))
    found = _by_line(ftprep.validate(path))
    starts = _record_lines(path)
    assert len(starts) == len(rows)
    for line, row in zip(starts, rows, strict=True):
        expected = {row["expect"]} if row["expect"] else set()
        assert found.get(line, set()) == expected, (line, row["instruction"][-80:])


def test_fastchat_identity_answers_are_not_refusals() -> None:
    report = ftprep.validate(DATA / "fastchat_identity.json")
    assert report.findings_for("clean.refusal") == []


# --- refusal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt",
    ["Who are you?", "Are you ChatGPT?", "Tell me about you.", "Who taught you?",
     "Do you call OpenAI APIs?", "Role play as an AI assistant who has gained sentience."],
)  # fmt: skip
def test_identity_prompts_allow_ai_disclaimers(prompt: str) -> None:
    assert asks_about_assistant(prompt)


def test_refusals_are_flagged_whatever_the_prompt() -> None:
    text = "I'm sorry, but I can't help with that."
    assert find_refusal(text, frozenset({"ai disclaimer"})) == ("refusal", "i can't help with that")
    assert not asks_about_assistant("What's a good name for a bakery?")


def test_generic_system_prompt_does_not_excuse_disclaimers(write_jsonl) -> None:
    rec = {
        "messages": [
            {"role": "system", "content": "You are a helpful AI assistant."},
            {"role": "user", "content": "What's a good name for a bakery?"},
            {"role": "assistant", "content": "As an AI language model, I don't have opinions."},
        ]
    }
    report = ftprep.validate(write_jsonl([rec]))
    assert [loc.line for f in report.findings_for("clean.refusal") for loc in f.locations] == [1]


# --- repetition ---------------------------------------------------------------------------

PARALLEL = [
    # roleplay line 6207: parallel steps, Gopher's ratios read them as repetition
    "First, gather the necessary ingredients. Next, prepare your cauldron. Pour in three cups "
    "of spring water and bring it to a gentle boil. Add three Mindbloom petals and stir "
    "counterclockwise for five minutes. Then, add the drop of phoenix tear and stir clockwise "
    "for another five minutes. Finally, add the pinch of powdered unicorn horn and let the "
    "potion simmer for 10 minutes. Stir clockwise for another five minutes and let it cool.",
    "Step 1: Add the flour to the bowl.\nStep 2: Add the sugar to the bowl.\n"
    "Step 3: Add the eggs to the bowl.\nStep 4: Add the milk to the bowl.",
    "| Day | Plan |\n|---|---|\n| Mon | Rest |\n| Tue | Rest |\n| Wed | Rest |",
    "Chorus: We will rise again tonight\nVerse two goes here with other words\n"
    "Chorus: We will rise again tonight\nAnother verse with its own line\n"
    "Chorus: We will rise again tonight",
]
LOOPING = [
    "The answer is below. " + "I hope this helps you with your question. " * 3,
    "Restart the router and wait two minutes before you try to connect again, then check "
    "the light on the front panel.\nRestart the router and wait two minutes before you try "
    "to connect again, then check the light on the front panel.",
    "Thanks for asking. " + "the " * 12,
]


@pytest.mark.parametrize("text", PARALLEL)
def test_parallel_structure_is_not_a_loop(text: str) -> None:
    assert find_repetition(text, RepetitionSettings()) is None


@pytest.mark.parametrize("text", LOOPING)
def test_back_to_back_repeats_are_loops(text: str) -> None:
    assert find_repetition(text, RepetitionSettings()) is not None


# --- truncation endings -------------------------------------------------------------------

COMPLETE = [
    "Dear Emily, we would be delighted to welcome you.\n\nSincerely,\n[Your Name]\nRecruiter",
    "Please contact me if you're open to talks. Yours in hope and anticipation, Dracula",
    "Stick with it, and you'll improve over time. Best of luck! - Harry",
    "We're back with a new album. See you on tour! #AllHailRockNRoll",
    "Our response: 1011 0010 1100 0110 1011 1101 0011 1001",
    "Whispers in the breeze\nDancing leaves, a life well-lived\nRoots in Earth's embrace",
    "Starter: miso soup with tofu\nMain Course: chicken tagine with lemons\nDessert: crème brûlée",
    "100 Fahrenheit is equal to python('(100 - 32) * 5/9') Celsius",
    "Life is what happens when you're busy making other plans — John Lennon",
]


@pytest.mark.parametrize("text", COMPLETE)
def test_complete_endings_without_a_full_stop(text: str) -> None:
    assert ending(text) == E_TERMINAL


@pytest.mark.parametrize(
    ("text", "end"),
    [("To fix it, open the settings and then choose the network you want to", E_DANGLING),
     ("To fix it, open the settings page and look for the option called Network Res", E_OPEN)],
)  # fmt: skip
def test_cut_answers_still_end_open(text: str, end: int) -> None:
    assert ending(text) == end


# --- short answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [("Is the clause enforceable in Texas?", "No."),
     ("Solve the following riddle: What am I?", "An echo"),
     ("Write a haiku about a wise old tree.", "Whispers in the breeze"),
     ("Show the output of the 'uname' command", "shell('uname')"),
     ("What is 17 times 3?", "51")],
)  # fmt: skip
def test_short_answers_that_fit_the_prompt(prompt: str, answer: str) -> None:
    assert short_answer_plausible(prompt, answer)


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [("My router won't turn on. Can you help?", "Fixed."),
     ("That worked, thanks! Will this happen again?", "See above."),
     ("Explain how to sort a list of dicts by a key in Python.", "It depends.")],
)  # fmt: skip
def test_short_answers_that_do_not(prompt: str, answer: str) -> None:
    assert not short_answer_plausible(prompt, answer)


# --- template residue ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Describe the scene.\n\nnoinput", "My dearest Cassandra,<noinput>", "N/A",
     "Summarize the text.\n\nnan", "Answer this: {input}", "<|im_start|>user\nHi",
     "### Instruction:\nWrite a poem", "Classify the review.\n\nInput:"],
)  # fmt: skip
def test_template_residue_found(text: str) -> None:
    assert find_residue(text, "user")


@pytest.mark.parametrize(
    ("text", "role", "opening"),
    [("None of the above.", "user", True), ("None.", "user", False),
     ("Use `f'{input}'` to format it.", "user", True),
     ("In Python, print({input}) fails.", "assistant", True),
     ("What does N/A mean on a form?", "user", True)],
)  # fmt: skip
def test_template_residue_not_found(text: str, role: str, opening: bool) -> None:
    assert find_residue(text, role, opening) == []


# --- missing input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Find the longest word in the given sentence",
     "Summarize the following article in three sentences.",
     "Summarize the main argument of the attached memo in two sentences for a busy partner.",
     "Proofread this paragraph.", "Translate the text below into plain English."],
)  # fmt: skip
def test_missing_input_found(text: str) -> None:
    assert find_missing_reference(text)


@pytest.mark.parametrize(
    "text",
    ["Solve the following riddle: 'I speak without a mouth.'",
     "Find the maximum value in the given list: [4, 23, 7]",
     "Find the lines containing 'fox' from the given file fox.txt.",
     "Write a function to check if a given number is prime.",
     "Summarize the following article.\n\nThe council voted on Monday to close the road.",
     "Here is my cover letter: I have worked for ten years in logistics and I love it. "
     "Please improve this letter."],
)  # fmt: skip
def test_missing_input_not_found(text: str) -> None:
    assert find_missing_reference(text) is None


# --- language mismatch --------------------------------------------------------------------


def test_language_detection() -> None:
    assert detect_language("请解释一下什么是机器学习，以及它有哪些应用。") == "Chinese"
    assert detect_language("機械学習とは何ですか？簡単に説明してください。") == "Japanese"
    german = "Wie kann ich meine Daten sichern, wenn der Computer nicht startet?"
    assert detect_language(german) == "German"
    assert detect_language("Tell me about Ludwig van Beethoven and Leonardo da Vinci.") == "Latin"
    assert detect_language("1 + 2 = 3") is None


def test_language_mismatch() -> None:
    en = "The capital of France is Paris, and it is the seat of the government."
    assert language_mismatch_of("请解释一下法国的首都是哪里，以及为什么重要。", "", en) == (
        "Chinese",
        "English",
    )
    fr = "La capitale de la France est Paris. Elle est le siège du gouvernement et de la culture."
    assert language_mismatch_of("What is the capital of France? Explain why it matters.", "", fr)
    assert language_mismatch_of("Translate into French: the capital is Paris.", "", fr) is None
    assert language_mismatch_of("What is the capital?", "Always answer in French.", fr) is None
    assert language_mismatch_of(
        "Fix my router, it drops Wi-Fi daily.", "", "请重启路由器，然后等待两分钟再连接。"
    ) == (
        "Latin",
        "Chinese",
    )
    y = "The second derivative of y = x^3 - 3x^2 + 2x is python('diff(y, x, 2)')."
    assert language_mismatch_of("What is the second derivative of y = x^3 - 3x^2?", "", y) is None


# --- answers that start mid-word or mid-sentence ------------------------------------------


@pytest.mark.parametrize(
    ("answer", "prompt", "cut"),
    [("ing the report took three days, so we shipped it late.", "What is the status?", True),
     ("and then restart the router so the change applies.", "How do I fix it?", True),
     ("which is why the clause does not apply to the tenant.", "Summarize it.", True),
     ("and then he opened the door and walked in.", "Continue the story.", False),
     ("the mat, purring softly in the sun.", "The cat sat on", False),
     ("iPhone sales rose in 2023 by a lot.", "What happened?", False),
     ("and", "Which word joins two clauses?", False)],
)  # fmt: skip
def test_answers_that_start_mid_sentence(answer: str, prompt: str, cut: bool) -> None:
    assert starts_mid(answer, prompt) is cut
