"""Fixtures for the console and API tests: the samples' reports (audited once per test process), a store of
them, a copy made hostile on purpose, and a real uvicorn server on a free 127.0.0.1 port."""

from __future__ import annotations

import copy
import functools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from audit.fleet.store import open_store
from audit.model import AuditConfig
from audit.pipeline import run
from tests.conftest import sample_manifests

HOSTILE = "<script>alert(1)</script>"
HOSTILE_SHA = "ee" * 32


@functools.cache
def sample_reports() -> tuple[dict[str, Any], ...]:
    """Each built sample audited once per test process (empty when the samples are not built)."""
    return tuple(run(AuditConfig(image=m["image_path"], jobs=1)).to_dict() for m in sample_manifests())


def build_store(db: Path, hostile: bool = False) -> Path:
    """A SQLite store of the samples' reports (tag site=berlin); with `hostile`, one more image whose name, claims
    and endpoint carry `<script>` (a web-UI title string from a hostile firmware)."""
    with open_store(str(db)) as store:
        for report in sample_reports():
            store.add_report(report, source=f"samples/build/{report['image']['name']}", tags={"site": "berlin"})
        if hostile and sample_reports():
            store.add_report(hostile_report(sample_reports()[0]), source=HOSTILE, tags={"brand": HOSTILE})
    return db


def hostile_report(base: dict[str, Any]) -> dict[str, Any]:
    """A sample report edited so every string the console shows is `<script>alert(1)</script>`."""
    report = copy.deepcopy(base)
    report["image"] = {**report["image"], "name": HOSTILE, "sha256": HOSTILE_SHA}
    for claim in report["provenance"]["claims"]:
        claim["entity"], claim["detail"] = HOSTILE, HOSTILE
    for finding in report["findings"]:
        finding["title"] = HOSTILE
    return report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yield its base URL; stop it after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
