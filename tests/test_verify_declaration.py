"""Reading declarations and vendor SBOMs: the documented YAML format, CycloneDX 1.4-1.6, SPDX 2.3; every bad
file is a `DeclarationError` naming the line or the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.knowledge import KnowledgeBase, load_knowledge
from audit.verify.declaration import parse_declaration
from audit.verify.model import DeclarationError
from audit.verify.read import load_declared
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "verify"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def test_full_declaration_resolves_vendors_through_names_and_aliases(kb: KnowledgeBase) -> None:
    text = """schema: fwaudit/declaration/v1
manufacturer: Acme Security
brand: EZVIZ
odm: Xiongmai
soc: {vendor: 海思, model: Hi3516EV200}
sdk: {vendor: HiSilicon}
cloud: []
country_of_origin: CN
excluded_vendors: [Huawei Technologies, zte]
components:
  - {name: busybox, version: 1.10}
statements:
  - {id: S1, text: No telnet, reference: datasheet}
"""
    d = parse_declaration(text, "d.yaml", kb)
    assert d.soc_vendor is not None and d.soc_vendor.entity == "hisilicon" and d.soc_model == "Hi3516EV200"
    assert d.brand is not None and d.brand.entity == "ezviz"
    assert d.manufacturer is not None and d.manufacturer.entity == "unlisted:acme-security"
    assert [v.entity for v in d.excluded_vendors] == ["huawei", "zte"]
    assert d.cloud == () and d.components is not None and d.components[0].version == "1.10"  # not the float 1.1
    assert d.statements[0].id == "S1"


@pytest.mark.parametrize(("name", "needle"), [
    ("unknown-key.yaml", "unknown-key.yaml:4: declaration: unknown key 'chipset'"),
    ("unknown-vendor.yaml", "unknown-vendor.yaml:2: soc.vendor: unknown vendor 'HiSillicon'; did you mean hisilicon"),
    ("bad-schema.yaml", "bad-schema.yaml:1: schema: unsupported 'fwaudit/declaration/v9'"),
    ("bad-yaml.yaml", "bad-yaml.yaml:4: not valid YAML"),
    ("bad-type.yaml", "bad-type.yaml:2: excluded_vendors: expected a list"),
    ("bad-cdx.json", "bad-cdx.json: components/0/type: not valid CycloneDX 1.5"),
    ("old-cdx.json", "CycloneDX '1.2' is not supported"),
    ("bad-spdx.json", "bad-spdx.json: not valid SPDX 2.3"),
])
def test_malformed_files_name_the_problem(kb: KnowledgeBase, name: str, needle: str) -> None:
    with pytest.raises(DeclarationError) as err:
        load_declared(DATA / name, kb)
    assert needle in str(err.value)


@pytest.mark.parametrize("text", [
    "", "- just a list\n", "schema: fwaudit/declaration/v1\nsoc: Hi3516\n",
    "schema: fwaudit/declaration/v1\ncomponents:\n  - {version: 1}\n",
    "schema: fwaudit/declaration/v1\nstatements:\n  - {id: a, text: x}\n  - {id: a, text: y}\n",
    "schema: fwaudit/declaration/v1\nodm: x\nodm: y\n",
])
def test_structural_errors(kb: KnowledgeBase, text: str) -> None:
    with pytest.raises(DeclarationError, match=r"d\.yaml"):
        parse_declaration(text, "d.yaml", kb)


def test_missing_file_and_other_json(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="no such file"):
        load_declared(tmp_path / "nope.yaml", kb)
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(DeclarationError, match="neither CycloneDX"):
        load_declared(tmp_path / "x.json", kb)
    (tmp_path / "y.json").write_text('{"bomFormat": "CycloneDX",\n "specVersion": }')
    with pytest.raises(DeclarationError, match=r"y\.json:2: not valid JSON"):
        load_declared(tmp_path / "y.json", kb)


def test_sboms_read_components_and_suppliers(kb: KnowledgeBase) -> None:
    cdx = load_declared(DATA / "xm-camera.cdx.json", kb)
    assert cdx.format == "cyclonedx" and cdx.components is not None
    pairs = [(c.name, c.version) for c in cdx.components]
    assert pairs[:2] == [("linux", "4.9.37"), ("hisilicon-mpp", "V1.0.1.2 B030")]
    spdx = load_declared(DATA / "hik-nvr.spdx.json", kb)
    assert spdx.format == "spdx" and spdx.components is not None
    assert {c.name for c in spdx.components} == {"linux", "hisilicon-mpp", "openssl"}  # the DESCRIBED device left out
    assert {c.name: c.supplier for c in spdx.components}["hisilicon-mpp"] == "HiSilicon"
