"""Hand-built `Report`s for policy, gate, diff and writer tests (no pipeline run needed)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from audit.model import AuditError, Claim, Evidence, Finding, Report

ROOTFS = "fw.bin_extract/romfs.img_extract/64-8256.squashfs_v4_le_extract"
HOSTILE = '<script>alert("pwn")</script>'


def ev(rule: str, path: str, offset: int | None = 0x1234, matched: str = "HI_MPI_SYS_Init", kind: str = "yara",
       weight: str = "strong") -> Evidence:
    full = f"{ROOTFS}/{path}"
    return Evidence(kind=kind, rule_id=rule, path=full, sha256="ab" * 32, offset=offset, matched=matched,
                    weight=weight, chain=("fw.bin", "fw.bin_extract/romfs.img", full))  # type: ignore[arg-type]


def claim(layer: str, entity: str, confidence: float = 0.97, detail: str | None = None,
          evidence: tuple[Evidence, ...] | None = None) -> Claim:
    evidence = evidence or (ev(f"{layer.upper()}_{entity.title()}_Rule", "usr/lib/libmpi.so"),)
    return Claim(layer=layer, entity=entity, confidence=confidence, evidence=evidence, detail=detail)


def finding(fid: str, severity: str = "high", category: str = "service", rule: str = "findings.service",
            title: str = "A finding", path: str = "etc/init.d/rcS", matched: str = "telnetd &") -> Finding:
    return Finding(id=fid, rule=rule, category=category, severity=severity, confidence=0.9,  # type: ignore[arg-type]
                   title=title, path=f"{ROOTFS}/{path}", evidence=(ev(rule, path, 0x40, matched, "fact"),))


def report(name: str = "fw.bin", claims: list[Claim] | None = None, hints: list[Claim] | None = None,
           findings: list[Finding] | None = None, **extra: object) -> Report:
    rep = Report(tool={"name": "fwaudit", "version": "0.1.0", "rules_digest": "0" * 64},
                 run={"started": "2024-01-01T00:00:00+00:00", "duration_s": 1.0, "config": {}},
                 image={"name": name, "sha256": "cd" * 32, "size": 1024, "format": "data"},
                 claims=claims or [], hints=hints or [], findings=findings or [])
    for key, value in extra.items():
        setattr(rep, key, value)
    return rep


def xiongmai_on_hisilicon() -> Report:
    """Xiongmai-platform camera on a HiSilicon SoC, relabelled, with the usual security problems."""
    soc_ev = (ev("SOC_HiSilicon_MPP_Version_String", "usr/lib/libmpi.so", 0x7F8,
                 "HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 B030 Release"),
              ev("SOC_HiSilicon_Chip_Named_Kernel_Module", "lib/modules/hi3516ev200_sys.ko", 0x100, "hi3516ev200_sys"))
    return report(
        claims=[
            claim("soc", "hisilicon", 0.999, "Hi3516EV200", soc_ev),
            claim("sdk", "hisilicon", 0.97, "Hi3516EV200_MPP_V1.0.1.2 B030",
                  (ev("SDK_HiSilicon_MPP_Library", "usr/lib/libmpi.so"),)),
            claim("toolchain", "hisilicon", 0.99, "Hisilicon_v500_20180120",
                  (ev("TOOLCHAIN_HiSilicon_GCC", "usr/bin/Sofia", 0x2000, "GCC: (Hisilicon_v500_20180120) 4.9.4"),)),
            claim("odm", "xiongmai", 0.99, "Sofia " + HOSTILE,
                  (ev("ODM_Xiongmai_Sofia", "usr/bin/Sofia", 0x5A0, "XmEnv\\x00" + HOSTILE),)),
        ],
        hints=[claim("cloud", "xmeye", 0.6, None, (ev("CLOUD_XMEye_Endpoint", "usr/bin/Sofia", 0x900, "xmeye.net"),))],
        findings=[
            finding("service.telnetd-started-at-boot", "high", "service", "findings.telnetd",
                    "telnetd started at boot by rcS"),
            finding("credentials.hardcoded-root-password", "critical", "credentials", "findings.default_password",
                    "root password is the public default 'xmhdipc'", "etc/passwd", "root:$1$RYIwEiRA$d5iRRVQ5Z"),
            finding("backdoor.xiongmai-opentelnet", "critical", "backdoor", "SUSPICIOUS_Xiongmai_OpenTelnet",
                    "Xiongmai OpenTelnet:OpenOnce backdoor (TCP 9530)", "usr/bin/Sofia", "OpenTelnet:OpenOnce"),
            finding("hardening.no-relro", "low", "hardening", "findings.hardening", "ELF without RELRO " + HOSTILE,
                    "usr/bin/dvrHelper", "\\x7fELF"),
        ],
        endpoints=[
            {"value": "xmeye.net", "kind": "domain", "owner": "xmeye", "category": "vendor-cloud",
             "path": f"{ROOTFS}/usr/bin/Sofia"},
            {"value": "secu100.net", "kind": "domain", "owner": "xmeye", "category": "p2p-relay",
             "path": f"{ROOTFS}/usr/bin/Sofia"},
            {"value": "8.8.8.8", "kind": "ip", "owner": "google", "category": "dns", "path": "mtd/Config/network"},
        ],
        components=[
            {"name": "linux", "version": "4.9.37", "path": "uImage.img", "cves": ["CVE-2019-11477"]},
            {"name": "hisilicon-mpp", "version": "V1.0.1.2 B030", "path": f"{ROOTFS}/usr/lib/libmpi.so"},
        ],
        errors=[AuditError(kind="inspect.elf.parse", stage="inspect", message="bad section table " + HOSTILE,
                           path=f"{ROOTFS}/usr/bin/broken", severity="warning")],
    )


def hikvision_nvr() -> Report:
    return report(claims=[
        claim("soc", "hisilicon", 0.9, "Hi3536"),
        claim("odm", "hikvision", 0.9, None, (ev("ODM_Hikvision_Davinci_Platform", "home/hik/hicore", 0xBA8, "HKVS"),)),
        claim("cloud", "hik-connect", 0.9, None,
              (ev("CLOUD_HikConnect", "home/hik/hicore", 0xB94, "hik-connect.com"),)),
    ])


def goke_camera() -> Report:
    """Goke re-badges HiSilicon designs but is not a Huawei company: no covered-entity claim."""
    return report(claims=[claim("soc", "goke", 0.95, "GK7205V200"), claim("sdk", "goke", 0.9)])


def openwrt_router() -> Report:
    return report(
        name="openwrt-router.bin",
        claims=[claim("component", "openwrt", 0.95, "23.05.2"), claim("component", "linux", 0.9, "5.15.137"),
                claim("component", "busybox", 0.9, "1.36.1")],
        endpoints=[{"value": "downloads.openwrt.org", "kind": "domain", "owner": "openwrt", "category": "update"}],
        components=[{"name": "busybox", "version": "1.36.1"}, {"name": "dropbear", "version": "2022.82"}],
    )


def hint_only() -> Report:
    """Only weak evidence of Hikvision: a hint, which may give `review` but never `fail`."""
    return report(hints=[claim("odm", "hikvision", 0.5), claim("cloud", "ezviz", 0.3)])


# -- reports of the built samples (one scan per sample per test session) --------------------------------------

_SCANNED: dict[str, Path] = {}
_SCAN_ROOT: list[Path] = []


def scan_sample(image: Path) -> Path:
    """report.json of one built sample, scanned once per session with the real CLI."""
    if image.name not in _SCANNED:
        if not _SCAN_ROOT:
            _SCAN_ROOT.append(Path(tempfile.mkdtemp(prefix="fwaudit-test-reports-")))
        out = _SCAN_ROOT[0] / image.name
        result = subprocess.run([sys.executable, "-m", "audit.cli", "scan", str(image), "-o", str(out), "-f", "json",
                                 "-q", "-j", "2"], capture_output=True, text=True, timeout=600)
        assert result.returncode in (0, 1), result.stderr
        _SCANNED[image.name] = out / "report.json"
    return _SCANNED[image.name]


def redacted(rep: Report) -> Report:
    """The report with volatile fields fixed: run block, tool version, rules digest and the vulnerability store's
    path, which is the machine's (for golden files)."""
    rep.run = {"redacted": "run block (time, duration, config, work dir)"}
    rep.tool = {**rep.tool, "version": "<version>", "rules_digest": "<rules-digest>"}
    if "db" in rep.vulnerabilities:
        rep.vulnerabilities = {**rep.vulnerabilities, "db": "<vulnerability-store>"}
    return rep
