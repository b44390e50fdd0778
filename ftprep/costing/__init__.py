"""What finetuning costs: the training bill for a dataset (every report's ``stats.cost``) and
the monthly comparison of a current model with a finetuned smaller one (``ftprep cost``).

Prices, dates and sources come from the model registry (:mod:`ftprep.tokens.models`); nothing
here hard-codes a price.
"""

from ftprep.costing.lifecycle import LifecycleNote, lifecycle_notes, today
from ftprep.costing.scale import Comparison, Usage, break_even_months, compare, cost_comparison
from ftprep.costing.training import TrainingEstimate, estimate_training, training_cost

__all__ = [
    "Comparison",
    "LifecycleNote",
    "TrainingEstimate",
    "Usage",
    "break_even_months",
    "compare",
    "cost_comparison",
    "estimate_training",
    "lifecycle_notes",
    "today",
    "training_cost",
]
