"""Caps under attack, with small generated inputs that still trip the cap logic (timings are in bench/hostile.py)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from audit.model import AuditConfig
from audit.pipeline import run
from audit.unpack.chunk_log import ChunkLog, SearchLimits
from audit.unpack.engine import Caps, EngineRun, group_rss, measure_members, run_unblob

pytestmark = pytest.mark.integration


def _many_files_tar(path: Path, count: int) -> Path:
    with tarfile.open(path, "w") as tar:
        for index in range(count):
            info = tarfile.TarInfo(f"d{index // 500:02d}/f{index:05d}")
            data = str(index).encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_file_cap_is_exact(tmp_path: Path) -> None:
    cap = 100
    image = _many_files_tar(tmp_path / "many.tar", 4000)
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1, max_files=cap))
    extracted = [f for f in report.files if f.path != image.name]
    assert len(extracted) <= cap  # the watcher may overshoot on disk; the report never lists more
    kinds = {e.kind for e in report.errors}
    assert "unpack.cap.files" in kinds
    assert report.status == "partial"
    if len(extracted) == cap:  # the extractor wrote more than the cap before it was stopped
        assert "inventory.cap.files" in kinds
        error = next(e for e in report.errors if e.kind == "inventory.cap.files")
        assert f"the first {cap} are listed" in error.message


def test_bomb_at_the_per_file_cap_stops_the_run(tmp_path: Path) -> None:
    """When the per-file cap equals the total cap (the default for inputs over 1 MiB), a bomb truncated at it sits
    exactly at the total: unpacking must stop there (`unpack.cap.bytes`), not leave unblob scanning the bomb's
    output (an 8 GiB gzip bomb took 49 s to stop before)."""
    import zlib

    image = tmp_path / "bomb.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with image.open("wb") as out:
        for _ in range(128):  # 128 MiB of zeros, about 130 KiB on disk
            out.write(packer.compress(bytes(1 << 20)))
        out.write(packer.flush())
    cap = 16 * 1024 * 1024
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1, max_bytes=cap, max_file_size=cap))
    kinds = {e.kind for e in report.errors}
    assert "unpack.cap.bytes" in kinds, kinds
    assert sum(f.size for f in report.files if f.path != image.name) <= cap  # RLIMIT_FSIZE: exact per file


def _magic_flood(path: Path, magic: bytes, size: int) -> Path:
    """A magic every 32-112 bytes of random filler: each one is a candidate unblob's handler has to reject."""
    import random

    rng = random.Random(1)
    out = bytearray()
    while len(out) < size:
        out += magic + rng.randbytes(rng.randint(32, 112) - len(magic))
    path.write_bytes(bytes(out[:size]))
    return path


def _zip_chunks(path: Path, count: int) -> Path:
    """`count` tiny valid zip archives back to back: one carved chunk (and one extractor run) each."""
    import zipfile

    with path.open("wb") as out:
        for index in range(count):
            one = io.BytesIO()
            with zipfile.ZipFile(one, "w") as archive:
                archive.writestr(f"f{index}.txt", f"member {index}\n")
            out.write(one.getvalue())
    return path


def _engine(image: Path, work: Path, **limits: float) -> EngineRun:
    extract = work / "extract"
    extract.mkdir(parents=True)
    caps = Caps(max_bytes=1 << 30, max_files=200_000, max_file_size=1 << 30, timeout=600, **limits)
    return run_unblob(image, extract, work, 4, 1, caps)


def test_magic_flood_stops_at_the_scan_budget(tmp_path: Path) -> None:
    """A zip magic every 32-112 bytes: each candidate costs unblob a search for the end record, the search crawls
    through the file and its projected time is far past the budget."""
    image = _magic_flood(tmp_path / "flood.bin", b"PK\x03\x04", 8 * 1024 * 1024)  # stays a flood on a loaded machine
    engine = _engine(image, tmp_path / "work", scan_budget=120.0, scan_grace=2.0, budget_floor=5)
    assert engine.cap_hit == "scan", engine.cap_detail
    assert "flood.bin" in engine.cap_detail and "would take" in engine.cap_detail


def test_many_cheap_false_candidates_are_not_a_flood(tmp_path: Path) -> None:
    """Like a real MIPS kernel (thousands of false lzma headers): many rejections, but the search moves through
    the file at a rate that ends within the budget, so it is left to finish."""
    import random

    rng = random.Random(2)
    image = tmp_path / "kernel-like.bin"
    image.write_bytes(b"".join(b"\x5d\x00\x00\x80\x00" + rng.randbytes(1019) for _ in range(1024)))
    engine = _engine(image, tmp_path / "work", scan_budget=3600.0, scan_grace=1.0, budget_floor=5)
    assert engine.cap_hit is None, engine.cap_detail


