"""The HTML report in a real headless Chromium: it loads from disk with no console errors
and no network requests, hostile text stays text, and a screenshot is taken.

Skipped when no Chromium is installed (``.ci/install-browser.sh`` installs Debian's). The
browser is driven over ``--remote-debugging-pipe`` (see tests/cdp.py), so no socket is
opened and pytest-socket stays on. ``FTPREP_UPDATE_SCREENSHOT=1`` also copies the
screenshot of the sample report to docs/report.png (never done silently).
"""

from __future__ import annotations

import os
import shutil
import struct

import pytest

import ftprep
from ftprep.report.html import render_html
from tests import reports
from tests.cdp import Browser, find_chromium
from tests.conftest import REPO, SAMPLE_DATA

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (run .ci/install-browser.sh)"
)


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def browser(tmp_path):
    with Browser(CHROMIUM, tmp_path / "profile") as b:
        yield b


def test_hostile_report_loads_offline_without_errors(tmp_path, browser):
    data = reports.write_defects(tmp_path / "d.jsonl")
    report = reports.enrich(reports.split_report(data, tmp_path / "out"))
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.errors() == []
    assert browser.requests() == [page.as_uri()]
    assert browser.evaluate("document.scripts.length") == 0
    assert browser.evaluate("document.querySelectorAll('svg').length") == 4
    text = browser.evaluate("document.body.innerText")
    assert f"text: {reports.HOSTILE}" in text
    assert "Not ready" in text
    shot = tmp_path / "shot.png"
    browser.screenshot(shot, height=1200)
    assert _png_size(shot) == (1280, 1200)


def test_screenshot_of_sample_report(tmp_path, browser, monkeypatch):
    sample = SAMPLE_DATA / "clinical_coding.jsonl"
    monkeypatch.chdir(tmp_path)  # relative paths in the report, as a user would type them
    if sample.exists():
        # the README's first command, exactly: the screenshot shows that run
        (tmp_path / "sample_data").mkdir()
        shutil.copyfile(sample, tmp_path / "sample_data" / sample.name)
        ftprep.split(f"sample_data/{sample.name}", "prepared", fix=True)
    else:
        reports.split_report(reports.write_defects(tmp_path / "data.jsonl", 600), "prepared")
    url = (tmp_path / "prepared" / "report.html").as_uri()
    browser.open(url)
    assert browser.errors() == []
    assert browser.requests() == [url]
    shot = tmp_path / "report.png"
    browser.screenshot(shot, height=2200)
    assert _png_size(shot)[0] == 1280
    if os.environ.get("FTPREP_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, REPO / "docs" / "report.png")
