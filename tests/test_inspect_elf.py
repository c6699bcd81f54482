"""ELF inspector: cross-compiled fixtures, real Debian binaries of other architectures, sstrip, hardening."""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from audit.inspect import inspect_file
from audit.model import Fact, FileRecord

LIB_C = """
__asm__(".section .comment\\n.string \\"GCC: (Hisilicon_v500_20180120) 4.9.4\\"\\n.previous");
#include <stdio.h>
int HI_MPI_SYS_Init(void) { return puts("init"); }
int HI_MPI_SYS_Exit(void) { return 0; }
static int hidden_helper(void) { return 1; }
int use_helper(void) { return hidden_helper(); }
"""
MAIN_C = """
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) { char buf[16]; strcpy(buf, argv[0]); printf("%s %d\\n", buf, argc); return 0; }
"""


def record(path: Path, name: str | None = None) -> FileRecord:
    data = path.read_bytes()
    return FileRecord(path=name or path.name, fs_path="/" + (name or path.name), kind="file", size=len(data),
                      mode=0o755, sha256=hashlib.sha256(data).hexdigest())


def run(path: Path, name: str | None = None) -> tuple[dict[str, list[Fact]], list]:
    facts, errors = inspect_file(path, record(path, name))
    by_kind: dict[str, list[Fact]] = {}
    for f in facts:
        by_kind.setdefault(f.kind, []).append(f)
    return by_kind, errors


def compile_c(cc: str, source: str, out: Path, *flags: str) -> Path:
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    src = out.with_suffix(".c")
    src.write_text(source)
    subprocess.run([cc, *flags, "-o", str(out), str(src)], check=True, capture_output=True)
    return out


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", *args], check=True, capture_output=True, text=True).stdout


def strip_section_table(path: Path) -> Path:
    """sstrip-like: zero e_shoff, e_shnum and e_shstrndx (32-bit little-endian ELF)."""
    data = bytearray(path.read_bytes())
    assert data[4] == 1 and data[5] == 1
    struct.pack_into("<I", data, 32, 0)
    struct.pack_into("<HHH", data, 46, 0, 0, 0)
    out = path.with_name(path.name + ".sstrip")
    out.write_bytes(bytes(data))
    return out


@pytest.fixture(scope="module")
def arm_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("arm") / "libhi_test.so"
    return compile_c("arm-linux-gnueabihf-gcc", LIB_C, out, "-shared", "-fPIC", "-O1",
                     "-Wl,-soname,libhi_test.so", "-Wl,--build-id", "-Wl,-rpath,/opt/vendor/lib")


def test_shared_lib_summary_exports_and_comment(arm_lib: Path) -> None:
    facts, errors = run(arm_lib)
    assert errors == []
    elf = facts["elf"][0].data
    assert (elf["class"], elf["endian"], elf["machine"], elf["type"]) == (32, "le", "EM_ARM", "ET_DYN")
    assert elf["abi"]["eabi_version"] == 5 and elf["abi"]["float_abi"] == "hard"
    assert elf["soname"] == "libhi_test.so" and "libc.so.6" in elf["needed"]
    assert (elf["rpath"] or elf["runpath"]) == "/opt/vendor/lib"
    syms = facts["elf.symbols"][0].data
    assert {"HI_MPI_SYS_Init", "HI_MPI_SYS_Exit", "use_helper"} <= set(syms["exports"])
    assert "hidden_helper" not in syms["exports"] and "puts" in syms["imports"]
    assert syms["exports_count"] == len(syms["exports"])
    banner = next(f for f in facts["elf.comment"] if "Hisilicon_v500" in f.data["text"])
    raw = arm_lib.read_bytes()
    assert raw[banner.offset : banner.offset + 30] == b"GCC: (Hisilicon_v500_20180120)"


def test_build_id_matches_readelf(arm_lib: Path) -> None:
    facts, _ = run(arm_lib)
    expected = re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", str(arm_lib))).group(1)
    assert facts["elf.build_id"][0].data["build_id"] == expected


def test_big_endian_mips_build_id(tmp_path: Path) -> None:
    out = compile_c("mips-linux-gnu-gcc", MAIN_C, tmp_path / "be_main", "-O1", "-Wl,--build-id")
    facts, errors = run(out)
    assert errors == []
    elf = facts["elf"][0].data
    assert elf["endian"] == "be" and elf["machine"] == "EM_MIPS" and elf["abi"]["abi"] == "o32"
    expected = re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", str(out))).group(1)
    assert facts["elf.build_id"][0].data["build_id"] == expected
    note = facts["elf.build_id"][0]
    assert out.read_bytes()[note.offset + 12 : note.offset + 16] == b"GNU\0"


