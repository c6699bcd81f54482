"""Rule hygiene: fixed meta in a fixed order, known entities, unique ids, paired cases, both engines compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit.knowledge import BRAND_LOOKUP, load_knowledge
from audit.rule_meta import RuleInfo, load_rule_infos, parse_rules, rule_files, validate_rule_meta
from audit.scan import compile_rules, default_rules_dir
from tests.helpers.cases import load_cases

KB = load_knowledge()
INFOS = load_rule_infos()
CASES = load_cases()
CATEGORIES = {"soc", "sdk", "toolchain", "odm", "oem", "cloud", "component", "suspicious"}


def test_there_are_rules_in_every_category() -> None:
    assert {i.category for i in INFOS} == CATEGORIES
    assert len(INFOS) >= 60


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_rule_meta_is_complete_and_ordered(info: RuleInfo) -> None:
    assert validate_rule_meta(info, KB) == []


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_rule_name_is_generic_to_specific(info: RuleInfo) -> None:
    prefix = info.category.upper()
    assert re.fullmatch(rf"{prefix}_[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+", info.name)


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_rule_has_paired_cases(info: RuleInfo) -> None:
    case = CASES.get(info.name)
    assert case, f"{info.name}: no entry in tests/rule_cases.yaml"
    assert case.get("positive"), "no positive case"
    assert case.get("negative"), "no negative case"


def test_every_case_names_a_rule() -> None:
    assert set(CASES) - {i.name for i in INFOS} == set()


def test_rule_ids_and_names_are_unique() -> None:
    ids = [i.meta_dict["id"] for i in INFOS]
    names = [i.name for i in INFOS]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", rule_files(default_rules_dir()), ids=lambda p: p.name)
def test_string_identifiers_follow_the_style_guide(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    idents = re.findall(r"^\s*(\$\w+)\s*=", text, re.M)
    assert idents and all(re.fullmatch(r"\$(x|s|fp)[0-9]+", i) for i in idents), idents
    for line in text.splitlines():
        if re.match(r"^\s*\$\w+\s*=\s*\{", line):
            assert "//" in line, f"hex string without an ASCII comment: {line.strip()}"


@pytest.mark.parametrize("engine", ["yara-x", "yara-python"])
def test_rules_compile_with_both_engines(engine: str) -> None:
    pytest.importorskip("yara_x" if engine == "yara-x" else "yara")
    assert len(compile_rules(engine=engine)) > 1000


def test_oem_rules_name_brands_from_the_brand_table() -> None:
    """An oem rule names a brand of the table, or is a brand-lookup rule (its brand resolved at attribution)."""
    brand_entities = {row["entity"] for row in KB.brands}
    assert {i.meta_dict["entity"] for i in INFOS if i.category == "oem"} <= brand_entities | {BRAND_LOOKUP}


def test_brand_lookup_is_only_for_oem_rules_with_a_version_regex(tmp_path: Path) -> None:
    """`brand-lookup` outside the oem layer, or without a regex extracting the brand, is rejected."""
    bad = tmp_path / "cloud" / "bad.yar"
    bad.parent.mkdir()
    bad.write_text(
        'rule CLOUD_Bad_Brand {\n meta:\n  id = "0d53db52-b7af-4e5a-9c4e-6cf6879fa8f0"\n'
        '  description = "a cloud rule naming brand-lookup"\n  author = "x"\n  date = "2026-01-01"\n'
        '  reference = "https://example.com"\n  layer = "cloud"\n  entity = "brand-lookup"\n  weight = "weak"\n'
        ' strings:\n  $x1 = "a"\n condition:\n  $x1\n}\n',
        encoding="utf-8",
    )
    (info,) = parse_rules(bad, "cloud")
    assert any("brand-lookup" in p for p in validate_rule_meta(info, KB))
    brand_rules = [i for i in INFOS if i.meta_dict.get("entity") == BRAND_LOOKUP]
    assert brand_rules and all(i.category == "oem" and "version_regex" in i.meta_dict for i in brand_rules)


def test_cloud_rules_cover_the_endpoint_table() -> None:
    """Every vendor-cloud/p2p-relay domain or symbol row appears in a cloud rule of the same owner."""
    texts = {info.meta_dict["entity"]: "" for info in INFOS if info.category == "cloud"}
    for path in rule_files(default_rules_dir() / "cloud"):
        for info in parse_rules(path, "cloud"):
            block = path.read_text(encoding="utf-8").split(f"rule {info.name} ", 1)[1].split("\n}", 1)[0]
            texts[info.meta_dict["entity"]] += block
    for row in KB.endpoints:
        if row["category"] in ("vendor-cloud", "p2p-relay"):
            assert row["match"] in texts.get(row["owner"], ""), row


def test_meta_validation_rejects_bad_rules(tmp_path: Path) -> None:
    """The checks above can fail: a rule with misordered meta, an unknown entity and a bad id is rejected."""
    bad = tmp_path / "soc" / "bad.yar"
    bad.parent.mkdir()
    bad.write_text(
        'rule SOC_Bad_Rule {\n meta:\n  description = "misordered meta here"\n  id = "not-a-uuid"\n'
        '  author = "x"\n  date = "2026-1-1"\n  reference = "http://example.com"\n  layer = "soc"\n'
        '  entity = "no-such-vendor"\n  weight = "huge"\n strings:\n  $x1 = "a"\n condition:\n  $x1\n}\n',
        encoding="utf-8",
    )
    (info,) = parse_rules(bad, "soc")
    problems = " | ".join(validate_rule_meta(info, KB))
    for expected in ("order", "UUID", "YYYY-MM-DD", "https", "no-such-vendor", "weight"):
        assert expected in problems
