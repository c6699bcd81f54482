"""Speed of a full audit against its engines, and of the caches, on realistic images (bench/speed_images.py),
side by side in one run, median of N:

- bare unblob (as fwaudit runs it: its handlers, its squashfs stand-in) and bare yara-x (compile + scan every
  extracted file), each as its own process;
- `fwaudit scan` cold (no cache), warm on the identical image, warm on the next version (~90% of files shared,
  cache holding only the base version's results), a 20 KB input (fixed cost), peak RSS of the process tree;
- the analysis stages (everything but unpacking, from `run.stages_s`) with -j1 and -j2, runs interleaved;
- the ratios are medians of per-round ratios: bare unblob, bare yara-x and a cold run in a row, bare unblob
  and a next-version run in a row, a -j1 and a -j2 run in a row, because this kind of machine's speed drifts by
  tens of percent in minutes;
- with `--big`: one cold run on a 256 MiB image for peak RSS.

    .venv/bin/python bench/speed.py [--runs N] [--big] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed_images import build_set  # noqa: E402  # the benchmark images

FWAUDIT = Path(sys.executable).parent / "fwaudit"
UNBLOB = Path(sys.executable).parent / "unblob"
PLUGIN = ROOT / "audit" / "unpack" / "formats" / "unblob_plugin.py"
ENGINE_PATH = f"{ROOT / 'audit' / 'unpack' / 'bin'}:{os.environ.get('PATH', '')}"
YARA_X = """
import sys, pathlib, yara_x
c = yara_x.Compiler()
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.yar")):
    c.new_namespace(p.parent.name); c.add_source(p.read_text())
s = yara_x.Scanner(c.build())
n = 0
for f in pathlib.Path(sys.argv[2]).rglob("*"):
    if f.is_file() and not f.is_symlink():
        n += len(s.scan_file(str(f)).matching_rules)
print(n)
"""


class PeakRss:
    """Peak memory of a process and its descendants, sampled from /proc every 20 ms: the sum of their
    proportional set sizes (PSS: a page shared by n processes, such as the mmap of the image or the page cache
    of a file several of them read, counts 1/n in each), so that shared pages are not counted twice."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.anon_peak, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _tree_rss(self) -> tuple[int, int]:
        """Summed PSS (all, anonymous) of the process and all its descendants, found through their parents:
        unblob's zygote and its runs are in sessions of their own, so a session or group test would miss them."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        total = anon = 0
        stack = [self.pid]
        while stack:
            pid = stack.pop()
            with contextlib.suppress(OSError):
                both = _pss(Path(f"/proc/{pid}"))
                total, anon = total + both[0], anon + both[1]
            stack.extend(children.get(pid, ()))
        return total, anon

    def _sample(self) -> None:
        while not self._stop.is_set():
            total, anon = self._tree_rss()
            self.peak, self.anon_peak = max(self.peak, total), max(self.anon_peak, anon)
            time.sleep(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _pss(proc: Path) -> tuple[int, int]:
    """(proportional set size, its anonymous and shared-memory part) of one process in bytes ((0, 0) when it
    has gone). The rest is file pages mapped into it: page cache, such as the image unblob maps to search it,
    which the kernel can drop; the anonymous part is memory the audit really holds."""
    values = {}
    for line in (proc / "smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Pss", "Pss_Anon", "Pss_Shmem"):
            values[key] = int(rest.split()[0]) * 1024
    return values.get("Pss", 0), values.get("Pss_Anon", 0) + values.get("Pss_Shmem", 0)


def _timed(cmd: list[str], env: dict[str, str] | None = None, memory: bool = False) -> tuple[float, tuple[int, int]]:
    """(wall seconds, (peak PSS, peak anonymous PSS) of the process tree or (0, 0)) of one command; exits on
    failure. Memory is sampled only when asked: sampling /proc every 20 ms costs a core's share, so timed runs
    go unsampled."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    rss = PeakRss(proc.pid) if memory else None
    _, err = proc.communicate(timeout=3600)
    elapsed, peak = time.perf_counter() - start, ((rss.stop(), rss.anon_peak) if rss else (0, 0))
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {err.decode()[-600:]}")
    return elapsed, peak


def _scan(image: Path, out: Path, cache: Path | None, *extra: str,
          memory: bool = False) -> tuple[float, tuple[int, int], dict]:
    env = {**os.environ, "FWAUDIT_CACHE": str(cache) if cache else "off"}
    shutil.rmtree(out, ignore_errors=True)
    elapsed, peak = _timed([str(FWAUDIT), "scan", str(image), "-o", str(out), "-q", *extra], env, memory)
    return elapsed, peak, json.loads((out / "report.json").read_text())["run"]


def _median(runs: int, call: Callable[[], float]) -> float:
    return statistics.median(call() for _ in range(runs))


