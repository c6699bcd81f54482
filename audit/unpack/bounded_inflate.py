"""Compression bombs cost at most the bytes cap to find: bounded stream-end search for unblob's stream handlers.

To size a gzip, zlib or LZMA chunk, unblob's handlers inflate the whole stream and throw the output away:
an 8 GiB gzip bomb (8 MB on disk) costs ~30 s of inflating before extraction even starts, whatever the caps.
Here the search stops once the stream has produced `budget` bytes (the run's total-bytes cap, passed in
`FWAUDIT_INFLATE_BUDGET`): nothing the extraction could keep lies past it.

- gzip (RFC 1952): our own member-end search. A member that passes the budget is taken to run to the end of
  the file; its extraction then stops at the per-file size cap, which the engine reports (`unpack.cap.*`).
- zlib, LZMA (`.lzma` alone format): unblob's own loops, given a decompressor that counts what it produces
  (in bounded steps, so one call never holds more than `STEP` bytes) and reports end-of-stream at the budget.

Facts: gzip header layout and flags (FTEXT/FHCRC/FEXTRA/FNAME/FCOMMENT) and the 8-byte CRC32/ISIZE trailer from
RFC 1952 (https://www.rfc-editor.org/rfc/rfc1952).
"""

from __future__ import annotations

import lzma
import os
import struct
import types
import zlib
from typing import Any

BUDGET_ENV = "FWAUDIT_INFLATE_BUDGET"
DEFAULT_BUDGET = 4 << 30
STEP = 8 << 20  # most output one inner call may produce (memory bound)
READ = 1 << 20
FHCRC, FEXTRA, FNAME, FCOMMENT = 0x02, 0x04, 0x08, 0x10
TRAILER = 8


def budget() -> int:
    """Bytes a stream may produce while its end is searched (the run's total-bytes cap)."""
    try:
        return max(1 << 20, int(os.environ.get(BUDGET_ENV, "")))
    except ValueError:
        return DEFAULT_BUDGET


class _Produced:
    """Stands in for a decompressor's output where callers only take its length (never materialised)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


class BoundedDecompressor:
    """A zlib or LZMA decompressor that counts its output and reports `eof` once `limit` bytes came out."""

    def __init__(self, inner: Any, limit: int) -> None:
        self._inner, self._limit, self.produced = inner, limit, 0

    @property
    def over_budget(self) -> bool:
        return self.produced >= self._limit

    @property
    def stream_ended(self) -> bool:
        """The stream's own end-of-stream marker was reached (not just the budget)."""
        return bool(self._inner.eof)

    @property
    def eof(self) -> bool:
        return bool(self._inner.eof) or self.over_budget

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def decompress(self, data: bytes, max_length: int = -1) -> _Produced:
        before = self.produced
        pending = data
        while not self._inner.eof and not self.over_budget:
            out = self._inner.decompress(pending, STEP)
            self.produced += len(out)
            pending = getattr(self._inner, "unconsumed_tail", b"")
            more = bool(pending) if hasattr(self._inner, "unconsumed_tail") else not self._inner.needs_input
            if not more:
                break
            if not out and not pending:
                break
        return _Produced(self.produced - before)


def _module_with(real: types.ModuleType, **overrides: Any) -> types.ModuleType:
    shim = types.ModuleType(real.__name__)
    shim.__dict__.update(real.__dict__)
    shim.__dict__.update(overrides)
    return shim


def gzip_member_end(data: Any, start: int, size: int, limit: int) -> int | None:
    """End offset of the gzip member at `start` of the mapped file `data`; None if it is not one.

    Raises ValueError on a damaged stream. A member that inflates past `limit` runs to the end of the file.
    """
    if size - start < 18 or data[start : start + 3] != b"\x1f\x8b\x08":
        return None
    flags = data[start + 3]
    pos = start + 10
    if flags & FEXTRA:
        if pos + 2 > size:
            raise ValueError("truncated gzip extra field")
        pos += 2 + struct.unpack_from("<H", data, pos)[0]
    for flag in (FNAME, FCOMMENT):
        if flags & flag:
            nul = data.find(b"\0", pos)
            if nul < 0:
                raise ValueError("unterminated gzip name or comment")
            pos = nul + 1
    if flags & FHCRC:
        pos += 2
    inflater = BoundedDecompressor(zlib.decompressobj(-zlib.MAX_WBITS), limit)
    while not inflater.eof:
        if pos >= size:
            raise ValueError("gzip stream ends before its end-of-stream marker")
        piece = bytes(data[pos : pos + READ])
        try:
            inflater.decompress(piece)
        except zlib.error as exc:
            raise ValueError(f"invalid deflate data: {exc}") from exc
        pos += len(piece)
    if inflater.over_budget and not inflater.stream_ended:
        return size
    end = pos - len(inflater.unused_data) + TRAILER
    if end > size:
        raise ValueError("gzip trailer past the end of the file")
    return end


def install() -> None:
    """Bound unblob's gzip, zlib and LZMA stream-end searches by `budget()` (called from our plugin)."""
    from unblob.file_utils import InvalidInputFormat
    from unblob.handlers.compression import gzip as unblob_gzip
    from unblob.handlers.compression import lzma as unblob_lzma
    from unblob.handlers.compression import zlib as unblob_zlib

    limit = budget()

    def member_end(self: Any, file: Any) -> int | None:
        start = file.tell()
        try:
            end = gzip_member_end(file, start, file.size(), limit)
        except ValueError as exc:
            raise InvalidInputFormat(str(exc)) from exc
        if end is not None:
            file.seek(end)
        return end

    unblob_gzip.GZIPHandler._read_member_end_offset = member_end
    unblob_lzma.lzma = _module_with(
        lzma, LZMADecompressor=lambda *a, **k: BoundedDecompressor(lzma.LZMADecompressor(*a, **k), limit))
    unblob_zlib.zlib = _module_with(
        zlib, decompressobj=lambda *a, **k: BoundedDecompressor(zlib.decompressobj(*a, **k), limit))
