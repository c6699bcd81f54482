"""Endpoints: URLs, domains, IPv4/IPv6 addresses (with port) and e-mail addresses in every unique file.

False-positive control: a domain needs a real ICANN public suffix (`publicsuffixlist`, offline) and at least
one label before it; bare tokens whose suffix is also a common file extension (`libc.so`, `run.sh`) or a new
gTLD are dropped unless the owner table knows them; dotted versions and OIDs are not addresses; standards and
schema namespaces are classed `benign` and kept out of the headline. Owners come from rules/data/endpoints.yaml.
Hosts found only in documentation and reference tables (licences, man pages, `/etc/services`, CA bundles) are
`documentation-only`; unowned hosts found only in files that list many unrelated domains are `host-table`
(see `aggregate`). Neither is headline.

Where a host is read matters (`source_kind`): in web pages, scripts and style sheets (`markup`) only string
literals and attribute values count (`"api.vendor.com"`, `href='http://...'`), never a bare token of code or
page text (`offset.top`, `this.options.to`, a help page's example host). Printf templates keep their
placeholder (`http://%s.myfoscam.org` has host `%s.myfoscam.org`: a subdomain chosen at run time).
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from audit.findings.common import evidence, make_finding
from audit.findings.tables import OwnerRow, benign_domains, owner_rows
from audit.findings.text import Segment
from audit.inspect import elf_tables
from audit.model import FileRecord, Finding

MAX_HITS_PER_FILE = 1000
MAX_OCCURRENCES = 50
HOST_TABLE = "host-table"
CONNECTIVITY = "connectivity-check"  # uplink/captive-portal probes and IP-echo services (rules/data/endpoints.yaml)
NOT_HEADLINE = frozenset({"benign", CONNECTIVITY})
# A label that names a time server (`ntp1`, `time-a`, `nist1-ny`, `s1a.time.edu.cn`, `ntpserver2.cn`): NTP lists
# are real traffic of their own category.
NTP_LABEL = re.compile(r"^(?:s?ntp(?:server)?\d*|time(?:server)?(?:-[a-z0-9]+)?\d*|nist\d*(?:-[a-z]+)?|utcnist\d*"
                       r"|tick|tock|clock)$")
DOCUMENTATION = "documentation-only"
# Documentation and reference tables: hosts in them are cited, never contacted (licences, man pages, READMEs,
# IANA tables, MIME tables, CA bundles).
DOC_FILE = re.compile(
    r"(^|/)usr/share/(doc|man|info|common-licenses|licenses|mime|zoneinfo|locale)/"
    r"|(^|/)etc/(services|protocols|rpc|ethers|mime\.types|ssl/certs/[^/]+|banner[^/]*|motd|issue)$"
    r"|(^|/)(ca-certificates\.crt|ca-bundle\.crt|cacert\.pem|mime\.types)$"
    r"|(^|/)(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|README|CHANGELOG|CHANGES|AUTHORS|THANKS|NEWS)([._-][^/]*)?$"
    r"|(^|/)help/[^/]+$|(^|/)[^/]*[Hh]elp[^/]*\.(htm|html|asp|stm)$", re.I)  # web UI help pages: examples
# Web pages, scripts and style sheets, by name (`source_kind`); their bare tokens are code or page text.
MARKUP_FILE = re.compile(r"\.(js|mjs|cjs|htm|html|shtml|xhtml|stm|asp|aspx|jsp|php|css|vue|tpl|svg|lua)$", re.I)
# A packed web-UI bundle (pages and scripts in one blob, often a decompressed `gzip.uncompressed`): it opens a
# script element and has a page or a closing tag; plain substring tests, linear in the input (hostile blobs)
WEB_MARKERS = (b"<script", b"</script>", b"<html")
# Pictures, fonts and sounds: their metadata (EXIF, ICC, GIF comments) names hosts nobody contacts.
MEDIA_FILE = re.compile(r"\.(jpe?g|png|gif|bmp|ico|webp|tiff?|ttf|otf|woff2?|eot|mp3|wav|aac|g711|pcm)$", re.I)
# A Linux kernel image or kernel module resolves no host names: its bare dotted tokens are code and help text.
KERNEL_MARKERS = (b"Linux version ", b"(gcc version ")
KERNEL_IMAGE = re.compile(r"(^|/)vmlinu[xz][^/]*$")
LITERAL_OPEN = frozenset("'\"`")
URL_OPEN = frozenset("'\"`=(")
CONTEXT = 40  # characters of context kept either side of a hit
# ELF sections whose strings are symbol names, notes, debug data or compiler banners, never a host a program calls
NON_DATA_SECTION = re.compile(r"^\.(?:dynstr|strtab|symtab|dynsym|shstrtab|comment|note.*|debug.*|gnu\.version.*|"
                              r"gnu\.hash|hash|stab.*|zdebug.*)$")
COMMENT_STARTS = ("#", ";", "//", "--", "<!--", "/*", "* ")  # a comment line of a config file or script
# Text right before a URL that cites it rather than calls it: help sentences and XML namespace attributes.
CITED_BEFORE = re.compile(r"(?i)(?:\b(?:see|visit|refer to|details|documentation|information|info|bugs? to|"
                          r"reports? to|homepage|home page|website|web site)\b[ :]*|(?:xmlns(?::\w+)?|schemaLocation"
                          r"|targetNamespace)=[\"']?(?:[^\"' ]+ )?|[\w.-]+/v?\d[\w.-]* \()$")  # + User-Agent credits
# A URL of a document (a datasheet, a manual, a text page) is a citation: firmware fetches programs and data.
DOC_URL = re.compile(r"(?i)\.(pdf|docx?|txt|chm|rtf)(?:[?#].*)?$")
SECRET_BEFORE = re.compile(r"(?i)(?:password|passwd|pass|pwd|secret|username|user)[ \t]*[=:][ \t]*[\"']?$")
# Hosts that serve documentation (`docs.`, `wiki.`, `manual.`, `forum.`): cited for people, never called
DOC_HOST = re.compile(r"^(?:docs?|wiki|manuals?|faq|forums?|bbs|kb)\.")
IP_TABLE_MIN = 5  # distinct unowned public IPv4s in a text file with no named host: a QoS/game/block list
HOST_TABLE_MIN = 20  # distinct unowned registered domains in one file (real call-home clients name a few)
NAMED_KINDS = ("domain", "url", "email")
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL = re.compile(r"(?i)\b(?:https?|ftps?|tftp|rtsps?|rtmp|mqtts?|wss?|ntp|coap|sip)://[^\s\"'<>\\^`{|}]{1,512}")
EMAIL = re.compile(rf"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{{0,63}}@((?:{LABEL}\.)+[A-Za-z]{{2,24}})(?![\w-])")
DOMAIN = re.compile(rf"(?<![\w.@/%$-])((?:{LABEL}\.){{1,10}}[A-Za-z][A-Za-z0-9-]{{0,23}}[A-Za-z0-9])"
                    r"(?::(\d{1,5}))?(?![\w-]|\.[\w-])")
OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"(?<![\w.:-])({OCTET}(?:\.{OCTET}){{3}})(?::(\d{{1,5}}))?(?![\w-]|\.\d)")
IPV6 = re.compile(r"(?<![\w:.])\[?([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\]:(\d{1,5}))?(?![\w:.])")
VERSION_BEFORE = re.compile(
    r"(?i)(?<![a-z])(?:version|ver|v|release|rev|build|kernel|linux|gcc|firmware|fw)[\s:=_\"'-]{0,3}$")
IP_CONTEXT = re.compile(r"(?i)(?:ip|addr|address|server|dns|host|gateway|gw|mask|route|ntp|nameserver|proxy)")
# Suffixes that are also common file extensions: a bare `name.so` is a file, not a host.
FILE_EXT_TLDS = frozenset({
    "so", "sh", "py", "pl", "pm", "cc", "in", "am", "md", "rs", "ps", "ms", "mk", "ac", "la", "mo", "cf",
    "zip", "mov", "run", "ai", "ml", "js", "cs", "hh", "tk", "sx", "ko", "ts", "lo", "ini", "bin", "dat", "app",
    "cgi", "lua", "img", "pid", "log", "sig", "mp", "gz", "xz", "bz", "rc", "id", "tv", "im", "it", "me", "cat",
})
LEGACY_GTLDS = frozenset({"com", "net", "org", "info", "biz", "edu", "gov", "mil", "int", "pro", "mobi",
                          "asia", "tel", "travel", "aero", "coop", "jobs", "cat", "cloud", "online", "xyz", "top"})
RESERVED_TLDS = frozenset({"example", "test", "invalid"})  # RFC 2606: documentation, never resolvable
# Left labels of dotted identifiers in code and ASN.1 tables (`value.ir`, `self.id`), not host names.
CODE_WORDS = frozenset({"value", "self", "this", "obj", "data", "info", "item", "node", "ctx", "str", "msg", "key",
                        "args", "arg", "opt", "cfg", "conf", "config", "param", "req", "res", "resp", "result",
                        "file", "name", "type", "list", "map", "std", "sys", "val", "var", "tmp", "buf", "len"})
# Identifier chains of JavaScript, Lua and the DOM (`element.style.top`, `this.options.test`, `where.top`,
# `luci.sys.process.info`): a bare token that starts with one of these words, or runs through one of the
# chain words, is code whose last member happens to be a public suffix, not a host name.
JS_FIRST_WORDS = frozenset({"this", "self", "window", "document", "element", "elem", "el", "div", "span", "style",
                            "options", "opts", "effect", "where", "attributes", "attrs", "process", "luci", "evt",
                            "prototype", "jquery", "console", "navigator", "props", "ctx", "obj"})
JS_CHAIN_WORDS = frozenset({"style", "options", "prototype", "attributes", "props", "sys", "process", "fn", "dom"})


@dataclass(frozen=True)
class Hit:
    """One endpoint occurrence in one file."""

    kind: str  # domain | url | ipv4 | ipv6 | email
    value: str
    host: str
    port: int | None
    offset: int
    wide: bool
    cited: bool = False  # named in help text, a comment line or as an XML namespace (`See https://...`)
    web_ui: bool = False  # read from a web page or script: what the user's browser loads, not the device
    source: str = "data"  # `source_kind` of the file it was read from
    context: str = ""  # the string around it (bounded), for a reviewer
    section: str | None = None  # ELF section the string lies in (`.rodata`, `.data`), when the file has a table


@functools.lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False, only_icann=True)


def registered_domain(name: str, bare: bool = False) -> str | None:
    """eTLD+1 of a syntactically valid host name, or None when it has no real public suffix.

    `bare` (a token outside a URL or e-mail address) applies the stricter file-name/new-gTLD filters.
    """
    name = name.lower().rstrip(".")
    labels = name.split(".")
    if len(labels) < 2 or any(not lbl or len(lbl) > 63 for lbl in labels):
        return None
    tld = labels[-1]
    known = owner_row(name) is not None or benign_reason(name) is not None
    if tld in RESERVED_TLDS:
        chain = bare and _identifier_chain(labels)
        return ".".join(labels[-2:]) if (not bare or len(labels) >= 3) and not chain else None
    private = _psl().privatesuffix(name)
    if private is None:
        return None
    if bare and not known and not _plausible_bare(labels, private):
        return None
    return private


def _identifier_chain(labels: list[str]) -> bool:
    """A JavaScript/Lua/DOM member chain (`element.style.top`), not a host name."""
    return labels[0] in JS_FIRST_WORDS or any(label in JS_CHAIN_WORDS for label in labels[1:-1])


def _plausible_bare(labels: list[str], private: str) -> bool:
    """Filters for a bare token: lowercase, not a file name, not a dotted code identifier or binary noise."""
    tld = labels[-1]
    if tld in FILE_EXT_TLDS or (len(tld) > 2 and tld not in LEGACY_GTLDS):
        return False
    if _identifier_chain(labels):
        return False
    return not (len(labels) == 2 and (labels[0] in CODE_WORDS or len(private.split(".")[0]) < 3))


def owner_row(host: str) -> OwnerRow | None:
    """The most specific owner row for a host: exact IP, or the longest matching domain suffix."""
    host = host.lower()
    best: OwnerRow | None = None
    for row in owner_rows():
        if row.type == "ip" and row.match == host:
            return row
        if row.type == "domain" and (host == row.match or host.endswith("." + row.match)) and (
                best is None or len(row.match) > len(best.match)):
            best = row
    return best


def benign_reason(host: str) -> str | None:
    host = host.lower()
    table = benign_domains()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        reason = table.get(".".join(parts[i:]))
        if reason is not None:
            return reason
    return None


def ip_class(address: str) -> str | None:
    """public, private, loopback, multicast, link-local, documentation, unspecified, reserved (None: not an IP)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    doc_nets = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
    checks = (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
              ("documentation", any(ip in ipaddress.ip_network(n) for n in doc_nets if ip.version == (
                  6 if ":" in n else 4))),
              ("multicast", ip.is_multicast), ("link-local", ip.is_link_local),
              ("reserved", ip.is_reserved), ("private", ip.is_private))
    return next((name for name, hit in checks if hit), "public")


