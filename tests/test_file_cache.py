"""The per-file cache (audit/file_cache.py, audit/cache_codec.py): the next version of a sample reuses the files
it shares with the last one and its report is byte for byte the uncached report (outside `run`); stored paths
are re-bound, never leaked; damaged entries, a tiny cap and a rules change are safe; the codec never builds
anything it does not know."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from audit import cache_codec
from audit.cache import ResultCache
from audit.file_cache import FileMemo, memoised, offset_free
from audit.model import AuditConfig, AuditError, Fact
from audit.pipeline import run
from audit.report import json_report
from tests.conftest import REPO, SAMPLES_BUILD

SAMPLE = SAMPLES_BUILD / "ingenic-cam.bin"


def _next_version(tmp_path: Path) -> Path:
    """The sample renamed and grown by a flash erase block: a new image sha256, the same partitions."""
    if not SAMPLE.is_file():
        pytest.fail("samples are not built: run `make samples`")
    image = tmp_path / "ingenic-cam-v2.bin"
    image.write_bytes(SAMPLE.read_bytes() + b"\xff" * 0x10000)
    return image


def _report(image: Path, cache: Path | None, **extra: object) -> tuple[str, dict]:
    report = run(AuditConfig(image=image, cache=cache, jobs=1, **extra))  # type: ignore[arg-type]
    meta, report.run = report.run, {}
    return json_report.render(report), meta


def test_next_version_reuses_shared_files_with_an_identical_report(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    _, first = _report(SAMPLE, cache)
    assert first["file_cache"]["hits"] == 0 and first["file_cache"]["misses"] > 0
    image = _next_version(tmp_path)
    plain, off = _report(image, None)
    cached, meta = _report(image, cache)
    assert off["cache"] == "off" and "file_cache" not in off
    assert meta["cache"] == "miss"  # a different image: no whole-report hit, per-file reuse only
    counts = meta["file_cache"]
    assert counts["hits"] > 3 * counts["misses"], counts  # only the grown top-level pieces are new
    assert first["file_cache"]["unblob_replayed"] == 0 and counts["unblob_replayed"] > 0, counts  # unblob's
    # types and leaf outcomes replayed (audit/unpack/search_memo.py), the report unchanged
    assert cached == plain


def test_damaged_entries_and_a_tiny_cap_change_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    plain, _ = _report(SAMPLE, None)
    _report(SAMPLE, cache, keep=True)  # keep: no whole-report cache, per-file results stored
    with sqlite3.connect(cache) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        assert rows > 0
        conn.execute("UPDATE files SET value = '{\"paths\": [], \"value\": \"[\"}' WHERE rowid % 2 = 0")
        conn.execute("UPDATE files SET value = 'not json' WHERE rowid % 3 = 0")
    damaged, meta = _report(SAMPLE, cache, keep=True)
    assert damaged == plain and meta["file_cache"]["misses"] > 0
    tiny, meta = _report(SAMPLE, tmp_path / "tiny.sqlite", cache_cap=4096, keep=True)
    assert tiny == plain
    assert ResultCache(tmp_path / "tiny.sqlite").stats()["bytes"] <= 4096


def test_stored_paths_are_rebound_and_an_unbindable_result_is_recomputed(tmp_path: Path) -> None:
    memo = FileMemo(ResultCache(tmp_path / "c.sqlite"))
    calls: list[str] = []

    def compute(units: list[str]) -> list[Fact]:
        calls.extend(units)
        return [Fact("probe", "a" * 64, unit, {"where": f"at {unit}", "folder": unit.split("/")[1]}, 0)
                for unit in units]

    def go(unit: str) -> Fact:
        return memoised(memo, "probe", [unit], lambda u: [offset_free(u)], lambda u: [u], compute)[0]

    old = "fw-1.bin_extract/100-200.squashfs_v4_le_extract/etc/passwd"
    new = "fw-2.bin_extract/100-300.squashfs_v4_le_extract/etc/passwd"
    go(old)
    assert offset_free(old) == offset_free(new)
    fact = go(new)  # the key matches, but the stored result quotes the old chunk folder on its own: recomputed
    assert calls == [old, new] and fact.data["folder"] == "100-300.squashfs_v4_le_extract"

    def plain_compute(units: list[str]) -> list[Fact]:
        calls.extend(units)
        return [Fact("probe", "a" * 64, unit, {"where": f"at {unit}"}, 0) for unit in units]

    calls.clear()
    for unit in (old, new):
        result = memoised(memo, "plain", [unit], lambda u: [offset_free(u)], lambda u: [u], plain_compute)[0]
        assert result.path == unit and result.data["where"] == f"at {unit}"
    assert calls == [old]  # the second was re-bound from the store
    assert memo.hits == 1


def test_a_rules_change_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ResultCache(tmp_path / "c.sqlite")
    key = FileMemo(store).key("scan", "x")
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "yara" / "zz_extra.yar").write_text('rule ZZ_Test { strings: $a = "zz-test-only" condition: $a }\n')
    monkeypatch.setenv("FWAUDIT_RULES", str(rules))
    assert FileMemo(store).key("scan", "x") != key


def test_codec_round_trips_and_refuses_unknown_types() -> None:
    fact = Fact("elf", "c" * 64, "a/b", {"t": (1, "x"), "b": b"\x00\xff", "s": frozenset({"z", "y"}), "l": [1]}, 3)
    error = AuditError("inspect.x", "inspect", "message", "a/b")
    text = cache_codec.dumps([fact, (error, None)])
    assert cache_codec.loads(text) == [fact, (error, None)]
    with pytest.raises(cache_codec.CodecError):
        cache_codec.dumps(object())
    nested = [[(fact, {"k": [frozenset({(1, b"\x01")})]})], {"x": (None, [()])}]
    assert cache_codec.loads(cache_codec.dumps(nested)) == nested
    for crafted in ('{"__dc": "Popen", "f": {"args": ["sh"]}}', '{"__dc": "Fact", "f": {"nope": 1}}', "[", "{",
                    '{"__dc": "Fact", "f": 3}', '{"__t": 5}', '{"__fs": [[1]]}', '{"__b": "zz"}', '{"__b": 1}'):
        with pytest.raises(cache_codec.CodecError):
            cache_codec.loads(crafted)
    assert json.loads(text)  # plain JSON: readable by any tool
