"""Configuration discovery and precedence."""

from __future__ import annotations

import pytest

import ftprep
from ftprep.config import find_config_file, load_config
from ftprep.errors import ConfigError
from tests.conftest import varied_chats


def test_pyproject_tool_table_is_discovered_from_subfolder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.ftprep]\nseed = 9\nmodel = "gpt-4.1-mini"\n'
        '[tool.ftprep.checks."sufficient.count"]\nminimum = 3\n'
    )
    sub = tmp_path / "data"
    sub.mkdir()
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.seed == 9 and config.model == "gpt-4.1-mini"
    assert config.checks["sufficient.count"] == {"minimum": 3}
    assert find_config_file() == tmp_path / "pyproject.toml"


def test_pyproject_without_tool_table_is_ignored(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config().source is None


def test_options_override_config(tmp_path, write_jsonl):
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text("seed = 3\nvalidation_fraction = 0.2\n")
    report = ftprep.validate(write_jsonl(varied_chats(100)), config=cfg, seed=5)
    assert report.split.seed == 5 and report.split.validation_fraction == 0.2
    assert report.split.validation.examples == 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unknown_key = 1\n", "unknown_key"),
        ("validation_fraction = 1.5\n", "validation_fraction"),
        ('[checks."sufficient.count"]\nminimum = "many"\n', "sufficient.count.minimum"),
        ('[checks."sufficient.count"]\ntypo = 1\n', "sufficient.count.typo"),
    ],
)
def test_bad_config_names_the_setting(tmp_path, write_jsonl, text, message):
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        ftprep.validate(write_jsonl(varied_chats(5)), config=cfg)


def test_severity_override(tmp_path, write_jsonl):
    base = varied_chats(120)
    path = write_jsonl([*base, base[0]])
    cfg = tmp_path / "ftprep.toml"
    cfg.write_text('[checks."clean.exact_duplicate"]\nseverity = "error"\n')
    report = ftprep.validate(path, config=cfg)
    assert report.findings_for("clean.exact_duplicate")[0].severity == "error"
    assert report.verdict == "not_ready"
