"""Canonical `report.json` writer: sorted keys, sorted lists, UTF-8, trailing newline.

A report answered from the result cache keeps the stored text it was loaded from (`remember`); while nothing
but its `run` has changed, `render` gives that text with the new `run` spliced in, the same bytes a full render
would give, without re-encoding megabytes of JSON. The text is the standard library's indented encoding, written by
audit/report/indented_json.py (the standard library's own indented encoder is pure Python: ~0.5 s for 4.5 MB).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audit.model import Report
from audit.report import indented_json
from audit.report.output import write_atomic

NAME = "json"
FILENAME = "report.json"
_HELD = "_fwaudit_json_text"  # attribute on a Report: (fingerprint, stored text)
_RUN = '\n  "run": '  # the top-level member: nested members are indented further, newlines in strings escaped


def render(report: Report) -> str:
    spliced = _spliced(report)
    return spliced if spliced is not None else "".join(_pieces(report))


def _spliced(report: Report) -> str | None:
    held = getattr(report, _HELD, None)
    if held is not None and held[0] == _fingerprint(report):
        return _with_run(held[1], report.run)
    return None


def _pieces(report: Report) -> Iterator[str]:
    """The full render, one top-level member at a time: the same text as `json.dumps(report.to_dict(), indent=2,
    sort_keys=True)` (a member's own text indented one level: strings escape their newlines), without ever
    holding the canonical form of every member at once (a 256 MiB image's report is ~50 MB of JSON)."""
    members = report.members()
    yield "{"
    for index, name in enumerate(sorted(members)):
        yield f'{"," if index else ""}\n  {_dumps(name)}: {indented_json.dumps(members[name](), 1)}'
    yield "\n}\n"


def remember(report: Report, text: str) -> None:
    """Keep `text` (a render of `report`) for `render`, tied to the report's current content outside `run`."""
    setattr(report, _HELD, (_fingerprint(report), text))


def write(report: Report, out_dir: Path) -> Path:
    spliced = _spliced(report)
    return write_atomic(out_dir / FILENAME, [spliced] if spliced is not None else _pieces(report), json_text=True)


def _dumps(value: Any) -> str:
    return indented_json.dumps(value)


def _fingerprint(report: Report) -> tuple[Any, ...]:
    """What changes when anything but `run` does: the small fields by value, the lists by identity and length."""
    small = _dumps([report.tool, report.image, report.status, report.vulnerabilities, report.verification])
    lists = tuple((id(v), len(v)) for v in (report.errors, report.chunks, report.files, report.facts, report.claims,
                                            report.hints, report.findings, report.endpoints, report.components,
                                            report.policies))
    return small, lists


def _with_run(text: str, run: dict[str, Any]) -> str | None:
    """`text` with its top-level `run` member's value replaced by `run`, indented as at that level."""
    start = text.find(_RUN)
    if start < 0:
        return None
    value = start + len(_RUN)
    end = text.find(',\n  "', value)
    end = text.rfind("\n}") if end < 0 else end
    if end < value:
        return None
    return text[:value] + indented_json.dumps(run, 1) + text[end:]
