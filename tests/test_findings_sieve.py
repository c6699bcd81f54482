"""Every `Sieve` (a cheap hint in front of a findings pattern) flags the same strings as its pattern alone:
over random strings built from the characters the patterns care about, and over real files (the corpus when
../shared is there, the built samples otherwise)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from audit.findings import credentials, endpoints, services
from audit.findings.text import Segment, Sieve, Strings, candidates, present, segment_list
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
