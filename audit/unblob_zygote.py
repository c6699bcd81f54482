"""Start capped unblob runs from a process that imported unblob once (bin/unblob-zygote), not from scratch.

A fresh unblob process spends ~2-3 s on its imports before it reads a byte; a batch worker, the web console
and the test suite audit image after image in one process and paid that every time. The first extraction
starts a zygote (that cost, once); each run is then a fork of it, set up exactly as the fresh process was
(own session, rlimits, environment, cwd, stdin/stdout on /dev/null, stderr to a file), so the watcher in
engine.py treats it the same: `wait(timeout)`, `pid` for killpg and the memory poll, `returncode`.

A zygote serves one run at a time; concurrent audits (threads) each take their own from a small pool. A zygote
that cannot start or dies is dropped and that run falls back to a fresh process. `FWAUDIT_ZYGOTE=off`
always starts fresh processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

SCRIPT = Path(__file__).parent / "unpack" / "bin" / "unblob-zygote"
START_TIMEOUT = 60.0  # seconds for a fork to be reported (the first request also waits for the imports)
MAX_IDLE = 4  # zygotes kept for reuse


class ZygoteError(RuntimeError):
    """The zygote could not start a run (it is gone or answered nonsense): start a fresh process instead."""


class Zygote:
    """One server process (bin/unblob-zygote) and the pipe to it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.served = False  # whether a run was forked from it
        one_shot = [] if _keep else ["--one-shot"]  # keep_after_use(False): the server ends with its first run
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), *one_shot], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, cwd="/", start_new_session=True, close_fds=True)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def read(self, timeout: float | None) -> dict[str, Any] | None:
        """The next answer line, or None when none came within `timeout` seconds."""
        out = self.proc.stdout
        assert out is not None
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            return None
        line = out.readline()
        if not line:
            raise ZygoteError("the unblob zygote exited")
        try:
            answer = json.loads(line)
        except ValueError as exc:
            raise ZygoteError(f"unreadable answer from the unblob zygote: {line[:80]!r}") from exc
        if not isinstance(answer, dict):
            raise ZygoteError("unreadable answer from the unblob zygote")
        return answer

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


class ZygoteChild:
    """A run forked by a zygote, with the part of `subprocess.Popen`'s interface the watcher uses."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is not None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                answer = self.zygote.read(left)
            except ZygoteError:  # the zygote died under its child: the child (own session) may still run
                self._reap_orphan()
                return self.returncode if self.returncode is not None else -9
            if answer is None:
                raise subprocess.TimeoutExpired(f"unblob (pid {self.pid})", timeout or 0.0)
            if "exit" in answer:
                self.returncode = int(answer["exit"])
                _release(self.zygote)
                return self.returncode

    def poll(self) -> int | None:
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None

    def _reap_orphan(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, 9)
        self.returncode = -9
        _drop(self.zygote)


_lock = threading.Lock()
_idle: list[Zygote] = []
_keep = True  # keep_after_use


def enabled() -> bool:
    return os.environ.get("FWAUDIT_ZYGOTE", "on").lower() not in ("off", "0", "no", "false")


def spawn(entry: str, argv: list[str], cwd: Path, env: dict[str, str], stderr: Path,
          max_file_size: int, max_memory: int, small: bool = False,
          search: dict[str, str] | None = None) -> ZygoteChild:
    """Fork one capped run of `entry` ("cli": unblob's command line, "dir": bin/unblob-dir) with `argv`.

    `small`: the input is small, so the run loads lief (unblob's ELF parser, ~1 s) only if it meets an ELF;
    otherwise a zygote that has not loaded it yet loads it in the run before unblob starts its workers.
    `search`: the run skips chunk searches the per-file cache holds (audit/unpack/search_memo.py).
    Raises ZygoteError when no zygote could run it (the caller starts a fresh process)."""
    zygote = _take(env)
    request = {"entry": entry, "argv": argv, "cwd": str(cwd), "env": env, "stderr": str(stderr),
               "fsize": max_file_size, "memory": max_memory, "lief": not small,
               **({"search_memo": search} if search else {})}
    try:
        stdin: IO[bytes] | None = zygote.proc.stdin
        assert stdin is not None
        stdin.write(json.dumps(request).encode() + b"\n")
        stdin.flush()
        answer = zygote.read(START_TIMEOUT)
    except (OSError, ZygoteError) as exc:
        _drop(zygote)
        raise ZygoteError(f"the unblob zygote did not start the run: {exc}") from exc
    if not answer or not isinstance(answer.get("pid"), int):
        _drop(zygote)
        raise ZygoteError(f"the unblob zygote did not start the run: {answer!r}")
    zygote.served = True
    return ZygoteChild(zygote, answer["pid"])


def prestart(env: dict[str, str]) -> None:
    """Start a zygote now, if none is idle, so that its imports overlap what the audit does before unpacking
    (hashing, the cache lookup, loading rules). Best effort: a zygote that cannot start is the next run's
    problem, which then starts a fresh process."""
    if not enabled():
        return
    with _lock:
        if any(z.alive for z in _idle):
            return
    for zygote in [z for z in _idle if not z.alive]:
        _drop(zygote)
    with contextlib.suppress(OSError):
        zygote = Zygote(env)
        with _lock:
            _idle.append(zygote)


def discard_unused() -> None:
    """Kill the idle zygotes that never ran anything (an audit answered from the cache needs none); their
    imports are not waited for."""
    with _lock:
        unused = [z for z in _idle if not z.served]
    for zygote in unused:
        _drop(zygote)


def _take(env: dict[str, str]) -> Zygote:
    with _lock:
        while _idle:
            zygote = _idle.pop()
            if zygote.alive:
                return zygote
            zygote.close()
    try:
        return Zygote(env)
    except OSError as exc:
        raise ZygoteError(f"cannot start the unblob zygote: {exc}") from exc


def keep_after_use(keep: bool) -> None:
    """Whether a zygote that ran an extraction is kept for the next one (the default). `fwaudit scan` audits
    one image, so it ends the zygote once its run is over: the analysis then has its ~100 MB back."""
    global _keep
    _keep = keep


def _release(zygote: Zygote) -> None:
    with _lock:
        if _keep and zygote.alive and len(_idle) < MAX_IDLE and zygote not in _idle:
            _idle.append(zygote)
            return
    if zygote not in _idle:
        zygote.close()


def _drop(zygote: Zygote) -> None:
    with _lock:
        if zygote in _idle:
            _idle.remove(zygote)
    with contextlib.suppress(OSError):
        zygote.proc.kill()
    zygote.close()


def shutdown() -> None:
    """End every idle zygote (also at interpreter exit, through end of stdin)."""
    with _lock:
        idle, _idle[:] = list(_idle), []
    for zygote in idle:
        zygote.close()
