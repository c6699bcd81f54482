"""The audit pipeline: image -> unpack -> inventory -> inspect -> scan -> attribute -> report.

Each stage is called through `_stage`, which turns an unexpected exception into a typed error in
the report (`<stage>.crash`) so one broken parser never costs the results of the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import magic

from audit import __version__, process_memory
from audit.attribute import attribute
from audit.cache import ResultCache, result_key
from audit.file_cache import FileMemo
from audit.findings import find_all
from audit.findings import prepare as prepare_findings
from audit.inspect import inspect_files
from audit.inventory import build_inventory, containers, disk_path, unextracted_containers
from audit.knowledge import load_knowledge
from audit.load import ReportLoadError, report_from_dict
from audit.model import AuditConfig, AuditError, FileRecord, Report, RuleMatch
from audit.names import escape_name
from audit.policy import evaluate_policies
from audit.prehash import Early, Prehasher, read_now
from audit.report import json_report
from audit.resources import rules_digest
from audit.scan import prepare_rules, scan_files
from audit.treewalk import remove_tree
from audit.unpack import UnpackResult, discard_engine, extract_dir_of, search_memo, unpack, warm_engine
from audit.unpack.formats.binwalk_sigs import BinwalkScan
from audit.unpack.member_names import unsafe_member_facts
from audit.unpack.tree import TREE_FORMAT
from audit.vulndb import match_components

Events = Callable[[str, str], None]  # (stage, message)
T = TypeVar("T")


class InputError(Exception):
    """The input cannot be audited at all (missing, not a regular file or directory, unreadable)."""


def check_input(image: Path) -> Path:
    """The resolved image path (a file, or a directory holding an extracted tree), or InputError."""
    if not image.exists() and not image.is_symlink():
        raise InputError(f"{image}: no such file")
    resolved = image.resolve()
    if resolved.is_dir():
        return _check_tree(image, resolved)
    if not resolved.is_file():
        raise InputError(f"{image}: not a regular file")
    if resolved.stat().st_size == 0:
        raise InputError(f"{image}: is empty (0 bytes); nothing to audit")
    try:
        with resolved.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputError(f"{image}: cannot be read ({exc.strerror})") from exc
    return resolved


def _check_tree(given: Path, resolved: Path) -> Path:
    """An extracted tree must be a listable, non-empty directory other than the file-system root."""
    try:
        first = next(iter(resolved.iterdir()), None)
    except OSError as exc:
        raise InputError(f"{given}: directory cannot be read ({exc.strerror})") from exc
    if first is None:
        raise InputError(f"{given}: is an empty directory; nothing to audit")
    if not resolved.name:
        raise InputError(f"{given}: the file-system root is not an extracted firmware tree")
    return resolved


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def run(config: AuditConfig, events: Events | None = None) -> Report:
    """Audit one image. Raises InputError for unusable input; everything else lands in the report.

    With `config.cache`, an identical audit (same image, code, rules and settings; audit/cache.py) returns the
    stored report; a work dir that was asked for (`workdir`, `keep`) always means a real run.
    """
    emit = events or (lambda _stage, _msg: None)
    image = check_input(config.image)
    process_memory.install_fork_hooks()  # the stages' forked workers do not copy this process's heap
    warm_engine()  # unblob's imports, in its own process, while this one hashes and looks in the cache
    started = datetime.now(UTC)
    clock = time.monotonic()
    store = ResultCache(config.cache, config.cache_cap) if config.cache is not None else None
    usable = image.is_file() and config.workdir is None and not config.keep  # a work dir asked for: a real run
    cache = store if usable else None
    memo = FileMemo(store) if store else None  # per-file results: also for trees and kept work dirs
    first = read_now(image) if image.is_file() else None  # hashed once: the key, the report, the inventory
    image_sha = first.sha256 if first else (sha256_file(image) if cache else None)
    key = result_key(config, image_sha) if cache and image_sha else None
    report, workdir, owned = _cached(cache, key, emit), None, False
    if report is not None:
        discard_engine()
    else:
        workdir, owned = _make_workdir(config, image)
        try:
            report = _audit(config, image, workdir, emit, image_sha, memo, first)
        finally:
            if owned and not config.keep:
                remove_tree(workdir)  # iterative: a tree 3,000 folders deep is removed too
        if cache and key and report.status == "complete":
            text = json_report.render(report)
            cache.put(key, text)
            json_report.remember(report, text)  # report.json: this text with the final `run`, not a second render
    report.run = {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - clock, 3),
        "config": config.public_dict(),
        "workdir": str(workdir) if workdir and (config.keep or not owned) else None,
        "cache": "off" if cache is None else ("hit" if workdir is None else "miss"),
        **({"file_cache": {"hits": memo.hits, "misses": memo.misses, "unblob_replayed": memo.unblob_replayed}}
           if memo and workdir else {}),
        **({"stages_s": report.run["stages_s"]} if workdir and "stages_s" in report.run else {}),
        **({"cache_warnings": store.warnings} if store and store.warnings else {}),
    }
    return report


def _cached(cache: ResultCache | None, key: str | None, emit: Events) -> Report | None:
    """The stored report of an identical audit, or None (no cache, a miss, or an entry that does not load)."""
    text = cache.get(key) if cache and key else None
    if text is None:
        return None
    try:
        report = report_from_dict(json.loads(text), "cache")
    except (ValueError, ReportLoadError) as exc:
        if cache:
            cache.warnings.append(f"cached report unreadable ({exc}); audited again")
        return None
    json_report.remember(report, text)  # report.json is this text with the new `run`: no re-render
    emit("cache", f"identical audit in the cache ({key[:12] if key else ''}): reusing its report")
    return report


def _audit(config: AuditConfig, image: Path, workdir: Path, emit: Events, image_sha: str | None = None,
           memo: FileMemo | None = None, first: Early | None = None) -> Report:
    binwalk = None if image.is_dir() else BinwalkScan(image)  # a second opinion, scanning while unpack works
    try:
        return _audit_with(config, image, workdir, emit, binwalk, image_sha, memo, first)
    finally:
        if binwalk is not None:
            binwalk.close()


def _audit_with(config: AuditConfig, image: Path, workdir: Path, emit: Events, binwalk: BinwalkScan | None,
                image_sha: str | None = None, memo: FileMemo | None = None, first: Early | None = None) -> Report:
    """The audit itself; `first` is the image as `run` read it (audit/prehash.py `read_now`), or None."""
    tree = image.is_dir()
    size = 0 if tree else image.stat().st_size
    name = escape_name(image.name)  # the input's own name may be bytes that are not UTF-8, like any member's
    report = Report(
        tool={"name": "fwaudit", "version": __version__, "rules_digest": rules_digest()},
        run={},
        image={"name": name, "sha256": "" if tree else (image_sha or sha256_file(image)), "size": size,
               "format": TREE_FORMAT if tree else _describe(image, first.head if first else None)},
    )
    emit("unpack", f"copying the tree {name}" if tree else f"unpacking {name} ({size} bytes)")
    warm = threading.Thread(target=_prepare, args=(config, memo), name="fwaudit-prepare", daemon=True)
    warm.start()  # knowledge, rules and tables load while unblob's process extracts (this one mostly waits)
    early = Prehasher(extract_dir_of(workdir), memo).start()  # hashes and types settled files meanwhile
    try:
        unpacked = _stage(report, "unpack", lambda: unpack(image, workdir, config, _unpack_progress(emit), memo))
    finally:
        read_early = early.finish()
    warm.join()
    if unpacked is None:
        unpacked = UnpackResult(extract_dir=extract_dir_of(workdir))
    if unpacked.tree is not None:  # a tree's digest and size come from its copy (audit/unpack/tree.py)
        report.image.update(sha256=unpacked.tree.sha256, size=unpacked.tree.size)
    for error in unpacked.errors:
        report.add_error(error)
    report.chunks = unpacked.chunks
    emit("inventory", "hashing and typing extracted files")
    inventory = _stage(report, "inventory", lambda: build_inventory(image, unpacked, config.jobs,
                                                                    max_files=config.max_files, memo=memo,
                                                                    early=read_early, image_read=first))
    if inventory is not None:
        report.files, errors = inventory
        for error in errors:
            report.add_error(error)
    if memo is not None and unpacked.searches is not None:  # unblob's leaf outcomes, checked by the inventory
        searches = unpacked.searches
        memo.unblob_replayed += _stage(report, "unpack.searches", lambda: search_memo.store(
            memo, searches, report.files, containers(report.files))) or 0
    unsafe = _stage(report, "unpack.members",  # archives whose member names try to leave their folder
                    lambda: unsafe_member_facts(image, unpacked.extract_dir, report.chunks, report.files)) or []
    items = disk_items(image, unpacked.extract_dir, report.files)
    emit("inspect", f"inspecting {len({r.sha256 for _, r in items})} unique files")
    inspected = _stage(report, "inspect", lambda: inspect_files(items, config.jobs, memo))
    if inspected is not None:
        report.facts, errors = inspected
        report.facts.extend(unsafe)
        for error in errors:
            report.add_error(error)
    matches = _scan(report, items, config, emit, memo)
    signatures = None if binwalk is None else _stage(report, "binwalk",  # as late as attribution, which weighs it
                                                     lambda: binwalk.collect(name, report.image["sha256"]))
    if signatures is not None:  # a second opinion on vendor headers: weak facts, never a verdict alone
        report.facts.extend(signatures[0])  # the report sorts every list when serialised
        for error in signatures[1]:
            report.add_error(error)
    _attribute(report, matches, config, emit)
    _findings(report, items, matches, config, emit, memo)
    emit("policy", "checking claims and findings against policies")
    report.policies = _stage(report, "policy", lambda: evaluate_policies(report, config.policy_files)) or []
    if not any(e.kind.startswith("unpack.cap.") and e.kind != "unpack.cap.file_size" for e in report.errors):
        for error in unextracted_containers(report.files, report.chunks):  # a cap already explains gaps
            report.add_error(error)
    _scrub_paths(report, workdir)
    emit("done", f"{len(report.files)} entries, status {report.status}")
    return report


def _scan(report: Report, items: list[tuple[Path, FileRecord]], config: AuditConfig, emit: Events,
          memo: FileMemo | None = None) -> list[RuleMatch]:
    emit("scan", f"YARA ({config.engine}) over {len({r.sha256 for _, r in items})} unique files")
    scanned = _stage(report, "scan", lambda: scan_files(items, config.jobs, engine=config.engine, memo=memo))
    if scanned is None:
        return []
    matches, errors = scanned
    for error in errors:
        report.add_error(error)
    return matches


def _attribute(report: Report, matches: list[RuleMatch], config: AuditConfig, emit: Events) -> None:
    emit("attribute", f"weighing {len(report.facts)} facts and {len(matches)} rule matches")
    kb = load_knowledge()  # a broken knowledge base is a configuration error: it stops the run
    result = _stage(report, "attribute",
                    lambda: attribute(report.files, report.facts, matches, kb, config.threshold))
    if result is not None:
        report.claims, report.hints, relabels = result
        report.findings.extend(relabels)


def _findings(report: Report, items: list[tuple[Path, FileRecord]], matches: list[RuleMatch],
              config: AuditConfig, emit: Events, memo: FileMemo | None = None) -> None:
    emit("findings", "endpoints, credentials, risky services, components")
    result = _stage(report, "findings",
                    lambda: find_all(items, report.files, report.facts, matches, config.jobs, memo))
    if result is None:
        return
    report.findings.extend(result.findings)
    report.endpoints, report.components = result.endpoints, result.components
    for error in result.errors:
        report.add_error(error)
    vulns = _stage(report, "vulndb", lambda: match_components(report.components, config.vuln_db))
    if vulns is not None:
        matched, status = vulns
        report.vulnerabilities = {**status, "matches": matched}


def _prepare(config: AuditConfig, memo: FileMemo | None) -> None:
    """Load what the analysis stages need (each is cached per process); a failure here is left for the stage
    that needs it to report."""
    for call in (load_knowledge, lambda: prepare_rules(memo, config.engine), prepare_findings):
        with contextlib.suppress(Exception):  # the stage reports it when it runs
            call()


def disk_items(image: Path, extract_dir: Path, files: list[FileRecord]) -> list[tuple[Path, FileRecord]]:
    """(path on disk, record) for every regular file: the image itself, or its extracted copy."""
    top = escape_name(image.name) if image.is_file() else None  # a tree has no top-level image file; records
    # name the image as they name every file (audit/names.py)
    return [(image if rec.path == top and rec.parent is None else disk_path(extract_dir, rec), rec)
            for rec in files if rec.kind == "file"]


def _stage(report: Report, name: str, call: Callable[[], T]) -> T | None:
    """Run one stage (its wall time lands in `run.stages_s`); an unexpected exception becomes a typed error and
    the run continues."""
    start = time.monotonic()
    try:
        return call()
    except Exception as exc:
        report.add_error(AuditError(kind=f"{name}.crash", stage=name,
                                    message=f"{name} stage failed: {type(exc).__name__}: {exc}"))
        return None
    finally:
        process_memory.trim()  # what the stage freed goes back to the system (audit/process_memory.py)
        stages = report.run.setdefault("stages_s", {})
        stages[name] = round(stages.get(name, 0.0) + time.monotonic() - start, 3)


def _unpack_progress(emit: Events) -> Callable[[int, int], None]:
    def progress(files: int, total: int) -> None:
        emit("unpack", f"{files} files, {total / 1e6:.1f} MB extracted")

    return progress


def _describe(image: Path, head: bytes | None = None) -> str:
    """libmagic's description of the image's first 64 KiB (`head`, when it was read already)."""
    try:
        if head is None:
            with image.open("rb") as handle:
                head = handle.read(64 * 1024)
        return str(magic.from_buffer(head))
    except (OSError, magic.MagicException):
        return "unknown"


def _make_workdir(config: AuditConfig, image: Path) -> tuple[Path, bool]:
    """(work dir, whether we own it and may delete it)."""
    if config.workdir is None:
        return Path(tempfile.mkdtemp(prefix="fwaudit-")), True
    base = config.workdir.resolve()
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"{image.name}.fwaudit"
    if target.exists():
        remove_tree(target)  # our own naming: a previous run's work dir for this image
    target.mkdir()
    return target, False


def _scrub_paths(report: Report, workdir: Path) -> None:
    """Keep machine-specific work-dir paths out of error details (determinism, privacy)."""
    prefix = str(workdir.resolve())

    def scrub(value: Any) -> Any:
        return value.replace(prefix, "<workdir>") if isinstance(value, str) else value

    report.errors = [
        AuditError(kind=e.kind, stage=e.stage, message=scrub(e.message), path=scrub(e.path),
                   detail=scrub(e.detail), severity=e.severity)
        for e in report.errors
    ]
