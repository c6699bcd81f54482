"""`fwaudit db update`: fetch vulnerability records for the components fwaudit identifies (the component
table's CPE vendor:product, and the OSV packages mapped below) into the offline store, in one transaction.

Sources: OSV's per-ecosystem bulk zips (`<base>/<ECOSYSTEM>/all.zip`) for components OSV covers by package,
the NVD CVE API 2.0 (`<base>?virtualMatchString=cpe:2.3:<part>:<vendor>:<product>`) for the other C
components. NVD CVEs are converted to the OSV shape (ranges from cpeMatch version bounds). Everything is
downloaded and parsed before the store is opened, so a failed update leaves the previous store untouched.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from audit.findings.components import purl_of
from audit.findings.tables import ComponentRow, component_rows
from audit.vulndb import VulnDbError, connect, read_records, record_feed, store_record, withdraw

OSV_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
NVD_BASE = "https://services.nvd.nist.gov/rest/json/cves/2.0"
NVD_PAGE = 2000  # the API's largest page
NVD_DELAY = (6.5, 0.7)  # seconds between NVD requests without / with an API key (NVD's published rate limits)
TIMEOUT = 120
# Components OSV covers by package under another name: component -> (OSV ecosystem, OSV package name).
# They are fetched from OSV only (NVD lists the Linux kernel's CVEs by the thousand, without usable ranges).
OSV_PACKAGES: dict[str, tuple[str, str]] = {"linux": ("Linux", "Kernel")}
NVD_SEVERITY = ("cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2")

Progress = Callable[[str], None]


class FeedError(VulnDbError):
    """A feed could not be fetched or read (network failure, HTTP error, bad JSON or zip)."""


@dataclass
class Batch:
    """The converted records of one feed, ready to store."""

    name: str
    kind: str  # osv | nvd
    url: str
    feed_date: str | None
    records: list[dict[str, Any]] = field(default_factory=list)
    only_ecosystem: str | None = None  # replace only these affected rows of an existing record


@dataclass(frozen=True)
class Targets:
    """What to fetch: OSV packages per ecosystem and NVD CPE products."""

    osv: dict[str, dict[str, str]]  # ecosystem -> {OSV package name (lowercase): component purl}
    nvd: tuple[tuple[str, str, str], ...]  # (part, vendor, product)


def targets(rows: Iterable[ComponentRow] | None = None) -> Targets:
    """The feeds for the component table: mapped OSV packages, and NVD for every other row with a CPE."""
    osv: dict[str, dict[str, str]] = {}
    nvd: set[tuple[str, str, str]] = set()
    for row in component_rows() if rows is None else rows:
        if row.name in OSV_PACKAGES:
            ecosystem, package = OSV_PACKAGES[row.name]
            osv.setdefault(ecosystem, {})[package.lower()] = purl_of(row, row.name, None)
        elif row.cpe:
            nvd.add((row.cpe.get("part", "a"), row.cpe["vendor"], row.cpe["product"]))
    return Targets(osv, tuple(sorted(nvd)))


# --- fetching -------------------------------------------------------------------------------------------------


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, str | None]:
    """(body, Last-Modified header) of an http(s) URL; FeedError on any failure."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FeedError(f"{url}: only http and https URLs are fetched (use --from-file for local files)")
    req = urllib.request.Request(url, headers={"User-Agent": "fwaudit-db-update", **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            return resp.read(), resp.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        raise FeedError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FeedError(f"{url}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise FeedError(f"{url}: {exc}") from exc


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise FeedError(f"{where}: bad JSON ({exc})") from exc


def _http_date(value: str | None) -> str | None:
    try:
        return parsedate_to_datetime(value).isoformat().replace("+00:00", "Z") if value else None
    except (TypeError, ValueError):
        return None


# --- OSV ------------------------------------------------------------------------------------------------------


def _zip_records(data: bytes, where: str) -> Iterator[dict[str, Any]]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            for name in sorted(n for n in zf.namelist() if n.endswith(".json")):
                doc = _json(zf.read(name), f"{where}!{name}")
                yield from (r for r in (doc if isinstance(doc, list) else [doc]) if isinstance(r, dict))
    except zipfile.BadZipFile as exc:
        raise FeedError(f"{where}: not a zip ({exc})") from exc


def map_osv(rec: dict[str, Any], wanted: dict[tuple[str, str], str], keep_others: bool) -> dict[str, Any] | None:
    """The record's mapped packages only, given the component purl (so purl matching finds them; a distro's
    entries for the same CVE would match by name with distro versions). A record naming no mapped package is
    dropped, or kept whole with `keep_others` (as `import-osv` does)."""
    mapped = []
    for aff in rec.get("affected") or []:
        pkg = aff.get("package") or {}
        purl = wanted.get((str(pkg.get("ecosystem", "")), str(pkg.get("name", "")).lower()))
        if purl:
            mapped.append({**aff, "package": {**pkg, "purl": pkg.get("purl") or purl}})
    if not rec.get("id") or not (mapped or keep_others):
        return None
    return {**rec, "affected": mapped} if mapped else rec


def _wanted(tg: Targets) -> dict[tuple[str, str], str]:
    return {(eco, name): purl for eco, names in tg.osv.items() for name, purl in names.items()}


def osv_batches(base: str, tg: Targets, progress: Progress) -> list[Batch]:
    """One batch per OSV ecosystem zip, keeping only records of the mapped packages."""
    wanted = _wanted(tg)
    out = []
    for ecosystem in sorted(tg.osv):
        url = f"{base}/{urllib.parse.quote(ecosystem)}/all.zip"
        progress(f"osv: {url}")
        data, modified = fetch(url)
        batch = Batch(f"osv:{ecosystem}", "osv", url, _http_date(modified), only_ecosystem=ecosystem)
        batch.records = [r for r in (map_osv(rec, wanted, False) for rec in _zip_records(data, url)) if r]
        batch.feed_date = batch.feed_date or _newest(batch.records)
        progress(f"osv: {ecosystem}: {len(batch.records)} records ({len(data) // 1024} KiB)")
        out.append(batch)
    return out


def _newest(records: list[dict[str, Any]]) -> str | None:
    return max((str(r.get("modified") or "") for r in records), default="") or None


# --- NVD ------------------------------------------------------------------------------------------------------


def nvd_to_osv(doc: Any, where: str) -> list[dict[str, Any]]:
    """OSV-shaped records of an NVD CVE API 2.0 response; CVEs without a usable cpeMatch are left out."""
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FeedError(f"{where}: not an NVD CVE JSON 2.0 document (no `vulnerabilities` list)")
    out = []
    for item in doc["vulnerabilities"]:
        cve = item.get("cve") if isinstance(item, dict) else None
        if not isinstance(cve, dict) or not cve.get("id"):
            continue
        affected = [a for conf in cve.get("configurations") or [] for node in conf.get("nodes") or []
                    if not node.get("negate") for m in node.get("cpeMatch") or []
                    if m.get("vulnerable", True) and (a := _nvd_affected(m))]
        if not affected:
            continue
        texts = cve.get("descriptions") or []
        summary = next((d.get("value") for d in texts if d.get("lang") == "en"), texts[0].get("value") if texts else "")
        rec: dict[str, Any] = {"id": str(cve["id"]), "summary": summary or "", "aliases": [],
                               "modified": str(cve.get("lastModified") or ""), "affected": affected}
        severity = _nvd_severity(cve.get("metrics") or {})
        if severity:
            rec["database_specific"] = {"severity": severity}
        out.append(rec)
    return out


def _nvd_affected(match: dict[str, Any]) -> dict[str, Any] | None:
    """One cpeMatch as an OSV affected entry: a listed version, or a range from the version bounds."""
    parts = str(match.get("criteria", "")).split(":")
    if len(parts) < 6 or parts[:2] != ["cpe", "2.3"]:
        return None
    key = f"{parts[3]}:{parts[4]}".lower()
    pkg = {"ecosystem": "NVD", "name": key, "cpe": key}
    version, update = parts[5].replace("\\", ""), parts[6] if len(parts) > 6 else "*"
    if version == "-":
        return None  # "no version": nothing to compare
    if version != "*":
        return {"package": pkg, "versions": [version + (update if update not in ("*", "-", "") else "")]}
    if "versionStartIncluding" in match:
        events = [{"introduced": str(match["versionStartIncluding"])}]
    elif "versionStartExcluding" in match:
        events = [{"after": str(match["versionStartExcluding"])}]
    else:
        events = [{"introduced": "0"}]
    if "versionEndExcluding" in match:
        events.append({"fixed": str(match["versionEndExcluding"])})
    elif "versionEndIncluding" in match:
        events.append({"last_affected": str(match["versionEndIncluding"])})
    return {"package": pkg, "ranges": [{"type": "ECOSYSTEM", "events": events}]}


def _nvd_severity(metrics: dict[str, Any]) -> str | None:
    for name in NVD_SEVERITY:
        for metric in metrics.get(name) or []:
            value = (metric.get("cvssData") or {}).get("baseSeverity") or metric.get("baseSeverity")
            if value:
                return str(value).lower()
    return None


def nvd_batches(base: str, tg: Targets, progress: Progress, delay: float) -> list[Batch]:
    """One batch for all NVD products, page by page; the feed date is the oldest response timestamp."""
    key = os.environ.get("NVD_API_KEY")
    headers = {"apiKey": key} if key else {}
    batch = Batch("nvd", "nvd", base, None, only_ecosystem="NVD")
    seen: dict[str, dict[str, Any]] = {}
    stamps: list[str] = []
    first = True
    for i, (part, vendor, product) in enumerate(tg.nvd, 1):
        start = 0
        while True:
            if not first and delay:
                time.sleep(delay)
            first = False
            query = urllib.parse.urlencode({"virtualMatchString": f"cpe:2.3:{part}:{vendor}:{product}",
                                            "resultsPerPage": NVD_PAGE, "startIndex": start})
            url = f"{base}?{query}"
            doc = _json(fetch(url, headers)[0], url)
            records = nvd_to_osv(doc, url)
            for rec in records:
                seen[rec["id"]] = rec
            if doc.get("timestamp"):
                stamps.append(str(doc["timestamp"]))
            got, total = len(doc["vulnerabilities"]), int(doc.get("totalResults") or 0)
            progress(f"nvd: [{i}/{len(tg.nvd)}] {vendor}:{product}: {start + got}/{total} CVEs")
            start += got
            if got == 0 or start >= total:
                break
    batch.records = [seen[k] for k in sorted(seen)]
    batch.feed_date = min(stamps) if stamps else None
    return [batch]


# --- files ----------------------------------------------------------------------------------------------------


def _nvd_files_first(paths: Iterable[Path]) -> list[Path]:
    """`paths` with each folder's NVD CVE JSON 2.0 files listed on their own (an OSV folder stays one feed)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            nvd = [f for f in sorted(path.rglob("*.json")) if f.is_file() and _is_nvd(f)]
            out.extend(nvd)
            if any(f.is_file() and f not in nvd for f in path.rglob("*")):
                out.append(path)  # the OSV records of the folder (NVD files are skipped there, see below)
        else:
            out.append(path)
    return out


def _is_nvd(path: Path) -> bool:
    """An NVD CVE API 2.0 response: a JSON object with `vulnerabilities` and an NVD `format`/`version` key."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip()[:1] == b"{" and (b'"vulnerabilities"' in head or b'"NVD_CVE"' in head)


def file_batches(paths: Iterable[Path], tg: Targets, progress: Progress) -> list[Batch]:
    """Offline feeds: OSV zips, folders or JSON files, and NVD CVE JSON 2.0 files (told apart by content)."""
    wanted = _wanted(tg)
    out = []
    for path in _nvd_files_first(paths):
        progress(f"file: {path}")
        doc = _json(path.read_bytes(), str(path)) if path.is_file() and not zipfile.is_zipfile(path) else None
        if isinstance(doc, dict) and "vulnerabilities" in doc:
            batch = Batch(f"nvd:{path}", "nvd", str(path), str(doc.get("timestamp") or "") or None,
                          nvd_to_osv(doc, str(path)), only_ecosystem="NVD")
        else:
            try:
                docs = [doc] if doc is not None else [d for _name, d in read_records(path)]
            except zipfile.BadZipFile as exc:
                raise FeedError(f"{path}: not a zip ({exc})") from exc
            except ValueError as exc:
                raise FeedError(f"{path}: bad JSON ({exc})") from exc
            recs = [r for d in docs for r in (d if isinstance(d, list) else [d]) if isinstance(r, dict)]
            mapped = [m for m in (map_osv(r, wanted, True) for r in recs) if m]
            batch = Batch(f"osv:{path}", "osv", str(path), _newest(mapped), mapped)
        progress(f"file: {path}: {len(batch.records)} {batch.kind} records")
        out.append(batch)
    return out


# --- update ---------------------------------------------------------------------------------------------------


def update(db_path: Path, mirror: str | None = None, files: Iterable[Path] = (), only: str | None = None,
           progress: Progress = lambda _msg: None, delay: float | None = None) -> list[dict[str, Any]]:
    """Fetch (or read `files`), convert, then store every batch in one transaction; returns per-feed counts.
    `mirror` replaces both public bases with `<mirror>/osv` and `<mirror>/nvd/cves/2.0`."""
    tg = targets()
    files = list(files)
    if files:
        batches = file_batches(files, tg, progress)
    else:
        root = mirror.rstrip("/") if mirror else None
        osv_base = f"{root}/osv" if root else OSV_BASE
        nvd_base = f"{root}/nvd/cves/2.0" if root else NVD_BASE
        if delay is None:
            delay = 0.0 if root else NVD_DELAY[1 if os.environ.get("NVD_API_KEY") else 0]
        batches = []
        if only in (None, "osv"):
            batches += osv_batches(osv_base, tg, progress)
        if only in (None, "nvd"):
            batches += nvd_batches(nvd_base, tg, progress, delay)
    progress(f"store: writing {sum(len(b.records) for b in batches)} records to {db_path}")
    dropped: dict[str, int] = {}
    with closing(connect(db_path, create=True)) as conn, conn:
        for batch in batches:
            for rec in batch.records:
                store_record(conn, rec, batch.only_ecosystem)
            dropped[batch.name] = withdraw(conn, batch.name, {str(r["id"]) for r in batch.records},
                                           batch.only_ecosystem)
            if dropped[batch.name]:
                progress(f"store: {batch.name}: {dropped[batch.name]} records no longer in the feed, removed")
            record_feed(conn, batch.name, batch.kind, batch.url, batch.feed_date, len(batch.records))
    return [{"feed": b.name, "records": len(b.records), "feed_date": b.feed_date, "removed": dropped[b.name]}
            for b in batches]
