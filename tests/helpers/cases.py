"""Load tests/rule_cases.yaml and turn one case source into a file on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.controls import CONTROLS_CACHE, CORPUS
from tests.helpers.fixtures import compile_c, write_synth

CASES_FILE = Path(__file__).resolve().parents[1] / "rule_cases.yaml"


def load_cases() -> dict[str, dict[str, list[dict[str, Any]]]]:
    return yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def materialise(source: dict[str, Any], tmp_path: Path) -> Path:
    """A path for a corpus/synth/cc/fetched source; skips cleanly when its input is unavailable."""
    if "corpus" in source:
        path = CORPUS / source["corpus"]
        if not path.exists():
            pytest.skip(f"corpus file absent: {path}")
        return path
    if "fetched" in source:
        matches = sorted(CONTROLS_CACHE.glob(source["fetched"]))
        if not matches:
            pytest.skip("Debian controls not fetched (run scripts/fetch-controls.sh)")
        return matches[0]
    if "synth" in source:
        return write_synth(tmp_path, source["synth"])
    if "cc" in source:
        return compile_c(tmp_path, source["cc"])
    raise ValueError(f"unknown case source {source!r}")


def case_params(kind: str) -> list[Any]:
    """pytest params (rule, source) for every positive or negative source that is not a control set."""
    return [
        pytest.param(rule, src, id=f"{rule}-{kind}{i}")
        for rule, case in sorted(load_cases().items())
        for i, src in enumerate(case.get(kind, []))
        if "controls" not in src
    ]
