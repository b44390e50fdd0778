"""Model lifecycle: the dates a model stops taking finetuning jobs or shuts down, relative
to today.

A cost estimate for a model that can no longer be trained is worse than none: it invites a
team to prepare data for a job they cannot run. OpenAI stops new self-serve finetuning jobs on
2027-01-06 and shuts several base models (and their finetunes) down, so every report that
names such a model says so, and warns once a date has passed.

"Today" is ``datetime.date.today()`` unless the environment sets ``FTPREP_TODAY=YYYY-MM-DD``
(for reproducible reports in CI, and for tests); library functions also take ``today=``.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Literal

from pydantic import BaseModel

from ftprep.errors import ConfigError
from ftprep.tokens.models import ModelInfo

TODAY_ENV = "FTPREP_TODAY"


def today() -> date:
    """Today's date, or the date in ``FTPREP_TODAY`` when it is set."""
    value = os.environ.get(TODAY_ENV)
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{TODAY_ENV}={value!r}: use a date like 2026-11-25") from None


class LifecycleNote(BaseModel):
    """One dated fact about a model: a ``warning`` once it has passed, else a ``note``."""

    level: Literal["warning", "note"]
    code: Literal["model_shut_down", "training_stopped", "training_stops", "shutdown_scheduled"]
    date: date
    message: str


def lifecycle_notes(
    model: ModelInfo, on: date | None = None, flag: str = "--model"
) -> list[LifecycleNote]:
    """What the model's lifecycle dates mean on ``on`` (default: today); ``flag`` is the
    option that picks another model where the note is shown."""
    now = on or today()
    who = model.provider_name or model.provider
    notes: list[LifecycleNote] = []
    if model.shutdown and model.shutdown <= now:
        notes.append(
            LifecycleNote(
                level="warning",
                code="model_shut_down",
                date=model.shutdown,
                message=f"{model.id} was shut down on {model.shutdown}: it can no longer be "
                f"finetuned or served; choose another model with {flag}",
            )
        )
        return notes
    if model.training_stops:
        if model.training_stops <= now:
            notes.append(
                LifecycleNote(
                    level="warning",
                    code="training_stopped",
                    date=model.training_stops,
                    message=f"{who} stopped accepting new finetuning jobs on "
                    f"{model.training_stops}; this estimate is for a job you cannot start there",
                )
            )
        else:
            notes.append(
                LifecycleNote(
                    level="note",
                    code="training_stops",
                    date=model.training_stops,
                    message=f"{who} stops new finetuning jobs on {model.training_stops}",
                )
            )
    if model.shutdown:
        notes.append(
            LifecycleNote(
                level="note",
                code="shutdown_scheduled",
                date=model.shutdown,
                message=f"{model.id} and the finetunes built on it shut down on {model.shutdown}",
            )
        )
    return notes
