"""A real Dask cluster for tests: `dask scheduler` and two `dask worker` processes (one thread each) on
127.0.0.1 at free ports, started from the venv's `dask` command and stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.postgres import free_port

DASK = Path(sys.executable).with_name("dask")


def skip_reason() -> str | None:
    return None if DASK.is_file() else f"the dask command is not installed at {DASK} (dask[distributed])"


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    env = {**os.environ, "FWAUDIT_CACHE": "off"}
    return subprocess.Popen([str(DASK), *args], stdout=handle, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # its own group: stopped as a whole, never by a test's Ctrl-C


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def dask_cluster(logs: Path, workers: int = 2) -> Iterator[str]:
    """Yield the scheduler address once `workers` workers have joined."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                        logs / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        for n in range(workers):
            processes.append(_start(["worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                     "--host", "127.0.0.1", "--name", f"w{n}"], logs / f"worker{n}.log"))
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)
