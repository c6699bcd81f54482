"""Endpoint extraction and false-positive control on crafted strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.findings.endpoint_records import aggregate, host_table_findings
from audit.findings.endpoint_sources import elf_sections, section_at, source_kind
from audit.findings.endpoints import classify, extract, ip_class, registered_domain
from audit.findings.text import Segment, segments
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
    from audit.findings.endpoint_records import HOST_TABLE_MIN, host_table_findings

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
                                  "members.3322.org", "members.3322.net"])
def test_dynamic_dns_providers_have_their_own_category(host: str) -> None:
    assert classify("domain", host)["category"] == "ddns"


@pytest.mark.parametrize("host", ["checkip.dyndns.com", "connectivitycheck.gstatic.com", "www.baidu.com",
                                  "ip.3322.net", "captive.apple.com"])
def test_connectivity_checks_are_grouped_not_headline(host: str) -> None:
    assert classify("domain", host)["category"] == "connectivity-check"
    assert classify("domain", host)["headline"] is False
    binary = FileRecord("rootfs/bin/netcheck", "/bin/netcheck", "file", 1, 0o755, sha256="8" * 64)
    out = aggregate([((binary,), extract(segments(f"\0{host}\0www.qq.com\0".encode())))])
    (finding,) = host_table_findings(out)
    assert finding.rule == "endpoints.connectivity-check" and host in finding.title and "www.qq.com" in finding.title


def test_a_portal_api_host_is_not_a_connectivity_check() -> None:
    assert classify("domain", "openapi.baidu.com")["category"] == "unknown"


@pytest.mark.parametrize(("host", "category"), [("s1a.time.edu.cn", "ntp"), ("nist1-ny.glassey.com", "ntp"),
                                                ("ntpserver1.cn", "ntp"), ("time-a.nist.gov", "ntp"),
                                                ("timeline.vendor-cloud.com", "unknown"), ("api.ntpx.com", "unknown")])
def test_time_server_names_are_ntp(host: str, category: str) -> None:
    assert classify("domain", host)["category"] == category


@pytest.mark.parametrize(("path", "data", "kind"), [
    ("www/js/app.js", b"var a = 1;", "markup"), ("usr/lib/lua/luci/util.lua", b"-- x", "markup"),
    ("www/logo.jpg", b"\xff\xd8\xff\xe0JFIF", "media"),
    ("bin/app", b"\x7fELF\x01\x01\x01" + b"\0" * 9 + b"\x02\x00", "elf"),
    ("lib/modules/x.ko", b"\x7fELF\x01\x01\x01" + b"\0" * 9 + b"\x01\x00vermagic=4.9", "kernel"),
    ("boot/Image", b"\0\0Linux version 4.9.37 (b@h) (gcc version 6.3.0)", "kernel"),
    ("bin/app.js", b"\0binary", "data"), ("etc/ntp.conf", b"server pool.ntp.org", "text"),
])
def test_source_kind(path: str, data: bytes, kind: str) -> None:
    assert source_kind(path, data) == kind


def test_markup_counts_string_literals_and_attributes_only() -> None:
    page = (b"<a href=\"http://www.vendor-cloud.com/app\">x</a> see update.vendor-cloud.com\n"
            b"var s = 'api.vendor-cloud.com'; var t = offset.top; element.style.top = where.to;\n"
            b"// http://docs.vendor-cloud.com/howto\n")
    values = {h.value for h in extract(segments(page), "markup")}
    assert values == {"http://www.vendor-cloud.com/app", "api.vendor-cloud.com"}
    assert {h.value for h in extract(segments(page), "data")} >= values | {"update.vendor-cloud.com"}


def test_kernels_name_no_hosts_and_media_none_at_all() -> None:
    """A kernel resolves no names and its dotted numbers are driver versions; only address:port stays."""
    text = (b"\0cmd.pa\0byte.pa\0http://www.kernel-vendor.com/x\0update.vendor-cloud.com\0"
            b"et driver 5.100.138.22\0nfsroot=203.0.114.7:2049\0")
    assert [h.value for h in extract(segments(text), "kernel")] == ["203.0.114.7:2049"]
    assert extract(segments(text), "media") == []


def test_comment_lines_and_web_ui_only_hosts_are_not_headline() -> None:
    conf = FileRecord("rootfs/etc/app.conf", "/etc/app.conf", "file", 1, 0o644, sha256="b" * 64)
    page = FileRecord("rootfs/www/ddns.htm", "/www/ddns.htm", "file", 1, 0o644, sha256="c" * 64)
    out = aggregate([((conf,), extract(segments(b"# see docs.board-vendor.net\nserver=ntp.vendor-cloud.com\n"))),
                     ((page,), extract(segments(b'<a href="http://www.ddns-vendor.com/reg">'), "markup"))])
    by_host = {e["host"]: e for e in out}
    assert by_host["docs.board-vendor.net"]["category"] == "documentation-only"
    assert by_host["ntp.vendor-cloud.com"]["headline"] is True
    assert by_host["www.ddns-vendor.com"]["headline"] is False and by_host["www.ddns-vendor.com"]["occurrences"][0][
        "web_ui"] is True


@pytest.mark.parametrize("text", [b"net 1.0.0.0 mask", b"bcast 5.255.255.255"])
def test_network_and_broadcast_addresses_are_not_hosts(text: bytes) -> None:
    assert extract(segments(text)) == []


def test_printf_template_host_keeps_its_placeholder() -> None:
    (hit,) = extract(segments(b"\0http://%s.myfoscam.org:%d\0"))
    assert hit.host == "%s.myfoscam.org" and classify(hit.kind, hit.host)["registered_domain"] == "myfoscam.org"


@pytest.mark.parametrize("text", [b"See https://broker-project.net/ for more information.",
                                  b'<b xmlns="http://www.tcg-like.org/IWG/TNC/1_0#">',
                                  b"Please report bugs to http://bugs.tool-project.net/"])
def test_cited_urls_are_documentation(text: bytes) -> None:
    binary = FileRecord("rootfs/usr/sbin/broker", "/usr/sbin/broker", "file", 1, 0o755, sha256="9" * 64)
    (entry,) = aggregate([((binary,), extract(segments(text)))])
    assert entry["category"] == "documentation-only" and entry["headline"] is False


def test_a_called_url_is_not_cited() -> None:
    binary = FileRecord("rootfs/usr/sbin/upd", "/usr/sbin/upd", "file", 1, 0o755, sha256="a" * 64)
    (entry,) = aggregate([((binary,), extract(segments(b"url=http://fw.vendor-cloud.com/check")))])
    assert entry["headline"] is True


def test_a_text_list_of_public_addresses_is_a_host_table() -> None:
    table = FileRecord("rootfs/cfg/game_list", "/cfg/game_list", "file", 1, 0o644, sha256="d" * 64)
    text = b"\n".join(f"203.0.{i}.7 game{i}".encode() for i in range(1, 7))
    out = aggregate([((table,), extract(segments(text)))])
    assert len(out) == 6 and all(e["category"] == "host-table" and not e["headline"] for e in out)
    program = FileRecord("rootfs/bin/p2pd", "/bin/p2pd", "file", 1, 0o755, sha256="e" * 64)
    servers = extract(segments(b"\0".join(f"203.0.{i}.9".encode() for i in range(1, 7))), "elf")
    assert all(e["headline"] for e in aggregate([((program,), servers)]))  # a relay list compiled into a client


def test_user_agent_credits_and_document_links_are_cited() -> None:
    hits = extract(segments(b"\0updatedd/2.6 (http://updatedd.example-author.de)\0https://docs.vendor.io/a.pdf\0"))
    assert [h.cited for h in hits] == [True, True]


def test_a_decompressed_web_bundle_is_markup_but_a_firmware_blob_is_not() -> None:
    page = b"<html>\n<head><script>function go() { return 'api.vendor-cloud.com'; }</script> offset.top"
    assert source_kind("x/gzip.uncompressed", page) == "markup"
    assert source_kind("x/lzma.uncompressed", b"\0" * 4096 + page) == "data"  # an RTOS image embedding pages


def test_credential_values_and_documentation_hosts_are_not_contacts() -> None:
    assert extract(segments(b"\0apn=\0password=vnet.mobi\0")) == []
    (hit,) = extract(segments(b"\0http://wiki.vendor-cloud.com/doc/failsafe\0"))
    assert hit.cited
    assert source_kind("web/x.uncompressed", b"function a(){};" * 6) == "markup"


def test_addresses_in_a_binary_blob_are_no_ip_table() -> None:
    blob = FileRecord("rootfs/0-1233264.unknown", "/0-1233264.unknown", "file", 1, 0o644, sha256="f" * 64)
    hits = extract(segments(b"\0".join(f"203.0.{i}.5".encode() for i in range(1, 7))), "data")
    assert all(e["headline"] for e in aggregate([((blob,), hits)]))


def test_elf_occurrences_name_their_section_and_symbol_strings_are_no_endpoints() -> None:
    data = Path("/bin/ls").read_bytes()  # a real ELF of the machine
    sections = elf_sections(data)
    names = {name for *_, name in sections}
    assert ".text" in names and all(a < b for a, b, _ in sections)
    rodata = next((a, b) for a, b, name in sections if name == ".rodata")
    assert section_at(sections, rodata[0]) == ".rodata" and section_at(sections, 0) is None
    strtab = next((a, b) for a, b, name in sections if name in (".dynstr", ".strtab"))
    fake = [(strtab[0], strtab[1], ".dynstr"), (rodata[0], rodata[1], ".rodata")]
    seg_sym, seg_data = Segment(strtab[0], "api.vendor-cloud.com"), Segment(rodata[0] + 8, "x api.vendor-cloud.com y")
    assert extract([seg_sym], "elf", sorted(fake)) == []
    (hit,) = extract([seg_data], "elf", sorted(fake))
    assert hit.section == ".rodata" and hit.context == "x api.vendor-cloud.com y"
    binary = FileRecord("rootfs/bin/app", "/bin/app", "file", 1, 0o755, sha256="1" * 64)
    (entry,) = aggregate([((binary,), [hit])])
    first = entry["occurrences"][0]
    assert first["section"] == ".rodata" and "api.vendor-cloud.com" in first["context"]


def test_context_is_bounded() -> None:
    text = "a" * 500 + " update.vendor-cloud.com " + "b" * 500
    (hit,) = extract(segments(text.encode()))
    assert len(hit.context) <= len("update.vendor-cloud.com") + 2 * 40 and "update.vendor-cloud.com" in hit.context


def test_web_bundle_detection_is_linear_on_hostile_text() -> None:
    """A megabyte of page openers without a script (the old lazy-regex test was quadratic: minutes here)."""
    assert source_kind("x/blob.uncompressed", b"function <html " + b"<html " * 200_000) == "text"
    assert source_kind("x/blob.uncompressed", b"function x() {} <html><script>" + b"<html " * 200_000) == "markup"


def _owner_row_by_scan(host: str):
    """The definition: exact IP row, else the domain row with the longest match that is the host or a suffix
    after a dot (the first such row in the table on a tie)."""
    from audit.findings.tables import owner_rows

    host, best = host.lower(), None
    for row in owner_rows():
        if row.type == "ip" and row.match == host:
            return row
        if row.type == "domain" and (host == row.match or host.endswith("." + row.match)) and (
                best is None or len(row.match) > len(best.match)):
            best = row
    return best


def test_the_owner_index_answers_as_a_scan_of_the_table() -> None:
    import random

    from audit.findings.endpoints import owner_row
    from audit.findings.tables import owner_rows

    rng = random.Random(3)
    matches = [r.match for r in owner_rows()]
    hosts = [*matches, *(f"x{i}.{m}" for i, m in enumerate(matches)), *(f"{m}.evil.example" for m in matches),
             *(m.upper() for m in matches[:50]), "", ".", "a..com", "localhost", "1.2.3.4"]
    hosts += ["".join(rng.choice("ab.") for _ in range(rng.randint(1, 8))) + rng.choice(matches) for _ in range(300)]
    assert any(owner_row(h) is not None for h in hosts) and any(owner_row(h) is None for h in hosts)
    for host in hosts:
        assert owner_row(host) == _owner_row_by_scan(host), host