def source_kind(path: str, data: bytes) -> str:
    """`media` (no endpoints), `kernel` (address:port only), `markup` (web page, script, style sheet: string
    literals only), `elf`, `text` (config files, shell scripts) or `data` (binary blobs)."""
    if MEDIA_FILE.search(path):
        return "media"
    elf = data.startswith(b"\x7fELF")
    if elf and data[16:18] in (b"\x01\x00", b"\x00\x01") and b"vermagic=" in data:
        return "kernel"  # a relocatable ELF with modinfo: a kernel module
    if all(m in data for m in KERNEL_MARKERS) and (not elf or KERNEL_IMAGE.search(path)):
        return "kernel"  # a raw kernel image (banner and compiler string) or a vmlinux ELF
    if elf:
        return "elf"
    if MARKUP_FILE.search(path) and b"\0" not in data[:8192]:
        return "markup"
    if not data or b"\0" in data[:8192]:
        return "data"
    head = data[:4 * 1024 * 1024]
    text_like = head.count(0) <= len(head) // 100  # a web bundle is text; a firmware blob embedding pages is not
    lower = head.lower() if b"function" in head else b""
    web = bool(lower) and WEB_MARKERS[0] in lower and (WEB_MARKERS[1] in lower or WEB_MARKERS[2] in lower)
    scripted = bool(lower) and (web or head.count(b"function") >= 5)
    return "markup" if text_like and scripted else "text"


