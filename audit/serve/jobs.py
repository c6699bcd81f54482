"""Queued audits of uploaded images: one worker thread audits each in a child process, then stores the report.

Uploads are written under the server's own work folder (`uploads/<random>/<sanitised name>`), never a path the
client chose; the folder is removed when the audit ends, whatever the outcome.
"""

from __future__ import annotations

import contextlib
import queue
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit.fleet.store import Store, StoreError
from audit.serve.audit_child import AuditFailedError, audit_in_child

NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
JOB_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_JOBS_KEPT = 1000


def safe_name(given: str | None) -> str:
    """A file name for an upload: the last component of what the client sent, reduced to `[A-Za-z0-9._-]`."""
    base = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = NAME_RE.sub("_", base).strip("._")[:120]
    return name or "upload.bin"


@dataclass
class Job:
    """One queued audit; what `GET /api/v1/jobs/{id}` answers."""

    id: str
    name: str
    size: int
    status: str = "queued"  # queued | running | done | failed
    stage: str = ""
    message: str = ""
    sha256: str | None = None
    error: str | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["image_url"] = f"/images/{self.sha256}" if self.sha256 and self.status == "done" else None
        return out


class Jobs:
    """The upload queue and its worker thread (started on first use, stopped by `close`)."""

    def __init__(self, store: Store, work_dir: Path, timeout: float = 600.0) -> None:
        self.store = store
        self.uploads = work_dir / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, Path] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def new_upload(self, name: str | None) -> tuple[Path, Path]:
        """A fresh server-owned folder and the file to write the upload to."""
        folder = Path(tempfile.mkdtemp(prefix="up-", dir=self.uploads))
        return folder, folder / safe_name(name)

    def submit(self, path: Path, size: int) -> Job:
        job = Job(id=secrets.token_hex(16), name=path.name, size=size)
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > MAX_JOBS_KEPT:
                self._jobs.pop(next(iter(self._jobs)))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="fwaudit-serve-audits", daemon=True)
                self._worker.start()
        self._queue.put((job, path))
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id) if JOB_RE.match(job_id) else None

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=5)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            job, path = item
            try:
                self._audit(job, path)
            finally:
                shutil.rmtree(path.parent, ignore_errors=True)

    def _audit(self, job: Job, path: Path) -> None:
        job.status, job.stage = "running", "start"

        def progress(stage: str, message: str) -> None:
            job.stage, job.message = stage, message[:300]

        try:
            report = audit_in_child(path, self.timeout, progress)
            self.store.add_report(report, source=f"upload:{job.name}")
        except (AuditFailedError, StoreError, OSError) as exc:
            job.status, job.error = "failed", str(exc)
            return
        except Exception as exc:  # an unexpected failure must not kill the worker
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
            return
        with contextlib.suppress(KeyError, TypeError):
            job.sha256 = str(report["image"]["sha256"])
        job.status, job.stage, job.message = "done", "stored", "stored in the fleet store"
