#!/usr/bin/env python3
"""Build the SYNTHETIC firmware fixtures used by fwaudit's tests.

These images are test fixtures, not vendor firmware: every C file under
samples/src/ was written for this repository and only carries publicly
documented markers (export names, version strings, banner formats, default
credential hashes) so that provenance detection can be tested end to end.

Usage:
    python3 samples/build.py [--out samples/build] [--only NAME ...] [--keep-work]

Needs (Debian 12 package in brackets):
    arm-linux-gnueabihf-gcc [gcc-arm-linux-gnueabihf]
    aarch64-linux-gnu-gcc   [gcc-aarch64-linux-gnu]
    mipsel-linux-gnu-gcc    [gcc-mipsel-linux-gnu]
    mips-linux-gnu-gcc      [gcc-mips-linux-gnu]
    mkimage [u-boot-tools], mksquashfs [squashfs-tools], mkfs.jffs2 [mtd-utils]

The build is deterministic: running it twice gives byte-identical images
(SOURCE_DATE_EPOCH=1700000000, fixed mtimes/owners, fixed file order,
seeded pseudo-random filler, -ffile-prefix-map).  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # buildlib beside this script

from buildlib import (
    HERE,
    SOURCE_DATE_EPOCH,
    SRC,
    BuildError,
    Sample,
    align,
    filler,
    gz,
    kernel_payload,
    mkimage,
    pad,
    require_tools,
)


def build_xm_camera(work: Path, v2: bool = False) -> tuple[str, bytes, dict, Sample]:
    """(a)/(e) Xiongmai-style IPC on a HiSilicon Hi3516EV200-style SDK."""
    name = "xm-camera-v2" if v2 else "xm-camera"
    fw_date = "20240301" if v2 else "20231114"
    s = Sample(name, "arm", "GCC: (Hisilicon_v500_20180120) 4.9.4", work)
    overlays = ["xm-camera/rootfs"] + (["xm-camera-v2/rootfs"] if v2 else [])
    s.partition("romfs", "/", overlays, dirs=["bin", "sbin", "dev", "proc", "sys", "tmp",
                                              "var", "root", "mnt/mtd", "mnt/custom"])
    s.partition("mtd", "/mnt/mtd", ["xm-camera/mtd"], dirs=["Log"])
    mpp_build = "B040" if v2 else "B030"
    sofia_defs = ["-DXM_FW_V2"] if v2 else []
    c = "xm-camera/c/"
    s.shlib("romfs", "/usr/lib/libmpi.so", [c + "libmpi.c"], cflags=[f'-DHI_MPP_BUILD="{mpp_build}"'])
    s.shlib("romfs", "/usr/lib/libhi_isp.so", [c + "libhi_isp.c"])
    s.exe("romfs", "/usr/bin/Sofia", [c + "sofia.c"], libs=["mpi", "hi_isp"], cflags=sofia_defs)
    s.exe("romfs", "/usr/bin/dvrHelper", [c + "dvrhelper.c"])
    s.kmod("romfs", "/lib/modules/4.9.37/hisilicon/hi_osal.ko", c + "hi_osal.c")
    s.kmod("romfs", "/lib/modules/4.9.37/hisilicon/hi3516ev200_sys.ko", c + "hi3516ev200_sys.c")

    banner = ("Linux version 4.9.37 (hisilicon@build-server) (gcc version 6.3.0 "
              "(HC&C V1R3C00SPC200B005_20190606) ) #1 SMP Tue Nov 14 22:13:20 CST 2023")
    kern = kernel_payload("xm-camera-kernel", banner,
                          ["Booting Linux on physical CPU 0x0", "hi3516ev200", "Hisilicon Hi3516EV200 DEMO Board"])
    uimage = mkimage(s.work, gz(kern), "Linux-4.9.37", "arm", "kernel", "gzip", 0x40008000, 0x40008000)
    romfs = mkimage(s.work, s.squashfs("romfs", "xz"), "romfs", "arm", "filesystem", "none")
    mtd = mkimage(s.work, s.jffs2("mtd"), "mtd", "arm", "filesystem", "none")
    install = (SRC / ("xm-camera-v2" if v2 else "xm-camera") / "InstallDesc").read_bytes()

    members = {
        "InstallDesc": install,
        "mtd-x.jffs2.img": mtd,
        "romfs-x.squashfs.img": romfs,
        "uImage.img": uimage,
    }
    image_name = f"{name}.bin"
    out = s.work / image_name
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for member in sorted(members):
            zi = zipfile.ZipInfo(member, date_time=(2023, 11, 14, 22, 13, 20))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = (0o100644 << 16)
            zf.writestr(zi, members[member])
    image = out.read_bytes()
    s.layout = [
        {"container": "zip", "member": "InstallDesc", "type": "text/json"},
        {"container": "zip", "member": "uImage.img", "type": "uimage(kernel, gzip) -> kernel blob"},
        {"container": "zip", "member": "romfs-x.squashfs.img",
         "type": "uimage(filesystem, none) -> squashfs xz", "partition": "romfs"},
        {"container": "zip", "member": "mtd-x.jffs2.img",
         "type": "uimage(filesystem, none) -> jffs2 le", "partition": "mtd"},
    ]
    extra = {
        "vendor_filename": ("General_IPC_HI3516EV200_85H30AI_S38.Nat.dss.OnvifS.HIK_"
                            f"V5.00.R02.{fw_date}_all.bin"),
        "firmware_version": f"V5.00.R02.{fw_date}",
        "kernel_banner": banner,
    }
    return image_name, image, extra, s


HIK_KEY = bytes.fromhex("BACDBCFED6CADDD3BAB9A3ABBFCBB5BE")


def hik_xor(data: bytes) -> bytes:
    return bytes(b ^ HIK_KEY[(i + (i >> 4)) & 0xF] for i, b in enumerate(data))


def build_hik_nvr(work: Path) -> tuple[str, bytes, dict, Sample]:
    """(b) Hikvision-style NVR, digicap.dav-like container, AArch64."""
    s = Sample("hik-nvr", "aarch64", "GCC: (Hisilicon_v600_20190305) 6.3.0", work)
    s.partition("hroot", "/", ["hik-nvr/hroot"],
                dirs=["home", "dev", "proc", "sys", "tmp", "var", "root", "lib", "usr/lib"])
    s.partition("app", "/home", ["hik-nvr/app"])
    c = "hik-nvr/c/"
    s.shlib("app", "/home/lib/libmpi.so", [c + "libmpi.c"])
    s.shlib("app", "/home/lib/libhpr.so", [c + "libhpr.c"])
    s.exe("app", "/home/hik/hicore", [c + "hicore.c"], libs=["mpi", "hpr"])
    s.exe("hroot", "/bin/psh", [c + "psh.c"])

    banner = ("Linux version 4.9.37 (hik@hikbuild) (gcc version 6.3.0 "
              "(Hisilicon_v600_20190305) ) #2 SMP Tue Nov 14 22:13:20 CST 2023")
    kern = kernel_payload("hik-nvr-kernel", banner, ["Machine model: Hisilicon HI3536 DEMO Board", "hi3536"])
    files = [
        ("_cfgUpgClass", (SRC / "hik-nvr" / "_cfgUpgClass").read_bytes()),
        ("uImage", mkimage(s.work, gz(kern), "Linux-4.9.37", "arm64", "kernel", "gzip", 0x80080000, 0x80080000)),
        ("hroot.img", s.squashfs("hroot", "gzip")),
        ("app.img", s.squashfs("app", "gzip")),
    ]
    hdr_len = 0x40 + 0x2C * len(files)
    table = b""
    offset = hdr_len
    for fname, data in files:
        table += struct.pack("<32sIII", fname.encode(), offset, len(data), sum(data) & 0xFFFFFFFF)
        s.layout.append({"container": "hik-dav", "member": fname, "offset": offset, "size": len(data)})
        offset += len(data)
    head_words = struct.pack("<IIIII", hdr_len, len(files), 1, 1, 1)  # hdr len, count, lang, class, oem
    plain = b"SWKH" + b"\0\0\0\0" + head_words
    plain = plain.ljust(0x40, b"\0") + table
    checksum = sum(plain[8:]) & 0xFFFFFFFF
    plain = plain[:4] + struct.pack("<I", checksum) + plain[8:]
    image = hik_xor(plain) + b"".join(d for _, d in files)
    s.layout[1]["type"] = "uimage(kernel, gzip) -> kernel blob"
    s.layout[2].update(type="squashfs gzip", partition="hroot")
    s.layout[3].update(type="squashfs gzip", partition="app")
    s.layout.insert(0, {"container": "hik-dav", "member": "<header>", "offset": 0, "size": hdr_len,
                        "type": "XOR-obfuscated header + file table"})
    extra = {
        "vendor_filename": "digicap.dav",
        "firmware_version": "V4.30.085 build 231114",
        "kernel_banner": banner,
        "header_format": {
            "magic": "SWKH", "endianness": "little",
            "words": ["magic", "header_checksum", "header_length", "file_count",
                      "language", "device_class", "oem_code"],
            "header_checksum": "sum of bytes [8:header_length] of the de-obfuscated header+table, mod 2^32",
            "entry": "name[32], u32 offset (absolute), u32 length, u32 checksum (byte sum mod 2^32)",
            "xor_key": HIK_KEY.hex(), "xor_index": "(i + (i >> 4)) & 0xF",
        },
    }
    return "hik-nvr.dav", image, extra, s


def build_ingenic_cam(work: Path) -> tuple[str, bytes, dict, Sample]:
    """(c) Generic Ingenic T31 camera, raw SPI-NOR dump, mipsel."""
    s = Sample("ingenic-cam", "mipsel", "GCC: (Ingenic r3.3.0-gcc540 2018.04-11) 5.4.0", work)
    s.partition("root", "/", ["ingenic-cam/rootfs"],
                dirs=["bin", "sbin", "dev", "proc", "sys", "tmp", "var", "system", "root"])
    s.partition("appfs", "/system", ["ingenic-cam/appfs"])
    c = "ingenic-cam/c/"
    s.shlib("root", "/usr/lib/libimp.so", [c + "libimp.c"])
    s.shlib("root", "/usr/lib/libIOTCAPIs.so", [c + "libIOTCAPIs.c"])
    s.kmod("root", "/lib/modules/tx-isp-t31.ko", c + "tx-isp-t31.c")
    s.kmod("root", "/lib/modules/sensor_gc2053_t31.ko", c + "sensor_gc2053_t31.c")
    s.exe("appfs", "/system/bin/ipc_main", [c + "ipc_main.c"], libs=["imp", "IOTCAPIs"])

    bootargs = ("console=ttyS1,115200n8 mem=99M@0x0 rmem=29M@0x6300000 init=/linuxrc "
                "rootfstype=squashfs root=/dev/mtdblock2 rw "
                "mtdparts=jz_sfc:256k(boot),2048k(kernel),3392k(root),-(appfs)")
    uboot_strings = [
        "U-Boot SPL 2013.07 (Nov 14 2023 - 22:13:20)",
        "U-Boot 2013.07 (Nov 14 2023 - 22:13:20)",
        "Board: ISVP (Ingenic XBurst T31 SoC)",
        "bootargs=" + bootargs,
        "bootcmd=sf probe;sf read 0x80600000 0x40000 0x280000; bootm 0x80600000",
        "bootdelay=1", "baudrate=115200", "loads_echo=1",
    ]
    uboot = filler("ingenic-uboot", 0x6000) + b"\0".join(x.encode() for x in uboot_strings) + b"\0"
    banner = ("Linux version 3.10.14__isvp_swan_1.0__ (builder@ingenic) (gcc version 5.4.0 "
              "(Ingenic r3.3.0-gcc540 2018.04-11) ) #1 PREEMPT Tue Nov 14 22:13:20 CST 2023")
    kern = kernel_payload("ingenic-kernel", banner, ["Kernel command line: " + bootargs, "isvp_swan", "T31"])
    uimage = mkimage(s.work, gz(kern), "Linux-3.10.14__isvp_swan_1.0__", "mips", "kernel", "gzip",
                     0x80010000, 0x80400000)
    regions = [
        ("boot", 0x000000, 0x040000, uboot, "u-boot blob (data, not a real bootloader)"),
        ("kernel", 0x040000, 0x200000, uimage, "uimage(kernel, gzip) -> kernel blob"),
        ("root", 0x240000, 0x350000, s.squashfs("root", "xz"), "squashfs xz"),
        ("appfs", 0x590000, 0x270000, s.jffs2("appfs", pad_to=0x270000), "jffs2 le"),
    ]
    image = b""
    for part, off, size, blob, kind in regions:
        assert len(image) == off, (part, hex(len(image)), hex(off))
        image += pad(blob, size)
        entry = {"container": "spi-nor-dump", "member": part, "offset": off, "size": size,
                 "used": len(blob), "type": kind}
        if part in s.parts:
            entry["partition"] = part
        s.layout.append(entry)
    extra = {"vendor_filename": "flash_dump_8M.bin", "firmware_version": "1.0.3.20231114",
             "kernel_banner": banner, "bootargs": bootargs, "flash_size": len(image)}
    return "ingenic-cam.bin", image, extra, s


def build_openwrt_router(work: Path) -> tuple[str, bytes, dict, Sample]:
    """(d) CONTROL: OpenWrt-style sysupgrade image, MIPS big-endian."""
    s = Sample("openwrt-router", "mips", "GCC: (OpenWrt GCC 12.3.0 r23630-842932a63d) 12.3.0", work)
    s.partition("rootfs", "/", ["openwrt-router/rootfs"],
                dirs=["dev", "proc", "sys", "tmp", "var", "root", "overlay", "rom", "mnt", "etc/dropbear"])
    c = "openwrt-router/c/"
    nolibc = ["-msoft-float", "-ffreestanding", "-fno-builtin", "-fno-stack-protector"]
    s.shlib("rootfs", "/lib/libc.so", [c + "libc.c"], cflags=[*nolibc, "-nostdlib"])
    exe_flags = [*nolibc, "-nostdlib", "-nostartfiles", "-Wl,--dynamic-linker=/lib/ld-musl-mips-sf.so.1"]
    s.exe("rootfs", "/bin/busybox", [c + "busybox.c", c + "crt.c"], libs=["c"], cflags=exe_flags)
    s.exe("rootfs", "/usr/sbin/dropbear", [c + "dropbear.c", c + "crt.c"], libs=["c"], cflags=exe_flags)
    s.exe("rootfs", "/usr/sbin/uhttpd", [c + "uhttpd.c", c + "crt.c"], libs=["c"], cflags=exe_flags)
    for link, target in [("/bin/sh", "busybox"), ("/bin/ash", "busybox"), ("/bin/ls", "busybox"),
                         ("/sbin/init", "../bin/busybox"), ("/lib/ld-musl-mips-sf.so.1", "libc.so"),
                         ("/etc/os-release", "../usr/lib/os-release")]:
        s.add_symlink("rootfs", link, target)

    banner = ("Linux version 5.15.137 (builder@buildhost) (mips-openwrt-linux-musl-gcc "
              "(OpenWrt GCC 12.3.0 r23630-842932a63d) 12.3.0, GNU ld (GNU Binutils) 2.40.0) "
              "#0 Tue Nov 14 22:13:20 2023")
    kern = kernel_payload("openwrt-kernel", banner, ["MIPS: machine is Generic ath79 fixture"])
    uimage = mkimage(s.work, gz(kern), "MIPS OpenWrt Linux-5.15.137", "mips", "kernel", "gzip",
                     0x80060000, 0x80060000)
    kernel_part = align(uimage, 0x10000, b"\0")
    rootfs = s.squashfs("rootfs", "xz")
    rootfs_part = align(rootfs, 0x10000, b"\xff") + b"\xde\xad\xc0\xde"
    body = kernel_part + rootfs_part
    meta = json.dumps({
        "metadata_version": "1.1", "compat_version": "1.0",
        "supported_devices": ["fixture,generic-mips-be"],
        "version": {"dist": "OpenWrt", "version": "23.05.2", "revision": "r23630-842932a63d",
                    "target": "ath79/generic", "board": "fixture_generic-mips-be"},
    }, separators=(",", ":")).encode()
    block = struct.pack(">II", 0, 0) + meta
    trailer_size = len(block) + 16
    crc = zlib.crc32(body + block) & 0xFFFFFFFF
    image = body + block + struct.pack(">IIB3xI", 0x46577830, crc, 1, trailer_size)
    s.layout = [
        {"container": "sysupgrade", "member": "kernel", "offset": 0, "size": len(kernel_part),
         "used": len(uimage), "type": "uimage(kernel, gzip) -> kernel blob"},
        {"container": "sysupgrade", "member": "rootfs", "offset": len(kernel_part), "size": len(rootfs_part),
         "used": len(rootfs), "type": "squashfs xz (+0xdeadc0de jffs2 end marker)", "partition": "rootfs"},
        {"container": "sysupgrade", "member": "metadata", "offset": len(body), "size": trailer_size,
         "type": "fwtool metadata JSON + FWx0 trailer"},
    ]
    extra = {"vendor_filename": "openwrt-23.05.2-ath79-generic-fixture-squashfs-sysupgrade.bin",
             "firmware_version": "OpenWrt 23.05.2 r23630-842932a63d", "kernel_banner": banner}
    return "openwrt-router.bin", image, extra, s


SAMPLES = {
    "xm-camera": ("arm", lambda w: build_xm_camera(w)),
    "hik-nvr": ("aarch64", build_hik_nvr),
    "ingenic-cam": ("mipsel", build_ingenic_cam),
    "openwrt-router": ("mips", build_openwrt_router),
    "xm-camera-v2": ("arm", lambda w: build_xm_camera(w, v2=True)),
}


def build(out: Path, only: list[str] | None = None, keep_work: bool = False, quiet: bool = False,
          stage_out: Path | None = None) -> dict:
    """Build the samples into `out`; return {name: manifest}.

    With `stage_out`, each sample's staged partition trees are also copied to
    stage_out/<sample>/<partition>/ (what went into the filesystems)."""
    names = only or list(SAMPLES)
    unknown = [n for n in names if n not in SAMPLES]
    if unknown:
        raise BuildError(f"unknown sample(s): {', '.join(unknown)}; known: {', '.join(SAMPLES)}")
    require_tools(sorted({SAMPLES[n][0] for n in names}))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fwaudit-samples-"))
    results = {}
    try:
        for name in names:
            t0 = time.monotonic()
            image_name, image, extra, sample = SAMPLES[name][1](work)
            (out / image_name).write_bytes(image)
            man = sample.manifest(image_name, image, extra)
            (out / f"{name}.manifest.json").write_text(json.dumps(man, indent=2) + "\n")
            results[name] = man
            if stage_out is not None:
                for part, (root, _mount) in sample.parts.items():
                    shutil.copytree(root, stage_out / name / part, symlinks=True, dirs_exist_ok=True)
            if not quiet:
                print(f"[samples] {name:15s} -> {image_name:20s} {len(image):8d} bytes "
                      f"{len(man['elf'])} ELFs  sha256 {man['sha256'][:16]}  ({time.monotonic() - t0:.1f}s)")
    finally:
        if keep_work:
            print(f"[samples] work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "build", help="output directory (default samples/build)")
    ap.add_argument("--only", nargs="*", help="build only these samples")
    ap.add_argument("--keep-work", action="store_true", help="keep the temporary work directory")
    ap.add_argument("--stage-out", type=Path, help="also copy the staged partition trees here")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    os.environ["SOURCE_DATE_EPOCH"] = str(SOURCE_DATE_EPOCH)
    os.umask(0o022)
    try:
        build(args.out.resolve(), args.only, args.keep_work, args.quiet,
              args.stage_out.resolve() if args.stage_out else None)
    except BuildError as exc:
        print(f"samples/build.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
