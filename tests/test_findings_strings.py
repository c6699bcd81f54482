"""`segment_list` (array operations over the bytes, texts packed in one buffer) finds exactly the runs of the
regexes it replaced, `[\\x20-\\x7e\\t]{4,}` and `(?:[\\x20-\\x7e]\\x00){4,}` scanned left to right, cut into
MAX_SEGMENT pieces: on random bytes, across chunk boundaries, and on real files."""

from __future__ import annotations

import random
import re

import pytest

from audit.findings import runs
from audit.findings.text import MAX_SEGMENT, Segment, Strings, segment_list
from tests.conftest import CORPUS, REPO

ASCII = re.compile("[\x20-\x7e\t]{4,}")
WIDE = re.compile("(?:[\x20-\x7e]\x00){4,}")
PIECES = [b"\0", b"A", b"b", b" ", b"\t", b"\n", b"\xff", b"\x01", b"\x7f", b"z\0", b"Q\0", b"\t\0", b"\0\0"]


def _reference(data: bytes) -> tuple[list[Segment], bool]:
    """The runs as the old regex scan found them, and whether an ASCII run was cut."""
    decoded, out, cut = data.decode("latin-1"), [], False
    for pattern, wide in ((ASCII, False), (WIDE, True)):
        for match in pattern.finditer(decoded):
            chars = match.group()[::2] if wide else match.group()
            cut |= not wide and len(chars) > MAX_SEGMENT
            for i in range(0, len(chars), MAX_SEGMENT):
                out.append(Segment(match.start() + i * (2 if wide else 1), chars[i:i + MAX_SEGMENT], wide))
    return out, cut


def _check(data: bytes) -> None:
    got, (want, cut) = segment_list(data), _reference(data)
    assert len(got) == len(want)
    assert [got[i] for i in range(len(got))] == want  # built one by one, as the scanners ask
    assert got.joined()[0] == "\n".join(s.text for s in want)
    assert list(got) == want and got.cut == cut


def _random_bytes(rng: random.Random, size: int) -> bytes:
    parts = [rng.choice(PIECES) * rng.choice((1, 1, 2, 3, 4, 5, 8, 60)) for _ in range(size // 3 + 1)]
    return b"".join(parts)[:size]


@pytest.mark.parametrize("seed", range(8))
def test_the_runs_are_those_of_the_regexes_on_random_bytes(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        _check(_random_bytes(rng, rng.choice((0, 1, 3, 4, 7, 40, 500, 6000))))


def test_runs_at_chunk_ends_and_long_runs_are_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "CHUNK", 64)  # many chunks: a run must never be split at a chunk's end
    rng = random.Random(7)
    for _ in range(200):
        _check(_random_bytes(rng, rng.choice((100, 900, 9000))))
    _check(b"x" * (3 * MAX_SEGMENT + 5) + b"\0" + "wide".encode("utf-16le") * 2000 + b"\xff")


def test_the_regex_reference_can_fail() -> None:
    """The comparison sees a difference: a run of three is no segment, a run of four is."""
    assert _reference(b"\0abc\0")[0] == [] and segment_list(b"\0abcd\0")[0] == Segment(1, "abcd")
    assert segment_list("\0HTTP".encode("utf-16le"))[0] == Segment(2, "HTTP", True)


def test_packed_strings_index_like_a_list() -> None:
    segs = segment_list(b"\0first\0second\xff" + "third".encode("utf-16le"))
    assert len(segs) == 3 and segs[-1] == Segment(14, "third", True)
    assert segs[0:2] == [Segment(1, "first"), Segment(7, "second")]
    with pytest.raises(IndexError):
        segs[3]
    assert Strings(list(segs)).joined() == segs.joined()


def test_the_runs_of_real_files_are_those_of_the_regexes() -> None:
    root = CORPUS if CORPUS.is_dir() else REPO / "samples" / "build"
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    if not files:
        pytest.skip("neither ../shared/corpus nor built samples")
    for path in files[:80]:
        _check(path.read_bytes()[: 8 << 20])
