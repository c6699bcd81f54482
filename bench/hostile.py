"""Benchmark: cost under attack. Seconds to stop, peak RSS and outcome of `fwaudit scan` on generated
hostile inputs (magic floods, member floods, compression bombs, huge entry counts, non-UTF-8 names, depth).

Run: `.venv/bin/python bench/hostile.py [--only NAME,...] [--timeout S] [--max-files N] [--cache DIR]`.
Inputs are generated once into `--cache` (default /tmp/fwaudit-bench-hostile; the 8 GiB bomb takes ~30 s to
make). Each case runs `fwaudit scan -j 1` alone in a fresh work dir, in a fresh Python process; peak RSS is the
largest single process: fwaudit itself (`RUSAGE_SELF`) or the largest extractor it ran (`RUSAGE_CHILDREN`).
Prints a Markdown table: case, input size, seconds, peak RSS (MB), exit code, status, files listed, errors.
"""

from __future__ import annotations

import argparse
import io
import json
import lzma
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from audit.treewalk import remove_tree  # noqa: E402

MiB = 1024 * 1024
FLOOD_SIZE = 16 * MiB


def _flood(path: Path, magic: bytes) -> None:
    rng = random.Random(1)
    out = bytearray()
    while len(out) < FLOOD_SIZE:
        out += magic + rng.randbytes(rng.randint(32, 112) - len(magic))
    path.write_bytes(bytes(out[:FLOOD_SIZE]))


def _gzip_members(path: Path, count: int = 50_000) -> None:
    with path.open("wb") as out:
        for index in range(count):
            packer = zlib.compressobj(6, zlib.DEFLATED, 31)
            out.write(packer.compress(b"member %d\n" % index) + packer.flush())


def _gzip_bomb(path: Path, gib: int = 8) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MiB)
    with path.open("wb") as out:
        for _ in range(gib * 1024):
            out.write(packer.compress(block))
        out.write(packer.flush())


def _lzma_bomb(path: Path, gib: int = 2, fmt: int = lzma.FORMAT_ALONE) -> None:
    packer = lzma.LZMACompressor(format=fmt, preset=1)
    block = bytes(MiB)
    with path.open("wb") as out:
        for _ in range(gib * 1024):
            out.write(packer.compress(block))
        out.write(packer.flush())


def _zip_bomb(path: Path, gib: int = 2) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("zeros.bin", "w", force_zip64=True) as member:
        block = bytes(MiB)
        for _ in range(gib * 1024):
            member.write(block)


def _zip_entries(path: Path, count: int = 100_000) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"d{index // 1000:03d}/f{index:06d}", b"x")


def _gbk_tar(path: Path) -> None:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tar:
        for index in range(5):
            info = tarfile.TarInfo(os.fsdecode("文件".encode("gbk") + b"%d.txt" % index))
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))


def _deep_zip(path: Path, depth: int = 3000) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("d/" * depth + "leaf.txt", b"deep")
        archive.writestr("top.txt", b"top")


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "zip-magic-flood": ("flood.zipmagic.bin", lambda p: _flood(p, b"PK\x03\x04")),
    "cpio-magic-flood": ("flood.cpiomagic.bin", lambda p: _flood(p, b"070701")),
    "gzip-50k-members": ("members.gz", _gzip_members),
    "gzip-bomb-8g": ("bomb8g.gz", _gzip_bomb),
    "lzma-bomb-2g": ("bomb2g.lzma", _lzma_bomb),
    "xz-bomb-2g": ("bomb2g.xz", lambda p: _lzma_bomb(p, fmt=lzma.FORMAT_XZ)),
    "zip-bomb-2g": ("bomb2g.zip", _zip_bomb),
    "zip-100k-entries": ("entries100k.zip", _zip_entries),
    "gbk-names": ("gbk.tar", _gbk_tar),
    "deep-zip-3000": ("deep3000.zip", _deep_zip),
}

_CHILD = """
import json, os, resource, runpy, sys, time
start = time.monotonic()
sys.argv = ["fwaudit", *sys.argv[1:]]
out = open(os.environ["BENCH_RESULT"], "w")
sys.stdout = sys.stderr = open(os.devnull, "w")
rc = 0
try:
    runpy.run_module("audit.cli", run_name="__main__")
except SystemExit as exc:
    rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
out.write(json.dumps({"rc": rc, "s": time.monotonic() - start, "self_mb": mb(resource.RUSAGE_SELF),
                      "child_mb": mb(resource.RUSAGE_CHILDREN)}))
"""


def run_case(image: Path, extra: list[str]) -> dict[str, object]:
    tmp = tempfile.mkdtemp(prefix="bench-hostile-")
    try:
        out = Path(tmp) / "out"
        result = Path(tmp) / "result.json"
        cmd = ["scan", str(image), "-o", str(out), "-j", "1", "-q", "--workdir", str(Path(tmp) / "work"), *extra]
        subprocess.run([sys.executable, "-c", _CHILD, *cmd], cwd=REPO, check=True,
                       env={**os.environ, "BENCH_RESULT": str(result), "FWAUDIT_CACHE": "off"})
        measured = json.loads(result.read_text())
        measured["rss_mb"] = max(measured["self_mb"], measured["child_mb"])
        report_path = out / "report.json"
        size = report_path.stat().st_size if report_path.exists() else 0
        report = json.loads(report_path.read_text()) if size else {}
    finally:
        remove_tree(Path(tmp))  # iterative: the 3,000-deep case's tree defeats shutil.rmtree's recursion
    kinds = sorted({e["kind"] for e in report.get("errors", [])})
    return {**measured, "report_bytes": size, "status": report.get("status", "-"),
            "files": len(report.get("files", [])), "kinds": kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--timeout", default=None, help="pass --timeout to fwaudit (default: fwaudit's 600 s)")
    parser.add_argument("--max-files", default=None, help="pass --max-files to fwaudit")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fwaudit-bench-hostile")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    extra = [*(["--timeout", args.timeout] if args.timeout else []),
             *(["--max-files", args.max_files] if args.max_files else [])]
    chosen = [c for c in CASES if not args.only or c in args.only.split(",")]
    print("| case | input MB | seconds | peak RSS MB | fwaudit / extractors MB | exit | report bytes | status | files "
          "| errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for name in chosen:
        filename, make = CASES[name]
        image = args.cache / filename
        if not image.exists():
            make(image)
        row = run_case(image, extra)
        print(f"| {name} | {image.stat().st_size / MiB:.1f} | {row['s']:.1f} | {row['rss_mb']:.0f} "
              f"| {row['self_mb']:.0f} / {row['child_mb']:.0f} | {row['rc']} "
              f"| {row['report_bytes']} | {row['status']} | {row['files']} | {', '.join(row['kinds'])[:120]} |",
              flush=True)


if __name__ == "__main__":
    main()
