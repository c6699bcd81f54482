"""Unpack stage: recursive, bounded, sandboxed extraction of a firmware image with unblob."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audit import unblob_zygote as zygote
from audit.model import AuditConfig, AuditError, Chunk
from audit.names import escape_name
from audit.unpack import search_memo
from audit.unpack.engine import Caps, EngineMissingError, EngineRun, Progress, child_env, run_unblob
from audit.unpack.jffs2_check import damaged_jffs2
from audit.unpack.promises import missing_files
from audit.unpack.tree import TreeCopy, copy_tree, walk_entries
from audit.unpack.unblob_report import (
    Origin,
    PathNamer,
    UnpackMap,
    load_report,
    map_report,
    origin_from_names,
)

if TYPE_CHECKING:  # the zygote imports this package: the analysis's cache code stays out of it
    from audit.file_cache import FileMemo

__all__ = ["EngineMissingError", "Origin", "UnpackResult", "discard_engine", "origin_from_names", "unpack",
           "warm_engine"]


@dataclass
class UnpackResult:
    extract_dir: Path
    chunks: list[Chunk] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)
    errors: list[AuditError] = field(default_factory=list)
    engine: EngineRun | None = None
    tree: TreeCopy | None = None  # set when the input was an extracted tree (a directory)
    searches: search_memo.Notes | None = None  # what the run noted for the per-file cache (search_memo.store)

    def origin(self, path: str) -> Origin | None:
        """Origin of a path in the image: from unblob's report, else from unblob's naming."""
        if path in self.origins:
            return self.origins[path]
        for ancestor in _ancestors(path):
            if ancestor in self.origins:
                return self.origins[ancestor]
        return None if self.origins else origin_from_names(path)


def warm_engine() -> None:
    """Start unblob's zygote now (audit/unblob_zygote.py) so its imports overlap the work before unpacking."""
    zygote.prestart(child_env())


def discard_engine() -> None:
    """Stop a zygote that `warm_engine` started and no run used (the audit was answered from the cache)."""
    zygote.discard_unused()


def caps_for(config: AuditConfig, input_size: int) -> Caps:
    return Caps(max_bytes=config.effective_max_bytes(input_size), max_files=config.max_files,
                max_file_size=config.effective_max_file_size(input_size), timeout=config.timeout)


def extract_dir_of(workdir: Path) -> Path:
    """Where `unpack` extracts into in `workdir`."""
    return workdir / "extract"


def unpack(image: Path, workdir: Path, config: AuditConfig, progress: Progress | None = None,
           memo: FileMemo | None = None) -> UnpackResult:
    """Extract `image` under `extract_dir_of(workdir)`; problems become typed errors, never exceptions. With a
    per-file `memo`, unblob replays the leaf outcomes it holds and notes new ones in `searches`, which the
    pipeline stores once its inventory has checked them (audit/unpack/search_memo.py).

    Raises EngineMissingError only when unblob itself is missing (the audit cannot run at all).
    """
    extract_dir = extract_dir_of(workdir)
    extract_dir.mkdir(parents=True, exist_ok=True)
    if image.is_dir():
        return _unpack_tree(image, workdir, extract_dir, config, progress, memo)
    caps = caps_for(config, image.stat().st_size)
    result = UnpackResult(extract_dir=extract_dir)
    run = _run(result, image, workdir, config, caps, progress, memo)
    _engine_errors(result, run, image, extract_dir)
    return result


def _unpack_tree(tree: Path, workdir: Path, extract_dir: Path, config: AuditConfig,
                 progress: Progress | None, memo: FileMemo | None = None) -> UnpackResult:
    """An extracted tree: copy it (bounded, links never followed) to `extract_dir`, then run unblob on the copy.

    Paths in the report are relative to the tree root; nested containers get `*_extract` beside them.
    """
    copied = TreeCopy()
    entries = walk_entries(tree, config.max_files, copied, skip=(workdir, config.output_dir))
    size = sum(e.size for e in entries if stat.S_ISREG(e.mode))
    caps = caps_for(config, size)
    copy_tree(tree, extract_dir, entries, caps.max_bytes, caps.max_file_size, copied)
    result = UnpackResult(extract_dir=extract_dir, tree=copied, errors=[*copied.errors])
    run = _run(result, extract_dir, workdir, config, caps, progress, memo)
    _engine_errors(result, run, tree, extract_dir)
    return result


def _run(result: UnpackResult, image: Path, workdir: Path, config: AuditConfig, caps: Caps,
         progress: Progress | None, memo: FileMemo | None) -> EngineRun:
    """One unblob run into `result.extract_dir` (its engine run and, with a memo, its notes land in `result`)."""
    notes = workdir / "search-memo"
    search = search_memo.spec(memo.cache.path, memo.salt, notes) if memo is not None else None
    run = run_unblob(image, result.extract_dir, workdir, config.depth, config.jobs, caps, progress, search)
    result.engine, result.searches = run, search_memo.collect(notes) if memo is not None else None
    return run


def _engine_errors(result: UnpackResult, run: EngineRun, image: Path, extract_dir: Path) -> None:
    """Cap errors, chunks, origins and typed errors from one unblob run."""
    name = escape_name(image.name)  # as records name the image (audit/names.py)
    if run.cap_hit is not None:
        result.errors.append(AuditError(
            kind=f"unpack.cap.{run.cap_hit}", stage="unpack", path=name,
            message=f"extraction stopped at the {run.cap_hit} cap ({run.cap_detail}); "
            "what was extracted before is kept and audited",
        ))
    mapped = _read_map(run, image, extract_dir)
    result.chunks, result.origins = mapped.chunks, mapped.origins
    result.errors.extend(mapped.errors)

    def locate(container: str) -> Path | None:
        path = image if container in ("", name) and image.is_file() else extract_dir / container
        return path if path.is_file() else None

    result.errors.extend(missing_files(result.chunks, locate, extract_dir, result.errors))
    result.errors.extend(damaged_jffs2(result.chunks, locate))


def _read_map(run: EngineRun, image: Path, extract_dir: Path) -> UnpackMap:
    namer = PathNamer(image, image.name, extract_dir)
    name = escape_name(image.name)
    if run.report_path is None:
        if run.cap_hit is None:
            return UnpackMap(errors=[AuditError(
                kind="unpack.engine_failed", stage="unpack", path=name,
                message=f"unblob exited with code {run.returncode} and wrote no report",
                detail=run.stderr_tail or None,
            )])
        return UnpackMap()
    try:
        return map_report(load_report(run.report_path), namer)
    except (ValueError, KeyError, TypeError) as exc:
        return UnpackMap(errors=[AuditError(
            kind="unpack.report_unreadable", stage="unpack", path=name,
            message=f"unblob's report could not be read: {exc}",
        )])


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