def test_sstripped_binary_keeps_dynamic_info(arm_lib: Path) -> None:
    stripped = strip_section_table(arm_lib)
    facts, errors = run(stripped)
    assert errors == []  # a removed section table is not an error, it is a (common) firmware style
    elf = facts["elf"][0].data
    assert elf["section_headers"] is False
    assert elf["soname"] == "libhi_test.so" and "libc.so.6" in elf["needed"]
    syms = facts["elf.symbols"][0].data
    assert syms["dynamic_source"] == "PT_DYNAMIC"
    assert {"HI_MPI_SYS_Init", "HI_MPI_SYS_Exit"} <= set(syms["exports"])
    full, _ = run(arm_lib)
    assert set(syms["exports"]) == set(full["elf.symbols"][0].data["exports"])
    assert facts["elf.build_id"][0].data == full["elf.build_id"][0].data
    assert "elf.comment" not in facts


def test_hardening_enabled(tmp_path: Path) -> None:
    out = compile_c("aarch64-linux-gnu-gcc", MAIN_C, tmp_path / "hard", "-O2", "-fstack-protector-all",
                    "-D_FORTIFY_SOURCE=2", "-fPIE", "-pie", "-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack")
    h = run(out)[0]["elf.hardening"][0].data
    assert h["nx"] and h["pie"] and h["relro"] == "full" and h["bind_now"] and h["canary"]
    assert h["fortify"] and "__strcpy_chk" in h["fortified"]


def test_hardening_disabled(tmp_path: Path) -> None:
    out = compile_c("aarch64-linux-gnu-gcc", MAIN_C, tmp_path / "soft", "-O0", "-fno-stack-protector",
                    "-no-pie", "-Wl,-z,norelro", "-Wl,-z,execstack", "-U_FORTIFY_SOURCE")
    h = run(out)[0]["elf.hardening"][0].data
    assert not h["nx"] and not h["pie"] and h["relro"] == "none" and not h["canary"] and not h["fortify"]


def test_static_binary_and_symtab(tmp_path: Path) -> None:
    out = compile_c("mipsel-linux-gnu-gcc", MAIN_C, tmp_path / "static", "-static", "-O1")
    facts, errors = run(out)
    assert errors == []
    elf = facts["elf"][0].data
    assert elf["static"] is True and elf["interpreter"] is None and elf["stripped"] is False
    syms = facts["elf.symbols"][0].data
    assert "main" in syms["static_defined"] and syms["static_defined_count"] >= len(syms["static_defined"])


@pytest.mark.parametrize(
    ("path", "machine", "abi_key", "abi_value"),
    [
        ("/usr/arm-linux-gnueabihf/lib/libc.so.6", "EM_ARM", "float_abi", "hard"),
        ("/usr/mipsel-linux-gnu/lib/libc.so.6", "EM_MIPS", "abi", "o32"),
        ("/usr/mips-linux-gnu/lib/libc.so.6", "EM_MIPS", "abi", "o32"),
        ("/usr/aarch64-linux-gnu/lib/libc.so.6", "EM_AARCH64", None, None),
    ],
)
def test_debian_cross_libc(path: str, machine: str, abi_key: str | None, abi_value: str | None) -> None:
    p = Path(path)
    if not p.exists():
        pytest.skip(f"{path} not installed")
    facts, errors = run(Path(p.resolve()), "lib/libc.so.6")
    assert errors == []
    elf = facts["elf"][0].data
    assert elf["machine"] == machine and elf["soname"] == "libc.so.6"
    if abi_key:
        assert elf["abi"][abi_key] == abi_value
    syms = facts["elf.symbols"][0].data
    assert "printf" in syms["exports"] and syms["exports_count"] > 1000
    expected = re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", str(p))).group(1)
    assert facts["elf.build_id"][0].data["build_id"] == expected


def test_symbol_lists_are_capped(tmp_path: Path) -> None:
    p = Path("/usr/aarch64-linux-gnu/lib/libstdc++.so.6")
    if not p.exists():
        pytest.skip("libstdc++ for aarch64 not installed")
    facts, _ = run(p.resolve())
    syms = facts["elf.symbols"][0].data
    assert syms["exports_count"] > 5000 and len(syms["exports"]) == 5000
