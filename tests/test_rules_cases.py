"""Every YARA rule against its paired cases (tests/rule_cases.yaml) and against the Debian controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.attribute import evidence_from_matches
from audit.knowledge import load_knowledge
from audit.model import RuleMatch
from audit.scan import scan_files
from tests.helpers.cases import case_params, load_cases, materialise
from tests.helpers.controls import SOURCES, control_files, fetched_controls_present, record_for

KB = load_knowledge()


def _scan(path: Path) -> list[RuleMatch]:
    matches, errors = scan_files([(path, record_for(path, path.name))])
    assert errors == []
    return matches


@pytest.mark.parametrize(("rule", "source"), case_params("positive"))
def test_rule_matches_its_positive(rule: str, source: dict[str, Any], tmp_path: Path) -> None:
    matches = [m for m in _scan(materialise(source, tmp_path)) if m.rule == rule]
    assert matches, f"{rule} did not match {source}"
    if "detail" in source:
        items = evidence_from_matches(matches, {}, KB)
        assert [i.detail for i in items] == [str(source["detail"])]
        assert all(len(i.evidence.matched) <= 128 for i in items)


@pytest.mark.parametrize(("rule", "source"), case_params("negative"))
def test_rule_ignores_its_negative(rule: str, source: dict[str, Any], tmp_path: Path) -> None:
    rules = {m.rule for m in _scan(materialise(source, tmp_path))}
    assert rule not in rules


@pytest.fixture(scope="session")
def control_hits() -> dict[str, dict[str, list[str]]]:
    """Per control set: rule -> files it matched (one scan of every control file)."""
    hits: dict[str, dict[str, list[str]]] = {}
    for name in SOURCES:
        files = control_files(name)
        matches, errors = scan_files([(p, record_for(p)) for p in files], jobs=2)
        assert errors == []
        per_rule: dict[str, list[str]] = {}
        for m in matches:
            per_rule.setdefault(m.rule, []).append(m.path)
        hits[name] = per_rule
    return hits


CONTROL_PARAMS = [
    pytest.param(rule, ctl, id=f"{rule}-{ctl}")
    for rule, case in sorted(load_cases().items())
    for src in case.get("negative", [])
    for ctl in src.get("controls", [])
]


@pytest.mark.slow
@pytest.mark.parametrize(("rule", "control"), CONTROL_PARAMS)
def test_rule_silent_on_debian_controls(rule: str, control: str, control_hits: dict) -> None:
    if control == "debian-fetched" and not fetched_controls_present():
        pytest.skip("Debian controls not fetched (run scripts/fetch-controls.sh)")
    if control == "debian-host" and not control_files("debian-host"):
        pytest.skip("no host binaries")
    assert control_hits[control].get(rule, []) == []


def test_controls_are_real_binaries() -> None:
    """The negative sets are not vacuous: the host and cross libc sets hold ELF files."""
    assert len(control_files("debian-host")) > 100
    assert len(control_files("debian-cross")) > 10
