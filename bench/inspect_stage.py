"""Benchmark of the inspect stage: ~5,000 unique ELF files, `inspect_files` at -j1 and -j2 (median of 3).

Run: `.venv/bin/python bench/inspect_stage.py [--files N] [--runs R]`. Files are copies of Debian's cross libraries and
system binaries, each made unique by appending bytes so sha256 dedup does not hide the work.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from audit.inspect import inspect_files
from audit.model import FileRecord

SOURCES = ("/usr/arm-linux-gnueabihf/lib", "/usr/mipsel-linux-gnu/lib", "/usr/mips-linux-gnu/lib",
           "/usr/aarch64-linux-gnu/lib", "/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu")
MAX_SOURCE_SIZE = 8 * 1024 * 1024


def collect_sources() -> list[Path]:
    """Regular ELF files (no symlinks) from the Debian directories above."""
    found: dict[str, Path] = {}
    for root in SOURCES:
        base = Path(root)
        if not base.is_dir():
            continue
        for p in sorted(base.iterdir()):
            if p.is_symlink() or not p.is_file() or p.stat().st_size > MAX_SOURCE_SIZE:
                continue
            with p.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    found.setdefault(str(p), p)
    return list(found.values())


def build(workdir: Path, count: int) -> list[tuple[Path, FileRecord]]:
    sources = collect_sources()
    if not sources:
        sys.exit("no ELF sources found")
    items = []
    for i in range(count):
        src = sources[i % len(sources)]
        data = src.read_bytes() + b"\0fwaudit-bench" + i.to_bytes(4, "little")
        dst = workdir / f"{i:05d}_{src.name}"
        dst.write_bytes(data)
        rec = FileRecord(path=f"rootfs/{dst.name}", fs_path=f"/{src.name}", kind="file", size=len(data),
                         mode=0o755, sha256=hashlib.sha256(data).hexdigest(), is_elf=True)
        items.append((dst, rec))
    return items


def timed(items: list[tuple[Path, FileRecord]], jobs: int, runs: int) -> tuple[float, int, int]:
    times = []
    facts: list = []
    errors: list = []
    for _ in range(runs):
        start = time.perf_counter()
        facts, errors = inspect_files(items, jobs=jobs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(facts), len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwaudit-bench-") as tmp:
        items = build(Path(tmp), args.files)
        size = sum(r.size for _, r in items)
        print(f"{len(items)} unique ELF files, {size / 1e6:.1f} MB, {len(collect_sources())} distinct sources")
        print(f"{'jobs':>4} {'seconds':>8} {'ms/file':>8} {'facts':>8} {'errors':>7}")
        for jobs in (1, 2):
            seconds, nfacts, nerrors = timed(items, jobs, args.runs)
            print(f"{jobs:>4} {seconds:>8.2f} {1000 * seconds / len(items):>8.2f} {nfacts:>8} {nerrors:>7}")


if __name__ == "__main__":
    main()
