"""audit/process_memory.py: freed heap goes back to the system; forks freeze the collector, the parent unfreezes."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from audit import process_memory


def _anon_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon")


def test_trim_returns_freed_small_blocks() -> None:
    blocks = [bytearray(64 * 1024) for _ in range(1500)]  # ~94 MiB from the heap (below glibc's mmap threshold
    for block in blocks:                                 # once a 1 MiB block was freed; small enough anyway)
        block[::4096] = b"\1" * len(block[::4096])
    keep = bytearray(16)  # noqa: F841  # a live block after them, so the heap top cannot just shrink
    held = _anon_kib()
    del blocks
    gc.collect()
    process_memory.trim()
    assert _anon_kib() < held - 50 * 1024  # at least 50 MiB given back


def test_fork_hooks_freeze_only_in_the_child() -> None:
    process_memory.install_fork_hooks()
    process_memory.install_fork_hooks()  # once only
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, str(gc.get_freeze_count()).encode())
        os._exit(0)
    os.close(write)
    frozen_in_child = int(os.read(read, 64) or b"0")
    os.close(read)
    os.waitpid(pid, 0)
    assert frozen_in_child > 0  # the child's collector leaves the inherited objects alone
    assert gc.get_freeze_count() == 0  # the parent collects as before
