"""docs/report.schema.json is the model's schema; drift without a schema_version bump fails."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ftprep.report.model import SCHEMA_VERSION
from ftprep.report.schema import report_json_schema
from tests import reports
from tests.conftest import REPO

PUBLISHED = REPO / "docs" / "report.schema.json"


def test_published_schema_matches_model():
    published = json.loads(PUBLISHED.read_text("utf-8"))
    version = published["properties"]["schema_version"]["const"]
    if published != report_json_schema():
        if version == SCHEMA_VERSION:
            pytest.fail(
                "the Report model changed but docs/report.schema.json did not: regenerate it "
                "with `python -m ftprep.report.schema > docs/report.schema.json`, and bump "
                "SCHEMA_VERSION in ftprep/report/model.py if the change removes a field or "
                "changes a meaning"
            )
        pytest.fail("docs/report.schema.json is stale: regenerate it")
    assert version == SCHEMA_VERSION


def test_real_report_json_validates(tmp_path):
    report = reports.split_report(reports.write_defects(tmp_path / "d.jsonl"), tmp_path / "out")
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    schema = json.loads(PUBLISHED.read_text("utf-8"))
    jsonschema.validate(data, schema)
    assert data["stats"]["distributions"]["tokens"]["limit"] == reports.TOKEN_LIMIT
    bad = {**data, "verdict": "maybe"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert report.schema_version == SCHEMA_VERSION
