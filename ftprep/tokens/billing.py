"""Epochs and billed tokens the way OpenAI computes them by default.

Default epochs: 3, but kept so that examples × epochs stays within [100, 25,000]:
if n × 3 < 100 then min(25, 100 // n); if n × 3 > 25,000 then max(1, 25,000 // n).
Billed tokens: Σ min(limit, tokens per example) × epochs (over-long examples are truncated).
"""

from __future__ import annotations

import numpy as np

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_EPOCHS = 1
MAX_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """OpenAI's default number of epochs for ``n_examples`` training examples."""
    if n_examples <= 0:
        return TARGET_EPOCHS
    epochs = TARGET_EPOCHS
    if n_examples * epochs < MIN_TARGET_EXAMPLES:
        epochs = min(MAX_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    elif n_examples * epochs > MAX_TARGET_EXAMPLES:
        epochs = max(MIN_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return epochs


def billed_tokens(tokens_per_example: np.ndarray, limit: int) -> int:
    """Tokens billed for one epoch: each example counted up to the limit."""
    return int(np.minimum(tokens_per_example, limit).sum())
