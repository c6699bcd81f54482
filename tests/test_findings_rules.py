"""Credentials, backdoors/services and components on crafted inputs, the suspicious YARA rules compiled with
yara-x, and find_all's error handling."""

from __future__ import annotations

from pathlib import Path

import pytest
import yara_x

from audit.findings import find_all
from audit.findings.components import aggregate, from_facts, scan_file
from audit.findings.credentials import from_accounts
from audit.findings.credentials import scan_file as scan_credentials
from audit.findings.services import from_facts as service_facts
from audit.findings.services import from_matches, from_records, parse_detail
from audit.findings.text import segments
from audit.model import Fact, FileRecord, RuleMatch, StringMatch

SUSPICIOUS = Path(__file__).resolve().parents[1] / "rules" / "yara" / "suspicious"
SHA = "5" * 64
AES_KEY = bytes.fromhex("279977f62f6cfd2d91cd75b889ce0c9a")


def _rec(path: str = "rootfs/etc/app.conf", mode: int = 0o644, sha: str = SHA) -> FileRecord:
    return FileRecord(path, "/" + path.split("/", 1)[-1], "file", 10, mode, sha256=sha)


def _scan(data: bytes) -> dict[str, RuleMatch]:
    compiler = yara_x.Compiler()
    for path in sorted(SUSPICIOUS.glob("*.yar")):
        compiler.add_source(path.read_text(encoding="utf-8"))
    results = yara_x.Scanner(compiler.build()).scan(data)
    out = {}
    for rule in results.matching_rules:
        strings = tuple(StringMatch(p.identifier, m.offset, data[m.offset:m.offset + m.length])
                        for p in rule.patterns for m in p.matches)
        out[rule.identifier] = RuleMatch(rule.identifier, "suspicious", dict(rule.metadata), SHA, "fw/Sofia", strings)
    return out


@pytest.mark.parametrize(("blob", "rule"), [
    (b"\0OpenTelnet:OpenOnce\0", "SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor"),
    (b"\0randNum:%d\0verify:OK\0", "SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor"),
    (b"\0key 2wj9fsa2\0", "SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor"),
    (b"\0port=9527;\0XmEnv\0", "SUSPICIOUS_Xiongmai_Debug_Console_9527"),
    (b"\x00279977F62F6CFD2D91CD75B889CE0C9A\x00", "SUSPICIOUS_Hikvision_Config_AES_Key"),
    (b"\x01\x02" + AES_KEY + b"\x03", "SUSPICIOUS_Hikvision_Config_AES_Key"),
])
def test_suspicious_rules_positive(blob: bytes, rule: str) -> None:
    matches = _scan(blob)
    assert rule in matches
    finding = from_matches([matches[rule]])[0]
    assert finding.severity in ("high", "critical") and finding.cwe
    assert finding.evidence[0].offset is not None and finding.evidence[0].matched


def test_suspicious_rules_negative() -> None:
    assert _scan(b"\0telnetd -l /bin/login\0randNum:\0OpenTelnet\0port 95270\0" + AES_KEY[:15]) == {}


def test_detail_meta_sets_severity_and_port() -> None:
    assert parse_detail("severity:critical cwe:CWE-912 port:9530") == {
        "severity": "critical", "cwe": "CWE-912", "port": "9530"}
    finding = from_matches([_scan(b"\0OpenTelnet:OpenOnce\0")["SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor"]])[0]
    assert finding.severity == "critical" and finding.cwe == "CWE-912" and "9530" in finding.title


def test_account_facts() -> None:
    facts = [
        Fact("account", SHA, "fs/etc/passwd", {"user": "root", "uid": 0, "scheme": "des", "hash": "absxcfbgXtb3o",
             "known_default": {"plaintext": "xc3511", "vendor": "xiongmai", "verified": True}}, 0),
        Fact("account", SHA, "fs/etc/passwd", {"user": "toor", "uid": 0, "scheme": "md5", "hash": "$1$x$y",
                                               "extra_uid0": True}, 40),
        Fact("account", SHA, "fs/etc/passwd", {"user": "guest", "uid": 100, "scheme": "empty", "hash": "",
                                               "empty_password": True}, 80),
        Fact("account", SHA, "fs/etc/shadow", {"user": "root", "scheme": "locked", "hash": "*", "locked": True}, 0),
    ]
    by_rule = {(f.rule, f.title.split(":")[0]): f for f in from_accounts(facts)}
    known = by_rule[("credentials.known-default-password", "root")]
    assert known.severity == "critical" and "Mirai" in known.title and known.cwe == "CWE-798"
    assert ("credentials.weak-password-hash", "root") in by_rule
    assert by_rule[("credentials.hardcoded-password", "toor")].cwe == "CWE-259"
    assert ("credentials.extra-uid0", "toor") in by_rule
    assert by_rule[("credentials.empty-password", "guest")].cwe == "CWE-521"
    assert not from_accounts(facts[3:])


