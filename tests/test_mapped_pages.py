"""audit/mapped_pages.py: a tracked read-only mapping leaves the process's resident set, its bytes unchanged."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pytest

from audit import mapped_pages
from audit.inspect.base import TRACK_BYTES, open_map

SIZE = 8 * 1024 * 1024


def _resident_kib(path: Path) -> int:
    """Resident KiB of this process's mappings of `path` (from /proc/self/smaps)."""
    total, current = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
            current = line.endswith(str(path))
        elif current and line.startswith("Rss:"):
            total += int(head[1])
    return total


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "image.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


def test_drop_once_empties_the_mapping_and_keeps_its_bytes(big_file: Path) -> None:
    data = big_file.read_bytes()
    with big_file.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        assert bytes(mm) == data  # every page touched
        assert _resident_kib(big_file) >= SIZE // 1024 * 9 // 10
        mapped_pages.track(mm)
        assert mapped_pages.drop_once() >= 1
        assert _resident_kib(big_file) < SIZE // 1024 // 10  # gone from this process
        assert bytes(mm) == data  # read again, from the page cache: the same bytes
        assert mm.find(data[-64:]) == SIZE - 64


def test_closed_mappings_are_skipped(big_file: Path) -> None:
    with big_file.open("rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    mapped_pages.track(mm)
    mm.close()
    mapped_pages.drop_once()  # no error for a closed mapping
    assert mm.closed


def test_unblob_files_are_tracked_only_when_read_only(big_file: Path) -> None:
    from unblob.file_utils import File

    original = File.__dict__["from_path"]
    try:
        assert mapped_pages.install_unblob()
        with File.from_path(big_file) as mm:
            assert mm in set(mapped_pages._MAPS)
            assert mm.read(16) == big_file.read_bytes()[:16]
        writable = File.from_bytes(b"abc")  # anonymous memory: MADV_DONTNEED would zero it
        assert writable not in set(mapped_pages._MAPS)
        mapped_pages.drop_once()
        assert writable[:3] == b"abc"
        writable.close()
    finally:
        File.from_path = original


def test_inspect_tracks_large_maps_only(tmp_path: Path) -> None:
    small, large = tmp_path / "small.bin", tmp_path / "large.bin"
    small.write_bytes(b"\1" * 4096 * 3 + b"x")
    large.write_bytes(b"\2" * TRACK_BYTES + b"y")
    with open_map(small) as mapped:
        assert isinstance(mapped, mmap.mmap) and mapped not in set(mapped_pages._MAPS)
    with open_map(large) as mapped:
        if isinstance(mapped, mmap.mmap):  # not the read-into-memory path of CPython < 3.11.4
            assert mapped in set(mapped_pages._MAPS)
        assert mapped[-1:] == b"y"
