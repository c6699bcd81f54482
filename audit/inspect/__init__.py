"""Inspect stage: structured, located facts about every unique file.

Every inspector is listed in `INSPECTORS` (no discovery magic). `inspect_files` runs the applicable ones once
per unique sha256, turns any failure into a typed `AuditError` and keeps going.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from audit.alone import split_alone
from audit.file_cache import FileMemo, memoised, record_key
from audit.inspect.accounts import AccountsInspector
from audit.inspect.base import InspectError, Inspector, plain, read_head, text
from audit.inspect.boot import BootInspector, UBootEnvInspector
from audit.inspect.certs import CertsInspector
from audit.inspect.containers import ContainersInspector
from audit.inspect.elf import ElfInspector
from audit.inspect.headers import HeadersInspector
from audit.inspect.kernel import KernelImageInspector, ModinfoInspector
from audit.model import AuditError, Fact, FileRecord
from audit.pooling import use_pool

INSPECTORS: tuple[type[Inspector], ...] = (
    ElfInspector,
    ModinfoInspector,
    KernelImageInspector,
    HeadersInspector,
    CertsInspector,
    AccountsInspector,
    BootInspector,
    UBootEnvInspector,
    ContainersInspector,
)

POOL_THRESHOLD = 200  # fewer unique files than this (and few bytes: audit/pooling.py): in-process
_INSTANCES: tuple[Inspector, ...] = tuple(cls() for cls in INSPECTORS)

Item = tuple[Path, FileRecord]
Result = tuple[list[Fact], list[AuditError]]

__all__ = ["INSPECTORS", "inspect_file", "inspect_files"]


def inspect_files(items: Sequence[Item], jobs: int = 1, memo: FileMemo | None = None) -> Result:
    """Facts and errors for the regular files in `items`, each unique sha256 inspected once (first path); with
    a `memo` (audit/file_cache.py), files inspected before are not inspected again."""
    unique: list[Item] = []
    seen: set[str] = set()
    for path, record in sorted(items, key=lambda item: item[1].path):
        if record.kind != "file" or not record.sha256 or record.sha256 in seen:
            continue
        seen.add(record.sha256)
        unique.append((path, record))
    results = memoised(memo, "inspect", unique, lambda item: [record_key(item[1])],
                       lambda item: [str(item[0]), item[1].path], lambda todo: _inspect_all(todo, jobs),
                       keep=lambda result: not any(".worker." in e.kind for e in result[1]))
    facts = [f for fs, _ in results for f in fs]
    errors = [e for _, es in results for e in es]
    return sorted_facts(facts), sorted(errors, key=_error_key)


def _inspect_all(unique: list[Item], jobs: int) -> list[Result]:
    """One result per item, in order: in a pool when there are enough files or bytes (audit/pooling.py), else
    in-process."""
    if not use_pool(len(unique), sum(record.size or 0 for _, record in unique), jobs, POOL_THRESHOLD):
        return _inspect_chunk(unique)
    alone, rest = split_alone(unique, lambda item: item[1].size or 0)  # one worker first (audit/alone.py)
    by_path = dict(_in_pool([unique[i] for i in alone], 1)) if alone else {}
    by_path.update(_in_pool([unique[i] for i in rest], jobs))
    return [by_path.get(record.path, ([], [])) for _, record in unique]


def _in_pool(unique: list[Item], jobs: int) -> list[tuple[str, Result]]:
    """Chunks in a process pool. The files of a chunk whose worker died are re-run one at a time, so only a
    file that kills its worker loses its facts (it gets `inspect.worker.crash`); every other file's arrive."""
    size = max(16, len(unique) // (jobs * 4))
    chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
    results, failed = _run_pool(chunks, jobs)
    pending = [item for chunk, _ in failed for item in chunk]
    while pending:  # one worker, tasks in order: the first failure is the file that killed it
        done, failed = _run_pool([[item] for item in pending], 1)
        results += done
        if not failed:
            break
        (culprit,), why = failed[0]
        crash = _error("worker", "crash", f"worker process died on this file: {why}", culprit[1])
        results.append((culprit[1].path, ([], [crash])))
        pending = [item for chunk, _ in failed[1:] for item in chunk]
    return results


def _run_pool(chunks: list[list[Item]], jobs: int) -> tuple[list[tuple[str, Result]], list[tuple[list[Item], str]]]:
    """([(path, result)] of the chunks that came back, [(chunk, reason)] of those that did not)."""
    results: list[tuple[str, Result]] = []
    failed: list[tuple[list[Item], str]] = []
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        futures: list[tuple[list[Item], Future[list[Result]]]] = [(c, pool.submit(_inspect_chunk, c))
                                                                  for c in chunks]
        for chunk, future in futures:
            try:
                results.extend(zip((record.path for _, record in chunk), future.result(), strict=True))
            except Exception as exc:  # a dead worker (BrokenProcessPool) or a result that could not cross back
                failed.append((chunk, f"{type(exc).__name__}: {exc}"))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results, failed


def _inspect_chunk(chunk: list[Item]) -> list[Result]:
    return [_portable(inspect_file(path, record), record) for path, record in chunk]


def _portable(result: Result, record: FileRecord) -> Result:
    """`result` as it will cross the process boundary: picklable, or reduced to plain data, or an error."""
    try:
        pickle.dumps(result)
        return result
    except Exception:  # noqa: S110  # any pickling failure: try the plain-data copy below
        pass
    facts = [replace(f, data=plain(f.data)) for f in result[0]]
    try:
        pickle.dumps((facts, result[1]))
        return facts, result[1]
    except Exception as exc:
        return [], [*result[1], _error("result", "unpicklable", f"{type(exc).__name__}: {exc}", record)]


def inspect_file(path: Path, record: FileRecord) -> Result:
    """Run every applicable inspector on one regular file; never raises."""
    try:
        if path.is_symlink():
            return [], [_error("file", "io", "is a symlink; not followed", record)]
        head = read_head(path)
    except (OSError, InspectError) as exc:
        return [], [_error("file", "io", f"{type(exc).__name__}: {exc}", record)]
    facts: list[Fact] = []
    errors: list[AuditError] = []
    for inspector in _INSTANCES:
        try:
            if not inspector.applies(record, head):
                continue
            facts.extend(inspector.inspect(path, record))
        except InspectError as exc:
            facts.extend(exc.facts)
            errors.append(_error(inspector.NAME, exc.what, exc.message, record))
            errors.extend(_error(inspector.NAME, what, message, record) for what, message in exc.more)
        except Exception as exc:  # hostile input: one inspector's crash must not end the run
            errors.append(_error(inspector.NAME, "crash", f"{type(exc).__name__}: {exc}", record))
    return facts, errors


def _error(inspector: str, what: str, message: str, record: FileRecord) -> AuditError:
    return AuditError(kind=f"inspect.{inspector}.{what}", stage="inspect",
                      message=text(message.encode("utf-8", "replace"), 500), path=record.path)


def sorted_facts(facts: list[Fact]) -> list[Fact]:
    """`facts` by (path, kind, offset, data as sorted-key JSON). The data's JSON is built only for facts whose
    first three tie (a file's facts mostly differ in kind or offset): the same order, without encoding every
    fact's data (a next version's ~3,400 facts spent 0.03-0.05 s on it)."""
    heads = [(f.path, f.kind, -1 if f.offset is None else f.offset) for f in facts]
    tied = {head for head, count in Counter(heads).items() if count > 1}
    keys = [(*head, json.dumps(f.data, sort_keys=True, default=str) if head in tied else "")
            for head, f in zip(heads, facts, strict=True)]
    order = sorted(range(len(facts)), key=keys.__getitem__)
    return [facts[i] for i in order]


def _error_key(error: AuditError) -> tuple[str, str, str]:
    return (error.path or "", error.kind, error.message)
