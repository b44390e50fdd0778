"""``ftprep advise``: finetune, prompt engineering, RAG, or RAG + better prompts?

The decision tree, its evidence thresholds and the comparison matrix are data
(``data/tree.toml``); :func:`advise` walks the tree with the answers and adds evidence from
a dataset.
"""

from ftprep.advise.advice import Advice, Step, advise
from ftprep.advise.evidence import DatasetProfile, Evidence, answer_shape, profile_dataset
from ftprep.advise.tree import MissingAnswer, Question, Tree, all_paths, load_tree, walk

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
