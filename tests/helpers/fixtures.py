"""Tiny test inputs built on the fly: synthetic ELF-shaped byte strings and cross-compiled C fixtures."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

ET = {"none": None, "rel": 1, "exec": 2, "dyn": 3}
EM_ARM = 40


def elf_header(e_type: int, machine: int = EM_ARM) -> bytes:
    """A 52-byte ELF32 little-endian header (enough for `uint32(0)`/`uint16(16)` rule conditions)."""
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIIIIIHHHHHH", e_type, machine, 1, 0, 0, 0, 0, 52, 0, 0, 40, 0, 0)


def synth_bytes(spec: dict[str, Any]) -> bytes:
    """`{elf: dyn|rel|exec|none, strings: [...]}` -> header + NUL-separated strings."""
    e_type = ET[spec.get("elf", "dyn")]
    head = elf_header(e_type) if e_type is not None else b""
    body = b"\x00".join(s.encode("utf-8") for s in spec.get("strings", []))
    return head + b"\x00" + body + b"\x00"


def write_synth(tmp_path: Path, spec: dict[str, Any], name: str = "synth.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(synth_bytes(spec))
    return path


def compile_c(tmp_path: Path, spec: dict[str, Any], name: str = "fixture") -> Path:
    """`{compiler, source, shared}` -> a real cross-compiled ELF (skips when the compiler is absent)."""
    compiler = spec.get("compiler", "arm-linux-gnueabihf-gcc")
    if shutil.which(compiler) is None:
        pytest.skip(f"{compiler} not installed")
    src = tmp_path / f"{name}.c"
    src.write_text(spec["source"], encoding="utf-8")
    out = tmp_path / (f"lib{name}.so" if spec.get("shared", True) else name)
    args = [compiler, "-O1", "-o", str(out), str(src)]
    if spec.get("shared", True):
        args[1:1] = ["-shared", "-fPIC"]
    subprocess.run(args, check=True, capture_output=True, timeout=120)
    return out
