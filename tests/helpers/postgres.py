"""A throwaway PostgreSQL server for tests: Debian's binaries (`/usr/lib/postgresql/<v>/bin`), a fresh data
directory under /tmp, trust authentication, listening on 127.0.0.1 at a free port; stopped and removed after.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the Debian package
creates (`runuser -u postgres --`), with the temporary directory handed to it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def skip_reason() -> str | None:
    """Why a server cannot be started here, or None."""
    if find_bin() is None:
        return "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and no 'postgres' system user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


@dataclass
class PostgresServer:
    """A running server; `new_database()` gives each test its own empty database and its SQLAlchemy URL."""

    bin_dir: Path
    root: Path
    port: int
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def start(self) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--locale=C"),
                       check=True, capture_output=True, timeout=120)
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F"
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options,
                                 "-l", str(self.root / "server.log"), "-w", "-t", "60", "start"),
                       check=True, capture_output=True, timeout=90)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                     "-w", "stop"), capture_output=True, timeout=60)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"fleet_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a name we made, never from input
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a server for the duration of the block (the caller checks `skip_reason()` first)."""
    bin_dir = find_bin()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="fwaudit-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bin_dir, root, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
