"""Bounded decompression of one compressed stream inside a file, straight to an output file.

Used by the boot-image handlers (`uimage.py`, `zimage.py`): gzip, bzip2, lzma (`.lzma` "alone" and `.xz`),
lz4 (frame and the kernel's legacy format), zstd and lzo (lzop format, through Debian's `lzop`). Every
decoder is fed in blocks and asked for at most `max_length` bytes at a time, so memory stays at a few MiB
whatever the stream claims, and output stops at `cap` bytes. The result says how it ended: complete (the
stream's own end marker), truncated (input ran out first), capped, or a decoder error; the caller turns that
into a typed problem.
"""

from __future__ import annotations

import bz2
import contextlib
import lzma
import re
import resource
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import lz4.block
import lz4.frame
import pyzstd

from audit.unpack.formats.base import Problem

BLOCK = 256 * 1024  # compressed bytes read at a time
OUT_STEP = 1024 * 1024  # decompressed bytes asked for at a time
DEFAULT_CAP = 512 * 1024 * 1024  # output cap when the process has no RLIMIT_FSIZE
LZ4_LEGACY = b"\x02\x21\x4c\x18"
LZ4_LEGACY_BLOCK = 8 * 1024 * 1024  # the legacy format's fixed uncompressed block size
LZ4_BOUND = LZ4_LEGACY_BLOCK + LZ4_LEGACY_BLOCK // 255 + 16  # LZ4_compressBound of one block
LZ4_FRAME = b"\x04\x22\x4d\x18"
LZOP = b"\x89LZO\x00\r\n\x1a\n"

# where a compressed stream starts, by magic (lzma: properties 0x5d and a power-of-two dictionary of
# 64 KiB..2 GiB); candidates are confirmed by decoding (`probe`), never by the magic alone
_POW2 = rb"[\x01\x02\x04\x08\x10\x20\x40\x80]"  # one byte of a power-of-two lzma dictionary size
MAGICS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("gzip", re.compile(rb"\x1f\x8b\x08[\x00-\x1f]")),
    ("xz", re.compile(rb"\xfd7zXZ\x00")),
    ("lzma", re.compile(rb"\x5d\x00(?:%s\x00\x00|\x00%s\x00|\x00\x00%s)" % (_POW2, _POW2, _POW2))),
    ("bzip2", re.compile(rb"BZh[1-9]1AY&SY")),
    ("lzo", re.compile(re.escape(LZOP))),
    ("lz4", re.compile(re.escape(LZ4_LEGACY) + b"|" + re.escape(LZ4_FRAME))),
    ("zstd", re.compile(rb"\x28\xb5\x2f\xfd")),
)
METHODS = ("gzip", "bzip2", "lzma", "xz", "lz4", "zstd", "lzo")


@dataclass(frozen=True)
class StreamResult:
    """How one bounded decompression ended."""

    method: str
    written: int  # decompressed bytes written
    complete: bool  # the stream's own end marker was reached
    capped: bool  # stopped at the output cap
    error: str | None  # the decoder's complaint (damaged data), None when none

    @property
    def truncated(self) -> bool:
        """Input ended before the stream did (and nothing else went wrong)."""
        return not self.complete and not self.capped and self.error is None


