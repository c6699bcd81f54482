"""Hashing and typing extracted files while the extractor still runs (issue 13: overlap).

unblob writes most of an image's files early (a root file system is extracted in its first seconds) and then
spends the rest of its run searching them for further chunks, on about 1.5 of 2 cores. A thread of the audit's
process uses the idle share: every file whose status has not changed for `SETTLE_S` seconds is hashed and typed
(libmagic) once, as the inventory would.

The inventory uses an early result only when the file's `lstat` after extraction is exactly the one taken before
and after it was read early (inode, device, mode, size, mtime and ctime, in nanoseconds). Every change in between
(a write, a truncation, a rename over it, chmod, utime) sets ctime to the time of the change, which a process
cannot set back; a changed file is therefore hashed again, never reported with stale bytes. Files are opened
without following links and without blocking, and only when still the regular file that was examined.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from audit.file_cache import FileMemo
from audit.treewalk import walk_entries

SETTLE_S = 0.5  # a file untouched this long is taken to be written (checked again when the inventory uses it)
MIN_PASS_S = 0.2  # pause between walks at least; longer when walking is costly (a tenth of a core at most; the
# files read and typed do not count: the inventory would read them anyway)
TYPE_BATCH = 64  # heads typed (and looked up in the memo) at a time
StatKey = tuple[int, int, int, int, int, int]


def stat_key(st: os.stat_result) -> StatKey:
    """What must not have changed for an early hash to stand."""
    return st.st_ino, st.st_dev, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns


@dataclass(frozen=True)
class Early:
    """One file as read before extraction ended: the status it had, its sha256, the start of its head (enough
    for the ELF header) and its libmagic type."""

    key: StatKey
    sha256: str
    head: bytes
    typed: tuple[str, str] | None  # None: not typed yet (`read_now`: the whole head is kept for the inventory)


class Prehasher:
    """Reads settled files under `root` in a thread of its own, from `start` until `finish`."""

    def __init__(self, root: Path, memo: FileMemo | None = None) -> None:
        self.root, self.memo = root, memo
        self.found: dict[str, Early] = {}  # raw relative path -> early result
        self._seen: set[str] = set()  # paths examined and settled (hashed, or not a regular file)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fwaudit-prehash", daemon=True)

    def start(self) -> Prehasher:
        self._thread.start()
        return self

    def finish(self) -> dict[str, Early]:
        """Stop (the file being read is finished, the rest left to the inventory) and hand over the results."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join()
        return self.found

    def _loop(self) -> None:
        with contextlib.suppress(Exception):  # an optimisation only: any failure leaves the work to the inventory
            while not self._stop.is_set():
                began = time.monotonic()
                useful = self._pass()
                self._stop.wait(max(MIN_PASS_S, 9 * (time.monotonic() - began - useful)))

    def _pass(self) -> float:
        """One walk; returns the seconds spent reading and typing settled files (work the inventory would do
        otherwise), so that only the rest of the walk counts against its pause: a pass that found 347 new
        files took 0.35 s, and a pause of nine times that outlasted the extraction, leaving the files that
        came later to the inventory."""
        pending: dict[str, tuple[StatKey, str, bytes]] = {}
        useful = 0.0
        for path in walk_entries(self.root):
            if self._stop.is_set():
                break
            rel = path.relative_to(self.root).as_posix()
            if rel in self._seen:
                continue
            began = time.monotonic()
            read = _read_settled(path)
            if read is None:
                continue
            self._seen.add(rel)
            if read[0] is not None:
                pending[rel] = read[0]
                useful += time.monotonic() - began
            if len(pending) >= TYPE_BATCH:
                useful += self._keep(pending)
        return useful + self._keep(pending)

    def _keep(self, pending: dict[str, tuple[StatKey, str, bytes]]) -> float:
        """Type the pending files and keep them; returns the seconds it took."""
        from audit.inventory import describe_heads  # the inventory imports this module

        if not pending:
            return 0.0
        began = time.monotonic()
        heads = {sha: head for _, sha, head in pending.values()}
        typed = dict(zip(heads, describe_heads(self.memo, heads, map), strict=True))
        for rel, (key, sha, head) in pending.items():
            self.found[rel] = Early(key, sha, head[:64], typed[sha])
        pending.clear()
        return time.monotonic() - began


def read_now(path: Path) -> Early | None:
    """The input image, read once when its audit starts: its sha256 names the audit and the report, and the
    inventory takes the image's record from this read while its status is unchanged (on the 256 MiB bench
    image a second sha256 cost ~0.2 s after the extraction). None: not a regular file, unreadable, or changed
    while it was read (the inventory then reads it itself)."""
    try:
        before = path.lstat()
    except OSError:
        return None
    read = _read_unchanged(path, before) if stat.S_ISREG(before.st_mode) else None
    return None if read is None else Early(read[0], read[1], read[2], None)


def _read_settled(path: Path) -> tuple[tuple[StatKey, str, bytes] | None] | None:
    """None: not settled yet (look again later). (None,): settled but not a regular file (nothing to keep).
    ((status, sha256, head),): a regular file read while its status stayed the same."""
    try:
        before = path.lstat()
    except OSError:
        return None
    if time.time() - before.st_ctime < SETTLE_S:
        return None
    if not stat.S_ISREG(before.st_mode):
        return (None,)
    read = _read_unchanged(path, before)
    return None if read is None else (read,)


def _read_unchanged(path: Path, before: os.stat_result) -> tuple[StatKey, str, bytes] | None:
    """(status, sha256, head) of the regular file `before` describes, or None if it changed meanwhile."""
    from audit.inventory import hash_handle

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if stat_key(os.fstat(fd)) != stat_key(before):
            return None  # replaced since the lstat
        try:
            sha, head = hash_handle(handle)
        except OSError:
            return None
    try:
        after = path.lstat()
    except OSError:
        return None
    return (stat_key(before), sha, head) if stat_key(after) == stat_key(before) else None
