"""Per-example text checks: encoding, refusal, placeholder, repetition — what each must
catch and what it must leave alone, at exact lines through the real pipeline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftprep
from ftprep.api import make_config
from ftprep.checks.clean.encoding import damage
from ftprep.checks.clean.placeholders import find_placeholders
from ftprep.checks.clean.refusal import find_refusal
from ftprep.checks.clean.repetition import RepetitionSettings, find_repetition
from tests.conftest import locations
from tests.textsets import answer, task, user

# --- encoding -----------------------------------------------------------------------------

MOJIBAKE = [
    "It’s café".encode().decode("cp1252"),  # Itâ€™s cafÃ©
    "It’s café".encode().decode("latin-1"),
    "café".encode().decode("cp1252").encode().decode("cp1252"),  # double
    "café résumé".encode().decode("mac_roman"),
    "The provider’s note".encode().decode("mac_roman"),
    "Co.’s negligence".encode().decode("cp437"),
    "naïve façade".encode().decode("cp1252"),
]
LEGIT_UNICODE = [
    "Le café est fermé à 18h — à bientôt…",
    "Grüße aus München, die Straße ist schön.",
    "It’s “quoted” text – with dashes and €5.",
    "¿Dónde está la estación? Año nuevo.",
    "Привет, как дела? Всё хорошо.",
    "你好，世界。今天天气很好！",
    "x² + y² = z², α β γ, ±5%, 30°C",
    "“élan” and ‘naïve’ are French loanwords.",
    "Great job 👍 see you 😀",
]


@pytest.mark.parametrize("text", MOJIBAKE)
def test_encoding_catches_mojibake(text: str) -> None:
    assert any(d.startswith("mojibake") for d in damage(text)), text


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("bad \ufffd char", "replacement character U+FFFD"),
        ("ring \x07 bell", "control character U+0007"),
        ("half \ud83d emoji", "unpaired surrogate U+D83D"),
        ("mid\ufefftext", "byte-order mark U+FEFF"),
        ("next \x85 line", "control character U+0085"),
    ],
)
def test_encoding_catches_damage(text: str, what: str) -> None:
    assert what in damage(text)


@pytest.mark.parametrize("text", [*LEGIT_UNICODE, "tabs\tand\nnewlines\r\n are fine"])
def test_encoding_leaves_legit_text_alone(text: str) -> None:
    assert damage(text) == []


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_encoding_never_raises(text: str) -> None:
    assert isinstance(damage(text), list)


# --- refusal ------------------------------------------------------------------------------

REFUSALS = [
    "As an AI language model, I cannot browse.",
    "I'm sorry, but I can't help with that.",
    "I’m unable to assist with that request.",
    "I cannot fulfill this request.",
    "I must respectfully decline.",
    "Sorry, I won't do that.",
    "Unfortunately, I won't be able to help with that.",
    "I'm just an AI, so I don't have feelings.",
    "I don't have personal opinions, but here is a summary.",
    "As of my last update in 2023, the law was different.",
    "My knowledge cutoff is 2021.",
    "I'm not a lawyer, but generally this clause is standard.",
    "I can't provide medical advice.",
    "This request violates my guidelines.",
    "It would be inappropriate for me to speculate.",
    "I am an AI developed by OpenAI.",
    "I'm not comfortable writing that.",
    "I apologize, but I cannot comply.",
]
POLITE = [
    "I'm sorry to hear that, here's how to fix it.",
    "I cannot stress enough how important backups are.",
    "I can't wait to see it!",
    "Unfortunately, I can't refund orders older than 30 days, but I can offer store credit.",
    "I'm sorry, but I can't find an order with that number. Could you check it?",
    "As an AI researcher, you should read this paper.",
    "The AI model was trained by OpenAI on public data.",
    "You cannot do that in Python 2.",
    "I can't help but notice the typo.",
    "We were unable to process your payment.",
    "The court held that the defendant could not comply with the order.",
    "I am not able to see your screen, so please describe the error.",
    "Apologies for the delay! Your package ships today.",
    "This is not appropriate for children under 12.",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusal_catches_phrasing(text: str) -> None:
    assert find_refusal(text) is not None


@pytest.mark.parametrize("text", POLITE)
def test_refusal_leaves_polite_answers_alone(text: str) -> None:
    assert find_refusal(text) is None


# --- placeholders -------------------------------------------------------------------------

PLACEHOLDERS = [
    "Hi {{customer_name}}, thanks!",
    "Dear [Customer Name],",
    "[INSERT DATE HERE]",
    "Sign: <YOUR_NAME>",
    "<PLACEHOLDER>",
    "Lorem ipsum dolor sit amet.",
    "TODO: write answer",
    "Hello {first_name}!",
    "Your code is ${code}.",
    "Dear %(name)s",
    "Call __PHONE__",
    "Date: XX/XX/XXXX",
    "Contact <insert email address>",
    "See [link]",
    '{"vendor": "TODO"}',
]
NOT_PLACEHOLDERS = [
    "Use `{{ name }}` in Jinja.",
    "```python\n# TODO: handle errors\nprint(f'{name}')\n```",
    "The set {x} is empty.",
    "See [1] and [the docs](https://x.y).",
    '{"name": "Ann"}',
    "Section [3] says a < b and c > d.",
    "The TODO list app syncs daily.",
    "Press [OK] to continue.",
    "Array[int] and List[str] are generic types.",
    "Click [Add to cart].",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholder_catches_template_syntax(text: str) -> None:
    assert find_placeholders(text), text


@pytest.mark.parametrize("text", NOT_PLACEHOLDERS)
def test_placeholder_leaves_code_and_prose_alone(text: str) -> None:
    assert find_placeholders(text) == []


# --- repetition ---------------------------------------------------------------------------

LOOPS = [
    "I think I think I think I think I think I think that is right.",
    "The answer is yes. The answer is yes. The answer is yes. The answer is yes.",
    "Please contact support.\nPlease contact support for help.\nPlease contact support.\n"
    "Please contact support.\nPlease contact support.",
    "Thanks for asking. " + "the " * 15,
    "Only hypothyroidism is assessed today; other history is not being treated. " * 4,
]
NOT_LOOPS = [
    "To reset your password, open Settings, choose Security, and click Reset password. You'll "
    "get an email with a link; follow it within 24 hours. If you don't see the email, check "
    "your spam folder or request a new link from the same page.",
    "| Name | Age |\n|---|---|\n| Ann | 3 |\n| Bob | 4 |",
    "1. Open the app.\n2. Open the menu.\n3. Open the settings page.\n4. Open the privacy tab.",
    "```python\nfor i in range(3):\n    print(i)\n    print(i)\n    print(i)\n```\nPrints each.",
    "Yes, yes, that works.",
]


@pytest.mark.parametrize("text", LOOPS)
def test_repetition_catches_loops(text: str) -> None:
    assert find_repetition(text, RepetitionSettings()) is not None


@pytest.mark.parametrize("text", NOT_LOOPS)
def test_repetition_leaves_normal_answers_alone(text: str) -> None:
    assert find_repetition(text, RepetitionSettings()) is None


# --- through the pipeline -----------------------------------------------------------------


def test_text_checks_report_exact_lines(write_jsonl) -> None:
    records = task("support", 40, seed=3)
    answer(records[4])["content"] = "As an AI language model, I cannot see your device."
    user(records[9])["content"] += " Itâ€™s urgent."
    answer(records[14])["content"] = "Hi {{customer_name}}, " + answer(records[14])["content"]
    answer(records[19])["content"] += " Please restart it." * 5
    answer(records[24])["content"] = "I'm sorry to hear that, here's how to fix it: restart."
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.refusal") == [5]
    assert locations(report, "clean.encoding") == [10]
    assert locations(report, "clean.placeholder") == [15]
    assert locations(report, "clean.repetition") == [20]
    assert report.findings_for("clean.encoding")[0].severity == "error"
    assert report.findings_for("clean.refusal")[0].severity == "warning"


def test_placeholder_echoed_from_the_prompt_is_not_flagged(write_jsonl) -> None:
    records = task("code", 30, seed=1)
    user(records[2])["content"] = "What does {{ name }} mean in a Jinja template?"
    answer(records[2])["content"] = "In Jinja, {{ name }} prints the variable name."
    report = ftprep.validate(write_jsonl(records))
    assert locations(report, "clean.placeholder") == [3]  # only the user turn
    detail = report.findings_for("clean.placeholder")[0].locations[0].detail
    assert "(user)" in detail


def test_checks_can_be_switched_off(write_jsonl) -> None:
    records = task("support", 30, seed=2)
    answer(records[1])["content"] = "I'm sorry, but I can't help with that."
    report = ftprep.validate(write_jsonl(records), config=make_config(disable=["clean.refusal"]))
    assert locations(report, "clean.refusal") == []


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "the", "of"]), min_size=3, max_size=400),
    st.integers(min_value=1, max_value=40),
)
def test_loop_periods_of_word_ids_are_the_walks(words: list[str], max_unit: int) -> None:
    """The periods of long texts, asked of their triples as numbers, are those the walk
    over the triples finds (a small vocabulary: triples recur at every distance)."""
    from ftprep.checks.clean import repetition

    grams = list(zip(words, words[1:], words[2:], strict=False))
    ids = repetition._word_ids(words)
    assert repetition._periods_of(ids, max_unit) == repetition._periods(grams, max_unit)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "Bc", ".", "!", "?", " ", "  ", "\n", "\r\n", "\t", "\x1c", "\u2003",
                         "\x85", "e.g.", "x!?", ". \n ", ".\u00a0"]),
        max_size=30,
    ).map("".join)
)  # fmt: skip
def test_sentence_cut_is_the_look_behind_pattern(text: str) -> None:
    import re

    from ftprep.checks.clean import repetition

    assert repetition._SENTENCE_END.split(text) == re.split(r"(?<=[.!?])\s+|\n", text)
