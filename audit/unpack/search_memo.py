"""unblob's work on a file it has processed before, with nothing to carve or extract, answered from the per-file
cache (issue 13: a re-audit only analyses files it has not seen).

unblob opens every file it extracts, searches it for chunks (hyperscan, then each matching handler's parser)
and extracts what it finds. On the bench image that is about half of unblob's run, and nearly all of those
~1,000 files are leaves: an ELF binary is one whole-file `elf32`/`elf64` chunk whose extraction yields nothing, a
script or a config has no chunk at all. A next firmware version shares most of them. In fwaudit's unblob runs
(forked by the zygote, audit/unpack/bin/unblob-zygote), `install` wraps unblob's per-file step
(`_FileTask.process`):

- key: the file's sha256 and unblob's handler list (names, in order), in the per-file cache's salt (schema,
  fwaudit's code, engine versions: unblob's among them, rules), stage `unpack.search`;
- recorded, after unblob's own step ran: only the two leaf outcomes, "no chunk" and "one chunk covering the whole
  file, by handler H, whose extraction wrote nothing", and only when the step added no other report (no handler
  error, no extraction report), no subtask, and its pattern scan did not fail;
- replayed: unblob's own code path for that outcome, with the search and the extraction left out: the same
  chunk report (a whole-file chunk of H), the same randomness and extracted-file rules; a stored outcome that
  does not fit (an unknown handler, an extraction folder already there) runs the real step.

A search and an extraction see the file's bytes, never its name or folder, so a replayed outcome is the one the
real step gives; the audit's report is byte for byte the same (tests/test_file_cache.py). unblob runs its
workers in a Landlock sandbox that may read anywhere but write only its output folders, so the cache is read
as an immutable, read-only SQLite file (what the last completed write left in the main file; entries still in
the write-ahead log are simply not seen), and every row is checked against its key.

New outcomes are written as notes in the work dir, and the audit's process stores them after its inventory
(`store`), trusting a note no more than the tree it describes: the note must name a file of this audit's
inventory with the same sha256, which the audit hashed itself, and nothing may have been extracted from that
file. A compromised extractor, which can write in the work dir, can therefore not make a later audit skip bytes
that this audit did not also see as a leaf. Runs without a per-file cache, or in a fresh unblob process (no
zygote), do all the work as unblob does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from audit.memo_key import memo_key

if TYPE_CHECKING:  # the zygote imports this module: the analysis's modules stay out of it
    from audit.file_cache import FileMemo
    from audit.model import FileRecord

STAGE = "unpack.search"
HITS, NEW = "hits", "new"  # the notes each unblob process writes in the spec's folder
_state: dict[str, Any] = {}  # in an unblob run: the spec, handler lists' names, whether the last scan failed
_conns: dict[int, Any] = {}  # pid -> its sqlite3 connection (unblob's workers are forks of the run)


def spec(db: Path, salt: str, out: Path) -> dict[str, str]:
    """What a run needs: the cache file, the salt, the folder for its notes (in the work dir)."""
    return {"db": str(db), "salt": salt, "out": str(out)}


def install(request: dict[str, str]) -> None:
    """In an unblob run, before unblob starts: wrap its per-file step and its pattern scan."""
    import unblob.finder
    import unblob.processing

    _state.update(spec=dict(request), handlers={})
    Path(request["out"]).mkdir(parents=True, exist_ok=True)
    real_process, real_stream = unblob.processing._FileTask.process, unblob.finder.stream_scan_chunks

    def stream_scan_chunks(*args: Any, **kwargs: Any) -> Any:
        try:
            return real_stream(*args, **kwargs)
        except Exception:
            _state["failed"] = True  # unblob logs it and keeps what it found: not a complete search
            raise

    def process(task: Any) -> None:
        found = _key(Path(task.task.path), task.config.handlers)
        known = _lookup(found[0]) if found is not None else None
        if found is not None and known is not None and _replay(task, known):
            _note(HITS, found[0])
            return
        reports, subtasks, _state["failed"] = len(task.result.reports), len(task.result.subtasks), False
        real_process(task)
        outcome = None if _state["failed"] else _outcome(task, reports, subtasks)
        where = _relative(task)
        if found is not None and outcome is not None and where is not None:
            _note(NEW, where, found[1], found[2], json.dumps(outcome, sort_keys=True))

    unblob.finder.stream_scan_chunks = stream_scan_chunks
    unblob.processing._FileTask.process = process


def _key(path: Path, handlers: Any) -> tuple[str, str, str] | None:
    """(entry key, the file's sha256, the handler names) of one file's step, or None (the step then runs and
    is not recorded)."""
    try:
        names = _state["handlers"].get(id(handlers))
        if names is None:
            names = _state["handlers"][id(handlers)] = json.dumps([str(h.NAME) for h in handlers])
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return key_of(_state["spec"]["salt"], names, digest), digest, names
    except Exception:  # an unreadable file, a handler without a name: unblob's own step
        return None


def key_of(salt: str, names: str, sha256: str) -> str:
    return memo_key(salt, STAGE, names, sha256)


def _relative(task: Any) -> str | None:
    """The file's path under the extraction root, as hex of its bytes (None: the image itself, outside it)."""
    try:
        return os.fsencode(Path(task.task.path).relative_to(task.config.extract_root)).hex()
    except (ValueError, TypeError, AttributeError):
        return None


def _outcome(task: Any, reports: int, subtasks: int) -> dict[str, Any] | None:
    """The leaf outcome the step just had ({"chunk": None} or {"chunk": {"handler", "encrypted"}}), or None."""
    from unblob.report import ChunkReport

    added = task.result.reports[reports:]
    if len(task.result.subtasks) != subtasks or len(added) > 1:
        return None
    if not added:
        return {"chunk": None} if task.task.depth >= task.config.randomness_depth else None
    report = added[0]
    if (type(report) is not ChunkReport or report.start_offset != 0 or report.end_offset != task.size
            or report.extraction_reports or task.config.get_extract_dir_for(task.task.path).exists()
            or not task.task.path.is_file()):
        return None
    return {"chunk": {"handler": str(report.handler_name), "encrypted": bool(report.is_encrypted)}}


def _replay(task: Any, known: dict[str, Any]) -> bool:
    """unblob's step for a stored outcome without its search and extraction (`_FileTask.process` and
    `_process_chunks` for that case); False, having done nothing, when the outcome does not fit this run."""
    from unblob.file_utils import File
    from unblob.models import ValidChunk

    chunk_of = known["chunk"]
    handler = None
    if chunk_of is not None:
        handler = next((h for h in task.config.handlers if chunk_of["handler"] == h.NAME), None)
        if handler is None or task.config.get_extract_dir_for(task.task.path).exists():
            return False
    with File.from_path(task.task.path) as file:
        if handler is None:  # no chunk: what unblob does with a file that produced none
            randomness = task._calculate_randomness(task.task.path)
            if randomness:
                task.result.add_report(randomness)
            return True
        chunk = ValidChunk(start_offset=0, end_offset=task.size, is_encrypted=chunk_of["encrypted"])
        chunk.handler = handler()
        chunk.file = file
        task.result.add_report(chunk.as_report([]))
        if not task.config.skip_extraction:
            task._delete_extracted_file_if_needed(task.task.path, chunk)  # its extraction succeeded, empty
    return True


def _lookup(key: str) -> dict[str, Any] | None:
    """The stored outcome of this key, or None (none stored, or a database or row that cannot be trusted)."""
    import sqlite3

    conn = _conns.get(os.getpid())
    try:
        if conn is None:  # one connection per process, never one inherited through a fork
            uri = f"file:{quote(_state['spec']['db'])}?mode=ro&immutable=1"
            conn = _conns[os.getpid()] = sqlite3.connect(uri, uri=True, timeout=2.0)
        row = conn.execute("SELECT key, value FROM files WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return parse(row[1]) if row is not None and row[0] == key else None


def parse(value: object) -> dict[str, Any] | None:
    """A stored outcome, checked for its exact shape; None for anything else."""
    try:
        data = json.loads(str(value))
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"chunk"}:
        return None
    chunk = data["chunk"]
    if chunk is None:
        return data
    if (isinstance(chunk, dict) and set(chunk) == {"handler", "encrypted"} and isinstance(chunk["handler"], str)
            and isinstance(chunk["encrypted"], bool)):
        return data
    return None


def _note(kind: str, *fields: str) -> None:
    with contextlib.suppress(OSError), (Path(_state["spec"]["out"]) / f"{kind}.{os.getpid()}").open(
            "a", encoding="utf-8") as out:
        out.write("\t".join(fields) + "\n")


@dataclass
class Notes:
    """What a run's processes noted: the keys of the steps they replayed, and (raw path hex, sha256, handler
    names, outcome text) of each new leaf outcome."""

    replayed: set[str] = field(default_factory=set)
    found: list[tuple[str, str, str, str]] = field(default_factory=list)


def collect(out: Path) -> Notes:
    """The notes of a run (none when it wrote none); lines that are not well formed (a truncated note) are
    ignored."""
    notes = Notes()
    with contextlib.suppress(OSError):
        for path in sorted(out.iterdir()):
            kind = path.name.partition(".")[0]
            if kind not in (HITS, NEW) or path.is_symlink() or not path.is_file():
                continue
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split("\t")
                if kind == HITS and len(fields) == 1 and _hex(fields[0], 64):
                    notes.replayed.add(fields[0])
                elif (kind == NEW and len(fields) == 4 and _hex(fields[0]) and _hex(fields[1], 64)
                      and parse(fields[3]) is not None):
                    notes.found.append((fields[0], fields[1], fields[2], fields[3]))
    return notes


def store(memo: FileMemo, notes: Notes, files: Sequence[FileRecord], opened: set[str]) -> int:
    """Store the new leaf outcomes whose file is in this audit's inventory (`files`) with the same sha256 and
    is not a container anything was extracted from (`opened`: record paths); mark the replayed ones used. The
    number of steps replayed."""
    by_raw = {(r.path_raw or r.path.encode("utf-8", "surrogateescape").hex()): r for r in files if r.kind == "file"}
    new: dict[str, str] = {}
    for raw, sha, names, outcome in notes.found:
        record = by_raw.get(raw)
        if record is not None and record.sha256 == sha and record.path not in opened:
            new[key_of(memo.salt, names, sha)] = outcome
    if notes.replayed:
        memo.get_many(sorted(notes.replayed))
    if new:
        memo.put_many(new)
    return len(notes.replayed)


def _hex(text: str, length: int | None = None) -> bool:
    return bool(text) and (length is None or len(text) == length) and all(c in "0123456789abcdef" for c in text)