def _unblob(image: Path, dest: Path) -> float:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    cmd = [str(UNBLOB), "--extract-dir", str(dest), "--depth", "10", "--process-num", str(os.cpu_count() or 1),
           "--randomness-depth", "1", "--log", str(dest.parent / "unblob.log"), "--plugins-path", str(PLUGIN),
           str(image)]
    return _timed(cmd, {**os.environ, "PATH": ENGINE_PATH})[0]


def _analysis(run: dict) -> float:
    return sum(v for k, v in run.get("stages_s", {}).items() if k != "unpack")


def main() -> None:  # one linear measurement script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also the 256 MiB image (peak RSS)")
    parser.add_argument("--keep", type=Path, default=None, help="build the images here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwaudit-bench-speed-") as tmp:
        base_dir = args.keep or Path(tmp)
        images = build_set(base_dir / "images", args.big)
        base, nxt = images["base"][0], images["next"][0]
        facts = images["base"][1]
        print(f"image {base.name}: {facts['image_bytes'] / 2**20:.0f} MiB, {facts['files']} files "
              f"({facts['tree_bytes'] / 1e6:.0f} MB); next version: {images['next'][1]['changed']} files changed")
        work = Path(tmp)

        def engines_round() -> tuple[float, float, float]:  # (bare unblob, bare yara-x, fwaudit cold), in a row
            unblob_s = _unblob(base, work / "tree")
            yara_s = _timed([sys.executable, "-c", YARA_X, str(ROOT / "rules" / "yara"), str(work / "tree")])[0]
            return unblob_s, yara_s, _scan(base, work / "o", None)[0]

        rounds = [engines_round() for _ in range(args.runs)]  # interleaved: ratios within a round, not across
        unblob, yara, cold = (statistics.median(r[i] for r in rounds) for i in range(3))
        cold_ratio = statistics.median(c / (u + y) for u, y, c in rounds)
        peak = _scan(base, work / "o", None, memory=True)[1]  # one more cold run, sampled
        filled = work / "filled.sqlite"
        _scan(base, work / "o", filled)
        warm = _median(args.runs, lambda: _scan(base, work / "o", filled)[0])
        shutil.rmtree(work / "o", ignore_errors=True)

        def next_version() -> float:
            cache = work / "next.sqlite"
            for suffix in ("", "-wal", "-shm"):
                if Path(str(filled) + suffix).exists():
                    shutil.copyfile(str(filled) + suffix, str(cache) + suffix)
            return _scan(nxt, work / "o", cache)[0]

        next_rounds = [(_unblob(base, work / "tree"), next_version()) for _ in range(args.runs)]
        warm_next = statistics.median(n for _, n in next_rounds)
        next_ratio = statistics.median(n / u for u, n in next_rounds)
        tiny = work / "tiny.bin"
        tiny.write_bytes((ROOT / "bench" / "speed_images.py").read_bytes()[:20_000].ljust(20_000, b"\0"))
        fixed = _median(args.runs, lambda: _scan(tiny, work / "o", None)[0])
        pairs = [(_analysis(_scan(base, work / "o", None, "-j", "1")[2]),  # interleaved: this machine's speed
                  _analysis(_scan(base, work / "o", None, "-j", "2")[2])) for _ in range(args.runs)]  # drifts
        j1, j2 = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
        j_ratio = statistics.median(a / b for a, b in pairs)  # per pair, as the other ratios: drift cancels
        rows = [
            ("bare unblob", unblob, ""), ("bare yara-x (compile + scan the tree)", yara, ""),
            ("fwaudit scan, cold", cold, f"{cold_ratio:.2f}x (unblob + yara-x of its round); target <= 1.3x"),
            ("fwaudit scan, warm, identical image", warm, f"{warm / cold:.2f}x cold; target <= 0.1x"),
            ("fwaudit scan, warm, next version", warm_next,
             f"{next_ratio:.2f}x bare unblob of its round; target <= 1.15x"),
            ("fwaudit scan, 20 KB input", fixed, "target <= 1.5 s"),
            ("analysis stages, -j1", j1, ""),
            ("analysis stages, -j2", j2, f"{j_ratio:.2f}x -j1 (median of per-pair ratios; ratio of the medians "
                                         f"{j1 / j2:.2f}x); target >= 1.6x"),
        ]
        print(f"median of {args.runs} runs, wall seconds")
        for name, seconds, note in rows:
            print(f"  {name:40} {seconds:8.2f}  {note}")
        print(f"  {'peak memory, cold (PSS of the tree)':40} {peak[0] / 2**20:8.0f}  MiB (one more run, sampled); "
              f"anonymous {peak[1] / 2**20:.0f} MiB")
        if args.big:
            big = images["big"][0]
            seconds, rss, _run = _scan(big, work / "o", None, memory=True)
            print(f"  {'256 MiB image, cold':40} {seconds:8.2f}  peak memory (PSS) {rss[0] / 2**20:.0f} MiB; "
                  f"target <= 500 MB; anonymous {rss[1] / 2**20:.0f} MiB (the rest: mapped page cache)")


if __name__ == "__main__":
    main()
