"""``ftprep advise``: finetune, prompt engineering, RAG, or RAG + better prompts?

The decision tree, its evidence thresholds and the comparison matrix are data
(``data/tree.toml``); :func:`advise` walks the tree with the answers and adds evidence from
a dataset.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ftprep.advise.advice import Advice, Step, advise
    from ftprep.advise.evidence import DatasetProfile, Evidence, answer_shape, profile_dataset
    from ftprep.advise.tree import MissingAnswer, Question, Tree, all_paths, load_tree, walk

#: Where each public name lives; imported on first use, so the CLI can read the tree (for
#: its options) without importing the dataset evidence (numpy, the loaders).
_EXPORTS = {
    **dict.fromkeys(("Advice", "Step", "advise"), "ftprep.advise.advice"),
    **dict.fromkeys(
        ("DatasetProfile", "Evidence", "answer_shape", "profile_dataset"), "ftprep.advise.evidence"
    ),
    **dict.fromkeys(
        ("MissingAnswer", "Question", "Tree", "all_paths", "load_tree", "walk"),
        "ftprep.advise.tree",
    ),
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ftprep.advise' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Advice",
    "DatasetProfile",
    "Evidence",
    "MissingAnswer",
    "Question",
    "Step",
    "Tree",
    "advise",
    "all_paths",
    "answer_shape",
    "load_tree",
    "profile_dataset",
    "walk",
]
