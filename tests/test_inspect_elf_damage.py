"""Damage below the ELF header becomes a typed warning per table (`inspect.elf.<table>`), facts kept.

Each case damages one table of a real dynamic executable (this machine's /bin/true, built by Debian's
toolchain) the way the hostile-input campaign did, and checks the inspector names that table.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from audit.inspect import inspect_file
from audit.model import FileRecord

REAL = Path(shutil.which("true") or "/bin/true")
pytestmark = pytest.mark.skipif(not REAL.is_file(), reason="no real dynamic executable on this machine")


def _record(path: Path) -> FileRecord:
    return FileRecord(path=path.name, fs_path=path.name, kind="file", size=path.stat().st_size, mode=0o755,
                      sha256="0" * 64, magic="ELF", mime="application/x-executable", is_elf=True, arch=None,
                      parent=None, handler=None, offset=None, link_target=None)


def _sections(data: bytes) -> dict[str, tuple[int, int, int]]:
    """name -> (section header offset, sh_offset, sh_size) of a 64-bit little-endian ELF."""
    import io

    elf = ELFFile(io.BytesIO(data))
    shoff, entsize = elf.header.e_shoff, elf.header.e_shentsize
    return {s.name: (shoff + i * entsize, s["sh_offset"], s["sh_size"]) for i, s in enumerate(elf.iter_sections())}


def _audit(tmp_path: Path, data: bytes) -> tuple[set[str], set[str]]:
    path = tmp_path / "damaged"
    path.write_bytes(data)
    facts, errors = inspect_file(path, _record(path))
    return {e.kind for e in errors}, {f.kind for f in facts}


@pytest.fixture
def original() -> bytes:
    data = REAL.read_bytes()
    if data[4] != 2 or data[5] != 1:
        pytest.skip("the damage offsets below are written for a 64-bit little-endian ELF")
    return data


def test_intact_file_has_no_table_warnings(tmp_path: Path, original: bytes) -> None:
    kinds, facts = _audit(tmp_path, original)
    assert not {k for k in kinds if k.startswith("inspect.elf.")}
    assert "elf" in facts


def test_section_past_the_end(tmp_path: Path, original: bytes) -> None:
    data = bytearray(original)
    header, _offset, _size = _sections(original)[".comment" if ".comment" in _sections(original) else ".dynstr"]
    struct.pack_into("<Q", data, header + 24, len(data) + 4096)  # sh_offset past EOF
    kinds, facts = _audit(tmp_path, bytes(data))
    assert "inspect.elf.sections" in kinds
    assert "elf" in facts  # the intact tables still give their facts


def test_section_name_table_without_nul(tmp_path: Path, original: bytes) -> None:
    data = bytearray(original)
    _header, offset, size = _sections(original)[".shstrtab"]
    data[offset + size - 1] = ord("A")
    kinds, facts = _audit(tmp_path, bytes(data))
    assert "inspect.elf.strtab" in kinds
    assert "elf" in facts


def test_huge_dt_strsz(tmp_path: Path, original: bytes) -> None:
    data = bytearray(original)
    _header, offset, size = _sections(original)[".dynamic"]
    for at in range(offset, offset + size, 16):
        tag = struct.unpack_from("<q", data, at)[0]
        if tag == 10:  # DT_STRSZ
            struct.pack_into("<Q", data, at + 8, 1 << 40)
            break
    else:
        pytest.skip("no DT_STRSZ")
    kinds, facts = _audit(tmp_path, bytes(data))
    assert "inspect.elf.dynamic" in kinds
    assert "elf" in facts


def test_version_needs_pointing_outside(tmp_path: Path, original: bytes) -> None:
    sections = _sections(original)
    if ".gnu.version_r" not in sections:
        pytest.skip("no version-needs section")
    data = bytearray(original)
    _header, offset, _size = sections[".gnu.version_r"]
    struct.pack_into("<I", data, offset + 12, 0x7FFF_0000)  # vn_next of the first entry: far outside
    kinds, _facts = _audit(tmp_path, bytes(data))
    assert "inspect.elf.verneed" in kinds


def test_several_damaged_tables_each_get_their_kind(tmp_path: Path, original: bytes) -> None:
    data = bytearray(original)
    sections = _sections(original)
    _h, offset, size = sections[".shstrtab"]
    data[offset + size - 1] = ord("A")
    header, _o, _s = sections[".dynstr"]
    struct.pack_into("<Q", data, header + 24, len(data) + 4096)
    kinds, _facts = _audit(tmp_path, bytes(data))
    assert {"inspect.elf.strtab", "inspect.elf.sections"} <= kinds
