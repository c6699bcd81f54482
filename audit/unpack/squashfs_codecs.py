"""Block decompressors for SquashFS, including the vendor LZMA variants of older routers.

SquashFS v4 names its compressor in the superblock (1 gzip, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd); v1-v3 have no
such field: stock images are zlib, vendor builds (sqlzma, Broadcom `shsq`, TP-Link, Netcore) use LZMA in one of
three framings, told apart per block:

- LZMA-alone: 5 property bytes, a little-endian 64-bit uncompressed size, then the stream (13-byte header);
- properties only: the 5 property bytes (lc/lp/pb byte + dictionary size), then the stream, no size;
- headerless: the bare stream, decoded with the LZMA SDK defaults (lc=3, lp=0, pb=2).

An LZMA stream's range coder always starts with a zero byte, which is what tells the framings apart.
Every call is bounded by `limit`, the most a block may expand to (a metadata block 8 KiB, a data block the block
size), so a bomb costs at most `limit` bytes.
"""

from __future__ import annotations

import lzma
import struct
import zlib
from collections.abc import Callable

GZIP, LZMA, LZO, XZ, LZ4, ZSTD = 1, 2, 3, 4, 5, 6
NAMES = {GZIP: "gzip", LZMA: "lzma", LZO: "lzo", XZ: "xz", LZ4: "lz4", ZSTD: "zstd"}
MAX_DICT = 1 << 25
Decompress = Callable[[bytes, int], bytes]


class CodecError(Exception):
    """A block that does not decompress with the image's compressor."""


def _zlib(data: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, limit)
    except zlib.error as exc:
        raise CodecError(f"zlib: {exc}") from exc


def _lzma1_raw(stream: bytes, props: int, dict_size: int, limit: int) -> bytes:
    if props >= 9 * 5 * 5:
        raise CodecError(f"lzma: bad properties byte {props:#x}")
    lc, rest = props % 9, props // 9
    lp, pb = rest % 5, rest // 5
    filt = {"id": lzma.FILTER_LZMA1, "dict_size": min(max(dict_size, 4096), MAX_DICT), "lc": lc, "lp": lp, "pb": pb}
    try:
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt]).decompress(stream, limit)
    except lzma.LZMAError as exc:
        raise CodecError(f"lzma (raw lc={lc} lp={lp} pb={pb}): {exc}") from exc


def lzma_framing(data: bytes) -> str:
    """Which of the three LZMA framings a block uses: `alone`, `props` or `raw`."""
    if len(data) >= 14 and data[0] < 225 and data[13] == 0:
        size = struct.unpack_from("<Q", data, 5)[0]
        if size == 0xFFFF_FFFF_FFFF_FFFF or size <= 1 << 32:
            return "alone"
    if len(data) >= 6 and data[0] < 225 and data[5] == 0:
        return "props"
    return "raw"


def _lzma_any(data: bytes, limit: int) -> bytes:
    framing = lzma_framing(data)
    if framing == "alone":
        try:
            return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data, limit)
        except lzma.LZMAError:
            framing = "props"  # a props-only block whose first stream bytes look like a size
    if framing == "props":
        return _lzma1_raw(data[5:], data[0], struct.unpack_from("<I", data, 1)[0], limit)
    return _lzma1_raw(data, 0x5D, MAX_DICT, limit)


def _lzma_or_zlib(data: bytes, limit: int) -> bytes:
    """sqlzma images mix zlib blocks (0x78 first byte) with LZMA blocks."""
    if data[:1] == b"\x78":
        try:
            return _zlib(data, limit)
        except CodecError:
            pass
    return _lzma_any(data, limit)


def _xz(data: bytes, limit: int) -> bytes:
    try:
        return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data, limit)
    except lzma.LZMAError as exc:
        raise CodecError(f"xz: {exc}") from exc


def _lzo(data: bytes, limit: int) -> bytes:
    try:
        import lzo  # python-lzo (PyPI) / python3-lzo (Debian)
    except ImportError as exc:
        raise CodecError("lzo: python-lzo is not installed") from exc
    try:
        return lzo.decompress(data, False, limit)
    except lzo.error as exc:
        raise CodecError(f"lzo: {exc}") from exc


def _lz4(data: bytes, limit: int) -> bytes:
    import lz4.block

    try:
        return lz4.block.decompress(data, uncompressed_size=limit)
    except lz4.block.LZ4BlockError as exc:
        raise CodecError(f"lz4: {exc}") from exc


def _zstd(data: bytes, limit: int) -> bytes:
    import pyzstd

    try:
        return pyzstd.ZstdDecompressor().decompress(data, limit)
    except pyzstd.ZstdError as exc:
        raise CodecError(f"zstd: {exc}") from exc


_BY_ID: dict[int, Decompress] = {GZIP: _zlib, LZMA: _lzma_or_zlib, LZO: _lzo, XZ: _xz, LZ4: _lz4,
                                 ZSTD: _zstd}


def decompressor(compression: int | None) -> Decompress:
    """The block decompressor for a v4 compressor id, or for a v1-v3 image (None: zlib, else vendor LZMA)."""
    if compression is None:
        return _lzma_or_zlib
    if compression == GZIP:
        return _zlib
    try:
        return _BY_ID[compression]
    except KeyError:
        raise CodecError(f"unknown compressor id {compression}") from None


def checked(decompress: Decompress, data: bytes, limit: int) -> bytes:
    """Decompress one block, typed errors only (no library exception escapes)."""
    try:
        out = decompress(data, limit)
    except CodecError:
        raise
    except Exception as exc:  # a codec library's own failure on hostile data
        raise CodecError(f"{type(exc).__name__}: {exc}") from exc
    if not out:
        raise CodecError("block decompressed to nothing")
    return out
