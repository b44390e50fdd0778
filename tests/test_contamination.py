"""Decontamination: benchmark items and eval-set items in training data, found at their
lines with their benchmark and item id; ordinary data left alone."""

from __future__ import annotations

import gzip
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.contamination.index import bundled_path, load_index
from ftprep.contamination.ngrams import batch_grams, ngram_hashes, normalize, whole_hash, word_count
from tests.conftest import SAMPLE_DATA, chat, varied_chats

REPO = Path(__file__).resolve().parent.parent
ITEMS = [
    json.loads(line)
    for line in (REPO / "tests" / "data" / "benchmark_items.jsonl").read_text("utf-8").splitlines()
]
WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def light_edit(text: str, rng: random.Random, edits: int = 2) -> str:
    """Replace ``edits`` words of four letters or more, as a copy-editor would."""
    words = list(WORD.finditer(text))
    for m in sorted(rng.sample(words, min(edits, len(words))), key=lambda m: -m.start()):
        text = text[: m.start()] + rng.choice(["several", "certain", "another"]) + text[m.end() :]
    return text


def seeded(rng: random.Random) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    """Clean examples with every sampled benchmark item planted three ways; returns the
    records and, by 1-based line, the (benchmark, item id) planted there."""
    rows = varied_chats(300, seed=5)
    planted: dict[int, tuple[str, str]] = {}
    for item in ITEMS:
        q = item["question"]
        variants = [
            chat(q, item["solution"] or "Here is my answer."),  # verbatim
            chat(light_edit(q, rng), "Sure, let me work through it step by step."),  # edited
            chat(
                f"My teacher gave us this for homework, can you help?\n\n{q}\n\nThanks!",
                "Of course.",
            ),  # embedded in a longer prompt
        ]
        for v in variants:
            rows.insert(rng.randrange(len(rows) + 1), {"planted": [item["benchmark"], item["id"]],
                                                       **v})  # fmt: skip
    out = []
    for line, r in enumerate(rows, start=1):
        if "planted" in r:
            planted[line] = tuple(r.pop("planted"))  # type: ignore[assignment]
        out.append(r)
    return out, planted


def test_seeded_copies_are_found_with_benchmark_and_item(cli: Any, tmp_path: Path) -> None:
    rows, planted = seeded(random.Random(11))
    data = write_jsonl(tmp_path / "train.jsonl", rows)
    every = tmp_path / "findings.jsonl"  # report.json keeps 100 locations; this file all
    result = cli("validate", str(data), "--json", "--findings", str(every))
    report = json.loads(result.stdout)
    finding = next(f for f in report["findings"] if f["check"] == "evaluated.contamination")
    assert finding["severity"] == "error"
    lines = [json.loads(x) for x in every.read_text("utf-8").splitlines()]
    found = {x["line"]: x["detail"] for x in lines if x.get("check") == "evaluated.contamination"}
    right = [
        line
        for line, (bench, item) in planted.items()
        if line in found
        and re.match(rf"{re.escape(bench)} item {re.escape(item)}[, ]", found[line])
    ]
    recall = len(right) / len(planted)
    assert recall >= 0.95, sorted(set(planted) - set(right))[:10]
    assert set(found) <= set(planted), "a clean example was flagged"
    metrics = report["checklist"]["evaluated"]["metrics"]["benchmarks"]
    assert metrics["GSM8K"]["items"] == 1319 and metrics["HumanEval"]["items"] == 164
    assert metrics["MT-bench"]["items"] == 80
    assert metrics["GSM8K"]["contaminated_items"] == sum(i["benchmark"] == "GSM8K" for i in ITEMS)
    assert "would inflate your GSM8K, HumanEval, MT-bench scores" in finding["message"]
    assert report["verdict"] == "not_ready"


