"""Follow unblob's log while it runs: chunk candidates tried and chunks found, per file being searched.

unblob logs (at debug level, which `--log` writes) one `Calculating chunk for pattern match` line per magic it
tries, one `Found valid chunk` line per chunk it accepts and `Ended searching for chunks` when a file's search is
done, each with the worker's `pid=`; the file a worker is on is the `path=` of its last `Processing file` line.
A chunk flood shows as one file with thousands of chunks found. A magic flood shows as a search that keeps
rejecting candidates but moves through the file so slowly (each `real_offset=`) that, at its rate, it would take
hours: a count of rejections alone cannot tell it from a real MIPS kernel (4,450 rejected lzma candidates in a
3.6 MB kernel of the dev corpus, a 32 s search on a loaded machine), the projected search time can (the kernel:
~32 s; a zip magic every 72 bytes of 16 MB: hours). The tree shows neither: unblob carves nothing until a file's
whole search is done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

READ_LIMIT = 8 * 1024 * 1024  # bytes read per poll: a flood's log grows by megabytes a second
_PID = re.compile(rb" pid=(\d+)")
_PATH = re.compile(rb" path=(.*?) pid=")
_SIZE = re.compile(rb" size=(0x[0-9a-fA-F]+|\d+)")
_OFFSET = re.compile(rb" real_offset=(0x[0-9a-fA-F]+|\d+)")


@dataclass
class FileSearch:
    """One file's chunk search as the log shows it."""

    path: str
    started: float
    size: int = 0
    tried: int = 0
    found: int = 0
    ended: bool = False
    offset: int = 0  # of the last candidate tried
    last_tried: float = 0.0  # when the last candidate was seen (poll time)

    @property
    def rejected(self) -> int:
        return max(0, self.tried - self.found)

    def projected(self, now: float) -> float:
        """Seconds the whole search would take at the rate it has moved through the file so far."""
        spent = now - self.started
        return spent * self.size / self.offset if self.offset > 0 else float("inf")


@dataclass(frozen=True)
class SearchLimits:
    max_chunks: int  # chunks found in one file
    scan_budget: float  # seconds one file's search may be projected to take, at its rate so far ...
    scan_grace: float  # ... judged once it has run this long ...
    budget_floor: int  # ... and rejected this many candidates, the last one within RECENT seconds

    RECENT = 5.0  # a search busy inside one slow candidate (a large honest lzma stream) logs nothing: not a flood


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
            search.last_tried = now
            offset = _OFFSET.search(line)
            if offset:
                search.offset = int(offset.group(1), 0)
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
            spent = now - search.started
            if (spent < limits.scan_grace or search.rejected < limits.budget_floor
                    or now - search.last_tried > limits.RECENT):
                continue
            projected = search.projected(now)
            if projected > limits.scan_budget:
                return "scan", (f"chunk search of {search.path} rejected {search.rejected} candidates in {spent:.1f} s "
                                f"and reached offset {search.offset} of {search.size}: at that rate it would take "
                                f"{min(projected, 1e9):.0f} s, budget {limits.scan_budget:g} s")
        return None
