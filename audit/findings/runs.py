"""The printable runs of a file's bytes, found with array operations (numpy) instead of a regex scan.

The same runs as `[\\x20-\\x7e\\t]{4,}` (ASCII) and `(?:[\\x20-\\x7e]\\x00){4,}` (UTF-16LE) scanning left to
right, a run longer than MAX_SEGMENT characters cut into pieces of that length: the bytes are classified in
chunks (a chunk ends at a byte no run can hold, so no run crosses two), runs are the stretches of at least
MIN_LEN classified bytes, and their texts are gathered into one newline-joined buffer. About five times
faster than the regexes on binaries, which flip between printable and not every few bytes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from audit.findings.text import MAX_SEGMENT, MIN_LEN

CHUNK = 4 << 20  # bytes classified at a time (bounds the index arrays, ~10 bytes per byte of a chunk)
# where a chunk may end: at a byte no run holds (not printable, not tab, not NUL), found from the nominal end
_STRETCH = re.compile(rb"[\x00\x09\x20-\x7e]*")


class Found(NamedTuple):
    """All runs of a file: texts joined by newlines, where each starts in that text (one more entry: the end
    plus one), file offsets, how many are ASCII (the rest are UTF-16LE), and whether an ASCII run was cut."""

    joined: str
    starts: list[int]
    offsets: list[int]
    ascii_count: int
    cut: bool


class Runs(NamedTuple):
    """The runs of one chunk: file offsets, lengths in characters, their texts joined by newlines, and whether
    a run was cut into pieces."""

    offsets: np.ndarray
    lengths: np.ndarray
    text: bytes
    cut: bool


def find(data: bytes) -> Found:
    """The ASCII runs (in offset order), then the UTF-16LE runs (in offset order) of `data`."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ascii_parts: list[Runs] = []
    wide_parts: list[Runs] = []
    lo = 0
    while lo < len(buf):
        match = _STRETCH.match(data, min(lo + CHUNK, len(buf)))
        hi = match.end() if match else len(buf)  # buf[hi] ends every run: none crosses into the next chunk
        chunk = buf[lo:hi]
        ascii_parts.append(_pieces(chunk, *_runs(_printable(chunk), 0, 1), 1, lo))
        if len(chunk) > 1:
            (even, even_len), (odd, odd_len) = _runs(_wide(chunk, 0), 0, 2), _runs(_wide(chunk, 1), 1, 2)
            offsets, lengths = np.concatenate((even, odd)), np.concatenate((even_len, odd_len))
            order = np.argsort(offsets, kind="stable")  # the two parities never overlap
            wide_parts.append(_pieces(chunk, offsets[order], lengths[order], 2, lo))
        lo = hi
    parts = ascii_parts + wide_parts
    joined = b"\n".join(p.text for p in parts if p.text).decode("ascii")
    lengths = np.concatenate([p.lengths for p in parts] or [np.zeros(0, dtype=np.int64)])
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=starts[1:])
    offsets = np.concatenate([p.offsets for p in parts] or [np.zeros(0, dtype=np.int64)])
    return Found(joined, starts.tolist(), offsets.tolist(), sum(len(p.lengths) for p in ascii_parts),
                 any(p.cut for p in ascii_parts))


def _pieces(chunk: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, step: int, base: int) -> Runs:
    """`Runs` of a chunk from its runs (offsets relative to the chunk), long ones cut into pieces."""
    cut = bool(lengths.size) and int(lengths.max()) > MAX_SEGMENT
    if cut:
        offsets, lengths = _cut(offsets, lengths, step)
    return Runs(offsets.astype(np.int64) + base, lengths.astype(np.int64), _gather(chunk, offsets, lengths, step), cut)


def _printable(chunk: np.ndarray) -> np.ndarray:
    """Per byte: printable ASCII or tab (unsigned wrap-around makes the range test one comparison)."""
    return ((chunk - np.uint8(0x20)) < np.uint8(0x5F)) | (chunk == 0x09)


def _wide(chunk: np.ndarray, parity: int) -> np.ndarray:
    """Per byte pair from `parity` on: a UTF-16LE printable character (a printable byte, no tab, then NUL);
    read as little-endian 16-bit numbers, that is one range test."""
    pairs = chunk[parity:parity + (len(chunk) - parity) // 2 * 2].view("<u2")
    return (pairs - np.uint16(0x20)) < np.uint16(0x5F)


def _runs(flags: np.ndarray, base: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """(file offsets, lengths) of the runs of at least MIN_LEN true `flags`; flag i is at base + i * step.

    Found from the windows of MIN_LEN true flags in a row: far fewer edges than the flags have (binary data
    flips between printable and not every few bytes), and two runs never share a window."""
    if len(flags) < MIN_LEN:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    window = np.zeros(len(flags) - MIN_LEN + 3, dtype=bool)  # a False on either side
    inner = window[1:-1]
    np.logical_and(flags[:len(inner)], flags[1:len(inner) + 1], out=inner)
    for shift in range(2, MIN_LEN):
        inner &= flags[shift:len(inner) + shift]
    edges = np.flatnonzero(window[1:] != window[:-1])
    begin, end = edges[0::2], edges[1::2] + MIN_LEN - 1
    return base + begin * step, end - begin


def _cut(offsets: np.ndarray, lengths: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs longer than MAX_SEGMENT characters as pieces of MAX_SEGMENT (the last one shorter), in order."""
    pieces = -(-lengths // MAX_SEGMENT)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    index = np.arange(int(pieces.sum())) - first  # piece number inside its run
    length = np.minimum(np.repeat(lengths, pieces) - index * MAX_SEGMENT, MAX_SEGMENT)
    return np.repeat(offsets, pieces) + index * MAX_SEGMENT * step, length


def _gather(buf: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, step: int) -> bytes:
    """The runs' characters (every `step`-th byte from each offset), joined by newlines."""
    if not lengths.size:
        return b""
    slot = lengths + 1  # each run and the newline after it
    first = np.cumsum(slot) - slot
    index = np.arange(int(slot.sum()), dtype=np.int64)
    index = np.repeat(offsets, slot) + (index - np.repeat(first, slot)) * step
    newlines = first + lengths
    index[newlines] = 0
    out = buf[index]
    out[newlines] = 0x0A
    return out[:-1].tobytes()
