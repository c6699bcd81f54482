"""Batch audits: many images through an executor into the store, resumable and interruptible.

The client lists the inputs (never following a symlink out of an input directory), hashes each image, skips
those already stored with the same image sha256, rules digest and tool version (unless `force`), submits the rest
to the executor, and stores each outcome as it arrives (one transaction per image). The first SIGINT stops the
batch cleanly: nothing more is submitted or stored, the workers are stopped, what finished before is kept.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audit import __version__
from audit.fleet.executors import Executor
from audit.fleet.store import Store, StoreError
from audit.fleet.task import Outcome, Task
from audit.load import report_from_dict
from audit.model import AuditConfig
from audit.pipeline import sha256_file
from audit.report import write_reports
from audit.resources import rules_digest

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


@dataclass(frozen=True)
class BatchConfig:
    """What `fwaudit batch` was asked (the audit settings ride in `audit`, whose `image` is replaced)."""

    inputs: tuple[str, ...]  # files, directories, or @list files
    audit: AuditConfig
    recursive: bool = False
    patterns: tuple[str, ...] = ()  # --glob: only file names matching one of these
    output_dir: Path | None = None  # one report folder per image under it
    formats: tuple[str, ...] = ("json",)
    tags: dict[str, str] = field(default_factory=dict)
    force: bool = False
    send_bytes: bool = False  # ship image bytes to workers instead of a shared path


@dataclass
class Inputs:
    images: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


@dataclass
class BatchResult:
    total: int = 0
    stored: int = 0
    failed: list[Outcome] = field(default_factory=list)
    resumed: int = 0  # already in the store, skipped
    skipped: list[tuple[str, str]] = field(default_factory=list)
    shas: set[str] = field(default_factory=set)
    interrupted: bool = False


class Ui:
    """Callbacks the CLI fills in (progress bar, messages); the defaults do nothing."""

    def start(self, total: int) -> None: ...

    def done(self, outcome: Outcome, stored: bool) -> None: ...

    def note(self, message: str) -> None: ...


def _entry(path: Path, root: Path, out: Inputs) -> None:
    """One directory entry: a regular file is an input; a symlink only if it stays inside `root`."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            out.skipped.append((str(path), f"symlink pointing outside {root} ({path.readlink()}): not followed"))
        elif target.is_dir():
            out.skipped.append((str(path), "symlink to a directory: not followed"))
        elif target.is_file():
            out.images.append(target)
        else:
            out.skipped.append((str(path), "dangling symlink"))
    elif path.is_file():
        out.images.append(path)
    elif not path.is_dir():
        out.skipped.append((str(path), "not a regular file"))


def _walk(root: Path, recursive: bool, patterns: tuple[str, ...], out: Inputs) -> None:
    base = root.resolve()
    for folder, dirs, names in os.walk(root, followlinks=False):
        for name in sorted(d for d in dirs if (Path(folder) / d).is_symlink()):
            _entry(Path(folder) / name, base, out)
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink()) if recursive else []
        for name in sorted(names):
            if not patterns or any(fnmatch.fnmatch(name, p) for p in patterns):
                _entry(Path(folder) / name, base, out)


def _list_file(arg: str) -> list[str]:
    path = Path(arg[1:])
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"list file {path}: cannot be read ({exc})", usage=True) from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def collect(args: tuple[str, ...], recursive: bool = False, patterns: tuple[str, ...] = ()) -> Inputs:
    """Image files named by `args`: files (taken as given), directories (walked), `@list` files (one a line)."""
    out = Inputs()
    for arg in args:
        for item in _list_file(arg) if arg.startswith("@") else [arg]:
            path = Path(item)
            if path.is_dir():
                _walk(path, recursive, patterns, out)
            elif path.is_file():
                out.images.append(path)
            else:
                out.skipped.append((item, "no such file" if not path.exists() else "not a regular file"))
    unique: dict[Path, Path] = {}
    for image in out.images:
        unique.setdefault(image.resolve(), image)
    out.images = list(unique.values())
    return out


