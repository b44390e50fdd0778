"""Checks for the *clean* item: no errors, contradictions or low-quality examples."""

from ftprep.checks.clean import (  # noqa: F401
    contradictions,
    duplicates,
    empty,
    encoding,
    language,
    length,
    markup,
    missing_input,
    near_duplicates,
    pii,
    placeholders,
    preference,
    refusal,
    repetition,
    residue,
    schema,
    short_answer,
    target,
    tools,
    truncation,
)
