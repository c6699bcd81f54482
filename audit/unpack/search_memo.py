"""unblob's per-file work on bytes it has seen before, answered from the per-file cache (issue 13: a re-audit only
analyses files it has not seen).

unblob types every file it extracts (libmagic, twice: description and MIME type), searches it for chunks
(hyperscan, then each matching handler's parser) and extracts what it finds. On the bench image that is most of
unblob's run, and nearly all of those ~1,000 files are leaves: an ELF binary is one whole-file `elf32`/`elf64`
chunk whose extraction yields nothing, a script or a config has no chunk at all. A next firmware version shares
most of them. In fwaudit's unblob runs (forked by the zygote, audit/unpack/bin/unblob-zygote), `install` wraps
two of unblob's steps, each keyed in the per-file cache's salt (schema, fwaudit's code, engine versions: unblob's
among them, rules):

- typing (`Processor._get_magic`, `_get_mime_type`), stage `unpack.type`: the file's sha256, its permission bits
  (libmagic names setuid, setgid and sticky files so) and libmagic's version -> the two strings libmagic gave;
- the per-file step (`_FileTask.process`), stage `unpack.search`: the sha256 and unblob's handler list (names,
  in order) -> one of the two leaf outcomes, "no chunk" and "one chunk covering the whole file, by handler H,
  whose extraction wrote nothing", recorded only when the step added no other report (no handler error, no
  extraction report), no subtask, and its pattern scan did not fail. A replay is unblob's own code path for
  that outcome with the search and the extraction left out: the same chunk report, the same randomness and
  extracted-file rules; a stored outcome that does not fit (an unknown handler, an extraction folder already
  there) runs the real step.

libmagic, a search and an extraction see the file's bytes (and libmagic its mode), never its name or folder, so
a replayed answer is the one the real step gives; the audit's report is byte for byte the same
(tests/test_file_cache.py, tests/test_unpack_search_memo.py).

Trust. unblob runs in a Landlock sandbox that may read anywhere but write only its output folders (the extraction
root, its report's folder, its log), and so do the extractors it starts, which parse hostile input. The cache is
read as an immutable, read-only SQLite file (what the last completed write left in the main file; entries still
in the write-ahead log are simply not seen) and every row is checked against its key. New answers go to a notes
file in the work dir that the run opens before the sandbox starts and that its processes write through that
inherited descriptor: the sandboxed processes cannot open it, and the extractors (programs unblob executes) do
not inherit it. The audit's process stores a note only once its own inventory agrees: a file of this audit with
the same sha256 and mode, which it hashed itself, and, for a leaf outcome, nothing extracted from it. Runs
without a per-file cache, or in a fresh unblob process (no zygote), do all the work as unblob does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from audit.memo_key import memo_key

if TYPE_CHECKING:  # the zygote imports this module: the analysis's modules stay out of it
    from audit.file_cache import FileMemo
    from audit.model import FileRecord

STEP, TYPE = "unpack.search", "unpack.type"  # per-file cache stages
NOTES = "notes"  # in the spec's folder: one line per answer found or replayed
_state: dict[str, Any] = {}  # in an unblob run: the spec, the notes descriptor, handler names, the last digest
_conns: dict[int, Any] = {}  # pid -> its sqlite3 connection (unblob's workers are forks of the run)


def spec(db: Path, salt: str, out: Path) -> dict[str, str]:
    """What a run needs: the cache file, the salt, the folder for its notes (in the work dir, made here)."""
    out.mkdir(parents=True, exist_ok=True)
    return {"db": str(db), "salt": salt, "out": str(out)}


def magic_version() -> int | None:
    """libmagic's version (part of a type's key: a new magic database types every file again)."""
    import magic

    return magic.version() if hasattr(magic, "version") else None


def install(request: dict[str, str]) -> None:
    """In an unblob run, before unblob starts (and its sandbox): open the notes, wrap unblob's typing, its
    per-file step and its pattern scan."""
    import unblob.finder
    import unblob.processing

    try:
        fd = os.open(Path(request["out"]) / NOTES, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
                     | os.O_NOFOLLOW, 0o600)
    except (OSError, KeyError, TypeError):
        return  # no notes: unblob does all its work
    _state.update(spec=dict(request), fd=fd, handlers={}, digest=None, magic=magic_version())
    processing = unblob.processing
    real_init, real_process = processing.Processor.__init__, processing._FileTask.process
    real_stream = unblob.finder.stream_scan_chunks

    def init(self: Any, config: Any) -> None:
        real_init(self, config)
        self._get_magic, self._get_mime_type = _typing(self._get_magic, self._get_mime_type, config.extract_root)

    def stream_scan_chunks(*args: Any, **kwargs: Any) -> Any:
        try:
            return real_stream(*args, **kwargs)
        except Exception:
            _state["failed"] = True  # unblob logs it and keeps what it found: not a complete search
            raise

    def process(task: Any) -> None:
        where = _relative(task)
        if where is None:  # the image itself (outside the extraction root): never a leaf, not hashed again
            real_process(task)
            return
        path = Path(task.task.path)
        found = _digest(path)
        names = _names(task.config.handlers)
        key = memo_key(request["salt"], STEP, names, found[0]) if found and names else None
        known = _lookup(key, parse_step) if key else None
        if key and known is not None and _replay(task, known):
            _note("hit", key)
            return
        reports, subtasks, _state["failed"] = len(task.result.reports), len(task.result.subtasks), False
        real_process(task)
        outcome = None if _state["failed"] else _outcome(task, reports, subtasks)
        if found and names and outcome is not None:
            _note("step", where, found[0], names, json.dumps(outcome, sort_keys=True))

    processing.Processor.__init__ = init
    processing._FileTask.process = process
    unblob.finder.stream_scan_chunks = stream_scan_chunks


def _typing(real_magic: Callable[[Any], str], real_mime: Callable[[Any], str], root: Path,
            ) -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    """unblob's two libmagic calls for a path, answered together from the cache or computed together."""
    last: dict[str, Any] = {}

    def pair(path: Any) -> tuple[str, str]:
        if last.get("path") == str(path):
            return last["pair"]
        where = _relative_path(Path(path), root)  # None: the image itself, typed as unblob types it
        found = _digest(Path(path)) if where is not None else None
        key = memo_key(_state["spec"]["salt"], TYPE, found[0], found[1], _state["magic"]) if found else None
        known = _lookup(key, parse_type) if key else None
        if key and known is not None:
            _note("hit", key)
            answer = (known["magic"], known["mime"])
        else:
            answer = (real_magic(path), real_mime(path))
            if found is not None and where is not None:
                _note("type", where, found[0], str(found[1]),
                      json.dumps({"magic": answer[0], "mime": answer[1]}, sort_keys=True))
        last.update(path=str(path), pair=answer)
        return answer

    def mime(path: Any) -> str:  # unblob asks for the MIME type second: the pair is not kept past it
        try:
            return pair(path)[1]
        finally:
            last.clear()

    return (lambda path: pair(path)[0]), mime