def elf_sections(data: bytes) -> list[tuple[int, int, str]]:
    """(offset, end, name) of the file-backed sections of an ELF, sorted; [] when the table is absent or bad."""
    try:
        header = elf_tables.read_header(data)
        if not elf_tables.section_table_ok(header, len(data)):
            return []
        rows = elf_tables.read_sections(data, header)
    except (ValueError, struct.error, IndexError):
        return []
    spans = [(int(str(r["offset"])), int(str(r["offset"])) + int(str(r["size"])), str(r["name"])) for r in rows]
    return sorted(s for s in spans if s[1] > s[0])


def section_at(sections: Sequence[tuple[int, int, str]], offset: int) -> str | None:
    index = bisect.bisect_right(sections, (offset, 1 << 62, "")) - 1
    return sections[index][2] if index >= 0 and sections[index][0] <= offset < sections[index][1] else None


def _context(seg: Segment, hit: Hit) -> str:
    index = (hit.offset - seg.offset) // (2 if seg.wide else 1)
    start = max(0, index - CONTEXT)
    return seg.text[start : index + len(hit.value) + CONTEXT]


def extract(segments: Iterable[Segment], source: str = "text",
            sections: Sequence[tuple[int, int, str]] = ()) -> list[Hit]:
    """Endpoint hits in a file's strings (bounded by MAX_HITS_PER_FILE); `source` from `source_kind`; an ELF's
    `sections` (`elf_sections`) name where each string lies, and strings of symbol, note and debug sections
    (names of functions and source files, compiler banners) are no endpoints."""
    hits: list[Hit] = []
    literal = source == "markup"
    if source == "media":
        return hits
    for seg in segments:
        if not any(c in seg.text for c in ".:@"):
            continue
        found = [h for h in _in_segment(seg) if (not literal or _quoted(seg, h))
                 and not (source == "kernel" and (h.kind in NAMED_KINDS or h.port is None))]
        comment = seg.text.lstrip().startswith(COMMENT_STARTS)
        section = section_at(sections, seg.offset) if sections else None
        if section and NON_DATA_SECTION.match(section):
            continue
        hits.extend(replace(h, cited=h.cited or comment, web_ui=literal, source=source, context=_context(seg, h),
                            section=section) for h in found)
        if len(hits) >= MAX_HITS_PER_FILE:
            return hits[:MAX_HITS_PER_FILE]
    return hits


