"""Attribution: evidence, noisy-OR confidence, dedupe, thresholds, re-badges, parents, relabel findings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from audit.attribute import attribute, combine
from audit.knowledge import load_knowledge
from audit.main_soc import resolve_main_soc
from audit.model import Claim, Evidence, Fact, FileRecord, RuleMatch, StringMatch

KB = load_knowledge()


def rec(path: str, parent: str | None = None, sha: str | None = None) -> FileRecord:
    return FileRecord(
        path=path,
        fs_path="/" + path.rsplit("/", 1)[-1],
        kind="file",
        size=1,
        mode=0o644,
        sha256=sha or path,
        parent=parent,
    )


def hit(rule: str, layer: str, entity: str, weight: str, path: str, data: bytes = b"x", **meta: str) -> RuleMatch:
    return RuleMatch(
        rule=rule,
        category=layer,
        meta={"layer": layer, "entity": entity, "weight": weight, **meta},
        sha256=path,
        path=path,
        strings=(StringMatch("$x1", 16, data),),
    )


def ev(rule: str, sha: str, weight: str = "medium", kind: str = "yara", matched: str = "m") -> Evidence:
    return Evidence(kind=kind, rule_id=rule, path=sha, sha256=sha, offset=0, matched=matched, weight=weight)


def test_noisy_or_over_independent_groups() -> None:
    assert combine([ev("a", "f1")]) == pytest.approx(0.6)
    assert combine([ev("a", "f1"), ev("b", "f2")]) == pytest.approx(0.84)  # different files
    assert combine([ev("a", "f1"), ev("b", "f1", kind="fact")]) == pytest.approx(0.84)  # different kinds
    assert combine([ev("a", "f1"), ev("b", "f1")]) == pytest.approx(0.6)  # same kind, same file: once
    assert combine([ev("a", "f1"), ev("a", "f2")]) == pytest.approx(0.6)  # same rule + text: once
    repeated = [ev("a", f"f{i}", matched=f"m{i}") for i in range(5)]  # one rule in five files: one class
    assert combine(repeated) == pytest.approx(0.6)
    assert combine([*repeated, ev("b", "f9")]) == pytest.approx(0.84)  # a second, independent class
    assert combine([ev("a", "f1", "strong"), ev("b", "f2", "weak")]) == pytest.approx(0.93)


def test_claim_vs_hint_threshold_and_chain() -> None:
    files = [rec("fw.bin"), rec("fw.bin/rootfs", parent="fw.bin"), rec("usr/lib/libmpi.so", parent="fw.bin/rootfs")]
    matches = [
        hit(
            "SOC_X",
            "soc",
            "hisilicon",
            "strong",
            "usr/lib/libmpi.so",
            b"HI_VERSION=Hi3516EV200_MPP_V1.0.1.2",
            version_regex="HI_VERSION=(Hi[0-9A-Z]+)_MPP",
            detail="{1}",
        ),
        hit("CLOUD_X", "cloud", "xmeye", "medium", "usr/lib/libmpi.so"),
    ]
    claims, hints, findings = attribute(files, [], matches, KB)
    (soc,) = claims
    assert (soc.layer, soc.entity, soc.detail, soc.confidence) == ("soc", "hisilicon", "Hi3516EV200", 0.9)
    assert soc.evidence[0].chain == ("fw.bin", "fw.bin/rootfs", "usr/lib/libmpi.so")
    assert soc.evidence[0].offset == 16 and soc.evidence[0].matched.startswith("HI_VERSION")
    assert "parent: huawei" in soc.notes
    assert [(h.layer, h.entity) for h in hints] == [("cloud", "xmeye")]
    assert "parent: xiongmai" in hints[0].notes
    assert findings == []
    claims, hints, _ = attribute(files, [], matches, KB, threshold=0.95)
    assert claims == [] and len(hints) == 2


def test_fact_rules_are_data() -> None:
    facts = [
        Fact("elf.comment", "a", "lib/libimp.so", {"text": "GCC: (Ingenic r3.3.0-gcc540 2018.04-11) 5.4.0"}),
        Fact("kmod.modinfo", "b", "lib/modules/tx-isp-t31.ko", {"vermagic": "3.10.14__isvp_swan_1.0__ SMP mod_unload"}),
        Fact("kmod.modinfo", "c", "xm711.ko", {"author": "Montage", "description": "Lynx driver"}),
    ]
    claims, hints, _ = attribute([rec("lib/libimp.so", sha="a")], facts, [], KB)
    got = {(c.layer, c.entity): c for c in claims}
    assert got[("toolchain", "ingenic")].detail == "Ingenic r3.3.0-gcc540"
    assert got[("soc", "ingenic")].detail == "T31"
    assert got[("soc", "ingenic")].evidence[0].kind == "fact"
    assert [(h.layer, h.entity) for h in hints] == [("component", "montage")]


def test_goke_explains_away_hisilicon() -> None:
    """HI_MPI_ exports and even a HiSilicon chip string next to Goke markers: Goke claim, no HiSilicon claim."""
    matches = [
        hit(
            "SOC_G",
            "soc",
            "goke",
            "strong",
            "lib/modules/gk7205v200_vi.ko",
            b"gk7205v200_vi",
            version_regex="(gk7[0-9]{3}v[0-9]{3})_",
        ),
        hit(
            "SOC_H",
            "soc",
            "hisilicon",
            "strong",
            "lib/libhi_mpi.so",
            b"HI_VERSION=Hi3516EV200_MPP_V1",
            version_regex="HI_VERSION=(Hi[0-9A-Z]+)_MPP",
            detail="{1}",
        ),
        hit("SDK_H", "sdk", "hisilicon", "medium", "lib/libhi_mpi.so", b"HI_MPI_SYS_Init"),
    ]
    claims, hints, _ = attribute([], [], matches, KB)
    assert [(c.layer, c.entity, c.detail) for c in claims] == [("soc", "goke", "GK7205V200")]
    assert hints == []
    notes = " ".join(claims[0].notes)
    assert "HiSilicon-derived design" in notes and "Hi3516EV200" in notes


def test_hisilicon_stays_without_a_goke_claim() -> None:
    matches = [hit("SDK_H", "sdk", "hisilicon", "medium", "lib/libhi_mpi.so", b"HI_MPI_SYS_Init")]
    claims, hints, _ = attribute([], [], matches, KB)
    assert claims == [] and [(h.layer, h.entity) for h in hints] == [("sdk", "hisilicon")]


def test_relabel_finding_when_brand_is_not_the_platform() -> None:
    matches = [
        hit("ODM_X", "odm", "xiongmai", "strong", "usr/bin/Sofia"),
        hit("OEM_L", "oem", "lorex", "strong", "etc/model.conf"),
    ]
    claims, _, findings = attribute([], [], matches, KB)
    assert {c.entity for c in claims} == {"xiongmai", "lorex"}
    (finding,) = findings
    assert finding.id == "provenance.relabel.lorex.xiongmai"
    assert finding.path == "etc/model.conf" and finding.evidence
    lorex = next(c for c in claims if c.entity == "lorex")
    assert "former parent: dahua" in lorex.notes


def test_no_relabel_inside_a_corporate_group() -> None:
    matches = [
        hit("ODM_H", "odm", "hikvision", "strong", "bin/davinci"),
        hit("OEM_E", "oem", "ezviz", "strong", "etc/brand"),
    ]
    claims, _, findings = attribute([], [], matches, KB)
    assert findings == []
    ezviz = next(c for c in claims if c.entity == "ezviz")
    assert "parent: hikvision" in ezviz.notes


def test_unknown_entity_or_layer_is_ignored(tmp_path: Path) -> None:
    matches = [hit("X", "soc", "nobody", "strong", "a"), hit("Y", "suspicious", "xiongmai", "strong", "b")]
    assert attribute([], [], matches, KB) == ([], [], [])


BRAND_META = {
    "detail": "{1}",
    "version_regex": "(?:<title>[ ]*|(?:19|20)[0-9]{2}[ ,]+)([A-Z][A-Za-z0-9&' ]{0,38}[A-Za-z0-9])",
}


def brand_hit(path: str, *strings: tuple[str, bytes]) -> RuleMatch:
    return RuleMatch(
        rule="OEM_Brand_Web_UI_Title",
        category="oem",
        meta={"layer": "oem", "entity": "brand-lookup", "weight": "strong", **BRAND_META},
        sha256=path,
        path=path,
        strings=tuple(StringMatch(ident, 16 * i, data) for i, (ident, data) in enumerate(strings)),
    )


def test_brand_lookup_unlisted_brand_and_relabel() -> None:
    """A confirmed brand missing from the brand table: an explicit unlisted:<slug> claim, and a relabel."""
    page = brand_hit(
        "www/index.html",
        ("$x1", b"<title>Northwind Security - Network Camera</title>"),
        ("$s1", b"&copy; 2023 Northwind Security Ltd"),
    )
    matches = [page, hit("ODM_X", "odm", "xiongmai", "strong", "usr/bin/Sofia")]
    claims, _, findings = attribute([], [], matches, KB)
    oem = next(c for c in claims if c.layer == "oem")
    assert (oem.entity, oem.detail, oem.confidence) == ("unlisted:northwind-security", "Northwind Security", 0.9)
    assert any("not in rules/data/brands.yaml" in n for n in oem.notes)
    (finding,) = findings
    assert finding.id == "provenance.relabel.unlisted.northwind-security.xiongmai"
    assert finding.title.startswith("Northwind Security-branded firmware built on the Hangzhou Xiongmai")
    assert {e.rule_id for e in finding.evidence} == {"OEM_Brand_Web_UI_Title", "ODM_X"}


def test_relabel_from_a_medium_web_ui_brand_says_it_is_a_hint() -> None:
    """A web-UI brand at medium weight stays a hint; the relabel finding is raised at the hint's confidence and
    says the brand is not established. A medium brand from a model-number rule (compatibility lists name models
    too) raises none."""
    page = brand_hit(
        "www/index.html",
        ("$x1", b"<title>Northwind Security - Network Camera</title>"),
        ("$s1", b"&copy; 2023 Northwind Security Ltd"),
    )
    page = replace(page, meta={**page.meta, "weight": "medium"})
    odm = hit("ODM_X", "odm", "xiongmai", "strong", "usr/bin/Sofia")
    claims, hints, findings = attribute([], [], [page, odm], KB)
    assert [c.layer for c in claims] == ["odm"] and [(h.layer, h.confidence) for h in hints] == [("oem", 0.6)]
    (finding,) = findings
    assert finding.confidence == 0.6
    assert finding.title.endswith("(brand from one evidence class: a hint, not established)")
    model = hit("OEM_Dahua_Model_Number", "oem", "dahua", "medium", "usr/bin/Sofia")
    assert attribute([], [], [model, odm], KB)[2] == []


def test_brand_lookup_resolves_listed_brands_and_stays_silent_otherwise() -> None:
    listed = brand_hit("a.html", ("$x1", b"<title>Reolink - IP Camera</title>"), ("$s1", b"2024 Reolink"))
    unconfirmed = brand_hit("b.html", ("$x1", b"<title>Acme Vision - NVR</title>"), ("$s1", b"2015 jQuery Team"))
    generic = brand_hit("c.html", ("$x1", b"<title>Network Camera - NVR</title>"), ("$s1", b"2020 Network Camera"))
    claims, hints, _ = attribute([], [], [listed, unconfirmed, generic], KB)
    assert [(c.layer, c.entity, c.detail) for c in claims] == [("oem", "reolink", "Reolink")]
    assert hints == []


def test_fact_rule_where_and_numeric_fields() -> None:
    """An integer header field is matched as text; `where` requires the header checksum to be valid."""
    good = {"oem_code": 1, "header_checksum_valid": True, "magic": "SWKH"}
    facts = [Fact("container.hikvision_dav", "d", "fw.dav", good)]
    claims, hints, _ = attribute([], facts, [], KB)
    assert claims == []  # the container header is one file: its two medium classes never confirm each other
    assert sorted((c.layer, c.entity, c.detail) for c in hints) == [
        ("odm", "hikvision", "digicap.dav container (SWKH)"), ("oem", "hikvision", "digicap.dav OEM code 1")]
    for bad in ({**good, "header_checksum_valid": False}, {**good, "header_checksum_valid": None}):
        assert attribute([], [Fact("container.hikvision_dav", "d", "fw.dav", bad)], [], KB) == ([], [], [])
    for other_oem in ({**good, "oem_code": 17}, {**good, "oem_code": True}):
        _, hints, _ = attribute([], [Fact("container.hikvision_dav", "d", "fw.dav", other_oem)], [], KB)
        assert [(h.layer, h.entity) for h in hints] == [("odm", "hikvision")]


def test_two_endpoint_rules_on_one_file_count_once() -> None:
    """The single-endpoint and the multiple-endpoint rule of one operator in one binary: one evidence group."""
    matches = [
        hit("CLOUD_XMEye_Endpoint", "cloud", "xmeye", "medium", "usr/bin/Sofia", b"secu100.net"),
        hit("CLOUD_XMEye_Multiple_Endpoints", "cloud", "xmeye", "strong", "usr/bin/Sofia", b"secu100.net"),
    ]
    (claim,), _, _ = attribute([], [], matches, KB)
    assert claim.confidence == 0.9


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Hikvision", "hikvision"),
        ("  tapo ", "tp-link"),
        ("Northwind  Security", "unlisted:northwind-security"),
        ("Network Camera", None),
        ("IPC", None),
        ("", None),
        (None, None),
    ],
)
def test_brand_resolution(text: str | None, entity: str | None) -> None:
    assert KB.resolve_brand(text) == entity


def test_main_soc_is_decided_by_where_the_evidence_sits() -> None:
    """A MediaTek Wi-Fi module on a Goke camera: kernel evidence names the main SoC, the module is a component."""
    goke = Claim("soc", "goke", 0.9, (ev("SOC_Goke_Kernel", "kernel", "strong"),), detail="GK7205V200")
    wifi = Claim("soc", "mediatek", 0.9, (ev("SOC_MTK_Wifi", "mt7601Usta.ko", "strong"),))
    facts = [Fact(kind="kernel.banner", sha256="kernel", path="Image", data={})]
    out = resolve_main_soc([goke, wifi], facts, 0.8)
    assert [(c.layer, c.entity) for c in out] == [("soc", "goke"), ("component", "mediatek")]
    assert "main SoC: goke" in out[1].notes[0] and "module or library" in out[1].notes[0]
    sdk = Claim("sdk", "mediatek", 0.9, (ev("SDK_MTK", "libmtk.so", "strong"),))
    undecided = resolve_main_soc([goke, wifi, sdk], [], 0.8)  # no platform file: the vendor with an SDK claim wins
    assert {(c.layer, c.entity) for c in undecided} == {("component", "goke"), ("soc", "mediatek"), ("sdk", "mediatek")}
    assert resolve_main_soc([goke, replace(wifi, confidence=0.5)], facts, 0.8)[1].layer == "soc"  # a hint stays


def test_fact_values_walk_nested_data_in_order_to_the_depth_and_list_caps() -> None:
    """`_values`: every string (booleans and integers as text) of a field, in order, containers opened to depth
    4, lists to MAX_LIST_VALUES items; checked against a plain recursive walk."""
    from audit.attribute import MAX_LIST_VALUES, _values

    def walk(data, depth):
        if isinstance(data, str):
            return [data]
        if isinstance(data, bool):
            return ["true" if data else "false"]
        if isinstance(data, int):
            return [str(data)]
        if isinstance(data, dict) and depth < 4:
            return [v for value in data.values() for v in walk(value, depth + 1)]
        if isinstance(data, list | tuple) and depth < 4:
            return [v for value in data[:MAX_LIST_VALUES] for v in walk(value, depth + 1)]
        return []

    data = {"name": "busybox", "ok": True, "n": 3, "f": 1.5, "none": None,
            "deep": {"a": {"b": {"c": "depth 3", "d": {"e": "too deep"}}}},
            "symbols": [f"s{i}" for i in range(MAX_LIST_VALUES + 5)], "mixed": ["x", 7, ("y", ["z"])]}
    everything = _values(data, "*")
    assert everything == walk(data, 0)
    assert "depth 3" in everything and "too deep" not in everything
    assert f"s{MAX_LIST_VALUES - 1}" in everything and f"s{MAX_LIST_VALUES}" not in everything
    assert _values(data, "deep") == walk(data["deep"], 1) == ["depth 3"]
    assert _values(data, "missing") == [] and _values("not a dict", "name") == []
