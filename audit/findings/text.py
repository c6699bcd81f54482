"""Bounded reading of a file and its printable strings (ASCII and UTF-16LE) with their byte offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024  # bytes scanned per file
MIN_LEN = 4
# `{4,}` written out: the same matches, 1.5-5x faster in `re` on binary data (NUL and padding runs)
ASCII_RUN = re.compile(rb"[\x20-\x7e\t]" * MIN_LEN + rb"[\x20-\x7e\t]*")
WIDE_RUN = re.compile(rb"[\x20-\x7e]\x00" * MIN_LEN + rb"(?:[\x20-\x7e]\x00)*")
MAX_SEGMENT = 4096  # longer runs are cut into pieces (regexes stay bounded)


@dataclass(frozen=True)
class Segment:
    """One printable run: its text, the file offset of its first byte, and whether it was UTF-16LE."""

    offset: int
    text: str
    wide: bool = False

    def at(self, index: int) -> int:
        """File offset of character `index` of the text."""
        return self.offset + index * (2 if self.wide else 1)


def read_bounded(path: Path, limit: int = MAX_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit)


def is_text(data: bytes) -> bool:
    """A text file (config, script): no NUL in the first 8 KiB and not an ELF."""
    head = data[:8192]
    return bool(head) and b"\0" not in head and not head.startswith(b"\x7fELF")


def segments(data: bytes) -> Iterator[Segment]:
    """ASCII runs, then UTF-16LE runs, each at least MIN_LEN characters, in offset order per encoding."""
    for m in ASCII_RUN.finditer(data):
        yield from _pieces(m.start(), m.group().decode("ascii"), False)
    if b"\0" in data:
        for m in WIDE_RUN.finditer(data):
            yield from _pieces(m.start(), m.group()[::2].decode("ascii"), True)


def _pieces(offset: int, text: str, wide: bool) -> Iterator[Segment]:
    step = 2 if wide else 1
    for i in range(0, len(text), MAX_SEGMENT):
        yield Segment(offset + i * step, text[i : i + MAX_SEGMENT], wide)
