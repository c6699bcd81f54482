"""Endpoint records of a whole image (`report.endpoints`) from per-file hits: merged by value, every occurrence
kept (up to MAX_OCCURRENCES), documentation-only, web-UI-only and host-table hosts taken out of the headline,
and the grouped host-table / connectivity-check findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit.findings.common import evidence, make_finding
from audit.findings.endpoint_sources import DOC_FILE
from audit.findings.endpoints import CONNECTIVITY, HOST_TABLE, NAMED_KINDS, Hit, classify
from audit.model import FileRecord, Finding

MAX_OCCURRENCES = 50
DOCUMENTATION = "documentation-only"
IP_TABLE_MIN = 5  # distinct unowned public IPv4s in a text file with no named host: a QoS/game/block list
HOST_TABLE_MIN = 20  # distinct unowned registered domains in one file (real call-home clients name a few)


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