def _digest(path: Path) -> tuple[str, int] | None:
    """(sha256, permission bits) of a regular file, reused while its status is unchanged; None if unreadable."""
    try:
        st = path.stat()
        status = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)
        held = _state.get("digest")
        if held is not None and held[0] == status:
            return held[1]
        if not stat.S_ISREG(st.st_mode):
            return None
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest(), stat.S_IMODE(st.st_mode)
    except OSError:
        return None
    _state["digest"] = (status, found)
    return found


def _names(handlers: Any) -> str | None:
    """unblob's handler list as a key part (names, in order), or None (handlers without names)."""
    names = _state["handlers"].get(id(handlers))
    if names is None:
        try:
            names = _state["handlers"][id(handlers)] = json.dumps([str(h.NAME) for h in handlers])
        except (AttributeError, TypeError):
            return None
    return names


def _relative(task: Any) -> str | None:
    return _relative_path(Path(task.task.path), task.config.extract_root)


def _relative_path(path: Path, root: Path) -> str | None:
    """The path under the extraction root, as hex of its bytes (None: the image itself, outside it)."""
    try:
        return os.fsencode(path.relative_to(root)).hex()
    except (ValueError, TypeError):
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


def _lookup(key: str, check: Callable[[object], dict[str, Any] | None]) -> dict[str, Any] | None:
    """The stored answer of this key, or None (none stored, or a database or row that cannot be trusted)."""
    import sqlite3

    conn = _conns.get(os.getpid())
    try:
        if conn is None:  # one connection per process, never one inherited through a fork
            uri = f"file:{quote(_state['spec']['db'])}?mode=ro&immutable=1"
            conn = _conns[os.getpid()] = sqlite3.connect(uri, uri=True, timeout=2.0)
        row = conn.execute("SELECT key, value FROM files WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return check(row[1]) if row is not None and row[0] == key else None


def _loads(value: object) -> Any:
    try:
        return json.loads(str(value))
    except ValueError:
        return None


def parse_step(value: object) -> dict[str, Any] | None:
    """A stored leaf outcome, checked for its exact shape; None for anything else."""
    data = _loads(value)
    if not isinstance(data, dict) or set(data) != {"chunk"}:
        return None
    chunk = data["chunk"]
    if chunk is None:
        return data
    if (isinstance(chunk, dict) and set(chunk) == {"handler", "encrypted"} and isinstance(chunk["handler"], str)
            and isinstance(chunk["encrypted"], bool)):
        return data
    return None


def parse_type(value: object) -> dict[str, Any] | None:
    """A stored libmagic answer ({"magic": str, "mime": str}); None for anything else."""
    data = _loads(value)
    if isinstance(data, dict) and set(data) == {"magic", "mime"} and all(isinstance(v, str) for v in data.values()):
        return data
    return None


def _note(*fields: str) -> None:
    """One line through the notes descriptor (O_APPEND: lines of the run's processes do not interleave)."""
    with contextlib.suppress(OSError, KeyError):
        os.write(_state["fd"], ("\t".join(fields) + "\n").encode("ascii", "backslashreplace"))


@dataclass
class Notes:
    """What a run's processes noted: the keys they answered from the cache, and each new answer as (stage, raw
    path hex, sha256, key part: handler names or permission bits, answer text)."""

    replayed: set[str] = field(default_factory=set)
    found: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def collect(out: Path) -> Notes:
    """The notes of a run (none when it wrote none); lines that are not well formed (a truncated one) are
    ignored."""
    notes = Notes()
    path = out / NOTES
    if path.is_symlink() or not path.is_file():
        return notes
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="ascii", errors="replace").splitlines():
            fields = line.split("\t")
            if fields[0] == "hit" and len(fields) == 2 and _hex(fields[1], 64):
                notes.replayed.add(fields[1])
            elif len(fields) == 5 and _hex(fields[1]) and _hex(fields[2], 64) and (
                    (fields[0] == "step" and parse_step(fields[4]) is not None)
                    or (fields[0] == "type" and fields[3].isdigit() and parse_type(fields[4]) is not None)):
                notes.found.append((STEP if fields[0] == "step" else TYPE, *fields[1:]))
    return notes


def store(memo: FileMemo, notes: Notes, files: Sequence[FileRecord], opened: set[str]) -> int:
    """Store the new answers whose file is in this audit's inventory (`files`) with the same sha256 (and mode,
    for a type), a leaf outcome only for a file nothing was extracted from (`opened`: record paths); mark the
    replayed ones used. The number of answers replayed."""
    by_raw = {(r.path_raw or r.path.encode("utf-8", "surrogateescape").hex()): r for r in files if r.kind == "file"}
    version = magic_version()
    new: dict[str, str] = {}
    for stage, raw, sha, part, answer in notes.found:
        record = by_raw.get(raw)
        if record is None or record.sha256 != sha:
            continue
        if stage == STEP and record.path not in opened:
            new[memo_key(memo.salt, STEP, part, sha)] = answer
        elif stage == TYPE and str(record.mode) == part:
            new[memo_key(memo.salt, TYPE, sha, record.mode, version)] = answer
    if notes.replayed:
        memo.get_many(sorted(notes.replayed))
    if new:
        memo.put_many(new)
    return len(notes.replayed)


def _hex(text: str, length: int | None = None) -> bool:
    return bool(text) and (length is None or len(text) == length) and all(c in "0123456789abcdef" for c in text)
