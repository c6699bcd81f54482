"""Where batch tasks run: a local process pool (`local`, the default) or a Dask cluster (`dask`: a LocalCluster,
or an existing scheduler at `tcp://HOST:8786` whose workers have fwaudit installed). Both take `Task`s and give
back `Outcome`s through one small interface, so the batch loop does not know which one it drives.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable
from concurrent import futures as cf
from typing import Any, Protocol

from audit.fleet.task import Outcome, Task, audit_task

EXECUTORS = ("local", "dask")


class ExecutorError(Exception):
    """The executor could not be started (no scheduler at that address, Dask missing)."""


class Executor(Protocol):
    """Submit tasks, wait for some to finish, collect their outcomes, stop."""

    workers: int

    def submit(self, task: Task) -> Any: ...

    def wait(self, pending: set[Any], timeout: float) -> set[Any]: ...

    def outcome(self, future: Any, task: Task) -> Outcome: ...

    def stop(self, pending: Iterable[Any]) -> None: ...

    def close(self) -> None: ...


def _worker_init() -> None:
    """Local workers leave SIGINT to the client (it decides what stops) and turn SIGTERM into SystemExit so
    the pipeline's clean-up (temporary work dirs, the extractor child) runs when the client stops them. Their own
    process group keeps a terminal's Ctrl-C from reaching the extractors they start."""
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(143)))


def _failed(task: Task, exc: BaseException) -> Outcome:
    return Outcome(task.sha256, task.name, task.path, error=f"worker failure: {type(exc).__name__}: {exc}")


class LocalExecutor:
    """A `concurrent.futures` process pool (forkserver: workers never inherit the client's threads)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["audit.pipeline", "audit.fleet.task"])
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init)

    def submit(self, task: Task) -> cf.Future[Outcome]:
        return self.pool.submit(audit_task, task)

    def wait(self, pending: set[Any], timeout: float) -> set[Any]:
        done, _ = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def outcome(self, future: cf.Future[Outcome], task: Task) -> Outcome:
        try:
            return future.result()
        except Exception as exc:  # a worker that died (BrokenProcessPool) or a result that could not be sent
            return _failed(task, exc)

    def stop(self, pending: Iterable[Any]) -> None:
        """Cancel what has not started and end the running workers (their results are not waited for)."""
        for future in pending:
            future.cancel()
        processes = list(getattr(self.pool, "_processes", {}).values())  # no public API before Python 3.14
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=30)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class DaskExecutor:
    """`dask.distributed`: a LocalCluster of `workers` single-threaded processes, or the cluster at `scheduler`."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of fwaudit
            raise ExecutorError(f"the dask executor needs dask[distributed]: {exc}") from exc
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                with dask.config.set({"distributed.worker.daemon": False}):
                    self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {exc}") from exc
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def submit(self, task: Task) -> Any:
        return self.client.submit(audit_task, task, pure=False, key=f"fwaudit-{task.sha256[:16]}-{id(task):x}")

    def wait(self, pending: set[Any], timeout: float) -> set[Any]:
        from distributed import wait
        from distributed.client import TimeoutError as DaskTimeout

        try:
            done, _ = wait(list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
        except (TimeoutError, DaskTimeout):
            return set()
        return set(done)

    def outcome(self, future: Any, task: Task) -> Outcome:
        try:
            return future.result()
        except Exception as exc:  # a worker lost, a task that failed to deserialise
            return _failed(task, exc)

    def stop(self, pending: Iterable[Any]) -> None:
        self.client.cancel(list(pending))
        self.close()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(kind: str, workers: int, scheduler: str | None = None) -> LocalExecutor | DaskExecutor:
    """The executor named by `--executor` (`--scheduler` implies dask)."""
    if kind == "dask" or scheduler:
        return DaskExecutor(workers, scheduler)
    if kind != "local":
        raise ExecutorError(f"unknown executor {kind!r}: one of {', '.join(EXECUTORS)}")
    return LocalExecutor(workers)
