"""What the device starts at boot: inittab, rcS/init.d/rc.local and vendor start scripts, systemd units,
inetd.conf (`boot.service`), remote-access daemons with their ports, and U-Boot environment flags.
"""

from __future__ import annotations

import re
import shlex
import struct
import zlib
from pathlib import Path
from typing import Any

from audit.inspect.base import Inspector, basename, make_fact, read_bounded, text
from audit.model import Fact, FileRecord

MAX_FILE = 1024 * 1024
MAX_FACTS = 500
SCRIPT_PATH = re.compile(
    r"(^|/)(etc/(inittab|inetd\.conf|rc\.local|init\.d/[^/]+|rc\.d/[^/]+|rcS(\.d/[^/]+)?|profile)"
    r"|.*\.(service|socket)$|.*/rcS$)"
)
SCRIPT_DIRS = re.compile(r"(^|/)(etc|mnt/mtd|usr/etc|mnt/custom|home|opt|app)/")
DAEMONS = frozenset({
    "telnetd", "utelnetd", "dropbear", "sshd", "inetd", "xinetd", "httpd", "boa", "lighttpd", "goahead",
    "thttpd", "uhttpd", "mini_httpd", "udhcpd", "udhcpc", "dnsmasq", "ntpd", "crond", "syslogd", "klogd",
    "ftpd", "tcpsvd", "tftpd", "vsftpd", "smbd", "nmbd", "rtspd", "upnpd", "mdnsd", "avahi-daemon",
    "wpa_supplicant", "hostapd", "watchdog", "adbd",
})
REMOTE = {"telnetd": ("telnet", 23), "utelnetd": ("telnet", 23), "dropbear": ("ssh", 22),
          "sshd": ("ssh", 22), "adbd": ("adb", 5555)}
WRAPPERS = frozenset({"exec", "nohup", "nice", "busybox", "setsid", "chrt", "taskset", "env", "sudo",
                      "then", "else", "do", "!"})
SPLIT = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
ENV_FLAGS = ("telnetctrl", "xmuart", "telnet", "dropbear", "uart", "debug")
ENV_HEAD = re.compile(rb"^[A-Za-z_][\w.\-]{0,63}=")


def remote_port(command: str, args: list[str]) -> int | None:
    """Port a telnet/ssh daemon listens on: `-p N` (`-p addr:N` for dropbear) or the protocol default."""
    default = REMOTE[command][1]
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "-p" and i + 1 < len(args) else arg[2:] if arg.startswith("-p") else None
        if value:
            port = value.rsplit(":", 1)[-1]
            return int(port) if port.isdigit() and 0 < int(port) < 65536 else default
    return default


def parse_command(segment: str) -> tuple[str, list[str]] | None:
    """(command path, args) of one shell command, unwrapping exec/nohup/busybox/start-stop-daemon."""
    try:
        tokens = shlex.split(segment, comments=True)
    except ValueError:
        tokens = segment.split()
    while tokens and (("=" in tokens[0] and not tokens[0].startswith(("-", "/"))) or tokens[0] in WRAPPERS):
        tokens = tokens[1:]
    if tokens and basename_of(tokens[0]) == "start-stop-daemon":
        rest = tokens[1:]
        exe = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a in ("-x", "--exec", "-a", "--startas")), None)
        if exe is None:
            return None
        args = rest[rest.index("--") + 1 :] if "--" in rest else []
        return exe, args[:32]
    return (tokens[0], tokens[1:33]) if tokens else None


def basename_of(command: str) -> str:
    return command.rstrip("/").rsplit("/", 1)[-1]


def service_data(source: str, command: str, args: list[str], line: str, lineno: int,
                 background: bool) -> dict[str, Any] | None:
    """A `boot.service` record, or None when the command is neither a daemon nor backgrounded."""
    name = basename_of(command)
    if not name or not (background or name in DAEMONS or source in ("inittab", "systemd", "inetd")):
        return None
    data: dict[str, Any] = {"source": source, "command": name, "path": command[:256],
                            "args": [a[:256] for a in args], "line": line[:512], "lineno": lineno,
                            "background": background}
    if name in REMOTE:
        data["remote_access"] = REMOTE[name][0]
        data["port"] = remote_port(name, args)
    return data


