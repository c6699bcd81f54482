"""Components and versions, table-driven (rules/data/components.yaml): file names, SONAMEs, exported
symbols, version strings, facts (kernel banner, `.comment`), and `component` YARA rules with `version_regex`.
Every component cites the files and strings it was found from.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from packageurl import PackageURL

from audit.findings.common import show
from audit.findings.tables import ComponentRow, component_rows
from audit.model import Fact, FileRecord, RuleMatch

MAX_PER_PATTERN = 4
MAX_OCCURRENCES = 50
_META = re.compile(rb"[\\.^$*+?{}\[\]|()]")
_LOOKBEHIND = re.compile(rb"\(\?<[=!](?:\[[^\]]*\]|[^()\[\]])*\)")  # `(?<![\w-])`: no nested groups
_LEADING_ATOM = re.compile(rb"\[[^\]]+\]|\(\?:[^()]*\)")  # `[Mm]`, `(?:in|de)`


@dataclass(frozen=True)
class CompHit:
    """One piece of evidence for a component in one file."""

    name: str
    version: str | None
    sha256: str
    offset: int | None
    matched: str
    source: str  # file | soname | symbol | string | fact:<kind> | yara:<rule>


@functools.lru_cache(maxsize=4096)
def _prefilter(pattern: re.Pattern[bytes]) -> tuple[bytes, re.Pattern[bytes] | None]:
    """(a literal every match contains, the pattern without its leading look-behinds or None): cheap tests that
    every file holding a match passes. A leading look-behind turns off `re`'s literal-prefix search (a scan of
    every byte); without it the search is fast, and a match of the whole pattern is a match of the rest."""
    src = pattern.pattern
    stripped = src
    while (lead := _LOOKBEHIND.match(stripped)) is not None:
        stripped = stripped[lead.end() :]
    rest = stripped
    skip = _LEADING_ATOM.match(rest)
    if skip is not None:  # a leading class or alternation (`[Mm]bed`, `(?:in|de)flate`): the literal after it
        rest = rest[skip.end() :]
        if rest[:1] in (b"?", b"*", b"{", b"+"):
            rest = b""
    cut = _META.search(rest)
    literal = rest[: cut.start()] if cut else rest
    if cut is not None and rest[cut.start() : cut.start() + 1] in (b"?", b"*", b"{"):
        literal = literal[:-1]  # `bed ?TLS`: the character before an optional quantifier is not required
    return literal, (re.compile(stripped, pattern.flags) if stripped != src else None)


@functools.lru_cache(maxsize=4096)
def _globs(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that matches what any of the shell globs matches (`fnmatch.fnmatchcase` semantics)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in patterns))


def identified(row: ComponentRow, record: FileRecord, soname: str | None, exports: frozenset[str]) -> str | None:
    """How the file itself is the component (file name, soname, symbol), or None."""
    name = record.path.rsplit("/", 1)[-1]
    if row.files and _globs(row.files).match(name):
        return "file"
    if soname and row.sonames and _globs(row.sonames).match(str(soname)):
        return "soname"
    if exports and any(s in exports for s in row.symbols):
        return "symbol"
    return None


def elf_keys(facts: Sequence[Fact]) -> tuple[str | None, frozenset[str]]:
    """(SONAME, exported symbols) of one file from its `elf` and `elf.symbols` facts (plain, picklable)."""
    soname = next((f.data.get("soname") for f in facts if f.kind == "elf"), None)
    exports = frozenset(str(s) for f in facts if f.kind == "elf.symbols" for s in f.data.get("exports", []))
    return (str(soname) if soname else None), exports


def scan_file(record: FileRecord, data: bytes, soname: str | None, exports: frozenset[str],
              holds: Callable[[bytes], bool] | None = None) -> list[CompHit]:
    """Component evidence in one unique file (its bytes, SONAME and exports); `holds(literal)` answers whether
    the bytes contain a literal (`text.holds`: faster than a search of every byte), by default `in data`."""
    sha = record.sha256 or ""
    hits: list[CompHit] = []
    test = holds or data.__contains__
    for row in component_rows():
        how = identified(row, record, soname, exports)
        found = [] if row.scope == "identified" and how is None else _strings(row, sha, data, test)
        hits.extend(found)
        if how is not None and not found:
            matched = {"file": record.path.rsplit("/", 1)[-1], "soname": str(soname)}.get(
                how, ",".join(sorted(exports & set(row.symbols))))
            hits.append(CompHit(row.name, None, sha, None, matched, how))
    return hits


def _strings(row: ComponentRow, sha: str, data: bytes, holds: Callable[[bytes], bool]) -> list[CompHit]:
    hits = []
    for pattern in row.strings:
        literal, rest = _prefilter(pattern)
        if (literal and not holds(literal)) or (rest is not None and rest.search(data) is None):
            continue
        for i, m in enumerate(pattern.finditer(data)):
            if i >= MAX_PER_PATTERN:
                break
            version = m.groupdict().get("v")
            hits.append(CompHit(row.name, version.decode("ascii", "replace") if version else None, sha, m.start(),
                                show(m.group()), "string"))
    return hits


def from_facts(facts: Iterable[Fact]) -> list[CompHit]:
    """Components named by facts (kernel banner, modinfo vermagic, `.comment` toolchain banner)."""
    rules = [(row.name, kind, fld, rx) for row in component_rows() for kind, fld, rx in row.facts]
    hits = []
    for fact in facts:
        for name, kind, fld, rx in rules:
            value = fact.data.get(fld) if fact.kind == kind else None
            m = rx.search(str(value)) if value else None
            if m:
                hits.append(CompHit(name, m.groupdict().get("v"), fact.sha256, fact.offset, str(value)[:120],
                                    f"fact:{kind}"))
    return hits


def from_matches(matches: Iterable[RuleMatch]) -> list[CompHit]:
    """Components from `component` YARA rules: entity = name, `version_regex` over the matched strings."""
    hits = []
    for match in matches:
        if match.category != "component":
            continue
        name = str(match.meta.get("entity", match.rule))
        regex = match.meta.get("version_regex")
        for s in match.strings[:MAX_PER_PATTERN] or ():
            text = s.data.decode("latin-1")
            m = re.search(str(regex), text) if regex else None
            hits.append(CompHit(name, m.group(1) if m and m.groups() else None, match.sha256, s.offset, show(s.data),
                                f"yara:{match.rule}"))
    return hits


def purl_of(row: ComponentRow | None, name: str, version: str | None) -> str:
    purl = row.purl if row else {"type": "generic"}
    return PackageURL(type=purl.get("type", "generic"), namespace=purl.get("namespace"),
                      name=purl.get("name", name), version=version).to_string()


def cpe_of(row: ComponentRow | None, version: str | None) -> str | None:
    if row is None or row.cpe is None:
        return None
    ver = re.sub(r"([^A-Za-z0-9._-])", r"\\\1", version) if version else "*"
    return f"cpe:2.3:{row.cpe.get('part', 'a')}:{row.cpe['vendor']}:{row.cpe['product']}:{ver}:*:*:*:*:*:*:*"


def aggregate(hits: Iterable[CompHit], paths: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Component records (report.components): one per (name, version); unversioned evidence folds into the
    only version found for that name."""
    rows = {r.name: r for r in component_rows()}
    by_name: dict[str, list[CompHit]] = {}
    for hit in hits:
        row = rows.get(hit.name)
        if row is not None and row.normalize is not None:
            hit = replace(hit, version=row.version(hit.version))
        by_name.setdefault(hit.name, []).append(hit)
    out = []
    for name in sorted(by_name):
        versions = sorted({h.version for h in by_name[name] if h.version})
        for version in versions or [None]:
            mine = [h for h in by_name[name] if h.version == version or (h.version is None and len(versions) <= 1)]
            out.append(_record(name, version, mine, rows.get(name), paths))
    return out


def _record(name: str, version: str | None, hits: list[CompHit], row: ComponentRow | None,
            paths: dict[str, list[str]]) -> dict[str, Any]:
    occ = {}
    for h in hits:
        for path in paths.get(h.sha256, [h.sha256]):
            occ[(path, h.offset or 0, h.matched)] = {"path": path, "sha256": h.sha256, "offset": h.offset,
                                                     "matched": h.matched, "source": h.source}
    ordered = [occ[k] for k in sorted(occ, key=lambda k: (k[0], k[1], k[2]))]
    return {"name": name, "version": version, "purl": purl_of(row, name, version), "cpe": cpe_of(row, version),
            "occurrences": ordered[:MAX_OCCURRENCES], "occurrence_count": len(ordered),
            "source": ",".join(sorted({h.source.split(":")[0] for h in hits})),
            "reference": row.reference if row else None}