def test_chunk_flood_is_partial_at_default_caps(tmp_path: Path) -> None:
    """More chunks in one file than the default per-file chunk cap: the run stops as partial with a typed error."""
    image = _zip_chunks(tmp_path / "chunks.bin", Caps.max_chunks + 50)
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1))
    kinds = {e.kind for e in report.errors}
    assert "unpack.cap.chunks" in kinds, kinds
    assert report.status == "partial"


def test_few_chunks_are_not_a_flood(tmp_path: Path) -> None:
    image = _zip_chunks(tmp_path / "chunks.bin", 20)
    engine = _engine(image, tmp_path / "work", max_chunks=50)
    assert engine.cap_hit is None, engine.cap_detail
    assert engine.files >= 20  # every member extracted


def test_chunk_log_counts_per_worker_file(tmp_path: Path) -> None:
    """The log follower keeps each worker's file apart and reads a log that is still being written."""
    log = tmp_path / "unblob.log"
    lines = [
        "2026-12-01 11:41.13 [debug    ] Processing file                path=/x/a.bin pid=7 size=0x10",
        "2026-12-01 11:41.13 [debug    ] Processing file                path=/x/b.bin pid=8 size=0x10",
        *["2026-12-01 11:41.13 [debug    ] Calculating chunk for pattern match handler=zip pid=7 real_offset=0x1"] * 3,
        "Traceback (most recent call last):",
        "2026-12-01 11:41.13 [debug    ] Calculating chunk for pattern match handler=zip pid=8 real_offset=0x1",
        "2026-12-01 11:41.13 [debug    ] Found valid chunk              chunk=0x0-0x10 handler=zip pid=8",
    ]
    log.write_text("\n".join(lines) + "\n2026-12-01 11:41.13 [debug    ] Calculating chunk for pattern match pid=")
    follower = ChunkLog(log)
    follower.poll(0.0)
    with log.open("a") as more:
        more.write("7 handler=zip\n")
    follower.poll(10.0)
    assert (follower.searches[7].tried, follower.searches[7].rejected) == (4, 4)
    assert (follower.searches[8].found, follower.searches[8].rejected) == (1, 0)
    assert follower.searches[7].size == 16 and follower.searches[7].offset == 1
    limits = SearchLimits(max_chunks=10, scan_budget=100.0, scan_grace=5.0, budget_floor=4)
    assert follower.over(limits, 4.0) is None  # in its grace time
    flood = follower.over(limits, 12.0)  # offset 1 of 16 after 12 s: 192 s projected
    assert flood is not None and flood[0] == "scan" and "a.bin" in flood[1]
    assert follower.over(limits, 20.0) is None  # nothing tried for 10 s: busy inside one candidate, not a flood
    chunks = SearchLimits(max_chunks=0, scan_budget=1e9, scan_grace=5.0, budget_floor=4)
    found = follower.over(chunks, 12.0)
    assert found is not None and found[0] == "chunks" and "b.bin" in found[1]


def test_memory_cap_stops_the_extractor(tmp_path: Path) -> None:
    """A process of the extractor group past `max_rss` stops the run (`unpack.cap.memory` in the pipeline)."""
    image = _magic_flood(tmp_path / "flood.bin", b"070701", 2 * 1024 * 1024)
    engine = _engine(image, tmp_path / "work", max_rss=16 * 1024 * 1024, scan_budget=1e9)
    assert engine.cap_hit == "memory", engine.cap_detail
    assert "MiB" in engine.cap_detail


def test_group_rss_sees_this_process() -> None:
    import os

    assert group_rss(os.getpid()) > 1024 * 1024
    assert group_rss(2**22 + 12345) == 0  # no such process


def test_member_flood_stops_at_the_per_container_cap(tmp_path: Path) -> None:
    """One archive with more members than `max_members`: unblob would search every one of them in turn."""
    import zipfile

    image = tmp_path / "members.zip"
    with zipfile.ZipFile(image, "w") as archive:
        for index in range(3000):
            archive.writestr(f"d{index // 100:02d}/f{index:05d}", b"x")
    engine = _engine(image, tmp_path / "work", max_members=500)
    assert engine.cap_hit == "members", engine.cap_detail
    assert "members.zip" in engine.cap_detail
    assert engine.files > 0  # what was extracted before the stop is kept


def test_members_are_counted_per_container(tmp_path: Path) -> None:
    outer = tmp_path / "a.bin_extract"
    (outer / "inner.tar_extract").mkdir(parents=True)
    for index in range(3):
        (outer / f"f{index}").write_bytes(b"x")
    for index in range(5):
        (outer / "inner.tar_extract" / f"g{index}").write_bytes(b"y")
    files, total, (most, container) = measure_members(tmp_path)
    assert (files, total) == (8, 8)
    assert most == 5 and container.endswith("inner.tar_extract")
