"""docs/rules.md is generated from the rule meta and must be up to date."""

from __future__ import annotations

import importlib.util

from audit.rule_meta import load_rule_infos
from tests.helpers.controls import REPO


def _gen():
    spec = importlib.util.spec_from_file_location("gen_rules_doc", REPO / "tools" / "gen_rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(module)
    return module


def test_rules_doc_is_up_to_date() -> None:
    gen = _gen()
    assert gen.OUT.read_text(encoding="utf-8") == gen.render(), "run tools/gen_rules_doc.py"


def test_rules_doc_lists_every_rule() -> None:
    text = _gen().render()
    for info in load_rule_infos():
        assert f"`{info.name}`" in text
