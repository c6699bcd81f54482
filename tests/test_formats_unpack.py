"""Vendor containers through the REAL pipeline (unblob + our plugin): named members extracted, header facts."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from audit.inspect import inspect_files
from audit.model import AuditConfig, AuditError, Fact, Report
from audit.pipeline import run
from tests import formats_fixtures as fx
from tests.conftest import SAMPLES_BUILD

G = fx.gz
MiB = 1024 * 1024


def audit(tmp_path: Path, name: str, data: bytes) -> tuple[Report, list[Fact], list[AuditError]]:
    """Run the pipeline; container facts from report.facts, or from inspect_files when the pipeline has none."""
    image = tmp_path / name
    image.write_bytes(data)
    work = tmp_path / "work"
    # tiny fixtures: the default caps (64 x input) would truncate unblob's own report file
    report = run(AuditConfig(image=image, workdir=work, jobs=1, max_bytes=64 * MiB))
    facts = [f for f in report.facts if f.kind.startswith("container.")]
    errors = [e for e in report.errors if e.kind.startswith("inspect.containers")]
    if not facts:
        root = work / f"{name}.fwaudit" / "extract"
        items = [(image if r.path == name else root / r.path, r) for r in report.files if r.kind == "file"]
        all_facts, errs = inspect_files(items)
        facts = [f for f in all_facts if f.kind.startswith("container.")]
        errors = [e for e in errs if e.kind.startswith("inspect.containers")]
    return report, facts, errors


def fact(facts: list[Fact], kind: str, path: str) -> dict[str, Any]:
    found = [f for f in facts if f.kind == kind and f.path == path]
    assert found, f"no {kind} fact on {path}: {[(f.kind, f.path) for f in facts]}"
    return found[0].data


CASES: dict[str, tuple[bytes, str, list[str], str, dict[str, Any]]] = {
    # name: (image bytes, top chunk handler, extracted member paths, fact kind, fact fields expected)
    "digicap.dav": (fx.dav([("uImage", G("k")), ("app.img", G("a"))], lang=2, dev=2, oem=1), "hikvision_dav",
                    ["uImage", "app.img"], "container.hikvision_dav",
                    {"magic": "SWKH", "language": 2, "language_name": "chinese", "device_class_name": "ipc",
                     "oem_code": 1, "file_count": 2, "header_checksum_valid": True, "encrypted": False}),
    "dh.bin": (fx.dahua_zip({"Install.lua": b"--", "kernel.img": G("k"), "sign.img": b"S" * 64}), "dahua_zip",
               ["Install.lua", "kernel.img", "sign.img"], "container.dahua_zip",
               {"has_install_script": True, "has_sign_img": True, "central_directory": True}),
    "dh-all.bin": (fx.dahua_zip({"romfs-x.squashfs.img": G("r")}, all_signatures=True), "dahua_zip",
                   ["romfs-x.squashfs.img"], "container.dahua_zip", {"known_members": ["romfs-x.squashfs.img"]}),
    "hwnp.bin": (fx.hwnp([("file:/var/UpgradeCheck.xml", "UPGRDCHECK", b"<c/>"), ("flash:uboot", "UBOOT", G("u"))]),
                 "huawei_hwnp", ["file/var/UpgradeCheck.xml", "flash/uboot"], "container.huawei_hwnp",
                 {"product_list": ["COMMON", "CMCC"], "item_count": 2}),
    "zte.bin": (fx.zte(G("z")), "zte", ["payload"], "container.zte", {"header_strings": ["ZXHN H108N V2.5"]}),
    "tplink.bin": (fx.tplink(G("k"), G("r")), "tplink", ["kernel", "rootfs"], "container.tplink",
                   {"variant": "classic", "vendor": "TP-LINK Technologies", "firmware_version": "3.16.9"}),
    "fw.pak": (fx.reolink_pak([("kernel", "kernel", G("k")), ("fs", "rootfs", G("f"))]), "reolink_pak",
               ["kernel", "fs"], "container.reolink_pak", {"section_count": 2}),
    "bosch.fw": (fx.bosch([G("a"), G("b")]), "bosch", ["00-0000a001-00000001.bin", "01-0000a001-00000001.bin"],
                 "container.bosch", {"signed": True, "key_blob": False, "version": "6.30.0.17"}),
    "fw.pk2": (fx.tenvis_pk2([("/bin/app", G("t"))], ["reboot"]), "tenvis_pk2", ["bin/app"], "container.tenvis_pk2",
               {"commands": ["reboot"], "camera_type": 7}),
    "anjoy.bin": (fx.anjoy(G("k"), G("r")), "anjoy", ["kernel", "rootfs"], "container.anjoy",
                  {"type_names": ["kernel", "filesystem"]}),
    "bneg.bin": (fx.bneg(G("1"), G("2")), "bneg", ["part1", "part2"], "container.instar_bneg",
                 {"major": 1, "minor": 1}),
    "ihd.bin": (fx.instar_hd({"a.img": G("a")}), "instar_hd", ["instar_hd.deobfuscated"], "container.instar_hd",
                {"member_names": ["a.img"]}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_container_unpacks_with_facts(tmp_path: Path, name: str) -> None:
    data, handler, members, kind, expected = CASES[name]
    report, facts, errors = audit(tmp_path, name, data)
    top = [c for c in report.chunks if c.container == name]
    assert [c.handler for c in top] == [handler]
    paths = {f.path for f in report.files}
    for member in members:
        assert f"{name}_extract/{member}" in paths
    gz_members = [m for m in members if m not in ("Install.lua", "sign.img", "file/var/UpgradeCheck.xml")]
    assert any(p.endswith("gzip.uncompressed") for p in paths) or not gz_members
    got = fact(facts, kind, name)
    for key, value in expected.items():
        assert got[key] == value, key
    assert errors == [] and report.status == "complete"


def test_xiongmai_zip_installdesc_and_name(tmp_path: Path) -> None:
    name = "General_IPC_HI3516EV200_85H30AI_S38.Nat.dss.OnvifS.HIK_V5.00.R02.20231114_all.bin"
    _report, facts, _ = audit(tmp_path, name, fx.xm_zip())
    named = fact(facts, "container.xiongmai_name", name)
    assert (named["soc"], named["board"], named["sensor"], named["version"], named["date"]) == (
        "HI3516EV200", "85H30AI", "S38", "V5.00.R02", "20231114")
    assert named["features"] == ["Nat", "dss", "OnvifS", "HIK"]
    assert fact(facts, "container.xiongmai", name)["named_parts"] == ["romfs-x.cramfs.img"]
    desc = fact(facts, "container.xiongmai_installdesc", f"{name}_extract/InstallDesc")
    assert desc["hardware"] == "HI3516EV200_85H30AI" and desc["files"] == ["romfs-x.cramfs.img"]


def test_encrypted_hk30_is_reported_not_empty(tmp_path: Path) -> None:
    report, facts, errors = audit(tmp_path, "hk30.dav", fx.dav_encrypted())
    top = [c for c in report.chunks if c.container == "hk30.dav"]
    assert [(c.handler, c.is_encrypted) for c in top] == [("hikvision_dav", True)]
    data = fact(facts, "container.hikvision_dav", "hk30.dav")
    assert data["encrypted"] is True and data["magic"] == "HK30" and data["oem_code"] == 1
    assert "inspect.containers.encrypted" in {e.kind for e in errors}


def test_detection_only_formats_give_facts(tmp_path: Path) -> None:
    _, facts, errors = audit(tmp_path, "amb.bin", fx.ambarella(G("a")))
    assert fact(facts, "container.ambarella", "amb.bin")["magic_offset"] == 0xA4
    assert "inspect.containers.unsupported" in {e.kind for e in errors}
    (tmp_path / "tp").mkdir()
    _, facts, _ = audit(tmp_path / "tp", "tp.bin", fx.tplink_fwtype())
    assert fact(facts, "container.tplink", "tp.bin")["fw_type"] == "Cloud"


def test_dav_nested_in_zip(tmp_path: Path) -> None:
    inner = fx.dav([("hroot.img", G("root"))])
    report, facts, _ = audit(tmp_path, "bundle.zip", fx.zip_bytes({"digicap.dav": inner}))
    chunks = {(c.container, c.handler) for c in report.chunks}
    assert ("bundle.zip_extract/digicap.dav", "hikvision_dav") in chunks
    assert "bundle.zip_extract/digicap.dav_extract/hroot.img" in {f.path for f in report.files}
    assert fact(facts, "container.hikvision_dav", "bundle.zip_extract/digicap.dav")["file_count"] == 1


def test_dahua_nested_in_tar_after_padding(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        blob = b"\xff" * 300 + fx.dahua_zip({"kernel.img": G("k")})
        info = tarfile.TarInfo("update/DH_IPC.bin")
        info.size, info.mtime = len(blob), 1700000000
        tar.addfile(info, io.BytesIO(blob))
    report, _, _ = audit(tmp_path, "pkg.tar", buf.getvalue())
    dh = [c for c in report.chunks if c.handler == "dahua_zip"]
    assert len(dh) == 1 and dh[0].start == 300
    assert any(f.path.endswith("kernel.img_extract/gzip.uncompressed") for f in report.files)


@pytest.mark.integration
def test_hik_sample_unpacks_through_its_table(tmp_path: Path) -> None:
    image = SAMPLES_BUILD / "hik-nvr.dav"
    if not image.is_file():
        pytest.skip("samples not built (make samples)")
    report, facts, _ = audit(tmp_path, "hik-nvr.dav", image.read_bytes())
    assert [c.handler for c in report.chunks if c.container == "hik-nvr.dav"] == ["hikvision_dav"]
    paths = {f.path for f in report.files}
    for member in ("_cfgUpgClass", "uImage", "hroot.img", "app.img"):
        assert f"hik-nvr.dav_extract/{member}" in paths
    assert "hik-nvr.dav_extract/app.img_extract/hik/hicore" in paths
    data = fact(facts, "container.hikvision_dav", "hik-nvr.dav")
    assert (data["language"], data["device_class"], data["oem_code"], data["header_checksum_valid"]) == (1, 1, 1, True)
    assert [m["name"] for m in data["members"]] == ["_cfgUpgClass", "uImage", "hroot.img", "app.img"]
    assert all(m["checksum_valid"] for m in data["members"])
