"""Exceptions for situations where ftprep cannot go on.

Problems *in the data* are values (load errors and findings), never exceptions. These are
for "cannot proceed": an unreadable file, an unknown format, a bad option or config. The
CLI turns each into a one-line message and exit code 2.
"""

from __future__ import annotations

import re


class FtprepError(Exception):
    """Base class: a user-facing, one-line explanation of what is wrong and what to do."""


class InputError(FtprepError):
    """An input file cannot be read at all (missing, not UTF-8, unknown format...)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class ConfigError(FtprepError):
    """An option, a config file entry or a model name is invalid."""


class OutputError(FtprepError):
    """An output cannot be written (would overwrite an input, not writable...)."""


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape sequences, newlines, bidi
    overrides) written as ``\\x1b``-style escapes, so a file name or a record's text can
    never drive the terminal or split a one-line message."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
