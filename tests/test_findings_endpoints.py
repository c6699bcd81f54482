"""Endpoint extraction and false-positive control on crafted strings."""

from __future__ import annotations

import pytest

from audit.findings.endpoints import aggregate, classify, extract, ip_class, registered_domain
from audit.findings.text import segments
from audit.model import FileRecord


def _values(blob: bytes) -> set[tuple[str, str]]:
    return {(h.kind, h.value) for h in extract(segments(blob))}


@pytest.mark.parametrize("token", [
    b"libc.so.6", b"busybox.conf", b"run.sh", b"setup.py", b"Makefile.am", b"config.in", b"README.md",
    b"module.ko", b"v1.2.3.4", b"version 2.6.32.61", b"1.3.6.1.4.1.311.2", b"x.zip", b"value.ir", b"q.pa",
    b"root@build-server", b"std::string", b"12:30:45", b"00:11:22:33:44:55", b"glibc.cpu.name", b"LG.HK",
    b"div.style.top", b"element.style.top", b"this.options.test", b"where.top", b"effect.options.to",
    b"attributes.top", b"luci.sys.process.info", b"process.info", b"a.prototype.name",
])
def test_not_endpoints(token: bytes) -> None:
    assert _values(b"\0" + token + b"\0") == set()


@pytest.mark.parametrize(("token", "kind", "value"), [
    (b"secu100.net", "domain", "secu100.net"),
    (b"m1.iotcplatform.com", "domain", "m1.iotcplatform.com"),
    (b"0.0.0.0:34567", "ipv4", "0.0.0.0:34567"),
    (b"239.255.255.250:37020", "ipv4", "239.255.255.250:37020"),
    (b'"DnsServer1" : "114.114.114.114"', "ipv4", "114.114.114.114"),
    (b"server=1.2.3.4", "ipv4", "1.2.3.4"),
    (b"https://downloads.openwrt.org/releases/23.05.2", "url", "https://downloads.openwrt.org/releases/23.05.2"),
    (b"rtsp://0.0.0.0:554/ch0", "url", "rtsp://0.0.0.0:554/ch0"),
    (b"support@hikvision.com", "email", "support@hikvision.com"),
    (b"upgrade.northwind-security.example", "domain", "upgrade.northwind-security.example"),
    (b"[2001:db8::1]:8080", "ipv6", "[2001:db8::1]:8080"),
    (b"nameserver ::1", "ipv6", "::1"),
])
def test_endpoints_found(token: bytes, kind: str, value: str) -> None:
    assert (kind, value) in _values(b"\0" + token + b"\0")


def test_utf16le_strings_and_offsets() -> None:
    blob = b"\x00\x01" + "xmeye.net".encode("utf-16-le") + b"\x00\x00"
    hits = extract(segments(blob))
    assert [(h.value, h.offset, h.wide) for h in hits] == [("xmeye.net", 2, True)]


def test_public_suffix_is_real() -> None:
    assert registered_domain("litedev.ys7.com") == "ys7.com"
    assert registered_domain("foo.notatld") is None
    assert registered_domain("com") is None


def test_ip_classes() -> None:
    assert [ip_class(a) for a in ("8.8.8.8", "192.168.1.1", "127.0.0.1", "239.255.255.250", "169.254.1.1",
                                  "192.0.2.7", "0.0.0.0", "2001:db8::1", "nope")] == [  # noqa: S104 (a literal, no bind)
        "public", "private", "loopback", "multicast", "link-local", "documentation", "unspecified",
        "documentation", None]


def test_owner_category_and_benign_headline() -> None:
    cloud = classify("domain", "litedev.ys7.com")
    assert (cloud["owner"], cloud["category"], cloud["headline"]) == ("ezviz", "vendor-cloud", True)
    dns = classify("ipv4", "8.8.8.8")
    assert (dns["owner"], dns["category"], dns["ip_class"]) == ("google", "dns", "public")
    for host in ("www.w3.org", "schemas.xmlsoap.org", "www.openssl.org", "www.gnu.org", "example.com"):
        benign = classify("url", host)
        assert benign["category"] == "benign" and not benign["headline"], host
    assert not classify("ipv4", "192.168.1.10")["headline"]
    assert not classify("email", "someone.example.org")["headline"]


