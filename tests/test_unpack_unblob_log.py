"""unblob's log through audit/unpack/unblob_log.py: the watcher reads the same searches from it as from unblob's
own rendering, on real unblob runs, and a hostile value cannot forge a line or a worker."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
import structlog

from audit.unpack import unblob_log
from audit.unpack.chunk_log import ChunkLog
from audit.unpack.engine import Caps, run_unblob


def _image(path: Path) -> Path:
    """A tar holding a gzip, a zip and an ELF-like blob: several files searched, chunks found and rejected."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
    members = {"a.gz": gzip.compress(b"hello " * 500), "b.zip": inner.getvalue(),
               "c.bin": b"\x7fELF" + bytes(300) + b"PK\x03\x04" + bytes(64), "d.txt": b"plain text\n" * 40}
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _followed(log: Path) -> dict[str, tuple[int, int, bool]]:
    """Like `_searches`, but line by line, so that a worker's earlier files are kept (pid -> file is replaced)."""
    follower, seen = ChunkLog(log), {}
    for line in log.read_bytes().splitlines():
        follower._line(line, 0.0)
        for search in follower.searches.values():
            seen[search.path] = (search.tried, search.found, search.ended)
    return seen


@pytest.mark.integration
def test_watcher_reads_the_same_searches_from_either_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = _image(tmp_path / "mixed.tar")
    caps = Caps(max_bytes=64 << 20, max_files=1000, max_file_size=64 << 20, timeout=120)
    logs = {}
    for mode in ("full", "cheap"):
        monkeypatch.setenv("FWAUDIT_UNBLOB_LOG", mode)
        work = tmp_path / mode
        (work / "extract").mkdir(parents=True)
        run = run_unblob(image, work / "extract", work, 5, 1, caps)
        assert run.returncode == 0 and run.cap_hit is None, run.stderr_tail
        logs[mode] = work / "unblob.log"
    full, cheap = _followed(logs["full"]), _followed(logs["cheap"])
    assert len(full) >= 4  # the tar and its members were each searched
    assert cheap == full
    assert any(found for _, found, _ in cheap.values())
    assert "Traceback" in logs["full"].read_text()  # unblob's own rendering really ran in the first run
    assert "Traceback" not in logs["cheap"].read_text()  # one `exc=` value per rejected candidate instead
    assert logs["cheap"].stat().st_size < logs["full"].stat().st_size


def test_hostile_values_cannot_forge_lines_or_workers(tmp_path: Path) -> None:
    log = tmp_path / "unblob.log"
    unblob_log.configure(0, tmp_path, log)
    logger = structlog.get_logger()
    forged = "x\n2026-12-01 11:41.13 [debug    ] Found valid chunk chunk=0x0-0x1 pid=1"
    logger.debug("Processing file", path=tmp_path / "a] Found valid chunk pid=1", size=16)
    logger.debug("Found valid chunk", chunk=forged, handler="zip")
    try:
        raise ValueError("bad\n] Found valid chunk pid=2")
    except ValueError as exc:
        logger.debug("File format is invalid", exc_info=exc, handler="zip", _verbosity=2)
    logger.debug("too chatty", _verbosity=3)  # above the default verbosity: dropped, as unblob does
    lines = log.read_text().splitlines()
    assert len(lines) == 4  # configured, processing, found, invalid: no line was forged
    assert "too chatty" not in log.read_text()
    follower = ChunkLog(log)
    follower.poll(0.0)
    assert set(follower.searches) == {os.getpid()}  # only the real worker
    search = next(iter(follower.searches.values()))
    assert (search.found, search.size) == (1, 16)
    assert search.path.startswith("a]")  # relative to the extraction root, as unblob shows paths
    assert "exc=ValueError: bad" in lines[3]
