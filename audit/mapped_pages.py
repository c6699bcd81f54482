"""Keep read-only file mappings from holding a whole image in a process's memory.

unblob maps each file it searches or carves (`File.from_path`, `mmap` with ACCESS_READ) and reads it through the
mapping, and the inspectors map each file they search (audit/inspect/base.py `open_map`). Every page a process
has touched stays mapped in it, and counts in its resident set, until the file is closed: for the top-level
image in unblob, after all its chunks were carved and extracted. On a 256 MiB image that was ~260 MiB of the
audit's peak memory, although it is only page cache the kernel may drop at any time.

`track(mapping)` records a mapping, and a daemon thread of the process tells the kernel every DROP_EVERY
seconds that the process no longer needs its mapped pages (`madvise(MADV_DONTNEED)`). For a shared, read-only
file mapping that only removes them from the process's page tables: the bytes stay in the page cache, and the
next read of a page maps it again from there (a minor fault) with the file's contents, so what is read is
unchanged. Private or writable mappings (where MADV_DONTNEED would discard data) are never tracked.
`install_unblob()` tracks unblob's read-only `File`s (called in the zygote's runs, audit/unpack/bin/unblob-zygote).
"""

from __future__ import annotations

import mmap
import os
import threading
import time
import weakref
from typing import Any

DROP_EVERY = 0.05  # seconds between two passes (a search reads ~1 GB/s: at most ~50 MB stay mapped)

_MAPS: weakref.WeakSet[Any] = weakref.WeakSet()
_LOCK = threading.Lock()
_THREAD = {"pid": 0}  # the process the dropping thread runs in (threads do not survive a fork)


def _after_fork() -> None:
    """In a forked child: a fresh lock (the parent's thread may have held it at the fork); no thread yet."""
    global _LOCK
    _LOCK = threading.Lock()
    _THREAD["pid"] = 0


os.register_at_fork(after_in_child=_after_fork)


def install_unblob() -> bool:
    """Wrap unblob's `File.from_path` so that its read-only mappings are dropped behind it (False: no unblob, or
    a `File` without the expected shape; then nothing is changed)."""
    try:
        from unblob.file_utils import File
    except ImportError:
        return False
    original = File.__dict__.get("from_path")
    if not isinstance(original, classmethod) or not hasattr(mmap, "MADV_DONTNEED"):
        return False
    opened = original.__func__

    def from_path(cls: type, *args: Any, **kwargs: Any) -> Any:
        mapped = opened(cls, *args, **kwargs)
        if getattr(mapped, "access", None) == mmap.ACCESS_READ:  # MAP_SHARED, read-only
            track(mapped)
        return mapped

    File.from_path = classmethod(from_path)  # type: ignore[method-assign]
    return True


def track(mapped: mmap.mmap) -> None:
    """Drop the pages of this shared read-only mapping (mmap.ACCESS_READ of a file) behind its reader from now
    on, until it is closed."""
    with _LOCK:
        _MAPS.add(mapped)
        if _THREAD["pid"] != os.getpid():  # the first mapping in this process (or a fork of one that had it)
            _THREAD["pid"] = os.getpid()
            threading.Thread(target=_drop_loop, name="fwaudit-drop-mapped", daemon=True).start()


def drop_once() -> int:
    """One pass: every live tracked mapping's pages released from this process; how many mappings."""
    with _LOCK:
        maps = list(_MAPS)
    done = 0
    for mapped in maps:
        try:
            if not mapped.closed:
                mapped.madvise(mmap.MADV_DONTNEED)
                done += 1
        except (ValueError, OSError):  # closed meanwhile, or a mapping the kernel refuses: leave it
            continue
    return done


def _drop_loop() -> None:
    """Drop every DROP_EVERY seconds while a tracked mapping is open; then end (`track` starts another)."""
    pid = os.getpid()
    while _THREAD["pid"] == pid:
        time.sleep(DROP_EVERY)
        if not drop_once():
            with _LOCK:
                if not any(not m.closed for m in _MAPS) and _THREAD["pid"] == pid:
                    _THREAD["pid"] = 0
                    return
