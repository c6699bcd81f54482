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
    assert {e.path for e in one[1]} == {"lib/broken.so"}  # one typed error per damaged table


def test_large_files_inspected_alone_first_give_the_same_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import alone

    monkeypatch.setattr(inspect_pkg, "POOL_THRESHOLD", 8)
    items = make_many(tmp_path, 40)
    together = inspect_files(items, jobs=2)
    calls: list[int] = []  # pools started: (workers) in order
    pool = inspect_pkg._in_pool
    monkeypatch.setattr(inspect_pkg, "_in_pool", lambda unique, jobs: calls.append(jobs) or pool(unique, jobs))
    monkeypatch.setattr(alone, "ALONE_BYTES", sorted(r.size for _, r in items)[-5])
    assert inspect_files(items, jobs=2) == together
    assert calls == [1, 2]  # the largest files in a pool of one worker, then the rest


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


class _Unportable(Inspector):
    """Test inspector: parser-typed, unpicklable, raising and worker-killing results on chosen files."""

    NAME, DOC, APPLIES_TO = "unportable", "forces cross-process failures", "files named f0001, f0002, f0003"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        return record.path in ("bin/f0001", "bin/f0002", "bin/f0003", "bin/f0004")

    def inspect(self, path: Path, record: FileRecord) -> list:
        import os
        import threading

        from dissect.cstruct import cstruct

        from audit.model import Fact

        if record.path == "bin/f0001":  # a lock cannot be pickled: the result must still cross as plain data
            return [Fact(kind="test.lock", sha256=record.sha256 or "", path=record.path, data={"v": threading.Lock()})]
        if record.path == "bin/f0002":  # a dissect.cstruct integer, the type that broke a real Xiongmai image
            value = cstruct(endian=">").load("struct s { uint32 v; };").s(b"\0\0\0\7").v
            return [Fact(kind="test.cstruct", sha256=record.sha256 or "", path=record.path, data={"v": value})]
        if record.path == "bin/f0003":
            raise RuntimeError("parser exploded")
        os._exit(9)  # bin/f0004: the worker process dies outright
        return []  # not reached


def test_pool_survives_unpicklable_results_exceptions_and_dead_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = make_many(tmp_path, 240)
    monkeypatch.setattr(inspect_pkg, "_INSTANCES", (_Unportable(), *inspect_pkg._INSTANCES))
    facts, errors = inspect_files(items, jobs=2)
    elf_paths = {f.path for f in facts if f.kind == "elf"}
    assert elf_paths == {r.path for _, r in items} - {"bin/f0004"}  # every file but the one that killed a worker
    by_kind = {f.kind: f for f in facts}
    assert by_kind["test.cstruct"].data == {"v": 7} and type(by_kind["test.cstruct"].data["v"]) is int
    assert isinstance(by_kind["test.lock"].data["v"], str)
    kinds = {(e.path, e.kind) for e in errors}
    assert ("bin/f0003", "inspect.unportable.crash") in kinds
    assert ("bin/f0004", "inspect.worker.crash") in kinds
    assert ("lib/broken.so", "inspect.elf.parse") in kinds or any(p == "lib/broken.so" for p, _ in kinds)


def test_sorted_facts_is_the_full_key_order() -> None:
    """The cheap sort (data JSON only on ties) gives exactly the order of the full key, ties and equal facts
    included (stable)."""
    import json
    import random

    from audit.inspect import sorted_facts
    from audit.model import Fact

    rng = random.Random(7)
    facts = [Fact(kind=rng.choice(("elf", "account", "cert")), sha256="s", path=rng.choice(("a", "b", "c")),
                  data={"n": rng.randrange(4), "x": [rng.randrange(3)]}, offset=rng.choice((None, 0, 16)))
             for _ in range(400)]
    full = sorted(facts, key=lambda f: (f.path, f.kind, -1 if f.offset is None else f.offset,
                                        json.dumps(f.data, sort_keys=True, default=str)))
    got = sorted_facts(facts)
    assert [id(f) for f in got] == [id(f) for f in full]
    assert len({(f.path, f.kind, f.offset) for f in facts}) < len(facts)  # the case has ties to break