def output_cap(limit: int = DEFAULT_CAP) -> int:
    """Bytes one output file may take: the per-file RLIMIT_FSIZE the engine set, else `limit`."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return limit if soft in (resource.RLIM_INFINITY, -1) else min(limit, int(soft))


def find_streams(head: bytes, start: int = 0, limit: int = 8) -> list[tuple[int, str]]:
    """(offset, method) of compressed-stream magics in `head` at or after `start`, by offset, at most `limit`."""
    found: set[tuple[int, str]] = set()
    for name, pattern in MAGICS:
        for count, m in enumerate(pattern.finditer(head, start)):
            if count >= limit:
                break
            found.add((m.start(), name))
    return sorted(found)[:limit]


def _read(src: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    src.seek(start)
    left = length
    while left > 0:
        block = src.read(min(BLOCK, left))
        if not block:
            return
        left -= len(block)
        yield block


Step = Callable[[bytes, int], bytes]  # (input, max_length) -> output


def _stepper(method: str) -> tuple[Step, Callable[[], bool], Callable[[], bool]]:
    """(decompress step, eof(), needs_input()) for a python decoder with max_length."""
    if method == "gzip":
        z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        tail = [b""]

        def gz(data: bytes, size: int) -> bytes:
            out = z.decompress(tail[0] + data, size)
            tail[0] = z.unconsumed_tail
            return out

        return gz, lambda: z.eof, lambda: not tail[0]
    decoder: lzma.LZMADecompressor | bz2.BZ2Decompressor | pyzstd.ZstdDecompressor | lz4.frame.LZ4FrameDecompressor
    if method == "bzip2":
        decoder = bz2.BZ2Decompressor()
    elif method in ("lzma", "xz"):
        decoder = lzma.LZMADecompressor(lzma.FORMAT_ALONE if method == "lzma" else lzma.FORMAT_XZ)
    elif method == "zstd":
        decoder = pyzstd.ZstdDecompressor()
    else:
        decoder = lz4.frame.LZ4FrameDecompressor()
    return decoder.decompress, lambda: bool(decoder.eof), lambda: bool(decoder.needs_input)


_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error, pyzstd.ZstdError, RuntimeError)


def _python(src: BinaryIO, start: int, length: int, method: str, dest: BinaryIO, cap: int) -> StreamResult:
    step, eof, needs_input = _stepper(method)
    written = 0
    try:
        for block in _read(src, start, length):
            data = block
            while True:
                out = step(data, OUT_STEP)
                data = b""
                if len(out) + written > cap:
                    dest.write(out[: cap - written])
                    return StreamResult(method, cap, False, True, None)
                dest.write(out)
                written += len(out)
                if eof():
                    return StreamResult(method, written, True, False, None)
                if needs_input() and len(out) < OUT_STEP:
                    break
    except _ERRORS as exc:
        return StreamResult(method, written, False, False, f"{type(exc).__name__}: {exc}"[:200])
    return StreamResult(method, written, eof(), False, None)


def _lz4_legacy(src: BinaryIO, start: int, length: int, dest: BinaryIO, cap: int) -> StreamResult:
    """The kernel's legacy lz4: magic, then blocks of (u32 LE compressed size, data) of at most 8 MiB each."""
    src.seek(start)
    end = start + length
    if src.read(4) != LZ4_LEGACY:
        return StreamResult("lz4", 0, False, False, "no lz4 legacy magic")
    pos, written = start + 4, 0
    while pos + 4 <= end:
        src.seek(pos)
        (size,) = struct.unpack("<I", src.read(4))
        if size == 0 or size == struct.unpack("<I", LZ4_LEGACY)[0] or size > LZ4_BOUND:
            return StreamResult("lz4", written, True, False, None)  # end of stream (size word or next magic)
        if pos + 4 + size > end:
            return StreamResult("lz4", written, False, False, None)
        try:
            out = lz4.block.decompress(src.read(size), uncompressed_size=LZ4_LEGACY_BLOCK)
        except lz4.block.LZ4BlockError as exc:
            return StreamResult("lz4", written, False, False, f"LZ4BlockError: {exc}"[:200])
        if written + len(out) > cap:
            dest.write(out[: cap - written])
            return StreamResult("lz4", cap, False, True, None)
        dest.write(out)
        written += len(out)
        pos += 4 + size
    return StreamResult("lz4", written, True, False, None)


def _lzop(src: BinaryIO, start: int, length: int, dest: BinaryIO, cap: int) -> StreamResult:
    """lzop format through Debian's `lzop -dc`: fed from a thread, its output read in blocks and cut at `cap`."""
    exe = shutil.which("lzop")
    if exe is None:
        return StreamResult("lzo", 0, False, False, "lzop is not installed")
    with subprocess.Popen([exe, "-dc", "--no-warn"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as child:
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        feeder = threading.Thread(target=_feed, args=(child.stdin, _read(src, start, length)), daemon=True)
        feeder.start()
        written = 0
        while written < cap:
            block = child.stdout.read1(OUT_STEP)
            if not block:
                break
            block = block[: cap - written]
            dest.write(block)
            written += len(block)
        if written >= cap:
            child.kill()
            feeder.join()
            child.wait()
            return StreamResult("lzo", cap, False, True, None)
        feeder.join()
        err = child.stderr.read(4096).decode("utf-8", "replace").strip()
        code = child.wait()
    if code != 0:
        truncated = any(w in err.lower() for w in ("unexpected end", "premature", "ioctl"))  # stdin ran out
        return StreamResult("lzo", written, False, False, None if truncated else f"lzop: {err[:160]}")
    return StreamResult("lzo", written, True, False, None)


def _feed(stdin: BinaryIO, blocks: Iterator[bytes]) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        for block in blocks:
            stdin.write(block)
    with contextlib.suppress(BrokenPipeError, OSError):
        stdin.close()


def decompress(src: BinaryIO, start: int, length: int, method: str, dest: BinaryIO,
               cap: int | None = None) -> StreamResult:
    """Decompress the `method` stream at src[start:start+length] into dest (which must start empty)."""
    limit = output_cap() if cap is None else cap
    if method == "lzo":
        return _lzop(src, start, length, dest, limit)
    if method == "lz4":
        src.seek(start)
        if src.read(4) == LZ4_LEGACY:
            return _lz4_legacy(src, start, length, dest, limit)
    if method not in METHODS:
        return StreamResult(method, 0, False, False, f"unknown compression {method!r}")
    return _python(src, start, length, method, dest, limit)


def probe(head: bytes, method: str, want: int = 64 * 1024) -> bool:
    """True when the stream at the start of `head` decodes to `want` bytes (or to its end) without error."""
    import io

    out = io.BytesIO()
    result = decompress(io.BytesIO(head), 0, len(head), method, out, cap=want)
    return result.error is None and (result.capped or result.complete or result.written >= want // 2)


def stream_problem(result: StreamResult, what: str, compressed: int) -> Problem | None:
    """The typed problem of one bounded decompression, None when it ended cleanly."""
    if result.capped:
        return Problem("cap.file_size", f"{what}: {result.method} output stopped at the {result.written}-byte cap")
    if result.error is not None:
        return Problem("inconsistent", f"{what}: {result.method} stream damaged after {result.written} bytes "
                       f"out of {compressed} in ({result.error})")
    if result.truncated:
        return Problem("truncated", f"{what}: {result.method} stream ends early ({compressed} bytes in, "
                       f"{result.written} out, no end marker)")
    return None
