"""Build the synthetic firmware fixtures (samples/build.py) and check them.

* two builds into temporary directories are byte-identical (images and manifests);
* every ELF listed in a manifest has the sha256 and the arch it claims, parsed here
  from e_ident / e_machine with struct (independently of build.py);
* the container layouts are what samples/README.md documents;
* samples/expected/*.yaml agree with the manifests.

Skips cleanly when a cross compiler or an image tool is missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
NAMES = ["xm-camera", "hik-nvr", "ingenic-cam", "openwrt-router", "xm-camera-v2"]
REQUIRED_TOOLS = [
    "arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf-objcopy",
    "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objcopy",
    "mipsel-linux-gnu-gcc", "mipsel-linux-gnu-objcopy",
    "mips-linux-gnu-gcc", "mips-linux-gnu-objcopy",
    "mkimage", "mksquashfs", "mkfs.jffs2",
]
E_MACHINE = {3: "i386", 8: "mips", 40: "arm", 62: "x86_64", 183: "aarch64"}


def _missing_tools() -> list[str]:
    return [t for t in REQUIRED_TOOLS if shutil.which(t) is None]


def _load_build_module():
    spec = importlib.util.spec_from_file_location("samples_build", SAMPLES / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse_elf_arch(data: bytes) -> str:
    assert data[:4] == b"\x7fELF", "not an ELF"
    ei_class, ei_data = data[4], data[5]
    bits = {1: 32, 2: 64}[ei_class]
    endian = {1: "le", 2: "be"}[ei_data]
    (e_machine,) = struct.unpack_from("<H" if endian == "le" else ">H", data, 18)
    return f"{E_MACHINE[e_machine]}-{bits}-{endian}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        pytest.skip("sample build tools missing: " + ", ".join(missing))
    mod = _load_build_module()
    out = []
    for i in (1, 2):
        d = tmp_path_factory.mktemp(f"samples{i}")
        stage = d / "stage"
        manifests = mod.build(d / "out", quiet=True, stage_out=stage)
        out.append((d / "out", stage, manifests))
    return out


def test_all_samples_built(builds):
    out, _, manifests = builds[0]
    assert sorted(manifests) == sorted(NAMES)
    for name in NAMES:
        man = json.loads((out / f"{name}.manifest.json").read_text())
        img = (out / man["image"]).read_bytes()
        assert man["sha256"] == _sha(img)
        assert man["elf"], name


def test_build_is_deterministic(builds):
    (out1, _, _), (out2, _, _) = builds
    files1 = sorted(p.name for p in out1.iterdir())
    files2 = sorted(p.name for p in out2.iterdir())
    assert files1 == files2
    for name in files1:
        assert _sha((out1 / name).read_bytes()) == _sha((out2 / name).read_bytes()), name


def test_manifest_elfs_have_claimed_arch(builds):
    _out, stage, manifests = builds[0]
    expected_arch = {"xm-camera": "arm-32-le", "xm-camera-v2": "arm-32-le", "hik-nvr": "aarch64-64-le",
                     "ingenic-cam": "mips-32-le", "openwrt-router": "mips-32-be"}
    for name, man in manifests.items():
        for elf in man["elf"]:
            data = (stage / name / elf["partition"] / elf["path_in_partition"].lstrip("/")).read_bytes()
            assert _sha(data) == elf["sha256"], (name, elf["fs_path"])
            assert parse_elf_arch(data) == elf["arch"] == expected_arch[name], (name, elf["fs_path"])
            if elf["kind"] == "kernel-module":
                assert b".modinfo" in data and b".gnu.linkonce.this_module" in data
                assert b"vermagic=" in data
            assert b"GCC: (" in data  # replaced .comment
            assert b"Debian" not in data, (name, elf["fs_path"])


def test_markers_present(builds):
    _, stage, _ = builds[0]

    def read(name, part, path):
        return (stage / name / part / path.lstrip("/")).read_bytes()

    assert b"HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 B030 Release" in read("xm-camera", "romfs", "/usr/lib/libmpi.so")
    assert b"HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 B040 Release" in read("xm-camera-v2", "romfs", "/usr/lib/libmpi.so")
    sofia1 = read("xm-camera", "romfs", "/usr/bin/Sofia")
    sofia2 = read("xm-camera-v2", "romfs", "/usr/bin/Sofia")
    assert b"OpenTelnet:OpenOnce" in sofia1 and b"OpenTelnet:OpenOnce" not in sofia2
    assert b"upgrade.northwind-security.example" in sofia2 and b"upgrade.northwind" not in sofia1
    assert b"telnetd" in read("xm-camera", "romfs", "/etc/init.d/rcS")
    assert b"telnetd" not in read("xm-camera-v2", "romfs", "/etc/init.d/rcS")
    assert b"$1$RYIwEiRA$d5iRRVQ5ZeRTrJwGjRy.B0" in read("xm-camera", "romfs", "/etc/passwd")
    assert b"ToCOv8qxP13qs" in read("hik-nvr", "hroot", "/etc/passwd")
    assert b"$1$ybdHbPDn$ii9aEIFNiolBbM9QxW9mr0" in read("ingenic-cam", "root", "/etc/shadow")
    assert b"IMP-1.1.6" in read("ingenic-cam", "root", "/usr/lib/libimp.so")
    assert b"BusyBox v1.36.1" in read("openwrt-router", "rootfs", "/bin/busybox")
    assert b"dropbear_2022.82" in read("openwrt-router", "rootfs", "/usr/sbin/dropbear")


def _uimage_name(blob: bytes, off: int = 0) -> str:
    assert struct.unpack_from(">I", blob, off)[0] == 0x27051956
    return blob[off + 32:off + 64].rstrip(b"\0").decode()


def test_container_layouts(builds):
    out, _, _ = builds[0]
    # (a) zip with InstallDesc and uImage-wrapped parts
    with zipfile.ZipFile(out / "xm-camera.bin") as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {"InstallDesc", "uImage.img", "romfs-x.squashfs.img", "mtd-x.jffs2.img"} <= set(names)
        assert _uimage_name(zf.read("uImage.img")) == "Linux-4.9.37"
        assert zf.read("romfs-x.squashfs.img")[64:68] == b"hsqs"
        assert zf.read("mtd-x.jffs2.img")[64:66] == b"\x85\x19"
    # (b) hik: XOR-obfuscated header
    mod = _load_build_module()
    dav = (out / "hik-nvr.dav").read_bytes()
    assert dav[:4] == bytes.fromhex("E99AF7B6")
    hdr_len = struct.unpack_from("<I", mod.hik_xor(dav[:12]), 8)[0]
    plain = mod.hik_xor(dav[:hdr_len])
    magic, csum, hlen, count, lang, dclass, oem = struct.unpack_from("<4sIIIIII", plain)
    assert (magic, hlen, lang, dclass, oem) == (b"SWKH", hdr_len, 1, 1, 1)
    assert csum == sum(plain[8:]) & 0xFFFFFFFF
    entries = {}
    for i in range(count):
        nm, off, ln, ck = struct.unpack_from("<32sIII", plain, 0x40 + 0x2C * i)
        entries[nm.rstrip(b"\0").decode()] = dav[off:off + ln]
        assert sum(dav[off:off + ln]) & 0xFFFFFFFF == ck
    assert _uimage_name(entries["uImage"]) == "Linux-4.9.37"
    assert entries["hroot.img"][:4] == entries["app.img"][:4] == b"hsqs"
    # (c) ingenic flash dump
    flash = (out / "ingenic-cam.bin").read_bytes()
    assert len(flash) == 8 * 1024 * 1024
    assert b"U-Boot 2013.07" in flash[:0x40000]
    assert _uimage_name(flash, 0x40000) == "Linux-3.10.14__isvp_swan_1.0__"
    assert flash[0x240000:0x240004] == b"hsqs"
    assert flash[0x590000:0x590002] == b"\x85\x19"
    # (d) openwrt sysupgrade
    owrt = (out / "openwrt-router.bin").read_bytes()
    assert _uimage_name(owrt) == "MIPS OpenWrt Linux-5.15.137"
    assert owrt[-16:-12] == b"FWx0"
    assert b"hsqs" in owrt


def test_expected_yaml_matches_manifests(builds):
    yaml = pytest.importorskip("yaml")
    _, _, manifests = builds[0]
    for name, man in manifests.items():
        exp = yaml.safe_load((SAMPLES / "expected" / f"{name}.yaml").read_text())
        assert exp["name"] == name and exp["image"] == man["image"]
        assert sorted(exp["elf"]["files"]) == sorted(e["fs_path"] for e in man["elf"])
        assert exp["elf"]["count"] == len(man["elf"])
        assert {e["arch"] for e in man["elf"]} == {exp["elf"]["arch"]}
        assert "must_not_claim" in exp
    control = yaml.safe_load((SAMPLES / "expected" / "openwrt-router.yaml").read_text())
    assert control["provenance"] == {}
    v2 = yaml.safe_load((SAMPLES / "expected" / "xm-camera-v2.yaml").read_text())
    assert v2["changes_from"] == "xm-camera"
    v1_elf = {e["fs_path"]: e["sha256"] for e in manifests["xm-camera"]["elf"]}
    v2_elf = {e["fs_path"]: e["sha256"] for e in manifests["xm-camera-v2"]["elf"]}
    changed = {p for p in v1_elf if v1_elf[p] != v2_elf[p]}
    assert changed == {"/usr/bin/Sofia", "/usr/lib/libmpi.so"}
    assert sorted(v2["unchanged_elf"]) == sorted(set(v1_elf) - changed)


def test_missing_tool_fails_loudly(monkeypatch):
    mod = _load_build_module()
    real_which = shutil.which
    monkeypatch.setattr(mod.shutil, "which", lambda t: None if t == "mkimage" else real_which(t))
    with pytest.raises(mod.BuildError, match="mkimage"):
        mod.require_tools(["arm"])


def test_elf_parser_self_check():
    hdr = bytearray(64)
    hdr[:4] = b"\x7fELF"
    hdr[4], hdr[5] = 1, 2
    struct.pack_into(">H", hdr, 18, 8)
    assert parse_elf_arch(bytes(hdr)) == "mips-32-be"
    hdr[4], hdr[5] = 2, 1
    struct.pack_into("<H", hdr, 18, 183)
    assert parse_elf_arch(bytes(hdr)) == "aarch64-64-le"