class BootInspector(Inspector):
    NAME = "boot"
    DOC = "Daemons started at boot (with arguments), telnet/ssh daemons and ports, env flags in scripts."
    APPLIES_TO = "inittab, inetd.conf, rcS, init.d/*, rc.local, systemd units, shell scripts under /etc etc."

    def applies(self, record: FileRecord, head: bytes) -> bool:
        if record.size > MAX_FILE or head[:4] == b"\x7fELF" or b"\0" in head[:512]:
            return False
        path = "/" + (record.fs_path or record.path).lstrip("/")
        if SCRIPT_PATH.search(path):
            return True
        return head[:2] == b"#!" and b"sh" in head.split(b"\n", 1)[0] and bool(SCRIPT_DIRS.search(path))

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        raw = read_bounded(path, MAX_FILE)
        name = basename(record)
        source = ("inittab" if name == "inittab" else "inetd" if name == "inetd.conf"
                  else "systemd" if name.endswith((".service", ".socket")) else "script")
        facts: list[Fact] = []
        offset = 0
        for lineno, line_b in enumerate(raw.split(b"\n"), 1):
            line = text(line_b.rstrip(b"\r"), 2048).strip()
            if line and not line.startswith("#") and len(facts) < MAX_FACTS:
                facts += [make_fact(record, kind, data, offset) for kind, data in _line(source, line, lineno)]
            offset += len(line_b) + 1
        return facts


def _line(source: str, line: str, lineno: int) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for flag in ENV_FLAGS[:2]:
        if re.search(rf"\b{flag}\b", line):
            out.append(("boot.env_flag", {"name": flag, "line": line[:512], "lineno": lineno}))
    commands: list[tuple[str, bool]] = []
    if source == "inittab":
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[3].strip():
            commands.append((parts[3], False))
    elif source == "systemd":
        key, _, value = line.partition("=")
        if key.strip() in ("ExecStart", "ExecStartPre", "ExecStartPost"):
            commands.append((value.lstrip("-@+!:"), False))
    elif source == "inetd":
        fields = line.split()
        if len(fields) >= 6:
            data = service_data("inetd", fields[5], fields[6:], line, lineno, False)
            if data is not None:
                data["inetd_service"] = fields[0]
                if fields[0] == "telnet":
                    data.update(remote_access="telnet", port=23)
                out.append(("boot.service", data))
        return out
    else:
        commands = _script_commands(line)
    for segment, background in commands:
        parsed = parse_command(segment)
        data = service_data(source, parsed[0], parsed[1], line, lineno, background) if parsed else None
        if data is not None:
            out.append(("boot.service", data))
    return out


def _script_commands(line: str) -> list[tuple[str, bool]]:
    """Shell command segments of one line, each with a flag for a trailing single `&` (backgrounded)."""
    out = []
    parts = re.split(r"(?<![&>])&(?![&>])", line)
    for i, part in enumerate(parts):
        segments = [s for s in SPLIT.split(part.strip()) if s]
        for j, segment in enumerate(segments):
            out.append((segment, i < len(parts) - 1 and j == len(segments) - 1))
    return out


class UBootEnvInspector(Inspector):
    NAME = "ubootenv"
    DOC = "U-Boot environment blocks (CRC32 + key=value NUL list): variables and flags such as telnetctrl."
    APPLIES_TO = "files up to 1 MiB whose bytes at 4 (or 5, redundant env) start with `name=`"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        return record.size <= MAX_FILE and bool(ENV_HEAD.match(head[4:]) or ENV_HEAD.match(head[5:]))

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        raw = read_bounded(path, MAX_FILE)
        start = 4 if ENV_HEAD.match(raw[4:]) else 5
        crc = struct.unpack_from("<I", raw, 0)[0]
        env: dict[str, str] = {}
        offsets: dict[str, int] = {}
        pos = start
        for item in raw[start:].split(b"\0\0", 1)[0].split(b"\0")[:1024]:
            key, sep, value = text(item, 4096).partition("=")
            if sep and key:
                env.setdefault(key[:64], value[:1024])
                offsets.setdefault(key[:64], pos)
            pos += len(item) + 1
        data = {"crc_valid": zlib.crc32(raw[start:]) == crc, "redundant": start == 5, "vars": env}
        if not data["crc_valid"] and "env" not in basename(record).lower():
            return []  # `name=` at offset 4 by chance: not an environment block
        facts = [make_fact(record, "uboot.env", data, 0)]
        for key in sorted(k for k in env if any(f in k.lower() for f in ENV_FLAGS)):
            facts.append(make_fact(record, "uboot.env.flag", {"name": key, "value": env[key]}, offsets[key]))
        return facts
