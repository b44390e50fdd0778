"""Configuration: thresholds are settings, never constants buried in code.

Sources, lowest precedence first: built-in defaults, ``[tool.ftprep]`` in the nearest
``pyproject.toml`` or an ``ftprep.toml`` (searched from the working directory upwards, or
given with ``--config``), then command-line options. Per-check settings live under
``checks."<check id>"`` (or nested ``[tool.ftprep.checks.clean.exact_duplicate]``) and are
validated against the check's own settings model, so a typo fails loudly.

```toml
[tool.ftprep]
model = "gpt-4.1-mini"
seed = 7
[tool.ftprep.checks."sufficient.count"]
minimum = 200
[tool.ftprep.checks."clean.exact_duplicate"]
severity = "error"
```
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ftprep.errors import ConfigError
from ftprep.loaders.readers import DEFAULT_MAX_RECORD_MB

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class Config(BaseModel):
    """Run-wide settings plus per-check settings (validated when the checks run)."""

    model_config = ConfigDict(extra="forbid")

    model: str = "gpt-4o-mini-2024-07-18"
    seed: int = 42
    validation_fraction: float = Field(0.1, gt=0, lt=1)
    strict: bool = False
    fix: bool = False
    epochs: int | None = Field(None, ge=1, description="training epochs (default: OpenAI's rule)")
    target: str | None = Field(None, description="platform to check against (--target/--to)")
    metric: str | None = Field(
        None, description="the metric you will measure improvement with (comma-separated)"
    )
    benchmarks: list[str] = Field(
        default_factory=lambda: ["bundled"],
        description="benchmark fingerprints to check against ('bundled', or .fp files)",
    )
    eval_sets: list[str] = Field(
        default_factory=list, description="your eval sets: no training example may overlap them"
    )
    eval_map: dict[str, str] = Field(
        default_factory=dict, description="--map applied when reading the eval sets"
    )
    redact: list[Literal["pii"]] = Field(
        default_factory=list,
        description="with --fix: replace what these checks find by typed placeholders",
    )
    max_record_mb: float = Field(
        DEFAULT_MAX_RECORD_MB,
        gt=0,
        le=4096,
        description="largest record (line, row, array element) read, in MiB; larger ones "
        "are load errors",
    )
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)
    source: str | None = Field(None, description="where this config was read from")
    #: The settings (as JSON) when :func:`ftprep.api.make_config` resolved them: a resolved
    #: config handed to the API again (the CLI resolves before it calls) is used as is.
    _resolved: str | None = PrivateAttr(default=None)

    @property
    def resolved(self) -> bool:
        """Whether these are settings :func:`ftprep.api.make_config` returned, unchanged."""
        return self._resolved is not None and self._resolved == self.model_dump_json()

    def mark_resolved(self) -> Config:
        """Record that these settings are resolved (only :func:`ftprep.api.make_config`)."""
        self._resolved = self.model_dump_json()
        return self

    def check_settings(self, check_id: str, model: type[BaseModel]) -> Any:
        """The validated settings object for ``check_id``."""
        try:
            return model.model_validate(self.checks.get(check_id, {}))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            where = f" (in {self.source})" if self.source else ""
            hint = ""
            if err["type"] == "extra_forbidden":
                hint = f"; {check_id} has {', '.join(sorted(model.model_fields))}"
            raise ConfigError(f"setting {check_id}.{key}: {err['msg']}{hint}{where}") from exc

    @property
    def max_record_bytes(self) -> int:
        return int(self.max_record_mb * (1 << 20))

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the non-None ``changes`` applied (CLI options). Which fields were
        set explicitly (in a file or an option) is kept: a ``--target`` picks its own model
        only when none was chosen."""
        given = {k: v for k, v in changes.items() if v is not None}
        data = {**self.model_dump(), **given}
        try:
            new = Config.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(f"option {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc
        object.__setattr__(new, "__pydantic_fields_set__", self.model_fields_set | set(given))
        return new


def _flatten_checks(table: Any) -> dict[str, dict[str, Any]]:
    """Accept both ``checks."clean.x"`` and nested ``checks.clean.x`` spellings."""
    if not isinstance(table, dict):
        raise ConfigError(
            f"checks must be a table of check settings, not {type(table).__name__} "
            '(e.g. [tool.ftprep.checks."sufficient.count"] minimum = 200)'
        )
    out: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if not isinstance(value, dict):
            raise ConfigError(f"checks.{key} must be a table of settings")
        if "." in key:
            out[key] = dict(value)
        else:
            for name, settings in value.items():
                if not isinstance(settings, dict):
                    raise ConfigError(f"checks.{key}.{name} must be a table of settings")
                out[f"{key}.{name}"] = dict(settings)
    return out


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest ``ftprep.toml``, or ``pyproject.toml`` with a ``[tool.ftprep]`` table."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "ftprep.toml"
        if candidate.is_file():
            return candidate
        py = folder / "pyproject.toml"
        if py.is_file():
            # A broken pyproject.toml is an error, not a silent "no config": it may be the
            # one meant to configure this run.
            tool = _read_toml(py).get("tool", {})
            if isinstance(tool, dict) and "ftprep" in tool:
                return py
    return None


def _read_toml(file: Path) -> dict[str, Any]:
    """Parse a TOML file; every way it can fail is a one-line ConfigError naming it."""
    try:
        return tomllib.loads(file.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: config file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(
            f"{file}: is a directory; pass the ftprep.toml or pyproject.toml"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the config file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text; save the config file as UTF-8") from exc
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc


def _section(value: Any, file: Path, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: {name} must be a table, not {type(value).__name__}")
    return value


def load_config(path: str | Path | None = None, discover: bool = True) -> Config:
    """Read the config from ``path`` (or discover it); defaults when there is none."""
    file = Path(path) if path else (find_config_file() if discover else None)
    if file is None:
        return Config()
    data = _read_toml(file)
    tool_table = data.get("tool")
    if file.name == "pyproject.toml" or (isinstance(tool_table, dict) and "ftprep" in tool_table):
        tool = _section(data.get("tool", {}), file, "tool")
        data = _section(tool.get("ftprep", {}), file, "[tool.ftprep]")
    data = dict(data)
    try:
        data["checks"] = _flatten_checks(data.get("checks", {}))
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from exc
    data["source"] = str(file)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{file}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc


def parse_value(text: str) -> Any:
    """A ``--set`` value: JSON literal when it parses (numbers, booleans, lists), else text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def apply_check_options(
    config: Config, sets: list[str], disable: list[str], known: set[str]
) -> Config:
    """Apply ``--set CHECK.PARAM=VALUE`` and ``--disable CHECK`` (or a whole item) options."""
    checks = {k: dict(v) for k, v in config.checks.items()}
    for entry in sets:
        key, sep, value = entry.partition("=")
        check_id, _, param = key.strip().rpartition(".")
        if not sep or not check_id or not param:
            raise ConfigError(
                f"--set {entry!r}: use CHECK_ID.SETTING=VALUE, "
                "e.g. --set sufficient.count.minimum=50"
            )
        if check_id not in known:
            raise ConfigError(f"--set {entry!r}: unknown check '{check_id}' (see `ftprep checks`)")
        checks.setdefault(check_id, {})[param] = parse_value(value)
    for target in disable:
        matched = [c for c in known if c == target or c.startswith(target + ".")]
        if not matched:
            raise ConfigError(f"--disable {target}: no such check or checklist item")
        for c in matched:
            checks.setdefault(c, {})["enabled"] = False
    return config.model_copy(update={"checks": checks})
