"""Iterative walks over extracted trees: a hostile archive can nest directories thousands deep.

Python 3.11's `os.walk` and `shutil.rmtree` recurse once per level, so a zip with one member 3,000
directories deep raised RecursionError and lost a whole stage. These use an explicit stack instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path


def walk_entries(root: Path) -> Iterator[Path]:
    """Every non-directory entry under root (symlinks to directories included, never followed), sorted per folder.

    Depth-first and in sorted order, so the sequence is stable across runs; a folder that cannot be listed
    is skipped (its absence shows as fewer files, the extractor's own error says why).
    """
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[Path] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(Path(entry.path))
            else:
                yield Path(entry.path)
        stack.extend(reversed(subdirs))  # pop order = sorted order


def remove_tree(root: Path) -> None:
    """Delete `root` and everything under it without recursion; errors are ignored (best effort)."""
    try:
        if not stat.S_ISDIR(root.lstat().st_mode):
            root.unlink()
            return
    except OSError:
        return
    stack: list[tuple[Path, bool]] = [(root, False)]
    while stack:
        current, listed = stack.pop()
        if listed:
            with contextlib.suppress(OSError):
                current.rmdir()
            continue
        stack.append((current, True))
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), False))
                else:
                    Path(entry.path).unlink()
            except OSError:
                continue
