"""Bounded reading of a file and its printable strings (ASCII and UTF-16LE) with their byte offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

MAX_BYTES = 64 * 1024 * 1024  # bytes scanned per file
MIN_LEN = 4
# `{4,}` written out: the same matches, 1.5-5x faster in `re` on binary data (NUL and padding runs)
ASCII_RUN = re.compile(rb"[\x20-\x7e\t]" * MIN_LEN + rb"[\x20-\x7e\t]*")
WIDE_RUN = re.compile(rb"[\x20-\x7e]\x00" * MIN_LEN + rb"(?:[\x20-\x7e]\x00)*")
# the same runs over `data.decode("latin-1")` (one code point per byte)
ASCII_TEXT_RUN = re.compile(ASCII_RUN.pattern.decode("latin-1"))
WIDE_TEXT_RUN = re.compile(WIDE_RUN.pattern.decode("latin-1"))
MAX_SEGMENT = 4096  # longer runs are cut into pieces (regexes stay bounded)
PRINTABLE = bytes(range(0x20, 0x7f)) + b"\t"  # the bytes of an ASCII run


class Segment(NamedTuple):
    """One printable run: its text, the file offset of its first byte, and whether it was UTF-16LE.

    A named tuple, not a dataclass: a binary holds hundreds of thousands of runs, and tuples are built fast."""

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
    return iter(segment_list(data))


def segment_list(data: bytes) -> Strings:
    """`segments(data)` as a list (built with comprehensions: the common case, a run shorter than MAX_SEGMENT,
    costs one tuple)."""
    text = data.decode("latin-1")  # one code point per byte: the runs are the same, their text needs no decode
    out = [Segment(m.start(), m.group(), False) if m.end() - m.start() <= MAX_SEGMENT else None
           for m in ASCII_TEXT_RUN.finditer(text)]
    cut = None in out
    if cut:
        out = [piece for m in ASCII_TEXT_RUN.finditer(text) for piece in _pieces(m.start(), m.group(), False)]
    if "\0" in text:
        out.extend(piece for m in WIDE_TEXT_RUN.finditer(text) for piece in _pieces(m.start(), m.group()[::2], True))
    strings = Strings(out)
    strings.cut = cut
    return strings


def _pieces(offset: int, text: str, wide: bool) -> Iterator[Segment]:
    step = 2 if wide else 1
    if len(text) <= MAX_SEGMENT:
        yield Segment(offset, text, wide)
        return
    for i in range(0, len(text), MAX_SEGMENT):
        yield Segment(offset + i * step, text[i : i + MAX_SEGMENT], wide)


class Sieve(NamedTuple):
    """A pattern and its hint: a cheap regex (a literal, or a short class the engine skips through fast) that
    matches inside every string in which `pattern` matches. `candidates` and `present` run the hint over all
    of a file's strings and the pattern only over the strings the hint flags: the same answers, for less."""

    hint: re.Pattern[str]
    pattern: re.Pattern[str]


Pattern = re.Pattern[str] | Sieve


class Strings(list[Segment]):
    """A file's segments; their newline-joined text is built once and shared by every scanner that asks."""

    _joined: tuple[str, list[int]] | None = None
    cut = False  # an ASCII run longer than MAX_SEGMENT was cut into pieces (see `holds`)

    def joined(self) -> tuple[str, list[int]]:
        """(all texts joined by newlines, the start of each segment's text in it)."""
        if self._joined is None:
            self._joined = _join(self)
        return self._joined


def holds(segs: Strings, data: bytes) -> Callable[[bytes], bool]:
    """A test `literal in data` that looks in the strings' joined text where that is exact: a literal of at least
    MIN_LEN printable ASCII characters lies inside one ASCII run, hence inside one segment, unless a run was cut
    (then, and for other literals, it looks in `data`). The joined text is about a tenth of a binary's bytes."""
    text = None if segs.cut else segs.joined()[0]
    seen: dict[bytes, bool] = {}  # several rows share a literal

    def test(literal: bytes) -> bool:
        if literal not in seen:
            if text is not None and len(literal) >= MIN_LEN and not literal.translate(None, PRINTABLE):
                seen[literal] = literal.decode("ascii") in text
            else:
                seen[literal] = literal in data
        return seen[literal]

    return test


def as_strings(segments: Iterable[Segment]) -> Strings:
    """`segments` as `Strings` (itself when it already is: its joined text is kept)."""
    return segments if isinstance(segments, Strings) else Strings(segments)


def _join(segs: Sequence[Segment]) -> tuple[str, list[int]]:
    return "\n".join(seg.text for seg in segs), list(accumulate((len(seg.text) + 1 for seg in segs), initial=0))


def _joined(segs: Sequence[Segment]) -> tuple[str, list[int]]:
    return segs.joined() if isinstance(segs, Strings) else _join(segs)


def _hit_indices(pattern: re.Pattern[str], text: str, starts: list[int]) -> set[int]:
    return {bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)}


def candidates(segs: Sequence[Segment], *patterns: Pattern) -> list[Segment]:
    """The segments in which any of `patterns` matches, in order.

    Each pattern runs once over all texts joined by newlines (no segment holds one) instead of once per
    segment, which on a binary's strings is several times cheaper. Exact for patterns that never match a
    newline and whose look-arounds treat a newline as they treat the start or end of a text (a negative
    look-around whose class has no newline): then the matches inside one segment are the same either way,
    whichever segments are its neighbours (a `Sieve`'s pattern runs over the flagged segments only).
    """
    if not segs or not patterns:
        return []
    text, starts = _joined(segs)
    found: set[int] = set()
    for pattern in patterns:
        if isinstance(pattern, Sieve):
            flagged = sorted(_hit_indices(pattern.hint, text, starts))
            if flagged:
                sub_text, sub_starts = _join([segs[i] for i in flagged])
                found.update(flagged[j] for j in _hit_indices(pattern.pattern, sub_text, sub_starts))
        else:
            found.update(_hit_indices(pattern, text, starts))
    return [segs[i] for i in sorted(found)]


def present(segs: Sequence[Segment], pattern: Pattern) -> bool:
    """Whether `pattern` matches in any segment (under the conditions of `candidates`)."""
    if not segs:
        return False
    if isinstance(pattern, Sieve):
        return bool(candidates(segs, pattern))
    return pattern.search(_joined(segs)[0]) is not None
