"""Compiled rules built at setup (audit/rules_prebuilt.py): used only when engine, version and rules digest all
match, scanned exactly like freshly compiled rules, and a damaged file is never trusted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yara_x

from audit import rules_prebuilt, scan
from tests.conftest import SAMPLES_BUILD


def _matches(blob: bytes, data: bytes) -> list[str]:
    rules = yara_x.Rules.deserialize_from(io.BytesIO(blob))
    return sorted(f"{r.namespace}:{r.identifier}" for r in yara_x.Scanner(rules).scan(data).matching_rules)


def _sample_bytes() -> bytes:
    images = sorted(SAMPLES_BUILD.glob("*.bin"))
    if not images:
        pytest.fail("samples are not built: run `make samples`")
    return b"".join(p.read_bytes()[:4 << 20] for p in images[:3])


@pytest.fixture
def prebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(rules_prebuilt, "PREBUILT_DIR", tmp_path / "prebuilt")
    scan._compile_cached.cache_clear()
    yield tmp_path / "prebuilt"
    scan._compile_cached.cache_clear()


def test_built_rules_are_named_by_engine_version_and_digest_and_scan_the_same(prebuilt: Path) -> None:
    written = rules_prebuilt.build()
    digest = scan.rules_digest()
    names = {p.name for p in written}
    assert any(n.startswith("yara-x-") and n.endswith(f"-{digest}.bin") for n in names), names
    assert rules_prebuilt.read("yara-x", digest) == (prebuilt / next(n for n in names if "yara-x" in n)).read_bytes()
    assert rules_prebuilt.read("yara-x", "0" * 64) is None  # other rules: compiled, never this file
    data = _sample_bytes()
    used = scan.compile_rules()
    assert used == rules_prebuilt.read("yara-x", digest)  # the run took the stored file
    assert _matches(used, data) == _matches(scan.compile_fresh(), data)
    assert _matches(used, data)  # the samples do match rules: the comparison means something


def test_a_damaged_prebuilt_file_is_compiled_over(prebuilt: Path) -> None:
    digest = scan.rules_digest()
    target = rules_prebuilt.path_for("yara-x", digest)
    assert target is not None
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not compiled rules" * 100)
    blob = scan.compile_rules()
    assert blob != target.read_bytes()
    data = _sample_bytes()
    assert _matches(blob, data) == _matches(scan.compile_fresh(), data)


def test_an_old_build_is_removed_when_rebuilt(prebuilt: Path) -> None:
    prebuilt.mkdir()
    stale = prebuilt / "yara-x-0.0.1-deadbeef.bin"
    stale.write_bytes(b"old")
    rules_prebuilt.build()
    assert not stale.exists()
