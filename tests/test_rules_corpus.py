"""End-to-end accuracy on the real vendor corpus (../shared/corpus) and the Debian controls."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from audit.knowledge import load_knowledge
from tests.helpers.controls import CORPUS, REPO

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_corpus", REPO / "tools" / "eval_corpus.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader
    sys.modules[spec.name] = module  # dataclasses look their module up in sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result():
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"corpus absent: {CORPUS}")
    return _eval_module().evaluate(load_knowledge(), jobs=2)


def test_every_soc_vendor_is_right(result) -> None:
    wrong = [(f, exp, [(c.layer, c.entity) for c in cl]) for f, exp, cl, ok in result.rows if not ok]
    assert wrong == []
    assert len(result.rows) >= 17


def test_montage_wifi_driver_trap_gets_no_soc_claim(result) -> None:
    (row,) = [r for r in result.rows if r[0].endswith("xm711.ko")]
    assert row[1] is None
    assert [c for c in row[2] if c.layer in ("soc", "odm")] == []


def test_goke_is_never_hisilicon(result) -> None:
    assert result.goke_as_hisilicon == []
    goke = [r for r in result.rows if r[1] == "goke"]
    assert goke and all(any(c.entity == "goke" for c in r[2]) for r in goke)


def test_debian_controls_yield_no_provenance_claims(result) -> None:
    assert [(name, c.layer, c.entity) for name, c in result.control_claims] == []


def test_label_parsing() -> None:
    mod = _eval_module()
    kb = load_knowledge()
    assert mod.expected_soc("Grain Media GM8136 SDK library", kb) == "grain-media"
    assert mod.expected_soc("Wi-Fi driver; no SoC or Xiongmai claim expected", kb) is None
    assert mod.expected_soc("Goke GK7205V200 VI kernel module", kb) == "goke"
