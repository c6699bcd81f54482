"""Fleet figures (printed, not asserted).

1. Batch speed-up: N sample variants (the built samples with a few distinct bytes appended, so every sha256
   differs) through `run_batch` with 1 and with 2 local workers; wall time and the speed-up.
2. Queries: a store of M images synthesised from the samples' reports (image sha256, name, tags and a share of the
   file sha256s varied per copy), the import rate, and the median time of each query kind.

    .venv/bin/python bench/fleet.py [--images N] [--workers 1,2] [--store-images M] [--db URL] [--skip-batch]

The default run takes a few minutes on 2 cores (--images 40); the issue's figure is --images 200.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.fleet.batch import BatchConfig, run_batch  # noqa: E402
from audit.fleet.dashboard import summarise  # noqa: E402
from audit.fleet.executors import LocalExecutor  # noqa: E402
from audit.fleet.query import ComponentSpec, Filters, run_query  # noqa: E402
from audit.fleet.store import Store, open_store  # noqa: E402
from audit.model import AuditConfig  # noqa: E402
from audit.pipeline import run  # noqa: E402

BUILD = ROOT / "samples" / "build"


def sample_images() -> list[Path]:
    images = [BUILD / json.loads(m.read_text())["image"] for m in sorted(BUILD.glob("*.manifest.json"))]
    if not images:
        raise SystemExit("no samples in samples/build: run `make samples` first")
    return images


def variants(folder: Path, count: int) -> list[Path]:
    """`count` copies of the samples, each with its own trailing bytes (distinct sha256)."""
    images = sample_images()
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        source = images[i % len(images)]
        target = folder / f"{source.stem}-{i:04d}{source.suffix}"
        target.write_bytes(source.read_bytes() + f"\nfwaudit-bench-variant-{i}\n".encode())
        out.append(target)
    return out


def _cpu() -> float:
    """Busy CPU seconds of the whole machine so far (/proc/stat: everything but idle and iowait). The pool's
    workers are the forkserver's children, not ours, so rusage would miss them: run this on a quiet machine."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def batch_seconds(folder: Path, workers: int, db: str) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of one batch over `folder` (the pool is shut down before CPU is read)."""
    config = BatchConfig(inputs=(str(folder),), audit=AuditConfig(image=Path(), jobs=1))
    with open_store(db) as store:
        start, cpu = time.perf_counter(), _cpu()
        result = run_batch(config, store, lambda: LocalExecutor(workers))
        return time.perf_counter() - start, _cpu() - cpu, result.stored, len(result.failed)


def bench_batch(count: int, workers: list[int], tmp: Path) -> None:
    folder = tmp / "images"
    variants(folder, count)
    print(f"batch: {count} sample variants, local process pool")
    seconds = {}
    for n in workers:
        took, cpu, stored, failed = batch_seconds(folder, n, str(tmp / f"batch-{n}.sqlite"))
        seconds[n] = took
        print(f"  {n} worker(s): {took:7.1f} s  ({count / took:.2f} images/s; {stored} stored, {failed} failed); "
              f"CPU {cpu:.1f} s = {cpu / took:.2f} cores busy")
    cores = os.cpu_count() or 1
    if 1 in seconds:  # one worker already keeping c cores busy leaves at most cores / c to gain
        print(f"  ceiling on this {cores}-core machine: the speed-up cannot pass {cores} / (cores busy with 1 worker)")
    if 1 in seconds:
        for n in workers:
            if n != 1:
                print(f"  speed-up with {n} workers: {seconds[1] / seconds[n]:.2f}x")


def base_reports() -> list[dict]:
    print("store: auditing the samples once for the synthetic store")
    return [run(AuditConfig(image=image, jobs=2)).to_dict() for image in sample_images()]


def synthetic(report: dict, i: int) -> dict:
    """A copy of `report` that reads as another device: its own image sha256 and name, 1 file in 4 changed."""
    data = copy.deepcopy(report)
    data["image"]["sha256"] = hashlib.sha256(f"image-{i}".encode()).hexdigest()
    data["image"]["name"] = f"{Path(report['image']['name']).stem}-{i:04d}"
    for j, rec in enumerate(data["files"]):
        if rec.get("sha256") and (i + j) % 4 == 0:
            rec["sha256"] = hashlib.sha256(f"file-{i}-{j}".encode()).hexdigest()
    return data


def fill(store: Store, reports: list[dict], count: int) -> None:
    start = time.perf_counter()
    for i in range(count):
        store.add_report(synthetic(reports[i % len(reports)], i), source=f"bench/{i}",
                         tags={"site": ("berlin", "paris", "oslo")[i % 3], "asset": f"A{i:05d}"})
    took = time.perf_counter() - start
    print(f"  imported {count} reports in {took:.1f} s ({count / took:.0f} reports/s)")


def timed(fn: Callable[[], object], runs: int = 3) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        size = len(result) if hasattr(result, "__len__") else 0  # type: ignore[arg-type]
    return statistics.median(times), size


def bench_queries(store: Store, shared_file: str, similar_to: str) -> None:
    kinds = {
        "--layer soc --entity hisilicon": Filters(layer="soc", entity="hisilicon"),
        "--endpoint '*.hik-connect.com'": Filters(endpoints=("*.hik-connect.com",)),
        "--component 'busybox<1.37'": Filters(components=(ComponentSpec.parse("busybox<1.37"),)),
        "--policy ndaa-889=fail": Filters(policies=(("ndaa-889", "fail"),)),
        "--sha256 FILE": Filters(sha256=(shared_file,)),
        "--similar IMAGE": Filters(similar=similar_to, limit=20),
        "--tag site=berlin": Filters(tags=(("site", "berlin"),)),
        "--layer soc --tag site=oslo --component linux>=4": Filters(
            layer="soc", tags=(("site", "oslo"),), components=(ComponentSpec.parse("linux>=4"),)),
    }
    with store.read() as conn:
        for label, filters in kinds.items():
            seconds, rows = timed(lambda f=filters: run_query(conn, f))
            print(f"  {label:50s} {seconds * 1000:8.1f} ms  {rows:5d} rows")
        seconds, _ = timed(lambda: summarise(conn).as_dict())
        print(f"  {'fwaudit fleet (dashboard)':50s} {seconds * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40, help="sample variants for the batch figure")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--store-images", type=int, default=1000, help="images in the synthetic store")
    parser.add_argument("--db", default=None, help="store URL for the query figures [default: a temp SQLite]")
    parser.add_argument("--skip-batch", action="store_true", help="only the store figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwaudit-bench-fleet-") as tmp:
        if not args.skip_batch:
            bench_batch(args.images, [int(w) for w in args.workers.split(",")], Path(tmp))
        reports = base_reports()
        db = args.db or str(Path(tmp) / "store.sqlite")
        print(f"store: {args.store_images} synthetic images in {db.split('@')[-1]}")
        with open_store(db) as store:
            fill(store, reports, args.store_images)
            shared = next(f["sha256"] for f in reports[0]["files"][1:] if f.get("sha256"))
            similar = synthetic(reports[0], 0)["image"]["sha256"]
            bench_queries(store, shared, similar)


if __name__ == "__main__":
    main()
