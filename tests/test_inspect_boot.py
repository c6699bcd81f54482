"""Boot scripts, inittab, inetd, systemd units, U-Boot environment blocks."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from audit.inspect import inspect_file
from audit.model import Fact, FileRecord

RCS = b"""#!/bin/sh
# start services
mount -t proc proc /proc
/usr/sbin/telnetd -p 2323 -l /bin/sh &
dropbear -p 0.0.0.0:2222 -r /etc/dropbear_rsa_host_key
if [ -f /mnt/mtd/Config/telnetctrl ]; then telnetd & fi
start-stop-daemon -S -b -x /usr/sbin/sshd -- -p 8022
cd /usr/bin && ./Sofia 2>&1 &
echo done > /tmp/log
"""


def run(tmp_path: Path, fs_path: str, content: bytes) -> tuple[list[Fact], list]:
    p = tmp_path / fs_path.replace("/", "_")
    p.write_bytes(content)
    rec = FileRecord(path="rootfs" + fs_path, fs_path=fs_path, kind="file", size=len(content), mode=0o755,
                     sha256=hashlib.sha256(content).hexdigest())
    return inspect_file(p, rec)


def services(facts: list[Fact]) -> dict[str, Fact]:
    return {f.data["command"]: f for f in facts if f.kind == "boot.service"}


def test_rcs_daemons_and_ports(tmp_path: Path) -> None:
    facts, errors = run(tmp_path, "/etc/init.d/rcS", RCS)
    assert errors == []
    svc = [f for f in facts if f.kind == "boot.service"]
    telnets = [f for f in svc if f.data["command"] == "telnetd"]
    assert [t.data["port"] for t in telnets] == [2323, 23]
    assert telnets[0].data["args"] == ["-p", "2323", "-l", "/bin/sh"] and telnets[0].data["background"]
    assert RCS[telnets[0].offset :].startswith(b"/usr/sbin/telnetd")
    by = services(facts)
    assert by["dropbear"].data["port"] == 2222 and by["dropbear"].data["remote_access"] == "ssh"
    assert by["sshd"].data["port"] == 8022 and by["sshd"].data["path"] == "/usr/sbin/sshd"
    assert by["Sofia"].data["background"] is True
    assert "mount" not in by and "echo" not in by and "cd" not in by
    flags = [f for f in facts if f.kind == "boot.env_flag"]
    assert [f.data["name"] for f in flags] == ["telnetctrl"]


def test_inittab(tmp_path: Path) -> None:
    content = b"::sysinit:/etc/init.d/rcS\nttyS0::respawn:/bin/login -f root\n::ctrlaltdel:/sbin/reboot\n# c\n"
    facts, _ = run(tmp_path, "/etc/inittab", content)
    cmds = [(f.data["command"], f.data["args"]) for f in facts if f.kind == "boot.service"]
    assert cmds == [("rcS", []), ("login", ["-f", "root"]), ("reboot", [])]


def test_inetd_and_systemd(tmp_path: Path) -> None:
    facts, _ = run(tmp_path, "/etc/inetd.conf", b"telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n")
    t = services(facts)["telnetd"].data
    assert t["remote_access"] == "telnet" and t["port"] == 23 and t["inetd_service"] == "telnet"
    unit = b"[Unit]\nDescription=x\n[Service]\nExecStart=/usr/sbin/dropbear -F -p 22\n"
    facts, _ = run(tmp_path, "/lib/systemd/system/dropbear.service", unit)
    d = services(facts)["dropbear"]
    assert d.data["source"] == "systemd" and d.data["port"] == 22 and unit[d.offset :].startswith(b"ExecStart")


def test_script_outside_etc_not_inspected(tmp_path: Path) -> None:
    facts, _ = run(tmp_path, "/usr/share/doc/example.sh", b"#!/bin/sh\ntelnetd &\n")
    assert not [f for f in facts if f.kind == "boot.service"]


def env_block(pairs: list[bytes], size: int = 4096, redundant: bool = False) -> bytes:
    body = b"\0".join(pairs) + b"\0\0"
    body += b"\xff" * (size - len(body) - (5 if redundant else 4))
    return struct.pack("<I", zlib.crc32(body)) + (b"\x01" if redundant else b"") + body


def test_uboot_env(tmp_path: Path) -> None:
    blob = env_block([b"bootdelay=1", b"telnetctrl=1", b"xmuart=0",
                      b"bootargs=mem=64M console=ttyAMA0,115200 mtdparts=xm_sfc:256K(boot),-(rootfs)"])
    facts, errors = run(tmp_path, "/mtd1_env.bin", blob)
    assert errors == []
    env = next(f for f in facts if f.kind == "uboot.env").data
    assert env["crc_valid"] and not env["redundant"] and env["vars"]["xmuart"] == "0"
    flags = {f.data["name"]: f for f in facts if f.kind == "uboot.env.flag"}
    assert flags["telnetctrl"].data["value"] == "1" and blob[flags["telnetctrl"].offset :].startswith(b"telnetctrl=")
    mtd = next(f for f in facts if f.kind == "mtdparts").data
    assert mtd["device"] == "xm_sfc"
    bad = bytearray(blob)
    bad[100] ^= 1
    facts, _ = run(tmp_path, "/env2.bin", bytes(bad))
    assert next(f for f in facts if f.kind == "uboot.env").data["crc_valid"] is False
    facts, _ = run(tmp_path, "/etc/data.bin", bytes(bad))
    assert not [f for f in facts if f.kind.startswith("uboot.env")], "`name=` at 4 by chance is not an env"
    red = env_block([b"baudrate=115200"], redundant=True)
    facts, _ = run(tmp_path, "/env3.bin", red)
    assert next(f for f in facts if f.kind == "uboot.env").data == {
        "crc_valid": True, "redundant": True, "vars": {"baudrate": "115200"}}
