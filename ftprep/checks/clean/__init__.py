"""Checks for the *clean* item: no errors, contradictions or low-quality examples."""

from ftprep.checks.clean import duplicates, empty, length, near_duplicates, schema  # noqa: F401