def _in_segment(seg: Segment) -> list[Hit]:
    text = seg.text
    taken: list[tuple[int, int]] = []
    hits = [*_urls(seg, taken), *_emails(seg, taken)]
    for m in DOMAIN.finditer(text):
        if SECRET_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue  # `password=vnet.mobi`: a credential value that looks like a host
        if not _inside(m.start(), taken) and m.group(1).islower() and registered_domain(m.group(1), bare=True):
            host, port = m.group(1).lower(), _port(m.group(2))
            hits.append(Hit("domain", _with_port(host, port), host, port, seg.at(m.start()), seg.wide))
    for m in IPV4.finditer(text):
        if not _inside(m.start(), taken) and _plausible_ipv4(text, m):
            port = _port(m.group(2))
            hits.append(Hit("ipv4", _with_port(m.group(1), port), m.group(1), port, seg.at(m.start()), seg.wide))
    if "::" in text or text.count(":") >= 7:
        hits.extend(_ipv6(seg, taken))
    return hits


def _quoted(seg: Segment, hit: Hit) -> bool:
    """In markup: the hit opens a string literal or an attribute value (the character before it is a quote,
    or `=`/`(` for a URL: `href=http://...`, CSS `url(...)`)."""
    index = (hit.offset - seg.offset) // (2 if seg.wide else 1)
    before = seg.text[index - 1] if index > 0 else ""
    return before in (URL_OPEN if hit.kind == "url" else LITERAL_OPEN) and before != ""


