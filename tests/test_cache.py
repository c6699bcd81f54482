"""The result cache (audit/cache.py) on the built samples through the real pipeline and CLI: a warm run returns
the cold run's report byte for byte (outside `run`; speed figures are `make bench`'s); two concurrent runs, a
corrupt or truncated cache file, a full cache and a rules change are all safe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit.cache import ResultCache, result_key
from audit.model import AuditConfig
from audit.pipeline import run
from audit.report import json_report
from tests.conftest import REPO, SAMPLES_BUILD

SAMPLE = SAMPLES_BUILD / "xm-camera.bin"
FWAUDIT = [str(Path(sys.executable).parent / "fwaudit")]


def _sample() -> Path:
    if not SAMPLE.is_file():
        pytest.fail("samples are not built: run `make samples`")
    return SAMPLE


def _without_run(report_text: str) -> dict:
    data = json.loads(report_text)
    data.pop("run", None)
    return data


def _config(cache: Path | None, **extra: object) -> AuditConfig:
    return AuditConfig(image=_sample(), cache=cache, **{"jobs": 1, **extra})  # type: ignore[arg-type]


def test_warm_run_is_the_cold_report_byte_for_byte(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    plain = run(_config(None))
    cold = run(_config(cache))
    warm = run(_config(cache))
    assert (plain.run["cache"], cold.run["cache"], warm.run["cache"]) == ("off", "miss", "hit")
    texts = [json_report.render(r) for r in (plain, cold, warm)]
    full = json.dumps(cold.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert texts[1] == full  # the miss writes its stored text with the final `run` spliced in: the same bytes
    assert _without_run(texts[0]) == _without_run(texts[1]) == _without_run(texts[2])
    for r in (plain, cold, warm):
        r.run = {}
    assert json_report.render(plain) == json_report.render(cold) == json_report.render(warm)
    assert ResultCache(cache).stats()["entries"] == 1


def test_settings_rules_and_code_are_part_of_the_key(tmp_path: Path) -> None:
    base = result_key(_config(None), "a" * 64)
    assert result_key(_config(None, threshold=0.7), "a" * 64) != base
    assert result_key(_config(None), "b" * 64) != base
    assert result_key(_config(None, jobs=2, formats=("json", "html")), "a" * 64) == base  # output-only settings
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "yara" / "zz_extra.yar").write_text('rule ZZ_Test { strings: $a = "zz-test-only" condition: $a }\n')
    env = {**os.environ, "FWAUDIT_RULES": str(rules)}
    code = ("import sys, json; from audit.cache import result_key; from audit.model import AuditConfig; "
            "from pathlib import Path; print(result_key(AuditConfig(image=Path(sys.argv[1]), jobs=1), 'a' * 64))")
    other = subprocess.run([sys.executable, "-c", code, str(_sample())], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert other and other != base  # a rules change is a different audit


def test_corrupt_and_truncated_cache_files_are_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    cold = run(_config(cache))
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 3])  # truncated
    warm = run(_config(cache))
    assert warm.run["cache"] in ("miss", "hit") and warm.status == "complete"
    cache.write_bytes(b"this is not a database" * 100)
    again = run(_config(cache))
    assert again.run["cache"] == "miss" and any("rebuilt" in w for w in again.run.get("cache_warnings", []))
    assert (tmp_path / "c.sqlite.corrupt").is_file()
    assert run(_config(cache)).run["cache"] == "hit"
    again.run = cold.run = {}
    assert json_report.render(again) == json_report.render(cold)


def test_a_full_cache_evicts_the_least_recently_used(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c.sqlite", cap=2500)
    for i in range(5):
        cache.put(f"k{i}", "x" * 1000)
    stats = cache.stats()
    assert stats["entries"] == 2 and stats["bytes"] <= 2500
    assert cache.get("k0") is None and cache.get("k4") == "x" * 1000
    cache.put("huge", "y" * 5000)  # larger than the whole cache: not stored, nothing evicted for it
    assert cache.get("huge") is None and cache.stats()["entries"] == 2


def test_two_concurrent_cli_runs_share_one_cache(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    env = {**os.environ, "FWAUDIT_CACHE": str(cache)}
    procs = [subprocess.Popen([*FWAUDIT, "scan", str(_sample()), "-o", str(tmp_path / f"out{i}"), "-q", "-j", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode in (0, 1), err.decode()
    reports = [(tmp_path / f"out{i}" / "report.json").read_text() for i in range(2)]
    assert _without_run(reports[0]) == _without_run(reports[1])
    assert ResultCache(cache).stats()["entries"] == 1
    third = subprocess.run([*FWAUDIT, "scan", str(_sample()), "-o", str(tmp_path / "out3"), "-q"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert third.returncode in (0, 1), third.stderr
    assert json.loads((tmp_path / "out3" / "report.json").read_text())["run"]["cache"] == "hit"


def test_no_cache_flag_and_workdir_always_audit(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    run(_config(cache))
    assert run(_config(cache, keep=True)).run["cache"] == "off"
    env = {**os.environ, "FWAUDIT_CACHE": str(cache)}
    out = subprocess.run([*FWAUDIT, "scan", str(_sample()), "-o", str(tmp_path / "o"), "-q", "--no-cache"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode in (0, 1), out.stderr
    assert json.loads((tmp_path / "o" / "report.json").read_text())["run"]["cache"] == "off"


def test_an_engine_upgrade_is_a_different_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import cache as cache_module

    base = result_key(_config(None), "a" * 64)
    upgraded = tuple((n, "999.0" if n == "unblob" else v) for n, v in cache_module.engine_versions())
    monkeypatch.setattr(cache_module, "engine_versions", lambda: upgraded)
    assert result_key(_config(None), "a" * 64) != base


def test_cache_info_and_clear_commands(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    run(_config(cache))
    out = subprocess.run([*FWAUDIT, "cache", "info", "--json", "--cache", str(cache)], capture_output=True,
                         text=True, timeout=120, check=True)
    stats = json.loads(out.stdout)
    assert stats["entries"] == 1 and stats["file_entries"] > 0 and 0 < stats["bytes"] <= stats["cap"]
    subprocess.run([*FWAUDIT, "cache", "clear", "--cache", str(cache)], capture_output=True, timeout=120, check=True)
    assert not cache.exists()
    off = subprocess.run([*FWAUDIT, "cache", "info"], env={**os.environ, "FWAUDIT_CACHE": "off"},
                         capture_output=True, text=True, timeout=120)
    assert off.returncode == 2 and "cache is off" in off.stderr


def test_a_cache_of_the_old_schema_gets_the_size_index(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # the schema before the (used, size) indexes
        conn.executescript("CREATE TABLE results (key TEXT PRIMARY KEY, report TEXT NOT NULL, size INTEGER NOT NULL,"
                           " used REAL NOT NULL); CREATE INDEX results_used ON results (used);"
                           "CREATE TABLE files (key TEXT PRIMARY KEY, value TEXT NOT NULL, size INTEGER NOT NULL,"
                           " used REAL NOT NULL); CREATE INDEX files_used ON files (used);")
        conn.execute("INSERT INTO results VALUES ('old', 'x', 1, 0.0)")
    store = ResultCache(path, cap=10)
    store.put_many({"k": "y" * 10})  # 11 bytes against a 10-byte cap: the older entry goes
    assert store.get("old") is None and store.get_many(["k"]) == {"k": "y" * 10}
    with sqlite3.connect(path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        plan = " ".join(str(row) for row in conn.execute("EXPLAIN QUERY PLAN SELECT SUM(size) FROM files"))
    assert {"results_used_size", "files_used_size"} <= names and not {"results_used", "files_used"} & names
    assert "COVERING INDEX files_used_size" in plan  # the cap check does not read every stored value