def test_same_topic_is_not_contamination(cli: Any, tmp_path: Path) -> None:
    """Word problems about the same things, written anew, share no 13-word span."""
    rows = [
        *varied_chats(150, seed=2),
        chat("Janet has ducks that lay eggs every day. If she eats some and sells the rest at "
             "the market for two dollars each, how would you compute her daily income?",
             "Subtract what she eats and bakes from what the ducks lay, then multiply by $2."),
        chat("Write a Python function that checks whether any two numbers in a list are closer "
             "than a given threshold.", "def close(xs, t):\n    return any(abs(a - b) < t for "
             "i, a in enumerate(xs) for b in xs[i + 1:])"),
        chat("Rewrite your previous response in a friendlier tone, please.", "Sure!"),
    ]  # fmt: skip
    report = json.loads(cli("validate", str(write_jsonl(tmp_path / "d.jsonl", rows)),
                            "--json").stdout)  # fmt: skip
    assert not [f for f in report["findings"] if f["check"] == "evaluated.contamination"]


@pytest.mark.parametrize(
    "path",
    [SAMPLE_DATA / "clinical_coding.jsonl", SAMPLE_DATA / "alpaca_small.json",
     REPO / "tests" / "data" / "varied_instructions.jsonl"],
)  # fmt: skip
def test_ordinary_data_raises_no_contamination(cli: Any, path: Path) -> None:
    report = json.loads(cli("validate", str(path), "--json").stdout)
    assert not [f for f in report["findings"] if f["check"].startswith("evaluated.c")]


