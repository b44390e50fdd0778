"""Masking for anything a report quotes from the data.

Reports go into CI logs, pull requests and tickets; data may be medical or financial. Any
text a check quotes (a system prompt excerpt, a label, a JSON key) goes through
:func:`excerpt` or :func:`mask_text`, which replace every detected PII value with its masked
form *before* shortening, so a cut can never leave a partial clear value behind.
"""

from __future__ import annotations

import re

from ftprep.pii.detectors import CATEGORIES, mask_pii

_SPACE = re.compile(r"\s+")


def mask_text(text: str) -> str:
    """``text`` with every PII value masked (``j***@e***.com``, ``***-**-6789``, ...)."""
    return mask_pii(text, CATEGORIES)


def excerpt(text: str, limit: int = 120) -> str:
    """A one-line, PII-masked excerpt of at most ``limit`` characters (``…`` when cut)."""
    flat = _SPACE.sub(" ", mask_text(text)).strip()
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"


__all__ = ["excerpt", "mask_text"]
