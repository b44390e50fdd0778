"""Consistency, diversity and near-duplicate findings on real data written by others.

Fixtures (tests/data/consistency/, copied unchanged unless said otherwise):
- gpteacher_toolformer_sample.json: 400 records of GPTeacher Toolformer
  (gururise/AlpacaDataCleaned @ 791174f,
  dataset_extensions/GPTeacher/Toolformer/toolformer-dedupe-only-dataset.json, Apache-2.0):
  every request carries a tool preamble; 40 answers hold Python's `**` power operator.
- gpteacher_roleplay_sample.json: 200 records of GPTeacher Roleplay (same repository,
  dataset_extensions/GPTeacher/Roleplay/roleplay-simple-deduped-roleplay-dataset.json).
- fastchat_sample.json: the first 240 conversations of lm-sys/FastChat @ 0e6d3e4,
  data/dummy_conversation.json (Apache-2.0): 1, 2 and 3 exchanges.
- alpaca_zh_demo_sample.json: the first 174 records of hiyouga/LLaMA-Factory @ 3a0f5b4,
  data/alpaca_zh_demo.json (Apache-2.0); instructions and inputs unchanged, long outputs cut
  to their opening lines.

Each test holds the judgement made by hand on the full files (see the module's asserts):
what was a false finding before and must stay quiet, and what is a true one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

import ftprep
from ftprep.checks.answers import MARKDOWN, PLAIN, answer_format
from ftprep.checks.consistent.requests import ASK_CODE, ASK_LIST, ASK_TABLE, asked_format
from ftprep.similarity.diversity import distinct_n
from ftprep.similarity.embed import embed
from ftprep.similarity.minhash import signatures, similarity
from ftprep.similarity.normalize import normalize_text
from ftprep.similarity.scripts import boilerplate_lines, strip_lines, topic_terms, units
from tests.conftest import locations

DATA = Path(__file__).resolve().parent / "data" / "consistency"


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / name).read_text("utf-8"))


def write_json(tmp_path: Path, records: list[dict[str, Any]], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), "utf-8")
    return path


def requests(report: Any, check: str, path: Path) -> list[str]:
    """The last instruction line of each flagged Alpaca record (JSON arrays: line → record)."""
    text = path.read_text("utf-8").split("\n")
    starts = [i + 1 for i, ln in enumerate(text) if ln.startswith("  {")]
    data = json.loads("\n".join(text))
    out = []
    for line in locations(report, check):
        idx = max(i for i, s in enumerate(starts) if s <= line)
        out.append(data[idx]["instruction"].split("\n")[-1].strip())
    return out


# --- output format -------------------------------------------------------------------------


def test_python_power_operator_is_not_markdown_bold() -> None:
    answers = [r["output"] for r in load("gpteacher_toolformer_sample.json") if "**" in r["output"]]
    assert len(answers) >= 40
    assert {answer_format(a)[0] for a in answers} == {PLAIN}
    assert answer_format("**Important:** restart the router first.")[0] == MARKDOWN
    assert answer_format("1. **Item**: do this")[0] == MARKDOWN


def test_toolformer_code_answers_break_no_format(tmp_path) -> None:
    """73 of 7,673 toolformer answers were flagged 'markdown' for `3**2`: all false."""
    records = load("gpteacher_toolformer_sample.json")
    power = [r for r in records if "**" in r["output"]]
    rest = [r for r in records if "**" not in r["output"]]
    path = write_json(tmp_path, rest + power[:15], "toolformer.json")
    report = ftprep.validate(path)
    assert report.findings_for("consistent.output_format") == []


def test_requests_that_ask_for_a_format() -> None:
    assert asked_format("写一个Python函数，它接受两个整数并返回它们的最小公倍数。") & ASK_CODE
    assert asked_format("Write a function that reverses a string in JavaScript.") & ASK_CODE
    assert asked_format("根据下表，将每个句子分类。\n|句子|\n|--|\n|苹果是一种水果。|") & ASK_TABLE
    assert asked_format("List five tips for staying focused.") & ASK_LIST
    # Not requests for a program or a table.
    assert not asked_format("What is the ICD-10-CM code? 27-year-old female reports fatigue.")
    assert not asked_format("My zip code is wrong on the invoice, can you fix it?") & ASK_CODE
    assert asked_format("Help! Our GlowStrip LED lights lose their charge.") == 0


def test_chinese_code_and_table_answers_are_what_was_asked(tmp_path) -> None:
    """alpaca_zh_demo: 7 answers flagged 'code block / markdown where 96% are plain' — each
    answered a request for a program, a regex or a table. All false; none stay."""
    path = DATA / "alpaca_zh_demo_sample.json"
    report = ftprep.validate(path)
    assert report.findings_for("consistent.output_format") == []


def test_markdown_nobody_asked_for_is_still_flagged(tmp_path) -> None:
    """A true positive in a real single-task set: role-play answers are plain prose; headings
    and bold pasted into three of them were not asked for."""
    records = load("gpteacher_roleplay_sample.json")
    plain_requests = [
        i for i, r in enumerate(records) if not asked_format(r["instruction"] + r["input"])
    ]
    chosen = plain_requests[5], plain_requests[25], plain_requests[45]
    for i in chosen:
        records[i]["output"] = "## In character\n\n**Note:** " + records[i]["output"]
    system = "Stay in character and answer in plain prose."
    chats = [
        {
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": r["instruction"] + "\n\n" + r["input"]},
                {"role": "assistant", "content": r["output"]},
            ]
        }
        for r in records
    ]
    path = tmp_path / "roleplay.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in chats) + "\n", "utf-8")
    report = ftprep.validate(path)
    assert locations(report, "consistent.output_format") == [i + 1 for i in chosen]


# --- turn count ---------------------------------------------------------------------------


def test_multi_turn_sharegpt_varies_by_design(tmp_path) -> None:
    """FastChat has 1, 2 and 3 exchanges; ShareGPT-style data adds a smooth tail of longer
    chats. None of them is an export error."""
    convs = load("fastchat_sample.json")
    turns = [t for c in convs for t in c["conversations"]]
    start = 0
    for n in range(4, 13):  # one conversation of every length 4..12, real turns in order
        convs.append({"id": f"long_{n}", "conversations": turns[start : start + 2 * n]})
        start += 2 * n
    report = ftprep.validate(write_json(tmp_path, convs, "sharegpt.json"))
    assert report.findings_for("consistent.turn_count") == []
    assert report.checklist.consistent.metrics["exchanges_median"] == 2.0


def test_a_concatenated_conversation_apart_from_the_rest_is_flagged(tmp_path) -> None:
    convs = load("fastchat_sample.json")
    merged = [t for c in convs[:8] for t in c["conversations"]]  # 15 exchanges
    convs.insert(100, {"id": "concatenated", "conversations": merged})
    path = write_json(tmp_path, convs, "concatenated.json")
    report = ftprep.validate(path)
    [finding] = report.findings_for("consistent.turn_count")
    assert finding.count == 1
    assert "exchanges (typical: 2" in (finding.locations[0].detail or "")
    assert (
        finding.locations[0].line
        == next(
            i + 1
            for i, ln in enumerate(path.read_text("utf-8").split("\n"))
            if '"concatenated"' in ln
        )
        - 1
    )


def test_tool_calls_do_not_count_as_turns(write_jsonl) -> None:
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "area", "arguments": '{"r": 2}'},
            }
        ],
    }
    plain = [
        {
            "messages": [
                {"role": "user", "content": f"What is {i} plus {i}?"},
                {"role": "assistant", "content": f"{2 * i}."},
            ]
        }
        for i in range(60)
    ]
    tool = {
        "messages": [
            {"role": "user", "content": "Area of a circle of radius 2?"},
            call,
            {"role": "tool", "tool_call_id": "c1", "content": '{"area": 12.57}'},
            {"role": "assistant", "content": "About 12.57."},
        ]
    }
    report = ftprep.validate(write_jsonl(plain + [tool] * 3))
    assert report.findings_for("consistent.turn_count") == []


# --- system prompts -----------------------------------------------------------------------

PROMPT = (
    "You are a role-play partner for a creative writing class. Stay in character, keep "
    "answers under 150 words and never break the fourth wall."
)


def _with_prompts(
    prompts: list[str], records: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    records = records if records is not None else load("gpteacher_roleplay_sample.json")
    return [
        {
            "messages": [
                {"role": "system", "content": p},
                {"role": "user", "content": r["instruction"] + "\n\n" + r["input"]},
                {"role": "assistant", "content": r["output"]},
            ]
        }
        for p, r in zip(prompts, records, strict=False)
    ]


def test_system_prompt_template_slots_and_task_prompts_are_not_variants(write_jsonl) -> None:
    prompts = [PROMPT] * 200
    prompts[3] = PROMPT.replace("150", "120")  # a number filled into the template
    persona = (
        "You are Captain Ahab of the Pequod. Obsessed with the white whale, you speak in "
        "the grand, archaic manner of Melville's novel, quote scripture, rail against fate, "
        "and steer every conversation back to Moby Dick. Your crew fears and follows you. "
        "Answer the student's questions as Ahab would, in two or three sentences, with "
        "nautical vocabulary and dark foreboding."
    )
    prompts[7] = persona  # a different task's prompt, not a stray variant
    report = ftprep.validate(write_jsonl(_with_prompts(prompts)))
    assert report.findings_for("consistent.system_prompt") == []
    assert report.checklist.consistent.metrics["distinct_system_prompts"] == 3


def test_system_prompt_near_copies_and_stray_stock_prompts_are_flagged(write_jsonl) -> None:
    prompts = [PROMPT] * 200
    prompts[3] = PROMPT.lower()
    prompts[8] = PROMPT.replace("character", "charcter")
    prompts[12] = PROMPT + " Use British spelling."
    prompts[20] = "You are a helpful assistant."
    report = ftprep.validate(write_jsonl(_with_prompts(prompts)))
    assert locations(report, "consistent.system_prompt") == [4, 9, 13, 21]
    [finding] = report.findings_for("consistent.system_prompt")
    assert finding.message == "4 examples use one of 4 rare system prompt variants"
    details = [loc.detail or "" for loc in finding.locations]
    assert "only in case" in details[0]
    assert "a variant of a common prompt" in details[1] and "a variant" in details[2]
    assert "unlike the common prompts" in details[3]


def test_one_rare_variant_message_is_singular(write_jsonl) -> None:
    prompts = [PROMPT] * 200
    prompts[5] = PROMPT.upper()
    report = ftprep.validate(write_jsonl(_with_prompts(prompts)))
    [finding] = report.findings_for("consistent.system_prompt")
    assert finding.message == "1 example uses a rare system prompt variant"


def test_no_system_prompt_is_consistent() -> None:
    report = ftprep.validate(DATA / "gpteacher_roleplay_sample.json")
    for check in ("consistent.system_prompt", "consistent.missing_system_prompt"):
        assert report.findings_for(check) == []
    assert report.checklist.consistent.metrics["distinct_system_prompts"] == 0


# --- CJK: topics, diversity, near duplicates ---------------------------------------------


def test_chinese_text_gets_character_ngrams() -> None:
    assert topic_terms("解释GPT-3是什么。") == ["解释", "gpt", "是什", "什么"]
    assert units("写三种交通方式 in English") == [
        "写",
        "三",
        "种",
        "交",
        "通",
        "方",
        "式",
        "in",
        "english",
    ]
    latin = "The quick brown fox, the lazy dog."
    assert units(latin) == ["the", "quick", "brown", "fox", "the", "lazy", "dog"]


def test_chinese_inputs_cluster_into_named_topics() -> None:
    """Before: one cluster named '输入' (the only repeated 'word'), mean cosine 1.0 and a
    false 'too uniform' warning. Every cluster now has character-bigram names."""
    report = ftprep.validate(DATA / "alpaca_zh_demo_sample.json")
    div = report.stats["diversity"]
    assert div["cluster_count"] >= 5
    assert all(c["name"] != "(no words)" for c in div["clusters"])
    assert div["mean_cosine"] < 0.06
    assert 0.5 < div["distinct_2_inputs"] < 0.95
    assert report.findings_for("diverse.coverage") == []


def test_latin_measures_are_unchanged_by_the_cjk_path() -> None:
    texts = [r["instruction"] for r in load("gpteacher_roleplay_sample.json")]
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(ngram_range=(2, 2), token_pattern=r"(?u)\b\w+\b")
    counts = vec.fit_transform(texts)
    assert distinct_n(texts, 2) == round(counts.shape[1] / int(counts.sum()), 4)
    emb = embed(texts)
    assert emb is not None and "gpteacher" not in emb.terms  # words, not character bigrams
    assert all(" " not in t and len(t) >= 2 for t in emb.terms[:50])


def test_chinese_near_duplicates_use_character_shingles() -> None:
    a = normalize_text("解释为什么水对人类至关重要。水是人体细胞和组织的主要组成部分。")
    b = normalize_text("解释为什么水对人类非常重要。水是人体细胞和组织的主要组成部分。")
    c = normalize_text("解释为什么睡眠对人类至关重要。睡眠帮助大脑整理记忆并恢复体力。")
    sig = signatures([a, b, c])
    assert similarity(sig[0], sig[1]) >= 0.6
    assert similarity(sig[0], sig[2]) < 0.3
    latin = ["near duplicate detection", "near duplicate detections", ""]
    before = signatures(latin)
    assert np.array_equal(before, signatures(latin))  # pure, per text


# --- near duplicates and coverage under a shared preamble ---------------------------------


def test_tool_preamble_is_boilerplate_not_the_request() -> None:
    records = load("gpteacher_toolformer_sample.json")
    texts = [r["instruction"] for r in records]
    lines = boilerplate_lines(texts)
    assert "toolformer: enabled" in lines
    assert not any("capital of Germany" in ln for ln in lines)
    assert strip_lines("Who are you?", frozenset({"Who are you?"})) == "Who are you?"


def test_different_requests_under_one_preamble_are_not_near_duplicates() -> None:
    """On the full file 5,365 examples (69.9%) were 'near duplicates'; judged on 50, about
    half were different requests sharing the tool description ('What is the capital of
    Germany?' grouped with 'Calculate the square root of 81'). Light rewordings stay."""
    path = DATA / "gpteacher_toolformer_sample.json"
    report = ftprep.validate(path)
    flagged = requests(report, "clean.near_duplicate", path)
    assert "Check the disk usage on your computer." in flagged
    assert "Check the disk usage of your computer" in flagged
    for different in (
        "What is the capital of Germany?",
        "Calculate the square root of the given number.",
        "Find out when the next solar eclipse will happen.",
    ):
        assert different not in flagged
    assert report.stats["diversity"]["near_duplicate_rate"] < 0.1
    # The preamble is not "templated inputs" either: no error, measured on the requests.
    assert all(f.severity != "error" for f in report.findings_for("diverse.coverage"))


def test_fastchat_identity_set_is_near_duplicates_and_templated_but_not_an_error() -> None:
    """FastChat's identity conversations: near copies (a warning, right on every one of 30
    judged) and templated (right), but narrow data is not certainly harmful: no error."""
    report = ftprep.validate(DATA / "fastchat_sample.json")
    [near] = report.findings_for("clean.near_duplicate")
    assert near.severity == "warning" and near.count > 200
    [coverage] = report.findings_for("diverse.coverage")
    assert coverage.severity == "warning"
    assert coverage.message.startswith("the inputs look templated")


# --- length outliers ------------------------------------------------------------------------


def test_long_answers_that_were_asked_for_are_not_outliers(write_jsonl) -> None:
    """On the full files 55 answers were 'far longer than usual' (a speech, a step-by-step
    recipe, a Wikipedia summary, two tool calls in one answer): all asked for, all false. A
    pasted document appended to an answer is still flagged."""
    records = load("gpteacher_roleplay_sample.json")
    k = next(i for i, r in enumerate(records) if not asked_format(r["instruction"] + r["input"]))
    records[k]["output"] += "\n\n" + "\n\n".join(r["output"] for r in records[100:112])
    records.append(
        {
            "instruction": "Pretend you are a politician giving a speech on the impact of "
            "global warming on marine life and suggest solutions to counteract these effects.",
            "input": "",
            "output": " ".join(r["output"] for r in records[:4]),
        }
    )
    chats = _with_prompts([PROMPT] * len(records), records)
    report = ftprep.validate(write_jsonl(chats))
    assert locations(report, "consistent.length_outlier") == [k + 1]
