"""Token counts equal tiktoken's encodings under OpenAI's chat counting rules, offline."""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import resources

import pytest

import ftprep
from ftprep.errors import ConfigError
from ftprep.tokens.billing import default_epochs
from ftprep.tokens.counting import count_messages
from ftprep.tokens.encodings import BUNDLED, get_encoding, parse_ranks
from ftprep.tokens.models import resolve_model
from tests.conftest import chat


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_encodings_match_published_hashes(name):
    blob = resources.files("ftprep.tokens").joinpath("data", f"{name}.tiktoken.gz").read_bytes()
    assert hashlib.sha256(gzip.decompress(blob)).hexdigest() == BUNDLED[name]


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_ranks_are_numbered_line_by_line(name):
    # What lets the bundled files be read with in_order=True: the same ranks as parsed.
    blob = resources.files("ftprep.tokens").joinpath("data", f"{name}.tiktoken.gz").read_bytes()
    data = gzip.decompress(blob)
    assert parse_ranks(data, in_order=True) == parse_ranks(data)


def test_encodings_load_offline_and_tokenize_known_text():
    # Sockets are disabled in tests: this would fail if tiktoken tried to download.
    assert get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert get_encoding("o200k_base").encode("hello world") == [24912, 2375]


def test_unknown_encoding_is_a_config_error():
    with pytest.raises(ConfigError, match="never downloads"):
        get_encoding("p50k_base")


def test_local_rank_file(tmp_path):
    import base64

    ranks = [bytes([b]) for b in range(256)]
    path = tmp_path / "tiny.tiktoken"
    path.write_bytes(b"".join(base64.b64encode(t) + b" %d\n" % i for i, t in enumerate(ranks)))
    enc = get_encoding(str(path))
    assert enc.encode_ordinary("abc") == [97, 98, 99]
    assert parse_ranks(path.read_bytes())[b"a"] == 97


def manual_count(messages, enc) -> int:
    """OpenAI cookbook rule, written out independently."""
    total = 3
    for m in messages:
        total += 3
        for key, value in m.items():
            if key == "weight":
                continue
            if key == "tool_calls":
                total += sum(
                    len(enc.encode(json.dumps(c["function"], sort_keys=True))) for c in value
                )
                continue
            total += len(enc.encode(value))
            if key == "name":
                total += 1
    return total


REAL = [
    [
        {"role": "system", "content": "You are a meticulous clinical coder. Answer in JSON."},
        {
            "role": "user",
            "content": "Pt is a 67 y/o M w/ T2DM, HTN; presents with cellulitis of "
            "the right lower leg. Started on cephalexin 500 mg QID.",
        },
        {"role": "assistant", "content": '{"codes": ["L03.115", "E11.9", "I10"]}'},
    ],
    [
        {"role": "user", "content": "Wie spät ist es in Zürich? 🕰️", "name": "hans"},
        {"role": "assistant", "content": "Es ist 14:05 Uhr.", "weight": 0},
        {"role": "user", "content": "Danke!"},
        {"role": "assistant", "content": "Gern geschehen."},
    ],
    [
        {"role": "user", "content": "Weather in Oslo?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "content": '{"temp_c": 3}', "tool_call_id": "call_1"},
        {"role": "assistant", "content": "It is 3 °C in Oslo."},
    ],
]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("messages", REAL)
def test_chat_counts_follow_openai_rules(messages, encoding):
    enc = get_encoding(encoding)
    assert count_messages(messages, enc) == manual_count(messages, enc)


def test_report_token_stats_honour_weight_and_model(write_jsonl):
    path = write_jsonl([{"messages": m} for m in REAL])
    report = ftprep.validate(path, model="gpt-3.5-turbo")
    enc = get_encoding("cl100k_base")
    tokens = report.stats["tokens"]
    assert tokens["encoding"] == "cl100k_base" and tokens["limit"] == 16385
    assert tokens["total"] == sum(manual_count(m, enc) for m in REAL)
    weighted_out = len(enc.encode("Es ist 14:05 Uhr."))
    trained_all = sum(
        len(enc.encode(m.get("content") or ""))
        for conv in REAL
        for m in conv
        if m["role"] == "assistant"
    )
    calls = len(enc.encode(json.dumps(REAL[2][1]["tool_calls"][0]["function"], sort_keys=True)))
    assert tokens["trained"] == trained_all - weighted_out + calls


def test_over_limit_examples_are_errors(write_jsonl):
    long = "word " * 20000
    path = write_jsonl([chat("short", "ok"), chat(long, "ok")])
    report = ftprep.validate(path, model="gpt-3.5-turbo")
    finding = report.findings_for("clean.over_token_limit")[0]
    assert finding.severity == "error" and [loc.line for loc in finding.locations] == [2]


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (1, 25),
        (3, 25),
        (10, 10),
        (33, 3),
        (34, 3),
        (100, 3),
        (8333, 3),
        (8334, 2),
        (12500, 2),
        (12501, 1),
        (100000, 1),
    ],
)
def test_default_epochs(n, epochs):
    assert default_epochs(n) == epochs


def test_model_aliases_and_overrides():
    assert resolve_model("gpt-4o-mini").id == "gpt-4o-mini-2024-07-18"
    custom = resolve_model(
        "my-llama",
        {"my-llama": {"provider": "local", "encoding": "o200k_base", "max_example_tokens": 4096}},
    )
    assert custom.max_example_tokens == 4096
    with pytest.raises(ConfigError, match="unknown model 'nope'"):
        resolve_model("nope")
