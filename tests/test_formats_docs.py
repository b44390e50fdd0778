"""The examples in docs/formats.md load, and those in docs/targets.md pass their profile."""

from __future__ import annotations

import json
import re

import pytest

import ftprep
from ftprep.loaders import FORMATS, LoadOptions
from ftprep.loaders.registry import detect_format
from ftprep.schema import SourceLocation
from ftprep.targets import TARGETS
from tests.conftest import REPO

LOC = SourceLocation(source="doc", line=1)


def _json_blocks(text: str) -> list[str]:
    return re.findall(r"```json\n(.*?)```", text, flags=re.S)


def test_every_input_example_loads_without_errors():
    text = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    lines = [line for block in _json_blocks(text) for line in block.splitlines() if line]
    assert len(lines) >= 15
    seen = set()
    for line in lines:
        value = json.loads(line)
        fmt = detect_format(value)
        assert fmt is not None, line
        seen.add(fmt)
        result = FORMATS[fmt].adapt(value, LOC, LoadOptions())
        assert not isinstance(result, ftprep.LoadError), (line, result)
    assert {
        "chat",
        "prompt_completion",
        "alpaca",
        "sharegpt",
        "gemini",
        "bedrock",
        "dpo",
        "chat_preference",
        "trl_preference",
        "sharegpt_preference",
        "alpaca_preference",
        "llamafactory_v1",
        "llamafactory_v1_preference",
        "text",
    } <= seen


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_output_example_passes_its_profile(name):
    text = (REPO / "docs" / "targets.md").read_text(encoding="utf-8")
    section = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
    lines = [line for block in _json_blocks(section) for line in block.splitlines() if line]
    assert lines, name
    for line in lines:
        issues = TARGETS[name].check(json.loads(line))
        assert [i for i in issues if i.confirmed and i.rule != "tools"] == [], (name, issues)
