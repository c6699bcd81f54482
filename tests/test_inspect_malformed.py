"""Hostile ELF input: truncations, broken tables, byte flips. Every variant gives typed errors or partial
facts, never an uncaught exception or a hang."""

from __future__ import annotations

import hashlib
import json
import random
import struct
import time
from pathlib import Path

import pytest

from audit.inspect import inspect_file
from audit.inspect.elf_tables import read_header
from audit.model import FileRecord

SOURCES = ("/usr/arm-linux-gnueabihf/lib/libpthread.so.0", "/usr/mips-linux-gnu/lib/libdl.so.2",
           "/usr/aarch64-linux-gnu/lib/libdl.so.2")


def sample() -> bytes:
    for s in SOURCES:
        p = Path(s)
        if p.exists():
            return p.resolve().read_bytes()
    pytest.skip("no Debian cross libraries installed")


def inspect_bytes(tmp_path: Path, data: bytes, name: str = "f.so") -> tuple[list, list]:
    p = tmp_path / name
    p.write_bytes(data)
    rec = FileRecord(path=name, fs_path="/lib/" + name, kind="file", size=len(data), mode=0o644,
                     sha256=hashlib.sha256(data).hexdigest())
    start = time.monotonic()
    facts, errors = inspect_file(p, rec)
    assert time.monotonic() - start < 5, "inspection of one small file must be bounded"
    json.dumps([f.data for f in facts])  # facts stay JSON-serialisable even for garbage
    assert all(e.kind.startswith("inspect.") and e.stage == "inspect" for e in errors)
    return facts, errors


@pytest.mark.parametrize("cut", [16, 64, 1024, "half"])
def test_truncated(tmp_path: Path, cut: int | str) -> None:
    data = sample()
    n = len(data) // 2 if cut == "half" else cut
    facts, errors = inspect_bytes(tmp_path, data[:n])
    if n < 52:
        assert [e.kind for e in errors] == ["inspect.elf.header"]
    else:
        assert errors, "a truncated ELF must be reported"
        assert any(f.kind == "elf" for f in facts), "partial facts from the header"
        assert any(e.kind.startswith("inspect.elf.") for e in errors)


def test_zeroed_section_table(tmp_path: Path) -> None:
    data = bytearray(sample())
    h = read_header(bytes(data))
    data[h.shoff : h.shoff + h.shnum * h.shentsize] = b"\0" * (h.shnum * h.shentsize)
    facts, _ = inspect_bytes(tmp_path, bytes(data))
    elf = next(f for f in facts if f.kind == "elf")
    assert elf.data["soname"] is not None, "dynamic info comes from the program headers"


def test_huge_shnum(tmp_path: Path) -> None:
    data = bytearray(sample())
    h = read_header(bytes(data))
    struct.pack_into(h.endian + "H", data, 48 if h.bits == 32 else 60, 0xFFFF)
    facts, errors = inspect_bytes(tmp_path, bytes(data))
    assert "inspect.elf.sections" in {e.kind for e in errors}
    assert any(f.kind == "elf" for f in facts), "partial facts from the program headers"


def test_huge_phnum(tmp_path: Path) -> None:
    data = bytearray(sample())
    h = read_header(bytes(data))
    struct.pack_into(h.endian + "H", data, 44 if h.bits == 32 else 56, 0xFFFF)
    facts, errors = inspect_bytes(tmp_path, bytes(data))
    assert "inspect.elf.segments" in {e.kind for e in errors}
    assert any(f.kind == "elf.symbols" for f in facts), "symbols still come from the section table"


def test_random_byte_flips(tmp_path: Path) -> None:
    base = sample()
    rng = random.Random(1234)
    outcomes = {"clean": 0, "errors": 0}
    kinds: set[str] = set()
    for i in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 40)):
            pos = rng.randrange(0, min(len(data), 4096) if rng.random() < 0.7 else len(data))
            data[pos] = rng.randrange(256)
        _, errors = inspect_bytes(tmp_path, bytes(data), f"flip{i}.so")
        outcomes["errors" if errors else "clean"] += 1
        kinds.update(e.kind for e in errors)
        assert not any(e.kind.endswith(".crash") and "elf" in e.kind for e in errors), errors
    assert outcomes["errors"] > 0, "some flips must have been noticed"
    assert "inspect.elf.header" in kinds or "inspect.elf.sections" in kinds, kinds


def test_garbage_named_like_everything(tmp_path: Path) -> None:
    rng = random.Random(99)
    for name in ("vmlinux", "u-boot.bin", "passwd", "rcS", "Account1", "cert.pem", "env.bin"):
        for size in (0, 1, 63, 4096):
            data = bytes(rng.randrange(256) for _ in range(size))
            inspect_bytes(tmp_path, data, name)
