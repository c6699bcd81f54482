"""Depth: trees thousands of folders deep are walked and removed without recursion."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

from audit.inventory import walk_tree
from audit.model import AuditConfig
from audit.pipeline import run
from audit.treewalk import remove_tree

DEPTH = 1500  # > Python's default recursion limit (1000), path still under PATH_MAX (4096)


def _deep_tree(root: Path, depth: int) -> None:
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):  # dir_fd steps: os.makedirs itself recurses once per level
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        leaf = os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(leaf, b"deep")
        os.close(leaf)
    finally:
        os.close(fd)


def test_walk_and_remove_a_tree_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    assert sys.getrecursionlimit() < DEPTH
    root = tmp_path / "t"
    _deep_tree(root, DEPTH)
    (root / "top.txt").write_bytes(b"top")
    try:
        found = list(walk_tree(root))
        assert len(found) == 2
        assert found[-1].name == "leaf.txt" and len(found[-1].relative_to(root).parts) == DEPTH + 1
    finally:
        remove_tree(root)
    assert not root.exists()


@pytest.mark.integration
def test_deep_zip_member_is_inventoried(tmp_path: Path) -> None:
    image = tmp_path / "deep.zip"
    with zipfile.ZipFile(image, "w") as archive:
        archive.writestr("d/" * DEPTH + "leaf.txt", b"deep leaf")
        archive.writestr("top.txt", b"top")
    report = run(AuditConfig(image=image, jobs=1))  # temporary work dir: removed without recursion too
    kinds = {e.kind for e in report.errors}
    assert not {k for k in kinds if k.endswith(".crash")}, kinds
    leaf = [f for f in report.files if f.path.endswith("/leaf.txt")]
    assert len(leaf) == 1 and leaf[0].fs_path.count("/") == DEPTH + 1
    assert any(f.fs_path == "/top.txt" for f in report.files)
