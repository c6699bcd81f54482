"""`fwaudit batch` end to end, for real: the samples into a SQLite store then queries (and the same answers from
PostgreSQL), resume after SIGINT, a real Dask scheduler with two workers giving the same store, symlinks out of an
input directory skipped, a failing image that does not stop the batch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES_BUILD, sample_manifests
from tests.helpers.dask_cluster import dask_cluster
from tests.helpers.dask_cluster import skip_reason as dask_skip
from tests.helpers.postgres import postgres_server
from tests.helpers.postgres import skip_reason as pg_skip
from tests.test_fleet_store import expected_images

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FWAUDIT = [sys.executable, "-m", "audit.cli"]


def fwaudit(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "400"}  # rich wraps at 80 columns when not on a terminal
    return subprocess.run([*FWAUDIT, *args], capture_output=True, text=True, timeout=timeout, env=env)


def query(db: str, *args: str) -> set[str]:
    done = fwaudit("query", "--db", db, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert all(len(r["sha256"]) == 64 and r["image"] for r in rows)
    return {r["image"] for r in rows}


CONTENT = {
    "images": "SELECT i.sha256, i.name, i.size, r.status FROM runs r JOIN images i ON i.id = r.image_id "
              "WHERE r.current",
    "claims": "SELECT i.sha256, c.layer, c.entity, c.detail, c.confidence, c.hint FROM runs r "
              "JOIN images i ON i.id = r.image_id JOIN claims c ON c.run_id = r.id WHERE r.current",
    "files": "SELECT i.sha256, f.path, f.file_sha256 FROM runs r JOIN images i ON i.id = r.image_id "
             "JOIN image_files f ON f.run_id = r.id WHERE r.current",
}


def content(db: Path) -> dict[str, set]:
    """What the store says about the images, without run ids, times or paths of the batch."""
    with sqlite3.connect(db) as conn:
        return {name: set(conn.execute(sql)) for name, sql in CONTENT.items()}


@pytest.fixture(scope="module")
def local_batch(tmp_path_factory) -> tuple[Path, Path]:
    """`fwaudit batch samples/build --db fleet.sqlite` (local pool), with report folders: (store, folders)."""
    if not sample_manifests():
        pytest.skip("samples not built (make samples)")
    root = tmp_path_factory.mktemp("local")
    db = root / "fleet.sqlite"
    done = fwaudit("batch", str(SAMPLES_BUILD), "--db", str(db), "-j", "2", "-o", str(root / "reports"))
    assert done.returncode == 0, done.stderr
    assert "0 failed" in done.stdout
    return db, root / "reports"


def test_batch_then_query(local_batch):
    db, _ = local_batch
    assert query(str(db), "--layer", "soc", "--entity", "hisilicon") == expected_images("soc", "hisilicon")
    images = {m["image"] for m in sample_manifests()}
    with sqlite3.connect(db) as conn:
        held = conn.execute("SELECT f.file_sha256, group_concat(DISTINCT i.name) FROM image_files f "
                            "JOIN runs r ON r.id = f.run_id JOIN images i ON i.id = r.image_id "
                            "WHERE r.current AND f.file_sha256 IS NOT NULL GROUP BY f.file_sha256 "
                            "HAVING count(DISTINCT i.id) = 2 ORDER BY f.file_sha256").fetchall()
    sha, names = next((sha, set(n.split(","))) for sha, n in held if set(n.split(",")) <= images)
    assert query(str(db), "--sha256", sha) == names


@pytest.mark.skipif(pg_skip() is not None, reason=pg_skip() or "")
def test_postgres_answers_like_sqlite(local_batch, tmp_path):
    db, folders = local_batch
    queries = (("--layer", "soc", "--entity", "hisilicon"), ("--endpoint", "*.hik-connect.com"),
               ("--component", "linux<4.10"), ("--policy", "ndaa-889=fail"), ("--similar", "xm-camera.bin"))
    with postgres_server() as server:
        url = server.new_database()
        done = fwaudit("db", "import", "--store", url, *map(str, sorted(folders.glob("*/report.json"))))
        assert done.returncode == 0, done.stderr
        for q in queries:
            assert query(url, *q) == query(str(db), *q), q


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM runs WHERE status != 'failed'").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_resume_after_sigint(tmp_path):
    images = tmp_path / "drop"
    images.mkdir()
    for m in sample_manifests()[:4]:
        shutil.copy(m["image_path"], images / m["image"])
    db = tmp_path / "fleet.sqlite"
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen([*FWAUDIT, "batch", str(images), "--db", str(db), "-j", "1"], stdout=log, stderr=log)
    deadline = time.monotonic() + 300
    while _stored(db) < 1 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert first.poll() is None, "the batch finished before it could be interrupted"
    first.send_signal(signal.SIGINT)
    assert first.wait(timeout=120) == 130
    kept = _stored(db)
    assert 1 <= kept < 4
    again = fwaudit("batch", str(images), "--db", str(db), "-j", "1")
    assert again.returncode == 0, again.stderr
    assert f"{kept} already stored (skipped)" in again.stdout
    with sqlite3.connect(db) as conn:
        per_image = conn.execute("SELECT i.name, count(*) FROM runs r JOIN images i ON i.id = r.image_id "
                                 "WHERE r.status != 'failed' GROUP BY i.id").fetchall()
    assert sorted(per_image) == sorted((p.name, 1) for p in images.iterdir())


@pytest.mark.skipif(dask_skip() is not None, reason=dask_skip() or "")
def test_dask_cluster_gives_the_same_store(local_batch, tmp_path):
    db, _ = local_batch
    remote = tmp_path / "dask.sqlite"
    with dask_cluster(tmp_path) as address:
        done = fwaudit("batch", str(SAMPLES_BUILD), "--db", str(remote), "--scheduler", address)
    assert done.returncode == 0, done.stderr + done.stdout
    assert content(remote) == content(db)


def test_dask_local_cluster_with_bytes(tmp_path):
    image = next(m["image_path"] for m in sample_manifests() if m["image"] == "openwrt-router.bin")
    db = tmp_path / "bytes.sqlite"
    done = fwaudit("batch", str(image), "--db", str(db), "--executor", "dask", "-j", "1", "--send-bytes")
    assert done.returncode == 0, done.stderr
    assert query(str(db), "--component", "busybox>=1.30") == {"openwrt-router.bin"}


def test_symlinks_out_and_failures(tmp_path):
    drop, outside = tmp_path / "drop", tmp_path / "outside"
    drop.mkdir()
    outside.mkdir()
    (outside / "shadow").write_text("root:$6$secret:19000:0:99999:7:::\n")
    (drop / "good.bin").write_bytes(b"firmware? " * 100)
    (drop / "empty.bin").write_bytes(b"")
    (drop / "leak").symlink_to(outside / "shadow")
    (drop / "alias.bin").symlink_to("good.bin")
    (drop / "out").symlink_to(outside, target_is_directory=True)
    (drop / "inner").mkdir()
    (drop / "sub").symlink_to("inner", target_is_directory=True)
    db = tmp_path / "fleet.sqlite"
    done = fwaudit("batch", str(drop), "--db", str(db), "-j", "1", "--recursive", "--tag", "site=berlin")
    assert done.returncode == 3, done.stderr  # one image failed; the batch went on
    assert f"skipped {drop / 'leak'}: symlink pointing outside" in done.stdout
    assert f"skipped {drop / 'out'}: symlink pointing outside" in done.stdout
    assert f"skipped {drop / 'sub'}: symlink to a directory" in done.stdout
    assert "empty.bin" in done.stderr and "is empty" in done.stderr
    with sqlite3.connect(db) as conn:
        names = {n for (n,) in conn.execute("SELECT i.name FROM runs r JOIN images i ON i.id = r.image_id "
                                            "WHERE r.status != 'failed'")}
        failed = conn.execute("SELECT image_name, error FROM runs WHERE status = 'failed'").fetchall()
        paths = {p for (p,) in conn.execute("SELECT path FROM image_files")}
    assert names == {"good.bin"}
    assert [name for name, _ in failed] == ["empty.bin"] and "is empty" in failed[0][1]
    assert not any("shadow" in p for p in paths)
    assert query(str(db), "--tag", "site=berlin") == {"good.bin"}
    failures = json.loads(fwaudit("fleet", "--db", str(db), "--json").stdout)["failures"]
    assert [f["image"] for f in failures] == ["empty.bin"]


def test_batch_usage_errors(tmp_path):
    assert fwaudit("batch", "--db", str(tmp_path / "s.sqlite")).returncode == 2
    done = fwaudit("batch", str(tmp_path), "--db", "oracle://x@y/z")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = fwaudit("batch", str(tmp_path / "nothing-here"), "--db", str(tmp_path / "s.sqlite"))
    assert done.returncode == 2 and "nothing to audit" in done.stderr
    assert os.path.exists(tmp_path / "s.sqlite")
