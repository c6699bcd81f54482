"""Findings stage: endpoints, credentials, backdoors/risky services and components, from files, facts and
rule matches.

`find_all` works once per unique sha256 (the first path in image), skips containers whose content was
extracted (their children are scanned instead), and never raises: a failure becomes a typed `AuditError`
(`findings.<what>`) and the rest goes on. Output is deterministic (sorted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from audit.alone import split_alone
from audit.file_cache import FileMemo, memoised, record_key
from audit.findings import components, credentials, endpoint_records, endpoint_sources, endpoints, services, traversal
from audit.findings.common import STAGE
from audit.findings.text import holds, is_text, read_bounded, segment_list
from audit.inventory import containers
from audit.model import AuditError, Fact, FileRecord, Finding, RuleMatch
from audit.pooling import use_pool

POOL_THRESHOLD = 100  # fewer unique files than this (and few bytes: audit/pooling.py): in-process
MAX_CHUNK = 64  # files per pool task at most (`_run`)
T = TypeVar("T")
Item = tuple[Path, FileRecord]

__all__ = ["FindingsResult", "find_all"]


@dataclass
class FindingsResult:
    findings: list[Finding] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    errors: list[AuditError] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    """Everything one worker needs for one unique file (picklable: no facts)."""

    disk: Path
    records: tuple[FileRecord, ...]  # every path holding these bytes, first = smallest path
    soname: str | None
    exports: frozenset[str]


@dataclass
class _FileOut:
    hits: list[endpoints.Hit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    components: list[components.CompHit] = field(default_factory=list)
    errors: list[AuditError] = field(default_factory=list)


def prepare() -> None:
    """Load the scanners' tables and compile their patterns now (the pipeline calls this while unblob works)."""
    from audit.findings import runs  # noqa: F401 - numpy, imported before the pool's workers fork
    components.component_rows()
    credentials.prepare()
    endpoints.prepare()
    services.prepare()


def find_all(items: Sequence[Item], files: Sequence[FileRecord], facts: Sequence[Fact],
             matches: Sequence[RuleMatch], jobs: int = 1, memo: FileMemo | None = None) -> FindingsResult:
    """All findings, endpoints and components of one image; with a `memo` (audit/file_cache.py), the strings
    of a file scanned before under the same names are not scanned again."""
    result = FindingsResult()
    jobs_list = _jobs(items, files, facts)
    outs = memoised(memo, STAGE, jobs_list,
                    lambda job: [[record_key(r) for r in job.records], job.soname, sorted(job.exports)],
                    lambda job: [str(job.disk), *(r.path for r in job.records)],
                    lambda todo: _run(todo, jobs, result.errors),
                    keep=lambda out: not any(e.kind == "findings.read" for e in out.errors),
                    movable=lambda out: not out.findings)  # finding ids hash the path
    paths = {job.records[0].sha256 or "": [r.path for r in job.records] for job in jobs_list}
    for rec in files:
        if rec.kind == "file" and rec.sha256 and rec.sha256 not in paths:
            paths.setdefault(rec.sha256, []).append(rec.path)
    pairs = [(job.records, out.hits) for job, out in zip(jobs_list, outs, strict=True)]
    result.endpoints = _guard(result.errors, "endpoints", lambda: endpoint_records.aggregate(pairs)) or []
    findings = [f for out in outs for f in out.findings]
    findings.extend(_guard(result.errors, "endpoints.tables",
                           lambda: endpoint_records.host_table_findings(result.endpoints)) or [])
    elf = frozenset(r.sha256 for r in files if r.is_elf and r.sha256)
    for what, call in (("credentials", lambda: credentials.from_accounts(facts)),
                       ("services.facts", lambda: services.from_facts(facts, elf)),
                       ("services.yara", lambda: services.from_matches(matches)),
                       ("services.sdk", lambda: services.from_cloud_sdks(facts)),
                       ("services.files", lambda: services.from_records(files)),
                       ("traversal", lambda: traversal.from_facts(facts))):
        findings.extend(_guard(result.errors, what, call) or [])
    hits = [h for out in outs for h in out.components]
    hits.extend(_guard(result.errors, "components.facts", lambda: components.from_facts(facts)) or [])
    hits.extend(_guard(result.errors, "components.yara", lambda: components.from_matches(matches)) or [])
    result.components = _guard(result.errors, "components", lambda: components.aggregate(hits, paths)) or []
    accounts = {f.sha256 for f in facts if f.kind == "account"}  # their secrets are reported from the facts
    findings = [f for f in findings if not (f.rule == "credentials.config-secret" and f.evidence
                                            and f.evidence[0].sha256 in accounts)]
    result.findings = sorted({f.id: f for f in findings}.values(), key=lambda f: (f.path, f.rule, f.id))
    result.errors.extend(e for out in outs for e in out.errors)
    result.errors.sort(key=lambda e: (e.kind, e.path or "", e.message))
    return result


