"""Optional dependencies: import on first use, fail with the ``pip install`` line that fixes it.

Heavy readers (pyarrow for Parquet, openpyxl for Excel, pandas, HF datasets) are extras so a
locked-down machine that only needs JSONL never has to install them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ftprep.errors import FtprepError


class MissingDependency(FtprepError):
    """An optional package is needed for this input and is not installed."""


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise a one-line error naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"{purpose} needs the '{module.split('.')[0]}' package; "
            f"install it with: pip install 'ftprep[{extra}]'"
        ) from exc