def _eval_files(tmp_path: Path, items: list[tuple[str, str]]) -> dict[str, tuple[Path, list[str]]]:
    """The same eval items in every layout ftprep reads, with the extra options each needs."""
    import pandas as pd

    out: dict[str, tuple[Path, list[str]]] = {}
    out["chat.jsonl"] = (write_jsonl(tmp_path / "eval.jsonl", [chat(q, a) for q, a in items]), [])
    (tmp_path / "eval_alpaca.json").write_text(
        json.dumps([{"instruction": q, "input": "", "output": a} for q, a in items], indent=2),
        "utf-8",
    )
    out["alpaca"] = (tmp_path / "eval_alpaca.json", [])
    sharegpt = [{"conversations": [{"from": "human", "value": q}, {"from": "gpt", "value": a}]}
                for q, a in items]  # fmt: skip
    (tmp_path / "eval_sharegpt.json").write_text(json.dumps(sharegpt, indent=2), "utf-8")
    out["sharegpt"] = (tmp_path / "eval_sharegpt.json", [])
    frame = pd.DataFrame({"question": [q for q, _ in items], "answer": [a for _, a in items]})
    frame.to_csv(tmp_path / "eval.csv", index=False)
    mapping = ["--map", "user=question", "--map", "assistant=answer"]
    out["csv"] = (tmp_path / "eval.csv", mapping)
    frame.to_parquet(tmp_path / "eval.parquet")
    out["parquet"] = (tmp_path / "eval.parquet", mapping)
    frame.to_excel(tmp_path / "eval.xlsx", index=False)
    out["xlsx"] = (tmp_path / "eval.xlsx", mapping)
    with gzip.open(tmp_path / "eval.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(chat(q, a)) + "\n" for q, a in items))
    out["gzip"] = (tmp_path / "eval.jsonl.gz", [])
    return out


EVAL_ITEMS = [
    ("Summarise the discharge letter for the GP in three sentences, keeping medication changes.",
     "The patient was admitted with community-acquired pneumonia and treated with amoxicillin."),
    ("Classify the support ticket: my card was charged twice for the same order last night.",
     "billing"),
    ("What is the notice period in the tenancy agreement clause quoted above?", "Two months."),
]  # fmt: skip


@pytest.mark.parametrize(
    "layout", ["chat.jsonl", "alpaca", "sharegpt", "csv", "parquet", "xlsx", "gzip"]
)
def test_eval_set_in_every_format(cli: Any, tmp_path: Path, layout: str) -> None:
    path, options = _eval_files(tmp_path, EVAL_ITEMS)[layout]
    rows = varied_chats(120, seed=9)
    rows.insert(10, chat(EVAL_ITEMS[0][0], "A different summary."))  # line 11: prompt copied
    rows.insert(50, chat("Please classify. " + EVAL_ITEMS[1][0], "billing"))  # line 51
    rows.insert(80, chat(EVAL_ITEMS[2][0], EVAL_ITEMS[2][1]))  # line 81: exact copy
    train = tmp_path / "train.jsonl"
    if options:  # a --map applies to the training file too: write it with the same columns
        import pandas as pd

        train = tmp_path / "train.csv"
        pd.DataFrame({"question": [r["messages"][0]["content"] for r in rows],
                      "answer": [r["messages"][1]["content"] for r in rows]}).to_csv(
            train, index=False)  # fmt: skip
        lines = [12, 52, 82]  # the header is line 1
    else:
        write_jsonl(train, rows)
        lines = [11, 51, 81]
    result = cli("validate", str(train), "--eval-set", str(path), *options, "--json")
    report = json.loads(result.stdout)
    finding = next(f for f in report["findings"] if f["check"] == "evaluated.eval_overlap")
    train_locs = [loc for loc in finding["locations"] if loc["source"] == str(train)]
    assert [loc["line"] for loc in train_locs] == lines
    assert all(str(path) in loc["detail"] for loc in train_locs)  # names the eval item
    eval_locs = [loc for loc in finding["locations"] if loc["source"] == str(path.resolve())]
    assert len(eval_locs) == 3  # both sides: the eval file's own lines too
    assert finding["severity"] == "error"


def test_split_keeps_eval_copies_out_of_validation_and_fix_drops_them(
    cli: Any, tmp_path: Path
) -> None:
    items = [
        (f"Evaluation question number {i}: describe the quarterly revenue trend in the "
         f"north-east region for product line {i}.", f"Answer {i}.")
        for i in range(40)
    ]  # fmt: skip
    evals = write_jsonl(tmp_path / "eval.jsonl", [chat(q, a) for q, a in items])
    rows = varied_chats(300, seed=4) + [chat(q, a) for q, a in items]
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    for seed in (1, 2, 3):
        out = tmp_path / f"out{seed}"
        result = cli("split", str(train), "--out", str(out), "--eval-set", str(evals), "--seed",
                     str(seed), "-q")  # fmt: skip
        assert result.exit_code == 1
        validation = (out / "validation.jsonl").read_text("utf-8")
        assert "Evaluation question number" not in validation
    out = tmp_path / "fixed"
    cli("split", str(train), "--out", str(out), "--eval-set", str(evals), "--fix", "-q")
    report = json.loads((out / "report.json").read_text("utf-8"))
    drops = {d["reason"]: d["count"] for d in report["split"]["drops"]}
    assert drops["evaluated.eval_overlap"] == 40
    assert "Evaluation question number" not in (out / "train.jsonl").read_text("utf-8")
    assert (
        report["split"]["train"]["examples"]
        + report["split"]["validation"]["examples"]
        + report["split"]["dropped"]
        == 340
    )


def test_fingerprint_command_round_trip_without_text(cli: Any, tmp_path: Path) -> None:
    secret = "Zanzibarian quarterly ledger reconciliation for the Oslo subsidiary accounts"
    items = [(f"{secret}, case {i}: which entries are missing?", f"Entries {i} and {i + 1}.")
             for i in range(5)]  # fmt: skip
    evals = write_jsonl(tmp_path / "golden.jsonl", [chat(q, a) for q, a in items])
    fp = tmp_path / "golden.fp"
    result = cli("fingerprint", str(evals), "-o", str(fp))
    assert result.exit_code == 0, result.stderr
    assert "golden, 5 items" in result.stdout
    raw = fp.read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        header = str(data["header"])
    assert "Zanzibarian" not in header and b"Zanzibarian" not in raw
    again = tmp_path / "again.fp"
    cli("fingerprint", str(evals), "-o", str(again))
    assert again.read_bytes() == raw  # deterministic
    train = write_jsonl(tmp_path / "train.jsonl", [*varied_chats(120), chat(items[3][0], "x")])
    report = json.loads(cli("validate", str(train), "--benchmarks", str(fp), "--json").stdout)
    finding = next(f for f in report["findings"] if f["check"] == "evaluated.contamination")
    assert [loc["line"] for loc in finding["locations"]] == [121]
    assert finding["locations"][0]["detail"].startswith("golden item line 4, prompt")
    assert "golden" in report["checklist"]["evaluated"]["metrics"]["benchmarks"]
    # refuses to overwrite its input, and a bad file is one clear error
    assert cli("fingerprint", str(evals), "-o", str(evals)).exit_code == 2
    (tmp_path / "bad.fp").write_bytes(b"not a fingerprint")
    result = cli("validate", str(train), "--benchmarks", str(tmp_path / "bad.fp"))
    assert result.exit_code == 2 and "bad.fp" in result.stderr and "fingerprint" in result.stderr


def test_bundled_fingerprints_carry_their_provenance() -> None:
    fp = load_index(("bundled",), ())
    assert fp.items_per_source() == {"GSM8K": 1319, "HumanEval": 164, "MT-bench": 80}
    sources = {s["name"]: s for s in fp.sources}
    assert sources["GSM8K"]["source"].startswith("openai/grade-school-math @ 3101c7d")
    assert sources["HumanEval"]["licence"] == "MIT"
    assert bundled_path().stat().st_size < 3_000_000


def _per_turn_hashes(
    examples: list[list[str]], sizes: list[int], whole_below: int
) -> list[tuple[int, int]]:
    """(example, hash) of every window of every turn hashed alone (and the whole turn's hash
    when it has fewer than ``whole_below`` words), sorted: what ``batch_grams`` must give."""
    expected: list[tuple[int, int]] = []
    for i, turns in enumerate(examples):
        for text in turns:
            norm = normalize(text)
            if not norm:
                continue
            if word_count(norm) < whole_below:
                expected.append((i, whole_hash(norm)))
            for grams in ngram_hashes(norm, sizes).values():
                expected += [(i, int(h)) for h in grams]
    return sorted(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=80), max_size=3), min_size=1, max_size=4),
       st.integers(min_value=2, max_value=6))  # fmt: skip
