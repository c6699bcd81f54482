"""unblob's `--log` file, written cheaply: the lines it writes, without its rendering cost.

unblob logs every file, magic candidate and chunk at debug level through structlog's full chain (timestamper,
type pretty-printer, console renderer with padded columns, header structures dumped as tables, a traceback for
every rejected candidate) into the `--log` file: ~8,000 lines on the 32 MiB bench image, and about 5% of
unblob's CPU time (user 6.0 s -> 5.7 s there), for a file fwaudit needs only for `audit/unpack/chunk_log.py`
and a person reading a kept work dir. `configure` replaces unblob's `configure_logger` in the zygote
(bin/unblob-zygote): the same events pass the same verbosity filter and become lines of the same layout
(`<time> [<level>   ] <event padded to 30> key=value ... pid=N`, keys sorted), but each value is rendered
plainly, a parsed header shows its type instead of a hex table, and an exception is one `exc=` value instead
of a traceback. Values are escaped (no line breaks, no `] `, no `pid=`), so a hostile file name cannot forge
a line or a worker.
`FWAUDIT_UNBLOB_LOG=full` keeps unblob's own rendering (for debugging unblob itself).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import structlog
from dissect.cstruct import Structure
from unblob.logging import noformat

LEVELS = {"exception": "error", "warn": "warning", "fatal": "critical", "msg": "info"}
EVENT_WIDTH = 30
MAX_VALUE = 2000  # characters of one rendered value


def wanted() -> bool:
    """Whether the cheap log replaces unblob's (unless FWAUDIT_UNBLOB_LOG=full)."""
    return os.environ.get("FWAUDIT_UNBLOB_LOG", "").lower() != "full"


class _Writer:
    """Appends whole lines to the log file: one `write` per line on an O_APPEND descriptor, so the lines of
    unblob's worker processes (forked after `configure`) never interleave."""

    def __init__(self, path: Path, extract_root: Path, verbosity: int) -> None:
        path.unlink(missing_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        self.root = extract_root
        self.verbosity = verbosity or 2  # unblob: messages up to verbosity 2 reach the file by default
        self._second = -1
        self._stamp = ""

    def stamp(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._stamp = now, time.strftime("%Y-%m-%d %H:%M.%S", time.gmtime(now))
        return self._stamp

    def line(self, level: str, event: Any, fields: dict[str, Any]) -> None:
        parts = [f"{self.stamp()} [{level:<9}] {_clean(str(event)):<{EVENT_WIDTH}}"]
        fields["pid"] = noformat(os.getpid())  # decimal, as unblob adds it after its pretty-printer
        parts.extend(f"{key}={self.value(fields[key])}" for key in sorted(fields))
        os.write(self.fd, (" ".join(parts) + "\n").encode("utf-8", "surrogateescape"))

    def value(self, value: Any) -> str:
        """A value as unblob's pretty-printer shows it (paths relative to the extraction root, integers in hex),
        except that a parsed structure is named, not dumped."""
        if isinstance(value, noformat):
            text = repr(value.get())
        elif isinstance(value, Path):
            try:
                text = value.relative_to(self.root).as_posix()
            except ValueError:
                text = value.as_posix()
        elif isinstance(value, Structure):
            text = f"<{type(value).__name__}>"
        elif isinstance(value, BaseException):
            text = f"{type(value).__name__}: {value}"
        elif isinstance(value, int):
            text = f"0x{value:x}"
        elif isinstance(value, str):
            text = value
        elif isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
        else:
            text = repr(value)
        return _clean(text[:MAX_VALUE])

    def structlog_event(self, _logger: Any, method: str, event_dict: dict[str, Any]) -> Any:
        """The only structlog processor: filter as unblob does, write the line, drop the event."""
        level = LEVELS.get(method, method)
        verbosity = event_dict.pop("_verbosity", 1)
        if level == "debug" and verbosity > self.verbosity:
            raise structlog.DropEvent
        event = event_dict.pop("event", "")
        exc = event_dict.pop("exc_info", None)
        if exc is True or method == "exception":
            exc = sys.exc_info()[1]
        if isinstance(exc, tuple):
            exc = exc[1]
        if isinstance(exc, BaseException):
            event_dict["exc"] = exc
        event_dict.pop("stack_info", None)
        self.line(level, event, event_dict)
        raise structlog.DropEvent


class _StdlibHandler(logging.Handler):
    """Records of libraries that log through `logging` (unblob routes them to the same file)."""

    def __init__(self, writer: _Writer) -> None:
        super().__init__(logging.DEBUG)
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields: dict[str, Any] = {"logger": record.name}
            if record.exc_info and record.exc_info[1] is not None:
                fields["exc"] = record.exc_info[1]
            self.writer.line(record.levelname.lower(), record.getMessage(), fields)
        except Exception:  # logging must never break the extraction
            self.handleError(record)


def configure(verbosity: int, extract_root: Path, log_path: Path) -> None:
    """Drop-in for `unblob.logging.configure_logger(verbosity, extract_root, log_path)`."""
    writer = _Writer(log_path, extract_root.expanduser().resolve(), verbosity)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        processors=[writer.structlog_event],
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_StdlibHandler(writer))
    root.setLevel(logging.DEBUG)
    structlog.get_logger().debug("Logging configured", extract_root=extract_root, vebosity_level=noformat(verbosity))


def _clean(text: str) -> str:
    """One line, with no `] ` that a log reader could take for the end of the level column and no `pid=` it
    could take for the worker's (audit/unpack/chunk_log.py reads both)."""
    return (text.replace("\r", "\\r").replace("\n", "\\n").replace("] ", "]\\x20")
            .replace("pid=", "pid\\x3d"))
