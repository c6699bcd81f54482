"""Where an endpoint string is read: the kind of file (`source_kind`), the ELF section it lies in, and the
documentation files whose hosts are cited, never contacted. Used by audit/findings/endpoints.py."""

from __future__ import annotations

import bisect
import re
import struct
from collections.abc import Sequence

from audit.inspect import elf_tables

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
# ELF sections whose strings are symbol names, notes, debug data or compiler banners, never a host a program calls
NON_DATA_SECTION = re.compile(r"^\.(?:dynstr|strtab|symtab|dynsym|shstrtab|comment|note.*|debug.*|gnu\.version.*|"
                              r"gnu\.hash|hash|stab.*|zdebug.*)$")


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
