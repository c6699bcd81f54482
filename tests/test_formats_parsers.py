"""Pure parsers and the registry: Xiongmai names, InstallDesc, binwalk output, safe names, declarative specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.inspect import INSPECTORS
from audit.inspect.containers import ContainersInspector
from audit.unpack.engine import FORMATS_PLUGIN
from audit.unpack.formats import FORMATS, PLUGIN, handlers, hikvision
from audit.unpack.formats.base import FormatError, safe_member_path
from audit.unpack.formats.binwalk_sigs import binwalk_signatures, parse_binwalk_output
from audit.unpack.formats.xiongmai import parse_install_desc, parse_xm_name
from tests import formats_fixtures as fx


def test_registry_is_declarative_and_plugged_in() -> None:
    names = [spec.name for spec in FORMATS]
    assert len(names) == len(set(names))
    for spec in FORMATS:
        assert spec.doc and spec.references and spec.status
        assert all(url.startswith("https://") for url in spec.references)
    assert {h.NAME for h in handlers()} >= {"hikvision_dav", "dahua_zip", "huawei_hwnp", "tenvis_pk2"}
    assert "bneg" not in {h.NAME for h in handlers()}  # unblob's own INSTAR handlers are reused
    assert FORMATS_PLUGIN.resolve() == PLUGIN.resolve() and PLUGIN.is_file()
    assert ContainersInspector in INSPECTORS


def test_obfuscated_magics_match_the_public_bytes() -> None:
    assert [m.hex() for m in hikvision.OBFUSCATED_MAGICS] == ["e99af7b6", "8afff7b6", "8afef7b6"]


def test_xiongmai_name() -> None:
    name = parse_xm_name("fw/General_IPC_HI3516EV200_85H30AI_S38.Nat.dss.OnvifS.HIK_V5.00.R02.20231114_all.bin")
    assert name is not None
    assert (name.vendor, name.product, name.soc, name.board, name.sensor) == (
        "General", "IPC", "HI3516EV200", "85H30AI", "S38")
    assert (name.version, name.date, name.variant) == ("V5.00.R02", "20231114", "all")
    bare = parse_xm_name("General_NVR_HI3520DV400_4CH_V4.02.R11.20200101.bin")
    assert bare is not None and bare.sensor is None and bare.features == [] and bare.board == "4CH"
    assert parse_xm_name("firmware.bin") is None and parse_xm_name("a_b.bin") is None


def test_install_desc() -> None:
    desc = parse_install_desc(b'{"Hardware": "HI3518EV200_50H10L", "Vendor": "General", '
                              b'"UpgradeCommand": [{"Command": "Burn", "FileName": "u-boot.bin.img"}, 7]}')
    assert desc.hardware == "HI3518EV200_50H10L" and desc.files == ["u-boot.bin.img"] and desc.commands == ["Burn"]
    for bad in (b"not json", b"[1, 2]", b"{" * 70000):
        with pytest.raises(FormatError):
            parse_install_desc(bad)


def test_safe_member_path() -> None:
    assert safe_member_path("file:/var/UpgradeCheck.xml", 0) == "file/var/UpgradeCheck.xml"
    assert safe_member_path("../../etc/passwd", 1) == "etc/passwd"
    assert safe_member_path("/..//.", 2) == "member_2"
    assert safe_member_path("a b*c", 3) == "a_b_c"


def test_binwalk_output_parsing() -> None:
    text = ("\nDECIMAL       HEXADECIMAL     DESCRIPTION\n" + "-" * 40 + "\n"
            "0             0x0             uImage header, header size: 64 bytes\n"
            "64            0x40            gzip compressed data, maximum compression\n")
    assert parse_binwalk_output(text) == [(0, "uImage header, header size: 64 bytes"),
                                          (64, "gzip compressed data, maximum compression")]


def test_binwalk_missing_gives_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert binwalk_signatures(tmp_path / "x", "x", "0" * 64) == ([], [])


@pytest.mark.skipif(shutil.which("binwalk") is None, reason="binwalk not installed")
def test_binwalk_reports_weak_facts(tmp_path: Path) -> None:
    image = tmp_path / "tp.bin"
    image.write_bytes(fx.tplink(fx.gz("kernel"), fx.gz("rootfs")))
    facts, errors = binwalk_signatures(image, "tp.bin", "ab" * 32)
    assert errors == []
    assert facts and all(f.kind == "binwalk.signature" and f.data["weight"] == "weak" for f in facts)
    assert any(f.offset == 0x200 and "gzip" in f.data["description"] for f in facts)
