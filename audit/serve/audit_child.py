"""One upload's audit in a child process (spawned, so no server thread or lock is inherited).

A parser that crashes or leaks on a hostile image takes the child down, never the server; progress events and
the report come back over a pipe: `("event", stage, message)`, then `("report", dict)` or `("error", text)`.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

POLL_S = 0.5


class AuditFailedError(Exception):
    """The audit could not give a report (unusable input, or the child died)."""


def _child(image: str, timeout: float, conn: Connection) -> None:
    from audit.model import AuditConfig
    from audit.pipeline import InputError, run

    try:
        report = run(AuditConfig(image=Path(image), jobs=1, timeout=timeout),
                     lambda stage, message: conn.send(("event", stage, message[:300])))
        conn.send(("report", report.to_dict()))
    except InputError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # anything else the pipeline let through: reported, not raised into the void
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def audit_in_child(image: Path, timeout: float, progress: Callable[[str, str], None]) -> dict[str, Any]:
    """The report dict of `image`, audited in a spawned child; AuditFailedError with the reason otherwise."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(str(image), timeout, sender), name="fwaudit-serve-audit",
                            daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            if not receiver.poll(POLL_S):
                if not child.is_alive() and not receiver.poll(0):
                    raise AuditFailedError(f"the audit process died (exit code {child.exitcode})")
                continue
            try:
                message = receiver.recv()
            except EOFError as exc:
                raise AuditFailedError(f"the audit process died (exit code {child.join(5) or child.exitcode})") \
                    from exc
            if message[0] == "event":
                progress(message[1], message[2])
            elif message[0] == "report":
                return message[1]
            else:
                raise AuditFailedError(message[1])
    finally:
        receiver.close()
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()