def _urls(seg: Segment, taken: list[tuple[int, int]]) -> list[Hit]:
    hits = []
    for m in URL.finditer(seg.text):
        url = m.group().rstrip(".,;:)]'")
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            continue
        try:
            port = parts.port
        except ValueError:  # a printf port (`:%d`): the host is still the host
            port = None
        if host and (ip_class(host) or registered_domain(host)):
            taken.append((m.start(), m.start() + len(url)))
            cited = bool(CITED_BEFORE.search(seg.text[max(0, m.start() - 160) : m.start()]) or DOC_URL.search(url)
                         or DOC_HOST.match(host.lower()))
            hits.append(Hit("url", url, host.lower(), port, seg.at(m.start()), seg.wide, cited))
    return hits


def _emails(seg: Segment, taken: list[tuple[int, int]]) -> list[Hit]:
    hits = []
    for m in EMAIL.finditer(seg.text):
        if not _inside(m.start(), taken) and registered_domain(m.group(1).lower(), bare=True):
            taken.append(m.span())
            hits.append(Hit("email", m.group().lower(), m.group(1).lower(), None, seg.at(m.start()), seg.wide))
    return hits


def _ipv6(seg: Segment, taken: list[tuple[int, int]]) -> list[Hit]:
    hits = []
    for m in IPV6.finditer(seg.text):
        cand = m.group(1)
        groups = [g for g in cand.split(":") if g]
        if _inside(m.start(), taken) or not groups or ip_class(cand) is None:
            continue
        if "::" not in cand and len(groups) != 8:
            continue
        if cand != "::1" and len(groups) < 2:
            continue
        port = _port(m.group(2))
        value = f"[{cand.lower()}]:{port}" if port else cand.lower()
        hits.append(Hit("ipv6", value, cand.lower(), port, seg.at(m.start()), seg.wide))
    return hits


