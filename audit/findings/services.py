"""Backdoors and risky services: `suspicious` YARA rules, remote shells started at boot, debug flags in
environments, private keys shipped in the image, setuid files anyone can write, vendor debug/service ports.

Severity and CWE of a suspicious rule come from its `detail` meta (`severity:critical cwe:CWE-912 port:9530`);
without one, severity follows the rule weight.
"""

from __future__ import annotations

import bisect
import functools
import re
import stat
from collections.abc import Iterable, Sequence
from typing import Any

from audit.findings.common import evidence, make_finding, severity_of, show
from audit.findings.tables import owner_rows, port_rows
from audit.findings.text import Segment, Sieve, as_strings, candidates
from audit.model import Fact, FileRecord, Finding, RuleMatch, Severity

CATEGORY = "services"
SEVERITIES = ("info", "low", "medium", "high", "critical")
RISKY_FLAGS = ("telnet", "uart", "debug")
FLAG_SEVERITY: dict[str, Severity] = {"telnetctrl": "medium", "xmuart": "medium"}
MAX_PORT_HITS = 20
PORT_WORD = Sieve(re.compile("[:Pp]"), re.compile(r":|(?i:port)"))  # strings are ASCII: p/P only
# the character before the first digit of every port `_port_regex` finds: `:`/`,` after an address, or the end
# of a `port` key with its quote, blank, `=` or `:` (a necessary condition, cheap to test: strings first pass it)
PORT_BEFORE = re.compile(r"[:,\"'= \ttT]\d")


def parse_detail(detail: str | None) -> dict[str, str]:
    """`severity:high cwe:CWE-321 port:9530` -> {'severity': 'high', 'cwe': 'CWE-321', 'port': '9530'}."""
    out: dict[str, str] = {}
    for token in (detail or "").split():
        key, sep, value = token.partition(":")
        if sep:
            out[key] = value
    return out


def from_matches(matches: Iterable[RuleMatch]) -> list[Finding]:
    """One finding per `suspicious` rule match, with the matched strings as evidence."""
    out = []
    for match in matches:
        if match.category != "suspicious":
            continue
        meta: dict[str, Any] = match.meta
        detail = parse_detail(str(meta.get("detail", "")))
        severity = detail.get("severity")
        sev: Severity = severity if severity in SEVERITIES else severity_of(meta.get("weight"))  # type: ignore[assignment]
        ev = [evidence("yara", match.rule, match.path, match.sha256, s.offset, show(s.data),
                       meta.get("weight", "strong")) for s in match.strings[:8]]
        title = str(meta.get("description", match.rule)) + (f" (port {detail['port']})" if "port" in detail else "")
        out.append(make_finding(f"yara.{match.rule}", CATEGORY, sev,
                                {"strong": 0.9, "medium": 0.7}.get(str(meta.get("weight")), 0.5), title,
                                match.path, ev, detail.get("cwe"), match.sha256))
    return out


def from_facts(facts: Iterable[Fact], elf_sha256: frozenset[str] = frozenset()) -> list[Finding]:
    """Findings from boot facts (remote shells, env flags) and private-key facts. A PEM label inside an ELF
    that does not parse as a key is a format string (`-----BEGIN %s PRIVATE KEY-----`), not a key."""
    out: list[Finding] = []
    for fact in facts:
        if fact.kind == "boot.service" and fact.data.get("remote_access") in ("telnet", "adb"):
            out.append(_remote_shell(fact))
        elif fact.kind in ("boot.env_flag", "uboot.env.flag"):
            flag = _env_flag(fact)
            if flag is not None:
                out.append(flag)
        elif fact.kind == "private_key" and (fact.data.get("public_key_sha256") or fact.sha256 not in elf_sha256):
            out.append(_private_key(fact))
    return out


def _remote_shell(fact: Fact) -> Finding:
    d = fact.data
    proto, port = d.get("remote_access"), d.get("port")
    ev = [evidence("fact", fact.kind, fact.path, fact.sha256, fact.offset, str(d.get("line", d.get("command"))))]
    return make_finding(f"services.{proto}-at-boot", CATEGORY, "high", 0.9,
                        f"{d.get('command')} ({proto}, port {port}) started at boot from {d.get('source')}",
                        fact.path, ev, "CWE-319", f"{fact.offset}:{d.get('command')}")


def _env_flag(fact: Fact) -> Finding | None:
    name = str(fact.data.get("name", ""))
    if not any(f in name.lower() for f in RISKY_FLAGS):
        return None
    value = fact.data.get("value", fact.data.get("line", ""))
    ev = [evidence("fact", fact.kind, fact.path, fact.sha256, fact.offset, f"{name}={value}"[:120])]
    return make_finding("services.debug-env-flag", CATEGORY, FLAG_SEVERITY.get(name.lower(), "low"), 0.7,
                        f"debug/remote-access environment flag {name!r}", fact.path, ev, "CWE-489",
                        f"{fact.offset}:{name}")


