"""audit/prehash.py: files read while extraction runs are used only while unchanged, never opened unsafely."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import audit.prehash as prehash
from audit.inventory import build_inventory
from audit.prehash import Prehasher
from audit.unpack import UnpackResult


def _wait_for(hasher: Prehasher, count: int, limit_s: float = 20.0) -> None:
    end = time.monotonic() + limit_s
    while len(hasher.found) < count and time.monotonic() < end:
        time.sleep(0.02)


def _tree(root: Path) -> None:
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "sh").write_bytes(b"\x7fELF\x01\x01\x01" + bytes(9) + b"\x02\x00\x28\x00" + bytes(200))
    (root / "etc").mkdir()
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc" / "copy").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "link").symlink_to("etc/passwd")
    os.mkfifo(root / "fifo")  # never opened: a read would block


@pytest.fixture
def settle_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prehash, "SETTLE_S", 0.05)  # many clock ticks: a later change still moves ctime
    monkeypatch.setattr(prehash, "MIN_PASS_S", 0.02)


def test_settled_files_are_read_once_and_the_inventory_is_the_same(tmp_path: Path, settle_fast: None) -> None:
    root = tmp_path / "extract"
    _tree(root)
    image = tmp_path / "img.bin"
    image.write_bytes(b"image")
    hasher = Prehasher(root).start()
    _wait_for(hasher, 3)
    found = hasher.finish()
    assert set(found) == {"bin/sh", "etc/passwd", "etc/copy"}  # regular files only: no link, no FIFO
    assert found["etc/passwd"].sha256 == found["etc/copy"].sha256
    plain, plain_errors = build_inventory(image, UnpackResult(extract_dir=root))
    early, early_errors = build_inventory(image, UnpackResult(extract_dir=root), early=found)
    assert early == plain and early_errors == plain_errors == []
    assert {r.path: r.arch for r in early}["bin/sh"] == "arm-32-le"


def test_a_file_changed_after_its_early_read_is_hashed_again(tmp_path: Path, settle_fast: None) -> None:
    root = tmp_path / "extract"
    _tree(root)
    hasher = Prehasher(root).start()
    _wait_for(hasher, 3)
    found = hasher.finish()
    (root / "etc" / "passwd").write_text("evil:x:0:0:root:/root:/bin/sh\n")  # same size, new bytes
    image = tmp_path / "img.bin"
    image.write_bytes(b"image")
    records, errors = build_inventory(image, UnpackResult(extract_dir=root), early=found)
    assert errors == []
    by_path = {r.path: r for r in records}
    assert by_path["etc/passwd"].sha256 != found["etc/passwd"].sha256
    assert by_path["etc/copy"].sha256 == found["etc/copy"].sha256


def test_files_still_being_written_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prehash, "SETTLE_S", 3600.0)
    monkeypatch.setattr(prehash, "MIN_PASS_S", 0.02)
    root = tmp_path / "extract"
    _tree(root)
    hasher = Prehasher(root).start()
    time.sleep(0.3)
    assert hasher.finish() == {}


def test_a_fifo_is_settled_but_never_opened(tmp_path: Path, settle_fast: None) -> None:
    os.mkfifo(tmp_path / "fifo")
    time.sleep(0.1)
    assert prehash._read_settled(tmp_path / "fifo") == (None,)


def test_a_root_that_appears_later_is_picked_up(tmp_path: Path, settle_fast: None) -> None:
    root = tmp_path / "extract"
    hasher = Prehasher(root).start()  # the extractor has not made its folder yet
    time.sleep(0.1)
    _tree(root)
    _wait_for(hasher, 3)
    assert len(hasher.finish()) == 3


def test_reading_files_does_not_lengthen_the_pause_between_walks(tmp_path: Path, settle_fast: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the walk itself is held to a tenth of a core: a pass that spent 3 s reading three new files waits
    MIN_PASS_S, not 9 x 3 s (which outlasted the extraction: the files written later went to the inventory)."""
    root = tmp_path / "extract"
    _tree(root)
    time.sleep(0.1)  # settled
    clock = [1000.0]
    monkeypatch.setattr(prehash.time, "monotonic", lambda: clock[0])
    read = prehash._read_settled

    def slow_read(path: Path):
        result = read(path)
        if result is not None and result[0] is not None:
            clock[0] += 1.0  # a second per regular file read
        return result

    monkeypatch.setattr(prehash, "_read_settled", slow_read)
    hasher = Prehasher(root)
    pauses: list[float] = []

    class Stop:
        def is_set(self) -> bool:
            return len(pauses) >= 2

        def wait(self, timeout: float) -> bool:
            pauses.append(timeout)
            clock[0] += timeout
            return self.is_set()

    hasher._stop = Stop()  # type: ignore[assignment]
    hasher._loop()
    assert len(hasher.found) == 3
    assert pauses == [prehash.MIN_PASS_S, prehash.MIN_PASS_S]


def test_the_image_read_at_the_start_is_not_read_again_by_the_inventory(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "extract"
    _tree(root)
    image = tmp_path / "img.bin"
    image.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\xb7\x00" + bytes(100_000))
    first = prehash.read_now(image)
    assert first is not None and first.typed is None and len(first.head) == 64 * 1024  # typed later, from this head
    plain, _ = build_inventory(image, UnpackResult(extract_dir=root))
    import audit.inventory as inventory

    hash_file = inventory.hash_file

    def not_the_image(path: Path) -> tuple[str, bytes]:
        assert path != image, "the image was hashed a second time"
        return hash_file(path)

    monkeypatch.setattr(inventory, "hash_file", not_the_image)
    reused, errors = build_inventory(image, UnpackResult(extract_dir=root), image_read=first)
    assert reused == plain and errors == []
    top = {r.path: r for r in reused}["img.bin"]
    assert top.sha256 == first.sha256 and top.arch == "aarch64-64-le" and top.magic.startswith("ELF 64-bit")


def test_an_image_changed_after_the_start_is_hashed_again(tmp_path: Path) -> None:
    root = tmp_path / "extract"
    _tree(root)
    image = tmp_path / "img.bin"
    image.write_bytes(b"first bytes")
    first = prehash.read_now(image)
    assert first is not None
    time.sleep(0.01)
    image.write_bytes(b"other bytes")  # same size, new bytes: ctime moved
    records, _ = build_inventory(image, UnpackResult(extract_dir=root), image_read=first)
    assert {r.path: r for r in records}["img.bin"].sha256 != first.sha256


def test_read_now_is_none_for_what_is_not_a_readable_regular_file(tmp_path: Path) -> None:
    assert prehash.read_now(tmp_path) is None  # a directory
    assert prehash.read_now(tmp_path / "missing") is None
    os.mkfifo(tmp_path / "fifo")
    assert prehash.read_now(tmp_path / "fifo") is None  # never opened
