"""Unit tests: ELF identification, fs paths, tree walking that never follows links."""

from __future__ import annotations

import os
import struct
from pathlib import Path

from audit.inventory import build_inventory, elf_arch, fs_path_of, unextracted_containers, walk_tree
from audit.model import Chunk, FileRecord
from audit.unpack import UnpackResult


def _elf_header(bits: int, little: bool, machine: int) -> bytes:
    order = "<" if little else ">"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if little else 2, 1]) + bytes(9)
    return ident + struct.pack(order + "HHI", 2, machine, 1) + bytes(40)


def test_elf_arch_names_machine_class_and_order() -> None:
    assert elf_arch(_elf_header(32, True, 40)) == "arm-32-le"
    assert elf_arch(_elf_header(32, False, 8)) == "mips-32-be"
    assert elf_arch(_elf_header(64, True, 183)) == "aarch64-64-le"
    assert elf_arch(_elf_header(32, True, 9999)) == "em9999-32-le"
    assert elf_arch(b"\x7fELF\x03\x01") is None
    assert elf_arch(b"MZ" + bytes(60)) is None


def test_elf_arch_of_host_binary() -> None:
    head = Path("/bin/sh").resolve().read_bytes()[:64]
    assert elf_arch(head) in {"x86_64-64-le", "aarch64-64-le"}


def test_fs_path_is_relative_to_innermost_extraction() -> None:
    assert fs_path_of("fw.zip_extract/root.sqfs_extract/bin/busybox") == "/bin/busybox"
    assert fs_path_of("fw.bin") == "/fw.bin"


def test_walk_never_follows_symlinks_and_records_them(tmp_path: Path) -> None:
    root = tmp_path / "extract"
    (root / "a").mkdir(parents=True)
    (root / "a" / "f").write_bytes(b"data")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"must not be read")
    (root / "a" / "dirlink").symlink_to(outside)
    (root / "a" / "filelink").symlink_to(outside / "secret")
    os.mkfifo(root / "a" / "fifo")
    image = tmp_path / "img.bin"
    image.write_bytes(b"image")
    records, errors = build_inventory(image, UnpackResult(extract_dir=root))
    by_path = {r.path: r for r in records}
    assert errors == []
    assert set(by_path) == {"img.bin", "a/f", "a/dirlink", "a/filelink", "a/fifo"}
    assert by_path["a/dirlink"].kind == "symlink" and by_path["a/dirlink"].sha256 is None
    assert by_path["a/filelink"].link_target == str(outside / "secret")
    assert by_path["a/fifo"].kind == "special"
    assert by_path["a/f"].sha256 == "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
    assert list(walk_tree(tmp_path / "missing")) == []


def test_container_that_no_handler_opened_is_flagged() -> None:
    squash = FileRecord(path="x/root.img", fs_path="/root.img", kind="file", size=10, mode=0o644,
                        sha256="0" * 64, magic="Squashfs filesystem, little endian, version 4.0")
    opened = FileRecord(path="x/ok.gz", fs_path="/ok.gz", kind="file", size=10, mode=0o644,
                        sha256="1" * 64, magic="gzip compressed data")
    text = FileRecord(path="x/a.txt", fs_path="/a.txt", kind="file", size=1, mode=0o644, sha256="2" * 64,
                      magic="ASCII text")
    errors = unextracted_containers([squash, opened, text], [Chunk("x/ok.gz@0", "x/ok.gz", "gzip", 0, 10)])
    assert [e.path for e in errors] == ["x/root.img"]
    assert errors[0].kind == "unpack.not_extracted"


def test_carved_uimage_header_alone_is_not_flagged() -> None:
    header = FileRecord(path="fw_extract/0-64.unknown", fs_path="/0-64.unknown", kind="file", size=64,
                        mode=0o644, sha256="3" * 64, magic="u-boot legacy uImage, Linux-4.9.37, Linux/ARM")
    whole = FileRecord(path="fw_extract/k.img", fs_path="/k.img", kind="file", size=4096, mode=0o644,
                       sha256="4" * 64, magic="u-boot legacy uImage, Linux-4.9.37, Linux/ARM")
    assert [e.path for e in unextracted_containers([header, whole], [])] == ["fw_extract/k.img"]


def test_types_are_reused_from_the_memo_per_sha256_and_libmagic_version(tmp_path: Path, monkeypatch) -> None:
    import magic

    from audit.cache import ResultCache
    from audit.file_cache import FileMemo

    root = tmp_path / "extract"
    root.mkdir()
    (root / "script.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    (root / "copy.sh").write_bytes(b"#!/bin/sh\necho hi\n")  # same bytes: typed once
    (root / "elf").write_bytes(_elf_header(32, True, 40))
    image = tmp_path / "img.bin"
    image.write_bytes(b"\x00" * 100)
    store = ResultCache(tmp_path / "c.sqlite")
    first_memo = FileMemo(store)
    first, _ = build_inventory(image, UnpackResult(extract_dir=root), memo=first_memo)
    assert (first_memo.hits, first_memo.misses) == (0, 3)  # three unique contents
    again_memo = FileMemo(store)
    again, _ = build_inventory(image, UnpackResult(extract_dir=root), memo=again_memo)
    assert (again_memo.hits, again_memo.misses) == (3, 0)
    assert again == first and build_inventory(image, UnpackResult(extract_dir=root))[0] == first
    assert {r.path: r.magic for r in again}["script.sh"].startswith("POSIX shell script")
    monkeypatch.setattr(magic, "version", lambda: 99999)  # another magic database: every file typed again
    other_memo = FileMemo(store)
    build_inventory(image, UnpackResult(extract_dir=root), memo=other_memo)
    assert (other_memo.hits, other_memo.misses) == (0, 3)
