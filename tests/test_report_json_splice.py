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


def test_the_piecewise_render_is_json_dumps_of_the_whole_report() -> None:
    """`render` encodes one top-level member at a time (audit/report/json_report.py): the same bytes as one dumps
    of the canonical form, for every golden report and for one holding awkward text in every kind of member."""
    for path, text in _reports():
        report = report_from_dict(json.loads(text), str(path))
        assert json_report.render(report) == _full(report), path.name
    report = report_from_dict(json.loads(_reports()[0][1]), "odd")
    report.run = {"odd": "quote \" newline \n tab \t \u00e9 \u2028", "empty": {}, "list": []}
    report.image = {**report.image, "name": "a\nb\u00e9.bin"}
    report.verification = {"nested": {"deep": ["x\ny", {}]}}
    assert json_report.render(report) == _full(report)


def test_the_written_file_is_the_render_with_surrogates_escaped(tmp_path: Path) -> None:
    from audit.names import escape_name
    from audit.report import output

    path, text = _reports()[0]
    report = report_from_dict(json.loads(text), str(path))
    report.image = {**report.image, "name": "raw\udcff\udc80name.bin"}  # undecodable bytes of a file name
    old = output.SLICE
    try:
        output.SLICE = 7  # slices that cut the text everywhere, also right beside the escaped characters
        written = json_report.write(report, tmp_path).read_bytes()
    finally:
        output.SLICE = old
    assert written == escape_name(_full(report), "\\\\").encode("utf-8")
    assert json.loads(written)["image"]["name"] == "raw\\xff\\x80name.bin"  # valid JSON: the escape reads back