def _plausible_ipv4(text: str, m: re.Match[str]) -> bool:
    """Not a dotted version: no version word right before; small-octet addresses need address context."""
    if VERSION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
        return False
    octets = [int(o) for o in m.group(1).split(".")]
    if octets[3] in (0, 255) and not m.group(2):
        return False  # a network or broadcast address (`1.0.0.0`, `5.255.255.255`), a mask or a range bound
    if all(o <= 20 for o in octets) and len(set(octets)) > 1 and owner_row(m.group(1)) is None:
        return bool(m.group(2)) or bool(IP_CONTEXT.search(text[max(0, m.start() - 24) : m.start()]))
    return True


def _port(raw: str | None) -> int | None:
    return int(raw) if raw and 0 < int(raw) < 65536 else None


def _with_port(host: str, port: int | None) -> str:
    return f"{host}:{port}" if port else host


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def classify(kind: str, host: str) -> dict[str, Any]:
    """owner, category, ip_class, registered domain and headline flag of one endpoint."""
    cls = ip_class(host) if kind in ("ipv4", "ipv6", "url") else None
    row = owner_row(host)
    benign = None if row else benign_reason(host)
    if host == "localhost":
        cls = "loopback"
    category = row.category if row else "benign" if benign is not None else "unknown"
    if category == "unknown" and cls is None and any(NTP_LABEL.match(label) for label in host.split(".")[:-1]):
        category = "ntp"
    if category in NOT_HEADLINE:
        headline = False
    elif cls is not None:
        headline = cls == "public"  # private/loopback/multicast/broadcast addresses are not call-home targets
    else:
        headline = kind != "email" or row is not None  # contact addresses in licence texts are not servers
    return {
        "owner": row.owner if row else None,
        "category": category,
        "ip_class": cls,
        "registered_domain": None if cls else registered_domain(host),
        "reference": row.reference if row else None,
        "headline": headline,
    }


