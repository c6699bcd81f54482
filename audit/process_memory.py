"""Memory the audit's process holds between stages, and what its forked workers copy of it.

- **Freed memory goes back to the system** (`trim`): glibc keeps memory that was freed in its arenas (the
  inventory's threads read 1 MiB blocks and 64 KiB heads of every file; a stage unpickles its workers'
  results), so on a 256 MiB image the process held ~60 MiB more than it used after the inventory alone.
  `malloc_trim(0)` after each stage returns it (a few ms); without glibc it does nothing.
- **Forked workers keep sharing the parent's memory** (`install_fork_hooks`): the stages' process pools fork
  from this process, which by then holds the report's records and facts. A child shares those pages until it
  writes to them, and CPython's cyclic garbage collector writes to every object it tracks when it runs (its
  bookkeeping lives in each object's header), so each worker soon held its own copy of the parent's heap,
  though it never reads it. Freezing the collector's generations for the fork (`gc.freeze`, made for this)
  keeps the children's collector off the inherited objects; the parent unfreezes right after, so its own
  collection is unchanged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from typing import Any

_STATE: dict[str, Any] = {"hooks": False, "libc": None}


def install_fork_hooks() -> None:
    """Register the fork hooks once per process."""
    if not _STATE["hooks"]:
        os.register_at_fork(before=gc.freeze, after_in_parent=gc.unfreeze)
        _STATE["hooks"] = True


def trim() -> None:
    """Return freed heap memory to the system (glibc `malloc_trim`); a no-op elsewhere."""
    libc = _STATE["libc"]
    if libc is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            libc = False
        _STATE["libc"] = libc
    if libc:
        libc.malloc_trim(0)
