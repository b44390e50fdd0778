"""ftprep: get data ready for finetuning.

Normalize raw examples to chat-format JSONL, check them against the data-preparation
checklist (sufficient, diverse, consistent, clean, split, evaluated), and write a
leakage-free train/validation split with a readiness report.

    >>> import ftprep
    >>> report = ftprep.validate("data.jsonl")
    >>> report.verdict
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ftprep.version import __version__

if TYPE_CHECKING:
    from ftprep.api import advise, convert, cost, evaluate, fix, load, split, validate
    from ftprep.config import Config, load_config
    from ftprep.frames import from_frame, to_frame
    from ftprep.loaders.memory import from_records
    from ftprep.report.model import Finding, Report
    from ftprep.schema import ChatExample, LoadError, Message, PreferenceExample, SourceLocation


#: Public names and the module each lives in. They are imported on first use (PEP 562), so
#: ``import ftprep`` and ``ftprep --help`` do not pay for numpy, pydantic or the checks.
_EXPORTS = {
    "advise": "ftprep.api",
    "convert": "ftprep.api",
    "cost": "ftprep.api",
    "evaluate": "ftprep.api",
    "fix": "ftprep.api",
    "load": "ftprep.api",
    "split": "ftprep.api",
    "validate": "ftprep.api",
    "Config": "ftprep.config",
    "load_config": "ftprep.config",
    "from_frame": "ftprep.frames",
    "to_frame": "ftprep.frames",
    "from_records": "ftprep.loaders.memory",
    "Finding": "ftprep.report.model",
    "Report": "ftprep.report.model",
    "ChatExample": "ftprep.schema",
    "LoadError": "ftprep.schema",
    "Message": "ftprep.schema",
    "PreferenceExample": "ftprep.schema",
    "SourceLocation": "ftprep.schema",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ftprep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def _api_function(name: str) -> property:
    """A package attribute that is always the API function ``name``, whatever the import
    system assigns when the subpackage of the same name is imported."""

    def get(self: types.ModuleType) -> Any:
        return getattr(importlib.import_module("ftprep.api"), name)

    def set_(self: types.ModuleType, value: Any) -> None:
        if not isinstance(value, types.ModuleType):
            raise AttributeError(f"ftprep.{name} is the API function; it cannot be replaced")

    return property(get, set_)


class _Root(types.ModuleType):
    """The package module, with ``split`` and ``advise`` always the API functions.

    ``ftprep.split`` names both :func:`ftprep.api.split` and the ``ftprep.split`` subpackage
    (``ftprep.advise`` likewise); importing the subpackage sets the attribute on its parent.
    With the API imported lazily that would leave the module in place, so the attribute is
    a property that ignores the import system's assignment.
    """

    split = _api_function("split")
    advise = _api_function("advise")


sys.modules[__name__].__class__ = _Root


__all__ = [
    "ChatExample",
    "Config",
    "Finding",
    "LoadError",
    "Message",
    "PreferenceExample",
    "Report",
    "SourceLocation",
    "__version__",
    "advise",
    "convert",
    "cost",
    "evaluate",
    "fix",
    "from_frame",
    "from_records",
    "load",
    "load_config",
    "split",
    "to_frame",
    "validate",
]
