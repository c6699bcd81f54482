"""Bounded reading of a file and its printable strings (ASCII and UTF-16LE) with their byte offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

MAX_BYTES = 64 * 1024 * 1024  # bytes scanned per file
MIN_LEN = 4  # characters: shorter runs are no strings
MAX_SEGMENT = 4096  # characters: longer runs are cut into pieces (the scanners' regexes stay bounded)
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
    """`segments(data)` as `Strings`, packed: the runs are found by audit/findings/runs.py and a `Segment` is
    built only when a scanner asks for that one (most never are)."""
    from audit.findings import runs  # numpy: imported by the findings stage, not by every CLI start

    found = runs.find(data)
    strings = Strings.packed(found.joined, found.starts, found.offsets, found.ascii_count)
    strings.cut = found.cut
    return strings


class Sieve(NamedTuple):
    """A pattern and its hint: a cheap regex (a literal, or a short class the engine skips through fast) that
    matches inside every string in which `pattern` matches. `candidates` and `present` run the hint over all
    of a file's strings and the pattern only over the strings the hint flags: the same answers, for less."""

    hint: re.Pattern[str]
    pattern: re.Pattern[str]


Pattern = re.Pattern[str] | Sieve


class Strings(Sequence[Segment]):
    """A file's segments and their newline-joined text, built once and shared by every scanner that asks.

    Built from segments (`Strings(segments)`), or packed (`segment_list`): the joined text, where each text
    starts in it, and the file offsets; a `Segment` is then made only for the ones a scanner looks at."""

    cut = False  # an ASCII run longer than MAX_SEGMENT was cut into pieces (see `holds`)

    def __init__(self, segments: Iterable[Segment] = ()) -> None:
        self._items: list[Segment] | None = list(segments)
        self._joined: tuple[str, list[int]] | None = None
        self._offsets: list[int] = []
        self._ascii = 0  # packed: segments before this index are ASCII, the rest UTF-16LE

    @classmethod
    def packed(cls, joined: str, starts: list[int], offsets: list[int], ascii_count: int) -> Strings:
        strings = cls()
        strings._items, strings._joined, strings._offsets, strings._ascii = None, (joined, starts), offsets, ascii_count
        return strings

    def __len__(self) -> int:
        return len(self._items) if self._items is not None else len(self._offsets)

    def __getitem__(self, index):  # type: ignore[override]  # int -> Segment, slice -> list[Segment]
        if self._items is not None:
            return self._items[index]
        if isinstance(index, slice):
            return [self._segment(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("segment index out of range")
        return self._segment(index)

    def __iter__(self) -> Iterator[Segment]:
        if self._items is None:  # every segment wanted: build them all, once
            self._items = [self._segment(i) for i in range(len(self._offsets))]
        return iter(self._items)

    def _segment(self, index: int) -> Segment:
        joined, starts = self._joined  # type: ignore[misc]  # packed: always set
        return Segment(self._offsets[index], joined[starts[index]:starts[index + 1] - 1], index >= self._ascii)

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
    return _join_texts([seg.text for seg in segs])


def _join_texts(texts: list[str]) -> tuple[str, list[int]]:
    return "\n".join(texts), list(accumulate((len(t) + 1 for t in texts), initial=0))


def _joined(segs: Sequence[Segment]) -> tuple[str, list[int]]:
    return segs.joined() if isinstance(segs, Strings) else _join(segs)


def _hit_indices(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[int]:
    """Indices of the segments in which `pattern` matches, in order. After a hit the search goes on from the
    next segment's start: a match never spans a newline, so the segments are those of every match, found with
    one search per segment hit rather than one per match."""
    found: list[int] = []
    search, end, pos = pattern.search, len(text), 0
    while pos <= end and (match := search(text, pos)) is not None:
        index = bisect_right(starts, match.start()) - 1
        found.append(index)
        pos = starts[index + 1]
    return found


def _sub_join(text: str, starts: list[int], indices: list[int]) -> tuple[str, list[int]]:
    """`_join` of the segments at `indices`, sliced from the joined text (no Segment is built)."""
    return _join_texts([text[starts[i]:starts[i + 1] - 1] for i in indices])


def candidates(segs: Sequence[Segment], *patterns: Pattern) -> list[Segment]:
    """The segments in which any of `patterns` matches, in order.

    Each pattern runs once over all texts joined by newlines (no segment holds one) instead of once per
    segment, which on a binary's strings is several times cheaper. Exact for patterns that never match a
    newline or an empty string and whose look-arounds treat a newline as they treat the start or end of a
    text (a negative look-around whose class has no newline): then the matches inside one segment are the
    same either way, whichever segments are its neighbours (a `Sieve`'s pattern runs over the flagged
    segments only).
    """
    if not segs or not patterns:
        return []
    text, starts = _joined(segs)
    found: set[int] = set()
    for pattern in patterns:
        if isinstance(pattern, Sieve):
            flagged = _hit_indices(pattern.hint, text, starts)
            if flagged:
                sub_text, sub_starts = _sub_join(text, starts, flagged)
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