def test_hardcoded_credentials_in_files_are_masked() -> None:
    script = b"#!/bin/sh\necho root:xc3511 | chpasswd\nwifi_password=Sup3rS3cretValue\nkey=AKIAABCDEFGHIJKLMNOP\n"
    found = scan_credentials([_rec("fs/etc/init.d/S99")], segments(script), True)
    rules = sorted(f.rule for f in found)
    assert rules == ["credentials.api-token", "credentials.config-secret", "credentials.mirai-default"]
    text = " ".join(f.title + " ".join(e.matched for e in f.evidence) for f in found)
    assert "Sup3rS3cretValue" not in text and "AKIAABCDEFGHIJKLMNOP" not in text
    assert "root:xc3511" in text  # public Mirai pair: shown
    chown = b"sd[a-z].* root:root 660\nuser=root\n"
    assert not scan_credentials([_rec("fs/etc/mdev.conf")], segments(chown), True)


def test_private_key_never_printed_and_format_strings_ignored() -> None:
    key = Fact("private_key", SHA, "fs/etc/ssl/key.pem", {"pem_label": "RSA PRIVATE KEY", "key_type": "rsa",
                                                          "key_size": 2048, "public_key_sha256": "ab" * 32}, 0)
    fmt = Fact("private_key", "6" * 64, "fs/bin/tool", {"pem_label": "DSA PRIVATE KEY", "encrypted": True}, 9)
    found = service_facts([key, fmt], frozenset({"6" * 64}))
    assert [f.path for f in found] == ["fs/etc/ssl/key.pem"]
    assert "BEGIN" not in found[0].evidence[0].matched and found[0].cwe == "CWE-321"


def test_boot_facts_and_modes() -> None:
    facts = [Fact("boot.service", SHA, "fs/etc/init.d/rcS", {"command": "telnetd", "remote_access": "telnet",
                                                              "port": 23, "source": "script", "line": "telnetd &"}, 5),
             Fact("uboot.env.flag", SHA, "mtd/env", {"name": "telnetctrl", "value": "1"}, 4),
             Fact("boot.service", SHA, "fs/etc/init.d/rcS", {"command": "dropbear", "remote_access": "ssh"}, 9)]
    rules = sorted(f.rule for f in service_facts(facts))
    assert rules == ["services.debug-env-flag", "services.telnet-at-boot"]
    files = [_rec("fs/bin/su", 0o4777), _rec("fs/bin/ok", 0o4755), _rec("fs/tmp/x", 0o777)]
    assert [f.path for f in from_records(files)] == ["fs/bin/su"]


def test_components_table_driven() -> None:
    rec = _rec("fs/bin/busybox", 0o755)
    hits = scan_file(rec, b"\0BusyBox v1.31.1 (2020-01-01) multi-call\0OpenSSL 1.1.1k  25 Mar 2021\0", None,
                     frozenset())
    assert {(h.name, h.version) for h in hits} == {("busybox", "1.31.1"), ("openssl", "1.1.1k")}
    kernel = from_facts([Fact("kernel.banner", SHA, "fs/boot/uImage", {"version": "3.10.14__isvp_swan_1.0__"})])
    comps = {c["name"]: c for c in aggregate([*hits, *kernel], {SHA: ["fs/bin/busybox"]})}
    assert comps["linux"]["version"] == "3.10.14"
    assert comps["linux"]["cpe"] == "cpe:2.3:o:linux:linux_kernel:3.10.14:*:*:*:*:*:*:*"
    assert comps["busybox"]["purl"] == "pkg:generic/busybox@1.31.1"
    assert comps["openssl"]["occurrences"][0]["matched"].startswith("OpenSSL 1.1.1k")
    generic = scan_file(_rec("fs/bin/other"), b"\0IMP-1.1.6\0V5.00.R02.20231114\0", None, frozenset())
    assert generic == []  # generic version formats count only in identified files


def test_find_all_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.write_bytes(b"\0xmeye.net\0")
    items = [(tmp_path / "missing", _rec("fs/missing", sha="7" * 64)), (good, _rec("fs/good"))]
    result = find_all(items, [r for _, r in items], [], [])
    assert [e.kind for e in result.errors] == ["findings.read"]
    assert [e["value"] for e in result.endpoints] == ["xmeye.net"]


def test_root_login_to_a_vendor_program_is_reported_but_standard_shells_are_not() -> None:
    from audit.findings.credentials import from_accounts
    from audit.model import Fact

    def account(shell: str, uid: int = 0) -> Fact:
        return Fact(kind="account", sha256="0" * 64, path="x/etc/passwd", offset=0,
                    data={"user": "root" if uid == 0 else "daemon", "uid": uid, "shell": shell, "scheme": "locked",
                          "locked": True, "hash": "*", "source": "passwd"})

    psh = from_accounts([account("/bin/psh")])
    assert [f.rule for f in psh] == ["credentials.vendor-login-shell"]
    assert "/bin/psh" in psh[0].title
    for shell in ("/bin/sh", "/bin/ash", "/usr/bin/bash", "/sbin/nologin", "/bin/false"):
        assert not [f for f in from_accounts([account(shell)]) if f.rule == "credentials.vendor-login-shell"]
    assert not from_accounts([account("/bin/psh", uid=1)])
