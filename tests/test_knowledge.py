"""Knowledge base: loads, validates, and encodes the documented corporate relations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.knowledge import RULES_ROOT, KnowledgeError, load_knowledge

KB = load_knowledge()


def test_enough_entities_with_required_fields() -> None:
    assert len(KB.entities) >= 40
    for ent in KB.entities.values():
        assert ent.name and ent.kinds and ent.references


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("hisilicon", "huawei"),
        ("ezviz", "hikvision"),
        ("hilook", "hikvision"),
        ("hiwatch", "hikvision"),
        ("hiksemi", "hikvision"),
        ("prama-hikvision", "hikvision"),
        ("imou", "dahua"),
        ("sepura", "hytera"),
        ("teltronic", "hytera"),
        ("norsat", "hytera"),
        ("closeli", "arcsoft"),
        ("xmeye", "xiongmai"),
    ],
)
def test_parents(child: str, parent: str) -> None:
    assert parent in KB.ancestors(child)


def test_lists_are_inherited_through_current_parents_only() -> None:
    assert KB.lists("hikvision") == ["fcc-covered", "ndaa-889"]
    assert KB.lists("ezviz") == ["fcc-covered", "ndaa-889"]
    assert KB.lists("hisilicon") == ["fcc-covered", "ndaa-889"]
    assert KB.lists("goke") == []
    # Lorex: Dahua subsidiary 2018 - 24 Nov 2022, a former parent does not pass its lists on.
    assert "dahua" not in KB.ancestors("lorex")
    assert "dahua" in KB.ancestors("lorex", include_former=True)
    (rel,) = [r for r in KB.entities["lorex"].relations["subsidiary_of"] if r.target == "dahua"]
    assert rel.until == "2022-11-24"
    assert KB.lists("lorex") == []


def test_goke_chips_are_rebadged_hisilicon_parts() -> None:
    expected = {"GK7205V200": "Hi3516EV200", "GK7205V300": "Hi3516EV300", "GK7202V300": "Hi3518EV300"}
    for goke, hisi in expected.items():
        chip = KB.canonical_chip(goke.lower())
        assert chip and chip.vendor == "goke" and chip.rebadge_of == hisi
        assert KB.chips[hisi].vendor == "hisilicon"
    assert "hisilicon" in KB.related("goke", "rebadge_of")


def test_kernel_codenames_resolve_to_chips() -> None:
    chip = KB.canonical_chip("isvp_swan")
    assert chip and chip.id == "T31" and chip.vendor == "ingenic"


def test_same_group() -> None:
    assert KB.same_group("ezviz", "hikvision")
    assert KB.same_group("ezviz", "hilook")
    assert not KB.same_group("xiongmai", "hikvision")


def test_brands_and_endpoints_name_known_entities() -> None:
    assert KB.brand_entity("hilook") == "hilook"
    assert all(row["owner"] in KB for row in KB.endpoints)
    assert {"throughtek", "cs2-network", "xmeye"} <= {row["owner"] for row in KB.endpoints}


def _copy_rules(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES_ROOT / "vendors", root / "vendors")
    shutil.copytree(RULES_ROOT / "data", root / "data")
    return root


def test_unknown_relation_target_is_an_error(tmp_path: Path) -> None:
    root = _copy_rules(tmp_path)
    (root / "vendors" / "zz-bad.yaml").write_text(
        "entities:\n  - id: acme\n    name: Acme\n    kind: oem\n    references: [https://example.com/]\n"
        "    brand_of: [{id: nobody}]\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="unknown entity 'nobody'"):
        load_knowledge(root)


def test_duplicate_id_and_bad_kind_are_errors(tmp_path: Path) -> None:
    root = _copy_rules(tmp_path)
    (root / "vendors" / "zz-dup.yaml").write_text(
        "entities:\n  - id: goke\n    name: Goke again\n    kind: spaceship\n    references: [https://example.com/]\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    assert "duplicate entity id 'goke'" in str(err.value) and "spaceship" in str(err.value)


def test_bad_fact_rule_is_an_error(tmp_path: Path) -> None:
    root = _copy_rules(tmp_path)
    path = root / "data" / "fact_rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("entity: ingenic", "entity: ingenik", 1))
    with pytest.raises(KnowledgeError, match="bad entity"):
        load_knowledge(root)