def _jobs(items: Sequence[Item], files: Sequence[FileRecord], facts: Sequence[Fact]) -> list[_Job]:
    """One job per unique sha256 of a regular file that is not an extracted container: a file others were carved
    from, or whose `_extract` folder holds what it unpacked to (a squashfs chunk, a `.gz`). Their readable bytes
    are in those files, scanned on their own; strings of the compressed form are noise."""
    opened = containers(files)
    groups: dict[str, list[Item]] = {}
    for disk, rec in items:
        if rec.kind == "file" and rec.sha256 and rec.path not in opened:
            groups.setdefault(rec.sha256, []).append((disk, rec))
    by_sha: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.kind in ("elf", "elf.symbols"):
            by_sha.setdefault(fact.sha256, []).append(fact)
    out = []
    for sha in sorted(groups, key=lambda s: min(r.path for _, r in groups[s])):
        group = sorted(groups[sha], key=lambda item: item[1].path)
        soname, exports = components.elf_keys(by_sha.get(sha, []))
        out.append(_Job(group[0][0], tuple(r for _, r in group), soname, exports))
    return out


def _run(jobs_list: list[_Job], jobs: int, errors: list[AuditError]) -> list[_FileOut]:
    if not use_pool(len(jobs_list), sum(_size(job) for job in jobs_list), jobs, POOL_THRESHOLD):
        return [_scan_one(job) for job in jobs_list]
    alone, rest = split_alone(jobs_list, _size)  # in this process, before the pool (audit/alone.py)
    done = {i: _scan_one(jobs_list[i]) for i in alone}
    order = sorted(rest, key=lambda i: -_size(jobs_list[i]))  # largest first: no straggler at the end keeps
    # one worker busy alone; few round trips (most files take a few ms: tasks of two spent a third
    # of the time on messages), but at most MAX_CHUNK files: a worker holds a whole task's results until it ends
    chunk = min(MAX_CHUNK, max(2, len(order) // (jobs * 8)))
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            done.update(zip(order, pool.map(_scan_one, [jobs_list[i] for i in order], chunksize=chunk), strict=True))
        return [done[i] for i in range(len(jobs_list))]
    except Exception as exc:  # a broken pool: report it, then do the work in-process
        errors.append(AuditError("findings.pool", STAGE, f"{type(exc).__name__}: {exc}", severity="warning"))
        return [_scan_one(job) for job in jobs_list]


def _size(job: _Job) -> int:
    return job.records[0].size or 0


def _scan_one(job: _Job) -> _FileOut:
    """Endpoints, hard-coded credentials, vendor ports and component evidence of one unique file."""
    out = _FileOut()
    record = job.records[0]
    try:
        data = read_bounded(job.disk)
    except OSError as exc:
        out.errors.append(AuditError("findings.read", STAGE, f"cannot read: {exc.strerror}", record.path))
        return out
    segs = segment_list(data)
    text = is_text(data)
    steps: tuple[tuple[str, Callable[[], Any]], ...] = (
        ("endpoints", lambda: out.hits.extend(endpoints.extract(
            segs, (kind := endpoint_sources.source_kind(record.path, data)),
            endpoint_sources.elf_sections(data) if kind == "elf" else ()))),
        ("credentials", lambda: out.findings.extend(credentials.scan_file(job.records, segs, text))),
        ("services.ports", lambda: out.findings.extend(services.scan_ports(job.records, segs))),
        ("components", lambda: out.components.extend(components.scan_file(record, data, job.soname, job.exports,
                                                                           holds(segs, data)))),
    )
    for what, call in steps:
        _guard(out.errors, what, call, record.path)
    return out


def _guard(errors: list[AuditError], what: str, call: Callable[[], T], path: str | None = None) -> T | None:
    """Run one step; an exception becomes a typed error (`findings.<what>`) and the caller goes on."""
    try:
        return call()
    except Exception as exc:
        errors.append(AuditError(f"findings.{what}", STAGE, f"{type(exc).__name__}: {exc}", path))
        return None
