"""Result cache figures: `fwaudit scan` cold (no cache) and warm (an identical audit in the cache) on each built
sample, median of 3 runs each, wall time of the whole CLI process (start-up included).

    .venv/bin/python bench/cache.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "samples" / "build"
FWAUDIT = Path(sys.executable).parent / "fwaudit"


def _scan(image: Path, out: Path, cache: Path | None) -> float:
    env = {**os.environ, "FWAUDIT_CACHE": str(cache) if cache else "off"}
    start = time.perf_counter()
    proc = subprocess.run([str(FWAUDIT), "scan", str(image), "-o", str(out), "-q"], env=env, capture_output=True,
                          text=True, timeout=900)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fwaudit scan {image.name} failed ({proc.returncode}): {proc.stderr[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    images = [BUILD / json.loads(m.read_text())["image"] for m in sorted(BUILD.glob("*.manifest.json"))]
    if not images:
        raise SystemExit("samples are not built: run `make samples`")
    print(f"{'image':24} {'bytes':>10} {'cold s':>8} {'warm s':>8} {'warm/cold':>9}")
    with tempfile.TemporaryDirectory(prefix="fwaudit-bench-cache-") as tmp:
        base = Path(tmp)
        for image in images:
            cache = base / f"{image.name}.sqlite"
            cold = statistics.median(_scan(image, base / "o", None) for _ in range(args.runs))
            _scan(image, base / "o", cache)  # fill
            warm = statistics.median(_scan(image, base / "o", cache) for _ in range(args.runs))
            print(f"{image.name:24} {image.stat().st_size:>10,} {cold:>8.2f} {warm:>8.2f} {warm / cold:>9.2f}")


if __name__ == "__main__":
    main()