def test_batch_hashes_equal_per_turn_hashes(examples: list[list[str]], n: int) -> None:
    hashes, owners = batch_grams(examples, [n, n + 2], whole_below=n + 1)
    got = sorted(zip(owners.tolist(), hashes.tolist(), strict=True))
    assert got == _per_turn_hashes(examples, [n, n + 2], whole_below=n + 1)


_PROSE = st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Zs", "Po"))


@settings(max_examples=300, deadline=None)
@given(st.text(_PROSE, max_size=120), st.text(_PROSE, max_size=40), st.text(_PROSE, max_size=40))
def test_hash_of_a_span_is_independent_of_its_context(core: str, before: str, after: str) -> None:
    norm = normalize(core)
    n = word_count(norm)
    if n == 0:
        return
    inside = normalize(f"{before} {core} {after}")
    assert set(ngram_hashes(norm, [n])[n]) <= set(ngram_hashes(inside, [n]).get(n, []))


def test_gated_matching_finds_what_hashing_every_window_finds(monkeypatch) -> None:
    """Longer windows are hashed only where their first five words may be in the index:
    on copies planted verbatim, edited and embedded, the hits are those of hashing every
    window size everywhere."""
    from ftprep.contamination import match
    from ftprep.contamination.fingerprint import Fingerprint

    rows, planted = seeded(random.Random(11))
    texts = [[m["content"] for m in r["messages"]] for r in rows]
    index = load_index(("bundled",), ())
    assert index.short_gated
    gated = match.find_batch(index, texts, 0.05, 0.1)
    assert sum(bool(h) for h in gated) >= len(planted)
    monkeypatch.setattr(Fingerprint, "short_gated", property(lambda self: False))
    assert match.find_batch(index, texts, 0.05, 0.1) == gated


