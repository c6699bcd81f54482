"""False-positive budget, measured on Debian binaries that contain no vendor cloud and no hard-coded
credentials: busybox-static, libc6, libssl3 and dropbear-bin for armhf and mipsel
(`scripts/fetch-controls.sh` puts them in tests/.cache/controls/<arch>/root). Without that cache the test uses
the cross C/C++ libraries installed on the machine, or skips with the reason.

Measured (2026-12, Debian 12 packages, whole packages including /usr/share/doc):
  armhf : 324 files, 62 endpoints, 0 headline, 0 credential findings
  mipsel: 324 files, 63 endpoints, 0 headline, 0 credential findings
  (2026-11: 7 headline each, all in /usr/share/doc; documentation files are `documentation-only` since)
  cross libraries (libc.so.6 + libstdc++.so.6 per arch): 0 headline, 0 credential findings
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.findings import FindingsResult, find_all
from audit.inspect import inspect_files
from audit.scan import scan_files
from tests.helpers.controls import CONTROLS_CACHE, record_for

ARCHES = {"armhf": "arm-linux-gnueabihf", "mipsel": "mipsel-linux-gnu"}
BUDGET = {"fetched": {"headline": 0, "credentials": 0}, "cross": {"headline": 0, "credentials": 0}}
NEVER = ("vendor-cloud", "p2p-relay")


def _files(arch: str) -> tuple[str, Path, list[Path]]:
    root = CONTROLS_CACHE / arch / "root"
    if (CONTROLS_CACHE / arch / ".done").exists() and root.is_dir():
        return "fetched", root, sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    lib = Path("/usr") / ARCHES[arch] / "lib"
    cross = [p for p in (lib / "libc.so.6", lib / "libstdc++.so.6") if p.exists()]
    if cross:
        return "cross", lib, [p.resolve() for p in cross]
    pytest.skip(f"no {arch} controls: run scripts/fetch-controls.sh or install the {ARCHES[arch]} cross libc")


def _run(root: Path, paths: list[Path]) -> FindingsResult:
    items = [(p, record_for(p, name=p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name))
             for p in paths]
    facts, _ = inspect_files(items)
    matches, _ = scan_files(items)
    return find_all(items, [r for _, r in items], facts, matches)


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_fp_budget(arch: str) -> None:
    kind, root, paths = _files(arch)
    result = _run(root, paths)
    headline = [e for e in result.endpoints if e["headline"]]
    credentials = [f for f in result.findings if f.category == "credentials"]
    print(f"\n{arch} ({kind}): files={len(paths)} endpoints={len(result.endpoints)} headline={len(headline)} "
          f"credentials={len(credentials)}")
    for ep in headline:
        print(f"  headline {ep['kind']} {ep['value']} ({ep['occurrences'][0]['path']})")
    assert not [e for e in result.endpoints if e["category"] in NEVER]
    assert len(headline) <= BUDGET[kind]["headline"]
    assert len(credentials) <= BUDGET[kind]["credentials"]
    assert not result.errors
    if kind == "fetched":  # the binaries are there and were really looked at
        names = {c["name"] for c in result.components}
        assert {"busybox", "openssl", "dropbear", "glibc"} <= names
