"""inspect_files: registry, dedup by sha256, determinism, process pool, error isolation, symlinks."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import audit.inspect as inspect_pkg
from audit.inspect import INSPECTORS, inspect_files
from audit.inspect.base import Inspector
from audit.model import AuditError, FileRecord

LIBS = [Path(p) for p in ("/usr/arm-linux-gnueabihf/lib/libdl.so.2", "/usr/mipsel-linux-gnu/lib/libdl.so.2",
                          "/usr/aarch64-linux-gnu/lib/libdl.so.2", "/usr/bin/true")]


def rec(path: Path, name: str) -> FileRecord:
    data = path.read_bytes()
    return FileRecord(path=name, fs_path="/" + name, kind="file", size=len(data), mode=0o755,
                      sha256=hashlib.sha256(data).hexdigest())


def test_registry_is_declarative() -> None:
    names = [cls.NAME for cls in INSPECTORS]
    assert len(names) == len(set(names))
    for cls in INSPECTORS:
        assert issubclass(cls, Inspector) and cls.NAME and cls.DOC and cls.APPLIES_TO


def test_dedup_first_path_wins(tmp_path: Path) -> None:
    src = next((p for p in LIBS if p.exists()), None)
    if src is None:
        pytest.skip("no ELF sample")
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copy(src.resolve(), a)
    shutil.copy(src.resolve(), b)
    facts, errors = inspect_files([(b, rec(b, "z/lib.so")), (a, rec(a, "a/lib.so"))])
    assert errors == [] and facts
    assert {f.path for f in facts} == {"a/lib.so"}
    assert len([f for f in facts if f.kind == "elf"]) == 1


def make_many(tmp_path: Path, n: int) -> list[tuple[Path, FileRecord]]:
    srcs = [p.resolve() for p in LIBS if p.exists()]
    if not srcs:
        pytest.skip("no ELF samples")
    items = []
    for i in range(n):
        p = tmp_path / f"f{i:04d}"
        p.write_bytes(srcs[i % len(srcs)].read_bytes() + i.to_bytes(4, "little"))
        items.append((p, rec(p, f"bin/f{i:04d}")))
    bad = tmp_path / "broken.so"
    bad.write_bytes(srcs[0].read_bytes()[:100])
    items.append((bad, rec(bad, "lib/broken.so")))
    return items


def test_pool_matches_in_process_and_is_deterministic(tmp_path: Path) -> None:
    items = make_many(tmp_path, 240)
    one = inspect_files(items, jobs=1)
    two = inspect_files(list(reversed(items)), jobs=2)
    assert one == two
    assert len([f for f in one[0] if f.kind == "elf"]) == 241
    assert [e.path for e in one[1]] == ["lib/broken.so"]


def test_crashing_inspector_becomes_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Boom(Inspector):
        NAME, DOC, APPLIES_TO = "boom", "always fails", "everything"

        def applies(self, record: FileRecord, head: bytes) -> bool:
            return True

        def inspect(self, path: Path, record: FileRecord) -> list:
            raise KeyError("bad table")

    monkeypatch.setattr(inspect_pkg, "_INSTANCES", (Boom(), *inspect_pkg._INSTANCES))
    p = tmp_path / "x.txt"
    p.write_text("hello")
    facts, errors = inspect_files([(p, rec(p, "x.txt"))])
    assert facts == []
    assert errors == [AuditError(kind="inspect.boom.crash", stage="inspect", message="KeyError: 'bad table'",
                                 path="x.txt")]


def test_symlinks_and_non_files_are_not_followed(tmp_path: Path) -> None:
    target = next((p.resolve() for p in LIBS if p.exists()), None)
    if target is None:
        pytest.skip("no ELF sample")
    link = tmp_path / "link"
    link.symlink_to(target)
    r = rec(target, "lib/link")
    facts, errors = inspect_files([(link, r)])
    assert facts == [] and [e.kind for e in errors] == ["inspect.file.io"]
    sym = FileRecord(path="lib/l2", fs_path="/lib/l2", kind="symlink", size=0, mode=0o777, link_target="x")
    assert inspect_files([(link, sym)]) == ([], [])
