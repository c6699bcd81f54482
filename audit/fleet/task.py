"""What a batch worker runs: one image through `audit.pipeline.run`, the report back as a plain dict.

Workers (a local process or a Dask worker with fwaudit installed) never touch the store: they read the image
from a shared path (or get its bytes), audit it and return an `Outcome`; the batch client stores it.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.model import AuditConfig


@dataclass(frozen=True)
class Task:
    """One image to audit. `path` is read by the worker unless `data` carries the bytes."""

    path: str
    name: str
    sha256: str
    config: AuditConfig  # the batch's settings; `image` is replaced per task
    data: bytes | None = None


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: the report dict, or why there is none."""

    sha256: str
    name: str
    path: str
    report: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.report is not None


def audit_task(task: Task) -> Outcome:
    """Audit one image; never raises (an unusable image or an internal failure becomes `error`)."""
    from audit.pipeline import InputError, run
    from audit.unpack import EngineMissingError

    clock = time.monotonic()
    try:
        if task.data is None:
            report = run(dataclasses.replace(task.config, image=Path(task.path)))
        else:
            with tempfile.TemporaryDirectory(prefix="fwaudit-batch-") as tmp:
                image = Path(tmp) / (Path(task.name).name or "image")
                image.write_bytes(task.data)
                report = run(dataclasses.replace(task.config, image=image))
        return Outcome(task.sha256, task.name, task.path, report=report.to_dict(),
                       seconds=time.monotonic() - clock)
    except (InputError, EngineMissingError) as exc:
        error = str(exc)
    except Exception as exc:  # one image's internal failure must never stop the batch
        error = f"internal failure: {type(exc).__name__}: {exc}"
    return Outcome(task.sha256, task.name, task.path, error=error, seconds=time.monotonic() - clock)