@contextlib.contextmanager
def sigint_flag() -> Iterator[threading.Event]:
    """The first SIGINT sets the event (stop cleanly); a second one interrupts for real. The handler does
    nothing else: it may run in the middle of any print or write."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(_sig: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def plan(config: BatchConfig, store: Store, inputs: Inputs, result: BatchResult, ui: Ui) -> list[Task]:
    """Hash every input; tasks for the images not stored yet (all of them with `force`)."""
    known = set() if config.force else store.stored_images(__version__, rules_digest())
    tasks: list[Task] = []
    seen: dict[str, Path] = {}
    for path in inputs.images:
        try:
            sha = sha256_file(path)
        except OSError as exc:
            result.skipped.append((str(path), f"cannot be read ({exc.strerror or exc})"))
            continue
        if sha in seen:
            result.skipped.append((str(path), f"same content as {seen[sha]}"))
            continue
        seen[sha] = path
        result.shas.add(sha)
        if sha in known:
            result.resumed += 1
            if config.tags:
                store.set_tags(sha, config.tags)
            continue
        tasks.append(Task(str(path.resolve()), path.name, sha, config.audit))
    return tasks


def _report_dir(config: BatchConfig, outcome: Outcome, used: set[str]) -> Path | None:
    if config.output_dir is None:
        return None
    name = outcome.name if outcome.name not in used else f"{outcome.name}-{outcome.sha256[:12]}"
    used.add(name)
    return config.output_dir / name


def keep(config: BatchConfig, store: Store, outcome: Outcome, used: set[str]) -> tuple[bool, str | None]:
    """Store one outcome (and write its report folder): (report stored?, a problem to tell)."""
    if outcome.report is None:
        store.add_failure(outcome.name, outcome.sha256, outcome.path, outcome.error or "unknown failure",
                          __version__, rules_digest(), config.tags)
        return False, None
    try:
        store.add_report(outcome.report, source=outcome.path, tags=config.tags)
    except StoreError as exc:
        store.add_failure(outcome.name, outcome.sha256, outcome.path, f"store: {exc}", __version__,
                          rules_digest(), config.tags)
        return False, str(exc)
    folder = _report_dir(config, outcome, used)
    if folder is not None:
        try:
            write_reports(report_from_dict(outcome.report, outcome.name), folder, config.formats)
        except OSError as exc:
            return True, f"{outcome.name}: stored, but the report folder {folder} could not be written: {exc}"
    return True, None


def _with_bytes(task: Task, send: bool) -> Task:
    return replace(task, data=Path(task.path).read_bytes()) if send else task


def drive(config: BatchConfig, store: Store, executor: Executor, tasks: list[Task], result: BatchResult,
          ui: Ui) -> None:
    """Submit (a bounded number in flight), store each outcome as it arrives, stop cleanly on SIGINT."""
    queue, pending, used = deque(tasks), {}, set()
    limit = max(2 * executor.workers, 2)
    with sigint_flag() as stop:
        while (queue or pending) and not stop.is_set():
            while queue and len(pending) < limit:
                task = queue.popleft()
                pending[executor.submit(_with_bytes(task, config.send_bytes))] = task
            for future in executor.wait(set(pending), timeout=0.5):
                if stop.is_set():  # an outcome racing the interrupt may be the interrupt's doing: not stored
                    break
                outcome = executor.outcome(future, pending.pop(future))
                _store_one(config, store, outcome, used, result, ui)
        result.interrupted = stop.is_set()
        if result.interrupted:
            ui.note(f"interrupted: stopping {len(pending)} running audits; finished images are stored "
                    "(Ctrl-C again to abort now)")
            executor.stop(list(pending))
        else:
            executor.close()


def _store_one(config: BatchConfig, store: Store, outcome: Outcome, used: set[str], result: BatchResult,
               ui: Ui) -> None:
    stored, problem = keep(config, store, outcome, used)
    if stored:
        result.stored += 1
    else:
        result.failed.append(outcome if problem is None else replace(outcome, report=None, error=problem))
    if problem:
        ui.note(f"error: {problem}")
    ui.done(outcome, stored)


def run_batch(config: BatchConfig, store: Store, make: Callable[[], Executor], ui: Ui | None = None) -> BatchResult:
    """The whole batch: list, plan, audit on the executor `make()` starts, store. See the module docstring."""
    view = ui or Ui()
    inputs = collect(config.inputs, config.recursive, config.patterns)
    result = BatchResult(skipped=list(inputs.skipped))
    tasks = plan(config, store, inputs, result, view)
    result.total = len(tasks)
    view.start(len(tasks))
    if tasks:
        drive(config, store, make(), tasks, result, view)
    return result
