"""Checks for the *clean* item: no errors, contradictions or low-quality examples."""

from ftprep.checks.clean import (  # noqa: F401
    duplicates,
    empty,
    length,
    near_duplicates,
    preference,
    schema,
    target,
    tools,
)
