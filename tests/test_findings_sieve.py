"""Every `Sieve` (a cheap hint in front of a findings pattern) flags the same strings as its pattern alone:
over random strings built from the characters the patterns care about, and over real files (the corpus when
../shared is there, the built samples otherwise)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from audit.findings import credentials, endpoints, services
from audit.findings.text import MAX_SEGMENT, Segment, Sieve, Strings, candidates, holds, present, segment_list
from tests.conftest import CORPUS, REPO

PAIRS = credentials._mirai_index()[:2]
SIEVES = [*endpoints.SIEVES, services.PORT_WORD, *credentials.TOKEN_HINTS.values(),
          *(Sieve(credentials.COLON, pairs) for pairs in PAIRS)]
ALPHABET = "abcxyzAKIAPORT0123456789.:@/-_[] \tport:root:vizxvhttp://"


def _random_strings(rng: random.Random, count: int) -> Strings:
    segs = []
    for i in range(count):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(4, 40)))
        for word in ("www.vendor-cloud.com", "10.0.0.1", "fe80::1", "root:xc3511", "AKIAABCDEFGHIJKLMNOP", "a@b.io"):
            if rng.random() < 0.05:
                cut = rng.randint(0, len(text))
                text = text[:cut] + word + text[cut:]
        segs.append(Segment(i * 64, text))
    return Strings(segs)


@pytest.mark.parametrize("seed", range(20))
def test_sieves_flag_what_their_patterns_flag_on_random_strings(seed: int) -> None:
    segs = _random_strings(random.Random(seed), 300)
    for sieve in SIEVES:
        assert candidates(segs, sieve) == candidates(list(segs), sieve.pattern), sieve.pattern.pattern[:60]
        one_by_one = [s for s in segs if sieve.pattern.search(s.text)]  # the definition, string by string
        assert candidates(list(segs), sieve.pattern) == one_by_one, sieve.pattern.pattern[:60]
        assert present(segs, sieve) == (sieve.pattern.search("\n".join(s.text for s in segs)) is not None)


def test_a_hint_that_misses_would_be_caught() -> None:
    """The check above can fail: a wrong hint (no `:` needed for a URL) loses a URL that the pattern finds."""
    segs = Strings([Segment(0, "see https://fw.vendor-cloud.com/x"), Segment(40, "nothing here")])
    wrong = Sieve(endpoints.re.compile("#"), endpoints.URL)
    assert candidates(segs, wrong) == []
    assert candidates(segs, endpoints.URL) == [segs[0]]


def _real_files() -> list[Path]:
    root = CORPUS if CORPUS.is_dir() else REPO / "samples" / "build"
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    if not files:
        pytest.skip("neither ../shared/corpus nor built samples")
    return files[:60]


def test_sieves_flag_what_their_patterns_flag_on_real_files() -> None:
    for path in _real_files():
        segs = segment_list(path.read_bytes()[: 8 << 20])
        for sieve in SIEVES:
            assert candidates(segs, sieve) == candidates(list(segs), sieve.pattern), (path.name, sieve.hint.pattern)


def _component_literals() -> list[bytes]:
    from audit.findings.components import _prefilter
    from audit.findings.tables import component_rows

    return sorted({_prefilter(p)[0] for row in component_rows() for p in row.strings} - {b""})


def test_holds_answers_as_a_search_of_the_bytes_on_real_files() -> None:
    literals = [*_component_literals(), b"ELF", b"\x7fELF", b"lib", b"GCC: (", b"zzzz-not-there"]
    for path in _real_files():
        data = path.read_bytes()[: 8 << 20]
        test = holds(segment_list(data), data)
        assert [test(lit) for lit in literals] == [lit in data for lit in literals], path.name


def test_holds_falls_back_to_the_bytes_when_a_run_was_cut() -> None:
    """A literal across the MAX_SEGMENT cut of a long run is in no segment; `holds` must still find it."""
    data = b"\0" + b"a" * (MAX_SEGMENT - 3) + b"BusyBox v1.2" + b"b" * 100 + b"\0"
    segs = segment_list(data)
    assert segs.cut and not any("BusyBox" in s.text for s in segs)
    assert holds(segs, data)(b"BusyBox v")
    short = segment_list(b"\0BusyBox v1.2\0")
    assert not short.cut and holds(short, b"\0BusyBox v1.2\0")(b"BusyBox v")
    assert not holds(short, b"\0BusyBox v1.2\0")(b"Dropbear")


def test_every_port_the_port_regex_finds_follows_a_port_before_character() -> None:
    """`services.PORT_BEFORE` is a necessary condition of `_port_regex`: strings it rejects hold no port."""
    regex, rng = services._port_regex(), random.Random(11)
    ports = [str(p) for p in sorted(services.port_rows())]
    pieces = [":", ",", "=", " ", "\t", "\"", "'", "port", "Port", "PORT", "_PORT", "report", "localhost", "*",
              "]", "1.2.3.4", "10.0", "x", "T", "t", *ports]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))) for _ in range(20_000)]
    found = [t for t in texts if regex.search(t)]
    assert len(found) > 1000  # the check is not vacuous
    assert all(services.PORT_BEFORE.search(t) for t in found)
    for path in _real_files():
        for seg in segment_list(path.read_bytes()[: 8 << 20]):
            if regex.search(seg.text):
                assert services.PORT_BEFORE.search(seg.text), (path.name, seg.text[:80])
