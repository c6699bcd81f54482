"""A report answered from the cache renders as its stored text with the new `run` spliced in: the same bytes as
a full render, and a full render again as soon as anything else in the report changed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from audit.load import report_from_dict
from audit.report import json_report
from tests.conftest import REPO

GOLDEN = sorted((REPO / "tests" / "golden").rglob("*.json"))


def _full(report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _reports() -> list[tuple[Path, str]]:
    out = []
    for path in GOLDEN:
        text = path.read_text(encoding="utf-8")
        if '"schema": "fwaudit/report/v1"' in text:
            out.append((path, text))
    if not out:
        pytest.skip("no golden report.json")
    return out


RUNS = [{}, {"cache": "hit", "duration_s": 0.25, "config": {"formats": ["json"], "policy_files": []}},
        {"started": "2026-12-02T00:00:00+00:00", "odd": "quote \" newline \n tab \t \u00e9 \u2028",
         "list": [1, [], {}]}]


@pytest.mark.parametrize("run", RUNS)
def test_the_spliced_render_is_the_full_render(run: dict) -> None:
    for path, text in _reports():
        report = report_from_dict(json.loads(text), str(path))
        stored = _full(report)
        json_report.remember(report, stored)
        report.run = run
        assert json_report.render(report) == _full(report), path.name


def test_a_changed_report_is_rendered_in_full() -> None:
    path, text = _reports()[0]
    report = report_from_dict(json.loads(text), str(path))
    json_report.remember(report, "stale text that must never be written\n")
    report.image = {**report.image, "name": "other.bin"}
    assert json_report.render(report) == _full(report)
    again = report_from_dict(json.loads(text), str(path))
    json_report.remember(again, "stale\n")
    again.endpoints.append({"host": "added.example", "kind": "domain"})
    assert json_report.render(again) == _full(again)
    copy = dataclasses.replace(again)  # a baseline view is a new object: it carries no stored text
    assert json_report.render(copy) == _full(copy)