def _host_table_files(per_file: Sequence[tuple[Sequence[FileRecord], Sequence[Hit]]],
                      merged: dict[tuple[str, str], dict[str, Any]]) -> set[str]:
    """sha256 of host tables: files that list HOST_TABLE_MIN or more distinct unowned registered domains (a
    host classed `ntp` by its name alone has no owner and counts too), or text files that list IP_TABLE_MIN or
    more unowned public IPv4 addresses and name no host (QoS, game and block lists)."""
    tables = set()
    for records, hits in per_file:
        domains = {merged[(h.kind, h.value)]["registered_domain"] for h in hits
                   if h.kind in NAMED_KINDS and merged[(h.kind, h.value)]["owner"] is None
                   and merged[(h.kind, h.value)]["category"] in ("unknown", "ntp")}
        rows = [(h, merged[(h.kind, h.value)]) for h in hits if h.kind == "ipv4" and h.source == "text"]
        addresses = {h.host for h, e in rows if e["ip_class"] == "public" and e["owner"] is None}
        if records and (len(domains - {None}) >= HOST_TABLE_MIN or (len(addresses) >= IP_TABLE_MIN and not domains)):
            tables.add(records[0].sha256)
    return tables


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def host_table_findings(endpoint_records: Sequence[dict[str, Any]]) -> list[Finding]:
    """Grouped findings instead of headline endpoints: one `endpoints.host-table` per file whose hosts were
    classed `host-table`, and one `endpoints.connectivity-check` listing every uplink probe / IP-echo host."""
    by_file: dict[tuple[str, str], list[tuple[int, str]]] = {}
    probes: list[tuple[str, int, str, str]] = []
    for entry in endpoint_records:
        for occ in entry["occurrences"] if entry["category"] in (HOST_TABLE, CONNECTIVITY) else ():
            if entry["category"] == HOST_TABLE:
                by_file.setdefault((occ["path"], occ["sha256"]), []).append((occ["offset"], entry["value"]))
            else:
                probes.append((occ["path"], occ["offset"], occ["sha256"], entry["host"]))
    out = []
    for (path, sha256), hosts in sorted(by_file.items()):
        hosts.sort()
        names = sorted({h for _, h in hosts})
        ev = [evidence("string", "endpoints.host-table", path, sha256, off, host, "weak") for off, host in hosts[:20]]
        out.append(make_finding(
            "endpoints.host-table", "endpoints", "info", 0.5,
            f"{len(names)} hosts listed in one file (a connectivity-check, operator/APN, URL-filter or provider "
            f"table): {_listed(names)}", path, ev, None, sha256))
    if probes:
        probes.sort()
        names = sorted({host for *_, host in probes})
        ev = [evidence("string", "endpoints.connectivity-check", path, sha, off, host, "weak")
              for path, off, sha, host in probes[:20]]
        out.append(make_finding(
            "endpoints.connectivity-check", "endpoints", "info", 0.8,
            f"{len(names)} connectivity-check or IP-echo hosts (probed to test the uplink or learn the public "
            f"address; never evidence of who made the device): {_listed(names)}", probes[0][0], ev, None,
            probes[0][2]))
    return out


def aggregate(per_file: Sequence[tuple[Sequence[FileRecord], Sequence[Hit]]]) -> list[dict[str, Any]]:
    """Endpoint records (report.endpoints) from per-file hits; deterministic order.

    An unowned host seen only in host tables (files listing many unrelated domains: connectivity-check lists,
    APN/operator tables, URL filters, DDNS provider lists) is category `host-table`, not headline.
    """
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for records, hits in per_file:
        for hit in hits:
            entry = merged.get((hit.kind, hit.value))
            if entry is None:
                entry = {"value": hit.value, "kind": hit.kind, "host": hit.host, "port": hit.port,
                         **classify(hit.kind, hit.host), "occurrences": []}
                merged[(hit.kind, hit.value)] = entry
            entry["occurrences"].extend(
                {"path": r.path, "sha256": r.sha256, "offset": hit.offset,
                 "encoding": "utf-16le" if hit.wide else "ascii", **({"cited": True} if hit.cited else {}),
                 **({"web_ui": True} if hit.web_ui else {}), **({"section": hit.section} if hit.section else {}),
                 "context": hit.context}
                for r in records)
    tables = _host_table_files(per_file, merged)
    for entry in merged.values():
        if entry["occurrences"] and all(DOC_FILE.search(o["path"]) or o.get("cited") for o in entry["occurrences"]):
            entry.update(category=DOCUMENTATION, headline=False)
            continue
        if entry["occurrences"] and all(o.get("web_ui") for o in entry["occurrences"]):
            entry["headline"] = False  # only the web UI names it: a link or script for the user's browser
        if (entry["category"] == "unknown" and entry["kind"] in (*NAMED_KINDS, "ipv4") and entry["occurrences"]
                and all(o["sha256"] in tables for o in entry["occurrences"])):
            entry.update(category=HOST_TABLE, headline=False)
    out = []
    for key in sorted(merged):
        entry = merged[key]
        occ = sorted({(o["path"], o["offset"]): o for o in entry["occurrences"]}.values(),
                     key=lambda o: (o["path"], o["offset"]))
        entry["occurrence_count"] = len(occ)
        entry["occurrences"] = occ[:MAX_OCCURRENCES]
        out.append(entry)
    return out
