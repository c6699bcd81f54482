"""Evidence discipline on real firmware: a strong rule fires on its own vendor's files and on nobody else's.

Every rule (YARA and fact rules) x every labelled item of ../shared/corpus, through the real pipeline once per
item (cached by code, rules and labels digest; see tests/helpers/confusion.py). Skips when the corpus is absent.
"""

from __future__ import annotations

import pytest

from tests.helpers import confusion

pytestmark = [pytest.mark.corpus, pytest.mark.slow,
              pytest.mark.skipif(not confusion.available(), reason="../shared/corpus or ../shared/eval absent")]


@pytest.fixture(scope="module")
def hits() -> list[confusion.Hit]:
    return confusion.collect(jobs=2)


def test_the_corpus_was_audited(hits: list[confusion.Hit]) -> None:
    audited = {h.item for h in hits}
    assert len(audited) >= 0.8 * len(confusion.labels())  # most items give at least one hit (controls may not)


def test_no_strong_rule_fires_on_another_vendors_file(hits: list[confusion.Hit]) -> None:
    found = confusion.confusions(hits, ("strong",))
    listed = "\n".join(f"{h.rule} ({h.layer}:{h.entity}) on {h.item}: {h.path} {h.matched[:60]!r}" for h in found)
    assert not found, f"strong rules with other-vendor hits (make them medium/weak or fix them):\n{listed}"


def test_every_strong_rule_has_a_real_positive(hits: list[confusion.Hit]) -> None:
    """No exemptions: a rule seen only on the synthetic samples is medium until a real file confirms it."""
    missing = sorted(confusion.without_positive(hits))
    assert not missing, "strong rules that fire on no real file of their entity (make them medium): " + \
        ", ".join(missing)


def test_own_entities_follow_the_labels() -> None:
    label = confusion.labels()["openipc/goke-osdrv-gk7205v200/libgk_api.so"]
    own = confusion.own_entities(label)
    assert "goke" in own and "hisilicon" not in own  # the Goke trap: HiSilicon-compatible symbols are not Goke's
