"""Run unblob in a child process under caps that unblob itself does not have.

unblob has no limit on output size or file count (a 1 GiB gzip bomb expands fully), so the child
runs with RLIMIT_FSIZE (per-file size) and RLIMIT_DATA (memory), and a watcher polls the extraction tree
for total bytes, file count and wall time, and unblob's log for magic and chunk floods (audit/unpack/chunk_log.py).
On a cap the whole process group is killed, what was extracted is kept, and the caller records a typed error.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from audit import unblob_zygote as zygote
from audit.unpack.bounded_inflate import BUDGET_ENV
from audit.unpack.chunk_log import ChunkLog, SearchLimits

WRAPPER_DIR = Path(__file__).with_name("bin")
FORMATS_PLUGIN = Path(__file__).with_name("formats") / "unblob_plugin.py"  # our vendor container handlers
SMALL_INPUT = 1 << 20  # bytes: an input below this loads lief on demand (zygote.spawn) in one unblob process
log = logging.getLogger(__name__)


class EngineMissingError(RuntimeError):
    """unblob (or a tool it must have) is not installed: the audit cannot run."""


@dataclass(frozen=True)
class Caps:
    max_bytes: int
    max_files: int
    max_file_size: int
    timeout: float
    max_chunks: int = 1_000  # chunks found in one file: each is carved and extracted, one extractor run each
    max_members: int = 50_000  # files one container's `*_extract` folder holds: unblob searches each one
    scan_budget: float = 300.0  # projected seconds of one file's chunk search (audit/unpack/chunk_log.py) ...
    scan_grace: float = 10.0  # ... judged after this many seconds of it ...
    budget_floor: int = 100  # ... and this many rejected candidates
    max_rss: int = 450 * 1024**2  # resident memory of any one process of the group, polled
    max_memory: int = 2 * 1024**3  # RLIMIT_DATA of the child and each extractor it runs: the hard backstop

    @property
    def search_limits(self) -> SearchLimits:
        return SearchLimits(max_chunks=self.max_chunks, scan_budget=self.scan_budget, scan_grace=self.scan_grace,
                            budget_floor=self.budget_floor)


@dataclass(frozen=True)
class EngineRun:
    returncode: int | None
    cap_hit: str | None  # 'bytes' | 'files' | 'timeout' | 'chunks' | 'members' | 'scan' | 'memory' | None
    cap_detail: str
    files: int
    bytes: int
    seconds: float
    report_path: Path | None
    stderr_tail: str


Progress = Callable[[int, int], None]  # (files, bytes) seen so far


def unblob_command() -> list[str]:
    """The unblob executable installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("unblob")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("unblob")
    if not found:
        raise EngineMissingError("unblob is not installed: run `make setup` (or pip install fwaudit)")
    return [found]


def unblob_dir_command() -> list[str]:
    """Our entry point that runs unblob on a directory (an extracted tree), with this interpreter."""
    if importlib.util.find_spec("unblob") is None:
        raise EngineMissingError("unblob is not installed: run `make setup` (or pip install fwaudit)")
    return [sys.executable, str(WRAPPER_DIR / "unblob-dir")]


