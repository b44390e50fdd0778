"""Checks for the *clean* item: no errors, contradictions or low-quality examples."""

from ftprep.checks.clean import (  # noqa: F401
    contradictions,
    duplicates,
    empty,
    encoding,
    length,
    markup,
    near_duplicates,
    pii,
    placeholders,
    preference,
    refusal,
    repetition,
    schema,
    short_answer,
    target,
    tools,
    truncation,
    unreadable,
)
