"""Checks for the *consistent* item: same format, style and quality throughout."""

from ftprep.checks.consistent import (  # noqa: F401
    conversation_shape,
    length_outliers,
    output_format,
    requests,
    system_prompts,
    whitespace,
)
