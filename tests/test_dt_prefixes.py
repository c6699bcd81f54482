"""Device-tree vendor prefixes (rules/data/dt_vendor_prefixes.yaml) become soc fact rules over `fdt` facts."""

from __future__ import annotations

from pathlib import Path

from audit.attribute import evidence_from_facts
from audit.dt_prefixes import fact_rule_rows
from audit.knowledge import load_knowledge
from audit.model import Fact

KB = load_knowledge()


def _soc(compatible: list[str]) -> list[tuple[str, str | None]]:
    fact = Fact(kind="fdt", sha256="0" * 64, path="boot.bin", data={"kind": "dtb", "compatible": compatible})
    return sorted((i.entity, i.detail) for i in evidence_from_facts([fact], {}, KB) if i.layer == "soc")


def test_root_compatible_names_the_soc_vendor_and_chip() -> None:
    assert _soc(["wand,imx6q-wandboard-revd1", "wand,imx6q-wandboard", "fsl,imx6q"]) == [("nxp", "i.MX6Q")]
    assert _soc(["allwinner,sun8iw19p1"]) == [("allwinner", "V831")]
    assert _soc(["qcom,apq8016-sbc", "qcom,apq8016"]) == [("qualcomm", "APQ8016")]


def test_board_maker_prefixes_and_other_facts_give_nothing() -> None:
    assert _soc(["raspberrypi,4-model-b"]) == []
    assert _soc(["tplink,archer-c7"]) == []
    fact = Fact(kind="kernel.banner", sha256="0" * 64, path="k", data={"banner": "fsl,imx6q"})
    assert [i for i in evidence_from_facts([fact], {}, KB) if i.evidence.rule_id.startswith("FACT_SOC_DT_")] == []


def test_every_row_is_an_soc_vendor_with_a_reference() -> None:
    rows = fact_rule_rows(Path("rules/data/dt_vendor_prefixes.yaml"), errors := [])
    assert errors == [] and len(rows) >= 25
    assert all("soc-vendor" in KB.entities[r["entity"]].kinds for r in rows)
    assert {r["id"] for r in rows} <= {r.id for r in KB.fact_rules}


def test_bad_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "dt_vendor_prefixes.yaml"
    path.write_text("prefixes:\n  - {prefix: 'Bad Prefix', entity: nxp, reference: 'http://x'}\n", encoding="utf-8")
    errors: list[str] = []
    assert fact_rule_rows(path, errors) == [] and errors
