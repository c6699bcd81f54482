"""A file that is a device tree (or FIT image) whose own header does not hold gives `inspect.headers.fdt`."""

from __future__ import annotations

import struct
from pathlib import Path

from audit.inspect import inspect_file
from audit.inspect.headers import fdt_header_problem
from audit.model import FileRecord

FDT_BEGIN_NODE, FDT_PROP, FDT_END_NODE, FDT_END = 1, 3, 2, 9


def _pad(raw: bytes) -> bytes:
    return raw + bytes(-len(raw) % 4)


def make_dtb(compatible: bytes = b"rockchip,rk3328\0") -> bytes:
    """A minimal version-17 flattened device tree (devicetree specification 5.2-5.4): one root property."""
    strings = b"compatible\0"
    struct_block = (struct.pack(">I", FDT_BEGIN_NODE) + _pad(b"\0")
                    + struct.pack(">III", FDT_PROP, len(compatible), 0) + _pad(compatible)
                    + struct.pack(">I", FDT_END_NODE) + struct.pack(">I", FDT_END))
    rsvmap = bytes(16)
    off_rsv = 40
    off_struct = off_rsv + len(rsvmap)
    off_strings = off_struct + len(struct_block)
    total = off_strings + len(strings)
    header = struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, off_rsv, 17, 16, 0, len(strings),
                         len(struct_block))
    return header + rsvmap + struct_block + strings


def _record(path: Path) -> FileRecord:
    return FileRecord(path.name, path.name, "file", path.stat().st_size, 0o644, sha256="0" * 64)


def test_a_valid_tree_has_no_problem_and_gives_its_compatible(tmp_path: Path) -> None:
    dtb = tmp_path / "board.dtb"
    dtb.write_bytes(make_dtb())
    assert fdt_header_problem(dtb.read_bytes()) is None
    facts, errors = inspect_file(dtb, _record(dtb))
    assert not [e for e in errors if e.kind == "inspect.headers.fdt"]
    assert any(f.kind == "fdt" and "rockchip,rk3328" in f.data.get("compatible", []) for f in facts)


def test_a_lying_totalsize_is_a_typed_error(tmp_path: Path) -> None:
    data = bytearray(make_dtb())
    struct.pack_into(">I", data, 4, len(data) + 4096)
    dtb = tmp_path / "lying.dtb"
    dtb.write_bytes(bytes(data))
    _facts, errors = inspect_file(dtb, _record(dtb))
    assert [e.kind for e in errors if e.kind.startswith("inspect.headers")] == ["inspect.headers.fdt"]
    assert "runs past the end" in next(e.message for e in errors if e.kind == "inspect.headers.fdt")


def test_a_strings_block_past_totalsize_is_a_typed_error() -> None:
    data = bytearray(make_dtb())
    struct.pack_into(">I", data, 32, 10_000)  # size_dt_strings
    assert "strings block" in (fdt_header_problem(bytes(data)) or "")


def test_a_carved_piece_of_a_fit_image_is_not_damage(tmp_path: Path) -> None:
    data = bytearray(make_dtb())
    struct.pack_into(">I", data, 4, len(data) + 4096)  # the rest of the FIT lies in the next chunk
    piece = tmp_path / "0-228.unknown"
    piece.write_bytes(bytes(data))
    _facts, errors = inspect_file(piece, _record(piece))
    assert not [e for e in errors if e.kind == "inspect.headers.fdt"]
