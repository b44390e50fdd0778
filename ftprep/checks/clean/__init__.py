"""Checks for the *clean* item: no errors, contradictions or low-quality examples."""

from ftprep.checks.clean import duplicates, empty, length, schema  # noqa: F401
