"""Endpoints: URLs, domains, IPv4/IPv6 addresses (with port) and e-mail addresses in every unique file.

False-positive control: a domain needs a real ICANN public suffix (`publicsuffixlist`, offline) and at least
one label before it; bare tokens whose suffix is also a common file extension (`libc.so`, `run.sh`) or a new
gTLD are dropped unless the owner table knows them; dotted versions and OIDs are not addresses; standards and
schema namespaces are classed `benign` and kept out of the headline. Owners come from rules/data/endpoints.yaml.
Hosts found only in documentation and reference tables (licences, man pages, `/etc/services`, CA bundles) are
`documentation-only`; unowned hosts found only in files that list many unrelated domains are `host-table`
(see audit/findings/endpoint_records.py). Neither is headline.

Where a host is read matters (audit/findings/endpoint_sources.py): in web pages, scripts and style sheets
(`markup`) only string literals and attribute values count (`"api.vendor.com"`, `href='http://...'`), never a
bare token of code or page text (`offset.top`, `this.options.to`, a help page's example host). Printf templates
keep their placeholder (`http://%s.myfoscam.org` has host `%s.myfoscam.org`: a subdomain chosen at run time).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from audit.findings.endpoint_sources import NON_DATA_SECTION, section_at
from audit.findings.tables import OwnerRow, benign_domains, owner_rows
from audit.findings.text import Segment, Sieve, as_strings, candidates

MAX_HITS_PER_FILE = 1000
HOST_TABLE = "host-table"
CONNECTIVITY = "connectivity-check"  # uplink/captive-portal probes and IP-echo services (rules/data/endpoints.yaml)
NOT_HEADLINE = frozenset({"benign", CONNECTIVITY})
# A label that names a time server (`ntp1`, `time-a`, `nist1-ny`, `s1a.time.edu.cn`, `ntpserver2.cn`): NTP lists
# are real traffic of their own category.
NTP_LABEL = re.compile(r"^(?:s?ntp(?:server)?\d*|time(?:server)?(?:-[a-z0-9]+)?\d*|nist\d*(?:-[a-z]+)?|utcnist\d*"
                       r"|tick|tock|clock)$")
LITERAL_OPEN = frozenset("'\"`")
URL_OPEN = frozenset("'\"`=(")
CONTEXT = 40  # characters of context kept either side of a hit
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
NAMED_KINDS = ("domain", "url", "email")
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL = re.compile(r"(?i)\b(?:https?|ftps?|tftp|rtsps?|rtmp|mqtts?|wss?|ntp|coap|sip)://[^\s\"'<>\\^`{|}]{1,512}")
EMAIL = re.compile(rf"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{{0,63}}@((?:{LABEL}\.)+[A-Za-z]{{2,24}})(?![\w-])")
DOMAIN = re.compile(rf"(?<![\w.@/%$-])((?:{LABEL}\.){{1,10}}[A-Za-z][A-Za-z0-9-]{{0,23}}[A-Za-z0-9])"
                    r"(?::(\d{1,5}))?(?![\w-]|\.[\w-])")
OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"(?<![\w.:-])({OCTET}(?:\.{OCTET}){{3}})(?::(\d{{1,5}}))?(?![\w-]|\.\d)")
IPV6 = re.compile(r"(?<![\w:.])\[?([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\]:(\d{1,5}))?(?![\w:.])")
# Each pattern with a hint that matches wherever it does (`Sieve`): `://` in a URL, `@` in an email, a dot then
# a letter before a domain's last label, a dot then a digit inside an IPv4 address, two colons at most four hex
# digits apart in an IPv6 one.
SIEVES = (Sieve(re.compile("://"), URL), Sieve(re.compile("@"), EMAIL), Sieve(re.compile(r"\.[A-Za-z]"), DOMAIN),
          Sieve(re.compile(r"\.\d"), IPV4), Sieve(re.compile(r":[0-9A-Fa-f]{0,4}:"), IPV6))
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


@functools.lru_cache(maxsize=1 << 16)  # a pure function of the name and the static tables; names repeat a lot
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
    """The most specific owner row for a host: exact IP, or the longest matching domain suffix (the host itself
    or the part after one of its dots); between rows of the same match, the first in the table."""
    host = host.lower()
    ips, domains = _owner_index()
    if host in ips:
        return ips[host]
    parts = host.split(".")
    for i in range(len(parts)):  # longest suffix first
        row = domains.get(".".join(parts[i:]))
        if row is not None:
            return row
    return None


@functools.lru_cache(maxsize=1)
def _owner_index() -> tuple[dict[str, OwnerRow], dict[str, OwnerRow]]:
    """The owner rows by IP and by domain (the first row of each match)."""
    ips: dict[str, OwnerRow] = {}
    domains: dict[str, OwnerRow] = {}
    for row in owner_rows():
        if row.type in ("ip", "domain"):
            (ips if row.type == "ip" else domains).setdefault(row.match, row)
    return ips, domains


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
    # Only the segments where a host, URL, address or email can be: every hit of `_in_segment` starts as a
    # match of one of these patterns, and none of them matches a newline (`candidates`' condition)
    for seg in candidates(as_strings(segments), *SIEVES):
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
    return before in (URL_OPEN if hit.kind == "url" else LITERAL_OPEN)


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


def prepare() -> None:
    """Load the public-suffix list and the owner table (before the first file)."""
    _psl()
    _owner_index()