_LONG_WORDS = ["the", "Ducks", "lay", "16", "eggs,", "her", "farmers'", "market--", "$2",
               "Café", "naïve", "日本語", "über", "(each)", "x_y", "...", "\t", "\n\n",
               "<<3*4=12>>"]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.lists(st.text(_PROSE, max_size=600), max_size=4), min_size=1, max_size=6),
       st.randoms(use_true_random=False))  # fmt: skip
def test_batch_hashes_of_long_batches_equal_per_turn_hashes(
    examples: list[list[str]], rng: random.Random
) -> None:
    """Batches longer than one row of the batch's prefix sums (4,096 bytes), with runs of
    punctuation and spacing between words, annotations and non-ASCII turns, hash every
    window as its turn hashed alone does."""
    long = [" ".join(rng.choices(_LONG_WORDS, k=rng.randrange(400, 1500))) for _ in range(3)]
    examples = [[long[0], *examples[0]], *examples[1:], long[1:]]
    hashes, owners = batch_grams(examples, [5, 13], whole_below=8)
    expected = _per_turn_hashes(examples, [5, 13], whole_below=8)
    assert sorted(zip(owners.tolist(), hashes.tolist(), strict=True)) == expected


def test_batch_hashes_of_long_ascii_batches_equal_per_turn_hashes() -> None:
    """A batch all of whose turns are ASCII without annotations (encoded in one piece)
    hashes every window as its turn hashed alone does, over many rows of prefix sums."""
    rng = random.Random(7)
    ascii_words = [w for w in _LONG_WORDS if w.isascii() and "<<" not in w]
    examples = [
        [" ".join(rng.choices(ascii_words, k=rng.randrange(0, 300))) for _ in range(3)]
        for _ in range(40)
    ]
    hashes, owners = batch_grams(examples, [5, 13], whole_below=8)
    expected = _per_turn_hashes(examples, [5, 13], whole_below=8)
    assert len(expected) > 10_000
    assert sorted(zip(owners.tolist(), hashes.tolist(), strict=True)) == expected


def test_batch_matching_with_repeated_turns_equals_matching_each_example() -> None:
    """Turns that repeat across a batch (a shared system prompt, the same planted item in
    several examples, a turn repeated within one example) are hashed once: every example
    holding one still gets its hits, the same as matched on its own."""
    from ftprep.contamination.match import find, find_batch

    rows, planted = seeded(random.Random(3))
    texts = [[m["content"] for m in r["messages"]] for r in rows]
    copies = [texts[line - 1] for line in sorted(planted)[:20]]
    system = "You are a careful assistant. Answer every question step by step."
    batch = [[system, *t] for t in texts[:60]] + copies + copies + [[*c, *c] for c in copies]
    index = load_index(("bundled",), ())
    got = find_batch(index, batch, 0.05, 0.1)
    assert got == [find(index, turns, 0.05, 0.1) for turns in batch]
    assert sum(bool(h) for h in got) >= 3 * len(copies)


@pytest.mark.parametrize("length", [1, 4095, 4096, 4097, 65535, 65536, 65537, 300_001])
def test_word_prefixes_equal_the_whole_text_prefix_sums(length: int) -> None:
    """The blocked prefix sums (a block of rows at a time, only the sums at word bounds
    kept) equal the plain prefix sums over the whole text, across row and block edges."""
    from ftprep.contamination.ngrams import _global_prefixes, _prefix, _word_prefixes

    rng = np.random.default_rng(length)
    data = rng.integers(0x21, 0xFE, length).astype(np.uint8)
    data[rng.random(length) < 0.2] = 0x20
    data[0] = data[-1] = 0x61
    word = np.r_[False, data != 0x20, False].astype(np.int8)
    starts, ends = np.flatnonzero(np.diff(word) == 1), np.flatnonzero(np.diff(word) == -1)
    words = np.arange(len(starts))
    at_start, at_end, base = _global_prefixes(_word_prefixes(data, starts, ends), words, words)
    _, prefix, powers = _prefix(data.tobytes())
    assert at_start.tolist() == prefix[starts].tolist()
    assert at_end.tolist() == prefix[ends].tolist()
    assert base.tolist() == powers[starts].tolist()


