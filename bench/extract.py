"""Benchmark: `fwaudit scan` wall time vs bare `unblob` on each built sample (median of N runs).

Run: `.venv/bin/python bench/extract.py [--runs 5] [--samples samples/build]`. Prints a Markdown table
(the one in the README) with the ratio scan/unblob: what our caps, inventory, inspection, scanning and
reporting cost on top of extraction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit.unpack.engine import child_env, unblob_command

REPO = Path(__file__).resolve().parents[1]
os.environ["FWAUDIT_CACHE"] = "off"  # every run audits for real (bench/cache.py measures the cache)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def bare_unblob(image: Path) -> float:
    work = Path(tempfile.mkdtemp(prefix="bench-unblob-"))
    try:
        return timed([*unblob_command(), "-e", str(work / "x"), "--log", str(work / "u.log"), str(image)],
                     env=child_env())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fwaudit_scan(image: Path) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    try:
        return timed([sys.executable, "-m", "audit.cli", "scan", str(image), "-o", str(out), "-q"])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--samples", type=Path, default=REPO / "samples" / "build")
    args = parser.parse_args()
    manifests = sorted(args.samples.glob("*.manifest.json"))
    if not manifests:
        print(f"no samples in {args.samples}: run `make samples`", file=sys.stderr)
        return 1
    print(f"| sample | size | unblob median (s) | fwaudit scan median (s) | ratio |  (median of {args.runs})")
    print("|---|---:|---:|---:|---:|")
    for manifest in manifests:
        image = args.samples / json.loads(manifest.read_text())["image"]
        bare = statistics.median(bare_unblob(image) for _ in range(args.runs))
        ours = statistics.median(fwaudit_scan(image) for _ in range(args.runs))
        print(f"| {image.name} | {image.stat().st_size:,} | {bare:.2f} | {ours:.2f} | {ours / bare:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
