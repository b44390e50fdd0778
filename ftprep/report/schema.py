"""The JSON Schema of report.json, generated from the pydantic :class:`Report` model.

``python -m ftprep.report.schema > docs/report.schema.json`` writes the published copy; a
test fails when the model and that file differ, so a change to the report's shape cannot
ship unnoticed: regenerate the file, and bump ``SCHEMA_VERSION`` in report/model.py when the
change removes a field or changes a meaning (tools reading report.json key off it).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ftprep.report.model import SCHEMA_VERSION, Report

SCHEMA_ID = f"urn:ftprep:report-schema:v{SCHEMA_VERSION}"


def report_json_schema() -> dict[str, Any]:
    """The schema as a dict (draft 2020-12, pydantic's validation mode)."""
    schema = Report.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "ftprep readiness report (report.json)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    """The file's text: stable key order, two-space indent, newline-terminated."""
    return json.dumps(report_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(schema_text())
