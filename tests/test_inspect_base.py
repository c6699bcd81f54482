"""open_map: how inspectors see a file's bytes, including the CPython 3.11.0-3.11.3 find over-read guard."""

from __future__ import annotations

import mmap
from pathlib import Path

import pytest

import audit.inspect.base as base


@pytest.mark.parametrize("guarded", [True, False])
def test_page_multiple_files_are_searchable_to_the_last_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            guarded: bool) -> None:
    monkeypatch.setattr(base, "FASTSEARCH_OVERREAD", guarded)
    path = tmp_path / "flash.bin"
    path.write_bytes(bytes(2 * mmap.PAGESIZE - 2) + b"fo")  # the match ends on the last byte of the last page
    with base.open_map(path) as data:
        assert isinstance(data, bytes) == guarded  # guarded: a copy, never a bare mapping
        assert data.find(b"fo") == 2 * mmap.PAGESIZE - 2
        assert data.find(b"\xd0\x0d\xfe\xed") == -1


def test_other_sizes_stay_mapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "FASTSEARCH_OVERREAD", True)
    path = tmp_path / "odd.bin"
    path.write_bytes(b"x" * (mmap.PAGESIZE + 3))
    with base.open_map(path) as data:
        assert isinstance(data, mmap.mmap) and len(data) == mmap.PAGESIZE + 3