def test_screened_windows_are_the_windows_passing_the_screen() -> None:
    from ftprep.contamination.ngrams import turn_grams

    rows, _ = seeded(random.Random(5))
    turns = [m["content"] for r in rows for m in r["messages"]]
    index = load_index(("bundled",), ())
    gate = (5, index.may_hold)
    hashes, turn = turn_grams(turns, index.window_sizes, 8, gate)
    passed = index.may_hold(hashes)
    screened = turn_grams(turns, index.window_sizes, 8, gate, index.may_hold)
    assert screened[0].tolist() == hashes[passed].tolist()
    assert screened[1].tolist() == turn[passed].tolist()


_ASCII_PIECES = [*map(chr, range(128)), "the", "Ducks", "16", "eggs,", "x_y", "  ", "\t\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ASCII_PIECES), max_size=40).map("".join), max_size=8))
def test_turns_folded_for_the_hashes_give_the_windows_of_the_originals(turns: list[str]) -> None:
    """ASCII turns without annotations, as normalize_text folded them (control characters
    left in, which contamination's normalisation turns into spaces), give every window
    and whole-turn hash the original turns give, turn for turn."""
    from ftprep.contamination.ngrams import turn_grams
    from ftprep.similarity.normalize import normalize_text

    turns = [re.sub("<+", "<", t) for t in turns]
    folded = [normalize_text(t) for t in turns]
    for n in (1, 2, 5):
        want = turn_grams(turns, [n, n + 3], whole_below=n + 1)
        got = turn_grams(turns, [n, n + 3], whole_below=n + 1, folded=folded)
        assert got[0].tolist() == want[0].tolist()
        assert got[1].tolist() == want[1].tolist()


#: Natural text's pieces: words in capitals, digits, ASCII and typographic punctuation,
#: annotations, CJK (with its punctuation and kana's non-word marks), accented and
#: compatibility characters NFKC and casefolding change, combining marks, a lone surrogate.
_NATURAL_PIECES = [
    *_ASCII_PIECES,
    "<<16-3=13>>",
    "<<",
    ">>",
    "Don\u2019t",
    "\u201cQuoted\u201d",
    "\u2026",
    "\u2013",
    "\u00a0",
    "\u4eba\u5de5\u667a\u80fd",
    "\uff0c",
    "\u3002",
    "\u30fb",
    "\u30ab\u309a",
    "\uac00",
    "\u00c9t\u00c9",
    "STRASSE\u00df",
    "\ufb01",
    "\u00b9\u00bd",
    "e\u0301",
    "\u0301",
    "\u0130",
    "\u03a3\u03a3",
    "\u2460",
    "\uff21\uff22",
    "\ud800",
]


def _turns_of(pieces: list[str]) -> st.SearchStrategy[list[str]]:
    """Batches of up to 8 turns, each up to 30 of ``pieces`` run together."""
    return st.lists(st.lists(st.sampled_from(pieces), max_size=30).map("".join), max_size=8)


@settings(max_examples=400, deadline=None)
@given(_turns_of(_NATURAL_PIECES))
def test_batch_words_are_the_words_of_each_turns_normalisation(turns: list[str]) -> None:
    """The batch's word buffer (turns not plain ASCII rewritten by _turn_piece, the rest
    left to the byte table) is the join of every non-empty turn's normalize(), and each
    word's turn is the turn whose normalisation holds it."""
    from ftprep.contamination.ngrams import _turn_words

    data, starts, ends, turn = _turn_words(turns)
    norms = _normalised(turns)
    assert data.tobytes() == b" ".join(filter(None, norms))
    assert _read_words(data, starts, ends, turn) == _words_by_turn(norms)


def _normalised(turns: list[str]) -> list[bytes]:
    """Each turn's normalize(), as UTF-8 (lone surrogates kept)."""
    return [normalize(t).encode("utf-8", "surrogatepass") for t in turns]


def _words_by_turn(norms: list[bytes]) -> list[tuple[int, bytes]]:
    """(turn, word) of every word of the turns' normalisations, in order."""
    return [(i, w) for i, n in enumerate(norms) if n for w in n.split(b" ")]


def _read_words(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, turn: np.ndarray
) -> list[tuple[int, bytes]]:
    """(turn, word) of every word a word buffer marks, in order."""
    raw = data.tobytes()
    return [(t, raw[s:e]) for t, s, e in zip(turn.tolist(), starts, ends, strict=True)]


#: Characters whose NFKC or casefolding changes what is a word or a CJK character: the
#: ligature and compatibility forms (fi, ff, full-width, half-width katakana, squared
#: words, Kangxi radicals, conjoining jamo composing into a Hangul syllable), the dotted
#: and dotless i, long s, Kelvin sign, j with caron, combining kana marks, the long vowel
#: mark, ideographic and other non-ASCII spaces, an emoji and a CJK character outside
#: the BMP (four UTF-8 bytes, not split), the ends of the CJK ranges (and the unified
#: ideographs among the compatibility ones, which NFKC leaves).
_FOLDING_PIECES = [
    *_NATURAL_PIECES,
    "\ufb00",
    "\uff76\uff9e",
    "\u337f",
    "\u2f00\u2f08",
    "\u1100\u1161",
    "\u0131",
    "\u017f",
    "\u212a",
    "\u01f0",
    "\u3099",
    "\u30fc",
    "\u301c",
    "\u30a0",
    "\u3000",
    "\u0085",
    "\u2028",
    "\U0001f600",
    "\U00020000",
    "\uac00\ud7af\ud7b0",
    "\u4e00\u9fff\ua000",
    "\u3040\u3400\u33ff",
    "\uf900\ufaff\ufb00",
    "\ufa0e\ufa29",
    "\uff10\u0663",
    "\u00e9",
]


@settings(max_examples=500, deadline=None)
@given(_turns_of(_FOLDING_PIECES))
def test_words_read_from_the_folded_texts_are_the_words_of_each_turns_normalisation(
    turns: list[str],
) -> None:
    """The word buffer made from the texts the hashes folded (_exact_pieces, then
    _piece_words: annotations, CJK characters and ASCII controls handled there) holds, in
    order and turn for turn, the words of each turn's normalize(), each window reading
    the bytes of that normalisation (a window's bytes are those between its first word's
    start and its last word's end)."""
    from ftprep.contamination.ngrams import _exact_pieces, _piece_words
    from ftprep.similarity.normalize import normalize_texts

    data, starts, ends, turn = _piece_words(_exact_pieces(turns, normalize_texts(turns)), turns)
    norms = _normalised(turns)
    assert _read_words(data, starts, ends, turn) == _words_by_turn(norms)
    raw = data.tobytes()
    for i, n in enumerate(norms):  # each turn's whole span is its normalisation
        mine = np.flatnonzero(turn == i)
        if len(mine):
            assert raw[starts[mine[0]] : ends[mine[-1]]] == n
    assert not len(starts) or starts[0] == 0


@settings(max_examples=300, deadline=None)
@given(_turns_of(_FOLDING_PIECES))
def test_turns_given_their_folded_texts_give_the_windows_of_the_turns_alone(
    turns: list[str],
) -> None:
    """turn_grams given the batch's folded texts gives every window and whole-turn hash,
    turn for turn, that it gives from the turns alone (the straightforward normalisation)."""
    from ftprep.contamination.ngrams import turn_grams
    from ftprep.similarity.normalize import normalize_texts

    folded = normalize_texts(turns)
    for n in (1, 2, 5):
        want = turn_grams(turns, [n, n + 3], whole_below=n + 1)
        got = turn_grams(turns, [n, n + 3], whole_below=n + 1, folded=folded)
        assert got[0].tolist() == want[0].tolist()
        assert got[1].tolist() == want[1].tolist()


def test_turns_told_apart_by_their_raw_texts_match_as_told_apart_by_themselves() -> None:
    """find_turns given the raw texts as keys (repeated turns found by them, the folded
    turns hashed) finds what it finds on the raw turns alone: planted copies repeated
    within and across examples, and copies that fold to the same text from different
    raw texts (case, punctuation), each example with its own hits."""
    from ftprep.contamination.match import find_turns
    from ftprep.similarity.normalize import normalize_text

    rows, planted = seeded(random.Random(4))
    texts = [[m["content"] for m in r["messages"]] for r in rows]
    copies = [texts[line - 1] for line in sorted(planted)[:30]]
    shouted = [[t.upper().replace(",", " ,") for t in c] for c in copies]
    system = "You are a careful assistant. Answer every question step by step."
    batch = [[system, *t] for t in texts[:80]] + copies + shouted + [[*c, *c] for c in copies]
    batch = [[c[0], c[0], *c[1:]] for c in copies[:3]] + batch  # a new turn twice in a row
    ascii = [turns for turns in batch if all(map(str.isascii, turns))]
    batch = [[re.sub("<+", "<", t) for t in turns] for turns in ascii]
    flat = [t for turns in batch for t in turns]
    counts = np.array([len(turns) for turns in batch], dtype=np.int64)
    index = load_index(("bundled",), ())
    want = find_turns(index, flat, counts, 0.05, 0.1)
    folded = [normalize_text(t) for t in flat]
    got = find_turns(index, flat, counts, 0.05, 0.1, folded=folded)
    assert got == want
    assert sum(bool(h) for h in got) >= 3 * len(copies)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ASCII_PIECES), max_size=60).map("".join), max_size=8))
