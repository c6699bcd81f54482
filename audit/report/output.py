"""Writing a rendered report file: never half a file, never a crash on a name that is not UTF-8."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from audit.names import escape_name


def write_atomic(target: Path, text: str) -> Path:
    """Write `text` as UTF-8 to a temporary file beside `target`, then rename it over `target`.

    A reader sees the old file or the whole new one, never a 0-byte or cut file. Any lone surrogate left in
    `text` (a raw non-UTF-8 name inside an error message) is escaped as `\\xNN` (audit/names.py).
    """
    data = escape_name(text).encode("utf-8")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(0o644)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
