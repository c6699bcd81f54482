"""Scan stage: compile `rules/yara/**/*.yar` once, scan every unique file, return `RuleMatch` records.

The category of a rule is the folder it lives in (compiled as the YARA namespace). Compiled rules are
serialised once and handed to worker processes: yara-x holds the GIL while scanning and a `Scanner` must
not be shared across threads, so parallelism is one process (and one Scanner) per worker. Few files are
scanned in-process to avoid the pool start-up cost. Problems become typed `AuditError`s (`scan.*`); this
module never raises for a bad file.
"""

from __future__ import annotations

import base64
import functools
import io
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit import rules_prebuilt
from audit.alone import split_alone
from audit.file_cache import FileMemo, memoised
from audit.knowledge import RULES_ROOT
from audit.model import AuditError, FileRecord, RuleMatch, StringMatch
from audit.pooling import use_pool
from audit.resources import digest_files
from audit.rule_meta import rule_files

ENGINES = ("yara-x", "yara-python")
MAX_MATCHED_BYTES = 128
MAX_STRINGS_PER_IDENTIFIER = 4
POOL_THRESHOLD = 100  # fewer unique files than this (and few bytes: audit/pooling.py): scan in-process
FILE_TIMEOUT_S = 60
STAGE = "scan"


class ScanSetupError(Exception):
    """Rules could not be compiled or the engine is missing (turned into an AuditError by `scan_files`)."""

    def __init__(self, kind: str, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.error = AuditError(kind=kind, stage=STAGE, message=message, detail=detail)


@dataclass(frozen=True)
class _Hit:
    """A picklable match from a worker (no path: the parent knows it)."""

    rule: str
    category: str
    meta: tuple[tuple[str, Any], ...]
    strings: tuple[tuple[str, int, int], ...]  # identifier, offset, length


def default_rules_dir() -> Path:
    return RULES_ROOT / "yara"


def rules_digest(rules_dir: Path | None = None) -> str:
    """Digest of the YARA rule files only: the key of the compiled-rules cache."""
    rules_dir = rules_dir or default_rules_dir()
    return digest_files(rules_dir, rule_files(rules_dir))


def compile_rules(rules_dir: Path | None = None, engine: str = "yara-x") -> bytes:
    """Compile every rule file (namespace = folder name) and return the serialised rules (cached by digest)."""
    rules_dir = rules_dir or default_rules_dir()
    return _compile_cached(rules_dir, engine, rules_digest(rules_dir))


@functools.lru_cache(maxsize=4)
def _compile_cached(rules_dir: Path, engine: str, digest: str) -> bytes:
    if engine not in ENGINES:
        raise ScanSetupError("scan.engine.unknown", f"unknown engine {engine!r}; expected one of {ENGINES}")
    prebuilt = rules_prebuilt.read(engine, digest)  # built by `make setup` (audit/rules_prebuilt.py)
    if prebuilt is not None:
        try:
            _loads(prebuilt, engine)
            return prebuilt
        except Exception:  # noqa: S110 - a damaged or foreign file: compile, below
            pass
    return compile_fresh(rules_dir, engine)


def compile_fresh(rules_dir: Path | None = None, engine: str = "yara-x") -> bytes:
    """Compile the rule files now (no stored or pre-built copy): what `make setup` stores."""
    rules_dir = rules_dir or default_rules_dir()
    files = rule_files(rules_dir)
    if not files:
        raise ScanSetupError("scan.rules.empty", f"no .yar files under {rules_dir}")
    return _compile_yara_x(files) if engine == "yara-x" else _compile_yara_python(files)


def _compile_yara_x(files: list[Path]) -> bytes:
    try:
        import yara_x
    except ImportError as exc:
        raise ScanSetupError("scan.engine.missing", "yara-x is not installed", str(exc)) from exc
    compiler = yara_x.Compiler()
    for path in files:
        compiler.new_namespace(path.parent.name)
        try:
            compiler.add_source(path.read_text(encoding="utf-8"), origin=str(path))
        except yara_x.CompileError as exc:
            raise ScanSetupError("scan.compile", f"cannot compile {path.name}", str(exc)) from exc
    buf = io.BytesIO()
    compiler.build().serialize_into(buf)
    return buf.getvalue()


def _compile_yara_python(files: list[Path]) -> bytes:
    try:
        import yara
    except ImportError as exc:
        raise ScanSetupError("scan.engine.missing", "yara-python is not installed", str(exc)) from exc
    # yara-python namespaces are per source: one namespace per file, category recovered from its folder.
    sources = {f"{p.parent.name}/{p.stem}": p.read_text(encoding="utf-8") for p in files}
    try:
        rules = yara.compile(sources=sources)
    except yara.Error as exc:
        raise ScanSetupError("scan.compile", "cannot compile rules with yara-python", str(exc)) from exc
    buf = io.BytesIO()
    rules.save(file=buf)
    return buf.getvalue()


# --- worker side: one engine instance per process ----------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(blob: bytes, engine: str) -> None:
    if engine == "yara-x":
        import yara_x

        scanner = yara_x.Scanner(yara_x.Rules.deserialize_from(io.BytesIO(blob)))
        scanner.set_timeout(FILE_TIMEOUT_S)
        scanner.max_matches_per_pattern(MAX_STRINGS_PER_IDENTIFIER)
        _WORKER.update(engine=engine, scanner=scanner)
    else:
        import yara

        _WORKER.update(engine=engine, rules=yara.load(file=io.BytesIO(blob)))


def _loads(blob: bytes, engine: str) -> None:
    """Raise unless `blob` is compiled rules this engine reads; nothing is kept (yara-x objects are bound to the
    thread that made them, and the pipeline may call this from its preparing thread)."""
    if engine == "yara-x":
        import yara_x

        yara_x.Rules.deserialize_from(io.BytesIO(blob))
    else:
        import yara

        yara.load(file=io.BytesIO(blob))


def _scan_one(fs_path: str) -> tuple[list[_Hit], tuple[str, str] | None]:
    """Scan one file with this process's engine; return hits or an (error kind, message)."""
    try:
        with Path(fs_path).open("rb") as fh:  # an unreadable file is a read error, not an engine error
            fh.read(1)
        if _WORKER["engine"] == "yara-x":
            return _scan_yara_x(fs_path), None
        return _scan_yara_python(fs_path), None
    except OSError as exc:
        return [], ("scan.read", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # engine errors (timeout, corrupt input) must not stop the run
        kind = "scan.timeout" if "timeout" in type(exc).__name__.lower() else "scan.engine"
        return [], (kind, f"{type(exc).__name__}: {exc}")


def _scan_yara_x(fs_path: str) -> list[_Hit]:
    results = _WORKER["scanner"].scan_file(fs_path)
    hits = []
    for rule in results.matching_rules:
        strings = tuple(
            (pattern.identifier, m.offset, m.length)
            for pattern in rule.patterns
            for m in pattern.matches[:MAX_STRINGS_PER_IDENTIFIER]
        )
        hits.append(_Hit(rule.identifier, rule.namespace, tuple(rule.metadata), strings))
    return hits


def _scan_yara_python(fs_path: str) -> list[_Hit]:
    hits = []
    for match in _WORKER["rules"].match(fs_path, timeout=FILE_TIMEOUT_S):
        strings = tuple(
            (s.identifier, inst.offset, inst.matched_length)
            for s in match.strings
            for inst in s.instances[:MAX_STRINGS_PER_IDENTIFIER]
        )
        category = match.namespace.split("/", 1)[0]
        hits.append(_Hit(match.rule, category, tuple(match.meta.items()), strings))
    return hits


def _scan_batch(paths: list[str]) -> list[tuple[list[_Hit], tuple[str, str] | None]]:
    return [_scan_one(p) for p in paths]


# --- parent side ---------------------------------------------------------------------------------------------


def _unique(items: Sequence[tuple[Path, FileRecord]]) -> list[tuple[Path, FileRecord]]:
    """One (disk path, record) per sha256: the record with the smallest path in image."""
    best: dict[str, tuple[Path, FileRecord]] = {}
    for disk, rec in items:
        if rec.kind != "file" or not rec.sha256:
            continue
        if rec.sha256 not in best or rec.path < best[rec.sha256][1].path:
            best[rec.sha256] = (disk, rec)
    return sorted(best.values(), key=lambda item: item[1].path)


def _read_slices(disk: Path, strings: tuple[tuple[str, int, int], ...]) -> tuple[StringMatch, ...]:
    out = []
    with disk.open("rb") as fh:
        for ident, offset, length in strings:
            fh.seek(offset)
            out.append(StringMatch(ident, offset, fh.read(min(length, MAX_MATCHED_BYTES))))
    return tuple(sorted(out, key=lambda s: (s.identifier, s.offset)))


def _to_matches(disk: Path, rec: FileRecord, hits: list[_Hit]) -> tuple[list[RuleMatch], list[AuditError]]:
    matches, errors = [], []
    try:
        for hit in hits:
            strings = _read_slices(disk, hit.strings)
            matches.append(RuleMatch(hit.rule, hit.category, dict(hit.meta), rec.sha256 or "", rec.path, strings))
    except OSError as exc:
        errors.append(AuditError("scan.read", STAGE, f"cannot read matched bytes: {exc}", rec.path))
    return matches, errors


def _run(unique: list[tuple[Path, FileRecord]], blob: bytes, engine: str, jobs: int) -> list[tuple]:
    """Results in the order of `unique`. Files of ALONE_BYTES or more are scanned first, in this process and
    before the pool starts (audit/alone.py; yara-x maps each file it scans)."""
    alone, rest = split_alone(unique, lambda item: item[1].size or 0)
    results: list[tuple | None] = [None] * len(unique)
    pooled = use_pool(len(rest), sum(unique[i][1].size or 0 for i in rest), jobs, POOL_THRESHOLD)
    if not pooled:
        alone, rest = [], list(range(len(unique)))
    if alone:
        _init_worker(blob, engine)
        try:
            for i, result in zip(alone, _scan_batch([str(unique[i][0]) for i in alone]), strict=True):
                results[i] = result
        finally:
            _WORKER.clear()  # the engine is not kept here, nor inherited by the workers
    paths = [str(unique[i][0]) for i in rest]
    if not pooled:
        _init_worker(blob, engine)
        found = _scan_batch(paths)
    else:
        size = max(1, min(64, len(paths) // (jobs * 4)))
        batches = [paths[i : i + size] for i in range(0, len(paths), size)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(blob, engine)) as pool:
            found = [result for batch in pool.map(_scan_batch, batches) for result in batch]
    for i, result in zip(rest, found, strict=True):
        results[i] = result
    return results  # type: ignore[return-value]  # every index was filled


def _rules_blob(memo: FileMemo | None, rules_dir: Path | None, engine: str) -> bytes:
    """The compiled rules: from the cache when this rule set was compiled before by this engine version (and
    the stored copy loads), else compiled (and stored)."""
    if memo is None:
        return compile_rules(rules_dir, engine)
    known = _BLOBS.get((engine, digest := rules_digest(rules_dir)))
    if known is not None:
        return known
    _BLOBS[(engine, digest)] = blob = _stored_or_compiled(memo, rules_dir, engine, digest)
    return blob


_BLOBS: dict[tuple[str, str], bytes] = {}  # (engine, rules digest) -> compiled rules, once per process


def prepare_rules(memo: FileMemo | None, engine: str = "yara-x", rules_dir: Path | None = None) -> None:
    """Compile (or fetch) the rules now, so that the scan stage finds them ready."""
    _rules_blob(memo, rules_dir, engine)


def _stored_or_compiled(memo: FileMemo, rules_dir: Path | None, engine: str, digest: str) -> bytes:
    key = memo.key("rules", engine, digest)
    stored = memo.get_many([key]).get(key)
    if stored is not None:
        try:
            blob = base64.b64decode(stored, validate=True)
            _loads(blob, engine)  # proves that it loads (the engine objects stay in this thread)
            return blob
        except Exception:  # noqa: S110  # a damaged entry: compile afresh, below
            pass
    blob = compile_rules(rules_dir, engine)
    memo.put_many({key: base64.b64encode(blob).decode("ascii")})
    return blob


def scan_files(
    items: Sequence[tuple[Path, FileRecord]],
    jobs: int = 1,
    engine: str = "yara-x",
    rules_dir: Path | None = None,
    memo: FileMemo | None = None,
) -> tuple[list[RuleMatch], list[AuditError]]:
    """Scan each unique file (by sha256) once; return sorted matches and typed errors, never raise. With a
    `memo` (audit/file_cache.py), a file scanned before by the same rules and engine is not scanned again."""
    try:
        blob = _rules_blob(memo, rules_dir, engine)
    except ScanSetupError as exc:
        return [], [exc.error]
    unique = _unique(items)
    matches: list[RuleMatch] = []
    errors: list[AuditError] = []
    digest = rules_digest(rules_dir)
    try:
        results = memoised(memo, "scan", unique, lambda item: [engine, digest, item[1].sha256],
                           lambda item: [str(item[0])], lambda todo: _run(todo, blob, engine, max(1, jobs)),
                           keep=lambda result: result[1] is None or result[1][0] == "scan.engine")
        for (disk, rec), (hits, err) in zip(unique, results, strict=True):
            if err:
                errors.append(AuditError(err[0], STAGE, err[1], rec.path))
                continue
            found, problems = _to_matches(disk, rec, hits)
            matches.extend(found)
            errors.extend(problems)
    except Exception as exc:  # a dead worker pool: report, keep what we have
        errors.append(AuditError("scan.pool", STAGE, f"{type(exc).__name__}: {exc}"))
    matches.sort(key=lambda m: (m.path, m.category, m.rule))
    return matches, errors


def cpu_jobs() -> int:
    return max(1, os.cpu_count() or 1)
