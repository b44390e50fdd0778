"""ftprep: get data ready for finetuning.

Normalize raw examples to chat-format JSONL, check them against the data-preparation
checklist (sufficient, diverse, consistent, clean, split, evaluated), and write a
leakage-free train/validation split with a readiness report.

    >>> import ftprep
    >>> report = ftprep.validate("data.jsonl")
    >>> report.verdict
"""

__version__ = "0.1.0"

from ftprep.api import convert, evaluate, fix, load, split, validate
from ftprep.config import Config, load_config
from ftprep.frames import from_frame, to_frame
from ftprep.loaders.memory import from_records
from ftprep.report.model import Finding, Report
from ftprep.schema import (
    ChatExample,
    LoadError,
    Message,
    PreferenceExample,
    SourceLocation,
)

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
    "convert",
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