def test_windows_past_a_gate_that_passes_everything_are_every_window(turns: list[str]) -> None:
    """The longer windows hashed at the gated words (all sizes at once) are, with a gate
    that passes every window, every window of every size, in the same order."""
    from ftprep.contamination.ngrams import turn_grams

    sizes = [5, 8, 9, 13]
    everything = (5, lambda h: np.ones(len(h), dtype=bool))
    want = turn_grams(turns, sizes)
    got = turn_grams(turns, sizes, gate=everything)
    assert got[0].tolist() == want[0].tolist()
    assert got[1].tolist() == want[1].tolist()


def test_screen_holds_the_bit_of_every_hash_and_no_other() -> None:
    """The index's screen, set by repeated scatters, is the bitmap of its hashes' slots
    that one ``np.bitwise_or.at`` sets (bytes named by several hashes included)."""
    from ftprep.contamination.fingerprint import SCREEN_SIZE

    index = load_index(("bundled",), ())
    slot = (index.hashes & np.uint64(SCREEN_SIZE - 1)).astype(np.int64)
    want = np.zeros(SCREEN_SIZE // 8, dtype=np.uint8)
    np.bitwise_or.at(want, slot >> 3, np.left_shift(1, slot & 7).astype(np.uint8))
    assert len(np.unique(slot >> 3)) < len(slot)  # bytes shared by several hashes
    assert np.array_equal(index.screen, want)


@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_windows_at_and_across_row_edges_equal_each_turns_own(shift: int) -> None:
    """Words of three letters and a space start every fourth byte: with ``shift`` bytes
    before them, words start exactly on a 4,096-byte row's first byte (shift 0) or just
    past it, and windows end on its last; every window equals the turn's own hashes."""
    from ftprep.contamination.ngrams import turn_grams

    rng = random.Random(shift)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(3)) for _ in range(5000)]
    turns = ["x" * shift + " " + " ".join(words[:2500]) if shift else " ".join(words[:2500]),
             " ".join(words[2500:])]  # fmt: skip
    hashes, turn = turn_grams(turns, [5, 13])
    for i, text in enumerate(turns):
        own = ngram_hashes(normalize(text), [5, 13])
        assert hashes[turn == i].tolist() == [*own[5].tolist(), *own[13].tolist()]
