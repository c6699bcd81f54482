"""Shared fixtures: repository paths, the built samples, the shared corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES_BUILD = Path(os.environ.get("FWAUDIT_SAMPLES", REPO / "samples" / "build"))
CORPUS = REPO.parent / "shared" / "corpus"
# Every test audits for real unless it asks for a cache itself (tests/test_cache.py): no run reuses another's
# result through the user's cache, and nothing is written to ~/.cache (CLI subprocesses inherit this).
os.environ["FWAUDIT_CACHE"] = "off"


def sample_manifests() -> list[dict]:
    """Manifests of the built samples (`make samples`); empty when they are not built."""
    out = []
    for path in sorted(SAMPLES_BUILD.glob("*.manifest.json")):
        data = json.loads(path.read_text())
        data["image_path"] = SAMPLES_BUILD / data["image"]
        out.append(data)
    return out


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    return CORPUS


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/** from the current output instead of comparing with it.")