def _private_key(fact: Fact) -> Finding:
    d = fact.data
    described = f"{d.get('pem_label', 'PRIVATE KEY')} ({d.get('key_type', '?')} {d.get('key_size') or ''})".strip()
    if d.get("public_key_sha256"):
        described += f", public key sha256 {str(d['public_key_sha256'])[:16]}"
    ev = [evidence("fact", "private_key", fact.path, fact.sha256, fact.offset, described)]
    encrypted = bool(d.get("encrypted"))
    return make_finding("services.private-key", CATEGORY, "medium" if encrypted else "high", 0.95,
                        f"private key shipped in the image{' (encrypted)' if encrypted else ''}: {described}",
                        fact.path, ev, "CWE-321", str(fact.offset))


def from_records(files: Sequence[FileRecord]) -> list[Finding]:
    """Setuid/setgid regular files that anyone can write."""
    out = []
    for rec in files:
        if rec.kind == "file" and rec.mode & (stat.S_ISUID | stat.S_ISGID) and rec.mode & stat.S_IWOTH:
            ev = [evidence("path", "mode", rec.path, rec.sha256, None, f"mode {oct(rec.mode & 0o7777)}")]
            out.append(make_finding("services.setuid-world-writable", CATEGORY, "high", 0.95,
                                    f"setuid/setgid file writable by anyone ({oct(rec.mode & 0o7777)})", rec.path, ev,
                                    "CWE-732", "mode"))
    return out


@functools.lru_cache(maxsize=1)
def _port_regex() -> re.Pattern[str]:
    ports = "|".join(str(p) for p in sorted(port_rows()))
    # a `port` key: `port=23`, `server_port: 8000`, `"TCPPort" : 34567`, `RTSP_PORT 554` (not `report`/`support`)
    key = r"(?-i:(?:(?<![A-Za-z])|(?<=[_A-Z]))(?:[Pp]ort|PORT))"
    return re.compile(rf"(?i)(?:(?:^|[\s\"'=]|\d\.\d{{1,3}}|\*|\]|localhost)[:,]|{key}[\"']?\s*[=:]?\s*[\"']?)"
                      rf"({ports})(?!\d)")


def scan_ports(records: Sequence[FileRecord], segments: Iterable[Segment]) -> list[Finding]:
    """Vendor service/debug ports written next to an address or a `port` key."""
    record, regex, rows = records[0], _port_regex(), port_rows()
    out: dict[int, Finding] = {}
    possible = candidates(as_strings(segments), PORT_BEFORE)
    for seg in candidates(possible, PORT_WORD):  # of those, a `:` or the word `port`, whatever the case
        for m in regex.finditer(seg.text):
            row = rows[int(m.group(1))]
            if row.port in out:
                continue
            ev = [evidence("string", f"port-{row.port}", record.path, record.sha256, seg.at(m.start()),
                           m.group().strip(), "medium")]
            out[row.port] = make_finding(
                "services.vendor-port", CATEGORY, row.severity, 0.6,  # type: ignore[arg-type]
                f"vendor service port {row.port} ({row.service}, {row.owner})" if row.owner != "generic"
                else f"default service port {row.port} ({row.service})", record.path, ev, row.cwe,
                str(row.port))
        if len(out) >= MAX_PORT_HITS:
            break
    return list(out.values())


def from_cloud_sdks(facts: Iterable[Fact]) -> list[Finding]:
    """Cloud/P2P SDKs linked into a file: exported/imported symbol prefixes and libraries of the owner table."""
    rows = [r for r in owner_rows() if r.type in ("symbol", "library")]
    out: dict[tuple[str, str], Finding] = {}
    for fact in facts:
        names = _elf_names(fact)  # sorted: the first name a prefix starts is found by bisection
        if not names:
            continue
        present = set(names)
        for row in rows:
            hit = _first_with_prefix(names, row.match) if row.type == "symbol" else (
                row.match if row.match in present else None)
            if hit is None or (fact.path, row.owner) in out:
                continue
            ev = [evidence("fact", fact.kind, fact.path, fact.sha256, fact.offset, hit)]
            sev: Severity = "medium" if row.category == "p2p-relay" else "low"
            out[(fact.path, row.owner)] = make_finding(
                f"services.{row.category}-sdk", CATEGORY, sev, 0.8,
                f"{row.category} SDK of {row.owner} ({hit}): the device reaches out to {row.owner} servers",
                fact.path, ev, None, row.owner)
    return list(out.values())


def _first_with_prefix(names: list[str], prefix: str) -> str | None:
    """The first of the sorted `names` that starts with `prefix`, or None."""
    index = bisect.bisect_left(names, prefix)
    return names[index] if index < len(names) and names[index].startswith(prefix) else None


def _elf_names(fact: Fact) -> list[str]:
    if fact.kind == "elf":
        return sorted({str(n) for n in [*fact.data.get("needed", []), fact.data.get("soname")] if n})
    if fact.kind == "elf.symbols":
        return sorted({str(n) for n in [*fact.data.get("exports", []), *fact.data.get("imports", [])]})
    return []


def prepare() -> None:
    """Load the port table and compile its pattern (before the first file)."""
    _port_regex()