def child_env() -> dict[str, str]:
    """PATH with our sasquatch stand-in first and this venv's tools (jefferson, ubireader) next."""
    env = dict(os.environ)
    parts = [str(WRAPPER_DIR), str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")]
    env["PATH"] = os.pathsep.join(parts)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    return env


def _limit_child(max_file_size: int, max_memory: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the cap fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_size, max_file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # heap and private mappings, not address space: hyperscan and the extractors map large read-only regions
        resource.setrlimit(resource.RLIMIT_DATA, (max_memory, max_memory))

    return apply


def measure_tree(root: Path) -> tuple[int, int]:
    """(files, apparent bytes) under root, never following symlinks."""
    files, total, _ = measure_members(root)
    return files, total


def measure_members(root: Path) -> tuple[int, int, tuple[int, str]]:
    """(files, apparent bytes, (most files, folder)): the most files one `*_extract` folder holds itself
    (nested `*_extract` folders count for themselves), never following symlinks."""
    files = total = 0
    per_container: dict[str, int] = {}
    stack = [(root, "")]
    while stack:
        current, owner = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append((Path(entry.path), entry.path if entry.name.endswith("_extract") else owner))
                        else:
                            files += 1
                            per_container[owner] = per_container.get(owner, 0) + 1
                            if entry.is_file(follow_symlinks=False):
                                total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    largest = max(((n, o) for o, n in per_container.items() if o), default=(0, ""))
    return files, total, largest


def run_unblob(
    image: Path, extract_dir: Path, workdir: Path, depth: int, jobs: int, caps: Caps,
    progress: Progress | None = None, search: dict[str, str] | None = None,
) -> EngineRun:
    """Extract `image` into `extract_dir` with unblob, enforcing `caps`; never raises on bad input.

    A directory `image` is an extracted tree already copied inside `extract_dir` (audit/unpack/tree.py).
    `search`: the per-file cache's entries for unblob's chunk search (audit/unpack/search_memo.py).
    """
    report_path = workdir / "unblob" / "report.json"  # a folder of its own: unblob's sandbox may write in it,
    report_path.parent.mkdir(exist_ok=True)  # and only there, beside the extraction (audit/unpack/search_memo.py)
    log_path = workdir / "unblob.log"
    engine = unblob_dir_command() if image.is_dir() else unblob_command()
    small = not image.is_dir() and _small(image)
    workers = 1 if small else max(1, jobs)  # a small input: no pool to start
    args = ["--extract-dir", str(extract_dir), "--depth", str(depth),
            "--process-num", str(workers), "--report", str(report_path), "--log", str(log_path),
            "--randomness-depth", "1", "--plugins-path", str(FORMATS_PLUGIN), str(image)]
    stderr_path = workdir / "unblob.stderr"
    start = time.monotonic()
    env = {**child_env(), BUDGET_ENV: str(caps.max_bytes)}  # bombs: stream-end searches stop at the cap
    with stderr_path.open("wb") as stderr:
        child = _start(image.is_dir(), small, [*engine, *args], workdir, env, stderr, stderr_path, caps, search)
        try:
            cap_hit, detail, files, total = _watch(child, extract_dir, caps, start, progress, ChunkLog(log_path))
        except BaseException:  # Ctrl-C, a batch worker's SIGTERM: the extraction (its own session) stops too
            _kill_group(child)
            raise
    seconds = time.monotonic() - start
    files, total = measure_tree(extract_dir)
    if cap_hit is not None:
        detail = f"{detail}; {files} files, {total} bytes on disk when stopped"
    tail = stderr_path.read_bytes()[-2000:].decode("utf-8", "replace")
    return EngineRun(
        returncode=child.returncode, cap_hit=cap_hit, cap_detail=detail, files=files, bytes=total,
        seconds=seconds, report_path=report_path if report_path.is_file() else None, stderr_tail=tail,
    )


def _start(tree: bool, small: bool, cmd: list[str], workdir: Path, env: dict[str, str], stderr: IO[bytes],
           stderr_path: Path, caps: Caps, search: dict[str, str] | None = None,
           ) -> subprocess.Popen[bytes] | zygote.ZygoteChild:
    """The capped unblob child: forked from the zygote (audit/unblob_zygote.py), else a fresh process."""
    if zygote.enabled():
        argv = [Path(cmd[1 if tree else 0]).name, *cmd[2 if tree else 1:]]
        try:
            return zygote.spawn("dir" if tree else "cli", argv, workdir, env, stderr_path, caps.max_file_size,
                                caps.max_memory, small=small, search=search)
        except zygote.ZygoteError as exc:
            log.info("%s; starting unblob as a new process", exc)
    return subprocess.Popen(
        cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=stderr, start_new_session=True, preexec_fn=_limit_child(caps.max_file_size, caps.max_memory),
    )


def _small(image: Path) -> bool:
    """An input below SMALL_INPUT bytes (its run loads unblob's ELF parser only on demand: zygote.spawn)."""
    try:
        return image.stat().st_size < SMALL_INPUT
    except OSError:
        return False


def _watch(
    child: subprocess.Popen[bytes] | zygote.ZygoteChild, root: Path, caps: Caps, start: float,
    progress: Progress | None, chunk_log: ChunkLog,
) -> tuple[str | None, str, int, int]:
    """Poll the tree and unblob's log until the child exits or a cap is reached; kill the group on a cap."""
    interval = 0.02
    files = total = 0
    while True:
        try:
            child.wait(timeout=interval)
            return None, "", files, total
        except subprocess.TimeoutExpired:
            pass
        walk_start = time.monotonic()
        files, total, (members, container) = measure_members(root)
        chunk_log.poll(time.monotonic())
        walk_cost = time.monotonic() - walk_start
        interval = min(2.0, max(0.02, 9 * walk_cost))  # the watcher costs at most a tenth of a core
        if progress is not None:
            progress(files, total)
        elapsed = time.monotonic() - start
        cap, detail = None, ""
        if total >= caps.max_bytes:  # >=: one file stopped by RLIMIT_FSIZE at a per-file cap equal to the
            # total cap (the default) sits exactly at it, and unblob would go on to scan that bomb's output
            cap, detail = "bytes", f"extracted {total} bytes, cap {caps.max_bytes}"
        elif files > caps.max_files:
            cap, detail = "files", f"extracted {files} files, cap {caps.max_files}"
        elif elapsed > caps.timeout:
            cap, detail = "timeout", f"ran {elapsed:.1f} s, cap {caps.timeout:g} s"
        elif members > caps.max_members:
            cap, detail = "members", (f"{members} files extracted from {Path(container).name[:-len('_extract')]}, "
                                      f"cap {caps.max_members} per container")
        elif (flood := chunk_log.over(caps.search_limits, time.monotonic())) is not None:
            cap, detail = flood
        elif (rss := group_rss(child.pid)) > caps.max_rss:
            cap, detail = "memory", f"an extractor process held {rss >> 20} MiB, cap {caps.max_rss >> 20} MiB"
        if cap is not None:
            _kill_group(child)
            return cap, detail, files, total


def group_rss(pid: int, limit: int = 64) -> int:
    """Largest resident set (bytes) of `pid` and its descendants (at most `limit` processes), 0 if gone."""
    largest, stack, seen = 0, [pid], 0
    while stack and seen < limit:
        current = stack.pop()
        seen += 1
        try:
            for line in Path(f"/proc/{current}/status").read_bytes().splitlines():
                if line.startswith(b"VmRSS:"):
                    largest = max(largest, int(line.split()[1]) * 1024)
                    break
            stack.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_bytes().split())
        except (OSError, ValueError):
            continue
    return largest


def _kill_group(child: subprocess.Popen[bytes] | zygote.ZygoteChild) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