def test_aggregate_merges_paths_and_is_sorted() -> None:
    rec_a = FileRecord("a/bin/x", "/bin/x", "file", 1, 0o755, sha256="1" * 64)
    rec_b = FileRecord("b/bin/x", "/bin/x", "file", 1, 0o755, sha256="1" * 64)
    hits = extract(segments(b"\0xmeye.net\0secu100.net\0http://www.w3.org/2001/XMLSchema\0"))
    out = aggregate([((rec_a, rec_b), hits)])
    assert out == sorted(out, key=lambda e: (e["kind"], e["value"]))
    xm = next(e for e in out if e["value"] == "xmeye.net")
    assert [o["path"] for o in xm["occurrences"]] == ["a/bin/x", "b/bin/x"]
    assert xm["owner"] == "xmeye" and xm["category"] == "vendor-cloud"
    assert next(e for e in out if e["kind"] == "url")["category"] == "benign"


def _table(count: int) -> bytes:
    """A connectivity-check style list: `count` unrelated brand sites, NUL-separated."""
    return b"\0".join(b"www.brandsite%03d.com" % i for i in range(count)) + b"\0"


def test_a_file_listing_many_unrelated_hosts_is_a_host_table() -> None:
    from audit.findings.endpoints import HOST_TABLE_MIN, host_table_findings

    table = FileRecord("rootfs/etc/check_hosts", "/etc/check_hosts", "file", 1, 0o644, sha256="2" * 64)
    client = FileRecord("rootfs/bin/cloudd", "/bin/cloudd", "file", 1, 0o755, sha256="3" * 64)
    hits_table = extract(segments(_table(HOST_TABLE_MIN + 5) + b"xmeye.net\0"))
    hits_client = extract(segments(b"\0www.brandsite001.com\0api.example-vendor.com\0"))
    out = aggregate([((table,), hits_table), ((client,), hits_client)])
    by_value = {e["value"]: e for e in out}
    assert by_value["www.brandsite007.com"]["category"] == "host-table"
    assert by_value["www.brandsite007.com"]["headline"] is False
    assert by_value["www.brandsite001.com"]["headline"] is True  # also named alone by another file: kept
    assert by_value["xmeye.net"]["category"] == "vendor-cloud"  # an owned host in a table stays what it is
    assert by_value["api.example-vendor.com"]["headline"] is True
    findings = host_table_findings(out)
    assert [f.path for f in findings] == ["rootfs/etc/check_hosts"]
    assert f"{HOST_TABLE_MIN + 4} hosts" in findings[0].title  # brandsite001 is not table-only


def test_a_few_unknown_hosts_stay_headline() -> None:
    rec = FileRecord("rootfs/bin/app", "/bin/app", "file", 1, 0o755, sha256="4" * 64)
    out = aggregate([((rec,), extract(segments(_table(5))))])
    assert all(e["headline"] and e["category"] == "unknown" for e in out)


@pytest.mark.parametrize("path", [
    "rootfs/usr/share/doc/busybox/copyright", "rootfs/etc/services", "rootfs/etc/protocols",
    "rootfs/usr/share/man/man8/udhcpd.8.gz", "rootfs/etc/ssl/certs/ca-certificates.crt", "app/LICENSE.txt",
    "rootfs/usr/share/common-licenses/GPL-2", "web/README", "rootfs/etc/mime.types",
])
def test_hosts_only_in_documentation_are_not_headline(path: str) -> None:
    doc = FileRecord(path, "/" + path, "file", 1, 0o644, sha256="5" * 64)
    out = aggregate([((doc,), extract(segments(b"\0www.gnu.org\0ftp.example-mirror.net\0xmeye.net\0")))])
    assert out and all(e["category"] == "documentation-only" and not e["headline"] for e in out)


def test_a_host_also_in_a_binary_stays_headline() -> None:
    doc = FileRecord("rootfs/usr/share/doc/app/README", "/usr/share/doc/app/README", "file", 1, 0o644, sha256="6" * 64)
    binary = FileRecord("rootfs/usr/bin/app", "/usr/bin/app", "file", 1, 0o755, sha256="7" * 64)
    hits = extract(segments(b"\0update.example-vendor.net\0"))
    out = aggregate([((doc,), hits), ((binary,), hits)])
    assert out[0]["headline"] is True and out[0]["category"] == "unknown"


@pytest.mark.parametrize("host", ["dynupdate.no-ip.com", "members.dyndns.org", "hphwebservice.oray.net",
                                  "members.3322.org", "checkip.dyndns.com"])
def test_dynamic_dns_providers_have_their_own_category(host: str) -> None:
    assert classify("domain", host)["category"] == "ddns"
