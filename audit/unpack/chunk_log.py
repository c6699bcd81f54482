"""Follow unblob's log while it runs: chunk candidates tried and chunks found, per file being searched.

unblob logs (at debug level, which `--log` writes) one `Calculating chunk for pattern match` line per magic it
tries, one `Found valid chunk` line per chunk it accepts and `Ended searching for chunks` when a file's search is
done, each with the worker's `pid=`; the file a worker is on is the `path=` of its last `Processing file` line.
A magic flood shows as one file with thousands of rejected candidates and a search that does not end; a chunk
flood as one file with thousands of chunks found. The tree alone cannot show either: unblob carves nothing until
a file's whole search is done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

READ_LIMIT = 8 * 1024 * 1024  # bytes read per poll: a flood's log grows by megabytes a second
_PID = re.compile(rb" pid=(\d+)")
_PATH = re.compile(rb" path=(.*?) pid=")
_SIZE = re.compile(rb" size=(0x[0-9a-fA-F]+|\d+)")


@dataclass
class FileSearch:
    """One file's chunk search as the log shows it."""

    path: str
    started: float
    size: int = 0
    tried: int = 0
    found: int = 0
    ended: bool = False

    @property
    def rejected(self) -> int:
        return max(0, self.tried - self.found)


@dataclass(frozen=True)
class SearchLimits:
    max_chunks: int  # chunks found in one file
    max_rejected: int  # candidates rejected in one file, whatever the time
    scan_budget: float  # seconds one file's search may reject candidates before it is a flood ...
    budget_floor: int  # ... once it has rejected this many (below: a slow but honest search)
    budget_rate: float = 8 * 1024 * 1024  # ... plus one second per this many bytes of the file

    def budget(self, size: int) -> float:
        return self.scan_budget + size / self.budget_rate


class ChunkLog:
    """Incremental reader of unblob's `--log` file; `poll` reads what was appended since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.rest = b""
        self.searches: dict[int, FileSearch] = {}  # pid -> the file that worker is on

    def poll(self, now: float) -> None:
        try:
            with self.path.open("rb") as log:
                log.seek(self.offset)
                data = log.read(READ_LIMIT)
        except OSError:
            return
        self.offset += len(data)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()[-4096:]  # an unfinished line; a giant one is only kept by its tail
        for line in lines:
            self._line(line, now)

    def _line(self, line: bytes, now: float) -> None:
        if b"] " not in line[:40]:
            return  # traceback and continuation lines
        pid_match = _PID.search(line)
        if pid_match is None:
            return
        pid = int(pid_match.group(1))
        if b"] Processing file " in line:
            path = _PATH.search(line)
            name = path.group(1).decode("utf-8", "replace") if path else "?"
            size = _SIZE.search(line)
            self.searches[pid] = FileSearch(path=name, started=now, size=int(size.group(1), 0) if size else 0)
            return
        search = self.searches.get(pid)
        if search is None:
            return
        if b"] Calculating chunk for pattern match" in line:
            search.tried += 1
        elif b"] Found valid chunk" in line:
            search.found += 1
        elif b"] Ended searching for chunks" in line:
            search.ended = True

    def over(self, limits: SearchLimits, now: float) -> tuple[str, str] | None:
        """('chunks' | 'scan', detail) for the first file past a limit, else None."""
        for search in self.searches.values():
            if search.found > limits.max_chunks:
                return "chunks", f"{search.found} chunks found in {search.path}, cap {limits.max_chunks} per file"
            if search.ended:
                continue
            if search.rejected > limits.max_rejected:
                return "chunks", (f"{search.rejected} chunk candidates rejected in {search.path}, "
                                  f"cap {limits.max_rejected} per file")
            spent, budget = now - search.started, limits.budget(search.size)
            if search.rejected >= limits.budget_floor and spent > budget:
                return "scan", (f"chunk search of {search.path} ran {spent:.1f} s and rejected {search.rejected} "
                                f"candidates, budget {budget:.1f} s for {search.size} bytes")
        return None
