"""Scan stage: dedup by sha256, bounded matched bytes, deterministic order, typed errors, pool == in-process."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from audit import alone, scan
from audit.scan import MAX_MATCHED_BYTES, rules_digest, scan_files
from tests.helpers.controls import record_for
from tests.helpers.fixtures import synth_bytes

HISI = {"elf": "dyn", "strings": ["HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 B030 Release", "HI_MPI_SYS_Init"]}


def _write(tmp_path: Path, name: str, data: bytes) -> tuple[Path, object]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, record_for(path, name)


def test_scans_each_unique_file_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _write(tmp_path, "b/libmpi.so", synth_bytes(HISI))
    second = _write(tmp_path, "a/copy.so", synth_bytes(HISI))
    matches, errors = scan_files([first, second])
    assert errors == []
    rules = [m.rule for m in matches if m.rule == "SOC_HiSilicon_MPP_Version_String"]
    assert rules == ["SOC_HiSilicon_MPP_Version_String"]
    hit = next(m for m in matches if m.rule == "SOC_HiSilicon_MPP_Version_String")
    assert hit.path == "a/copy.so"  # the smallest path in image holding these bytes
    assert hit.category == "soc"
    assert hit.meta["entity"] == "hisilicon"
    assert list(hit.meta)[:3] == ["id", "description", "author"]
    assert hit.strings[0].data.startswith(b"HI_VERSION=Hi3516EV200")


def test_matched_bytes_are_bounded(tmp_path: Path) -> None:
    long_line = "Linux version 4.9.37" + "x" * 30 + " (" + "b" * 70 + ") (gcc) " + "y" * 500
    item = _write(tmp_path, "kernel", synth_bytes({"elf": "none", "strings": [long_line]}))
    matches, _ = scan_files([item])
    strings = [s for m in matches for s in m.strings]
    assert strings and all(len(s.data) <= MAX_MATCHED_BYTES for s in strings)


def test_symlinks_and_unhashed_records_are_skipped(tmp_path: Path) -> None:
    path, rec = _write(tmp_path, "x.so", synth_bytes(HISI))
    link = replace(rec, kind="symlink", sha256=None, path="y.so")
    matches, errors = scan_files([(path, link)])
    assert matches == [] and errors == []


def test_unreadable_file_is_a_typed_error(tmp_path: Path) -> None:
    path, rec = _write(tmp_path, "gone.so", synth_bytes(HISI))
    path.unlink()
    matches, errors = scan_files([(path, rec)])
    assert matches == []
    assert [e.kind for e in errors] == ["scan.read"]
    assert errors[0].stage == "scan" and errors[0].path == "gone.so"


def test_bad_rules_are_a_typed_error_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "soc").mkdir()
    (tmp_path / "soc" / "broken.yar").write_text("rule broken { condition: nope }", encoding="utf-8")
    item = _write(tmp_path, "f.bin", b"data")
    matches, errors = scan_files([item], rules_dir=tmp_path)
    assert matches == [] and [e.kind for e in errors] == ["scan.compile"]
    matches, errors = scan_files([item], rules_dir=tmp_path / "empty")
    assert [e.kind for e in errors] == ["scan.rules.empty"]
    _, errors = scan_files([item], engine="clamav")
    assert [e.kind for e in errors] == ["scan.engine.unknown"]


def test_yara_python_engine_gives_the_same_matches(tmp_path: Path) -> None:
    pytest.importorskip("yara")
    item = _write(tmp_path, "libmpi.so", synth_bytes(HISI))
    by_x, _ = scan_files([item], engine="yara-x")
    by_py, errors = scan_files([item], engine="yara-python")
    assert errors == []
    assert [(m.rule, m.category) for m in by_py] == [(m.rule, m.category) for m in by_x]
    assert by_py[0].meta["id"] == by_x[0].meta["id"]


def test_pool_and_in_process_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [
        _write(tmp_path, f"f{i:03}.so", synth_bytes({**HISI, "strings": [*HISI["strings"], str(i)]})) for i in range(12)
    ]
    serial, _ = scan_files(items, jobs=1)
    monkeypatch.setattr(scan, "POOL_THRESHOLD", 4)
    pooled, errors = scan_files(items, jobs=2)
    assert errors == []
    assert pooled == serial
    assert [m.path for m in serial] == sorted(m.path for m in serial)


def test_large_files_scanned_alone_give_the_same_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_write(tmp_path, f"f{i:03}.so", synth_bytes({**HISI, "strings": [*HISI["strings"], "z" * (i * 900)]}))
             for i in range(12)]
    monkeypatch.setattr(scan, "POOL_THRESHOLD", 4)
    pooled, _ = scan_files(items, jobs=2)
    sizes = sorted(rec.size for _, rec in items)
    monkeypatch.setattr(alone, "ALONE_BYTES", sizes[8])  # the 4 largest are scanned in this process, first
    here: list[str] = []  # what this process scanned (a forked worker's appends stay in the worker)
    one = scan._scan_one
    monkeypatch.setattr(scan, "_scan_one", lambda path: here.append(path) or one(path))
    separate, errors = scan_files(items, jobs=2)
    assert errors == []
    assert sorted(Path(p).name for p in here) == [f"f{i:03}.so" for i in range(8, 12)]
    assert separate == pooled and len({m.path for m in separate}) == 12
    assert scan._WORKER == {}  # the engine was not kept in this process after its files


def test_rules_digest_tracks_rule_content(tmp_path: Path) -> None:
    (tmp_path / "soc").mkdir()
    rule = tmp_path / "soc" / "a.yar"
    rule.write_text("rule a { condition: true }", encoding="utf-8")
    first = rules_digest(tmp_path)
    assert first == rules_digest(tmp_path) and len(first) == 64
    rule.write_text("rule a { condition: false }", encoding="utf-8")
    assert rules_digest(tmp_path) != first
    assert rules_digest() != first
