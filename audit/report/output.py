"""Writing a rendered report file: never half a file, never a crash on a name that is not UTF-8."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from audit.names import escape_name

SLICE = 1 << 20  # characters encoded at a time


def write_atomic(target: Path, text: str | Iterable[str], json_text: bool = False) -> Path:
    """Write `text` (or its pieces, in order) as UTF-8 to a temporary file beside `target`, then rename it over
    `target`.

    A reader sees the old file or the whole new one, never a 0-byte or cut file. Any lone surrogate left in
    `text` (a raw non-UTF-8 name that reached a writer unescaped, such as the input's own name) is escaped as
    `\\xNN` (audit/names.py); in `json_text` with its backslash escaped, so the JSON stays valid and reads back
    as that escape. The text is encoded a slice at a time (escaping is per character), so a 50 MB report is not
    held twice more as bytes.
    """
    backslash = "\\\\" if json_text else "\\"
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in [text] if isinstance(text, str) else text:
                for start in range(0, len(piece), SLICE):
                    handle.write(_encoded(piece[start:start + SLICE], backslash))
        tmp.chmod(0o644)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _encoded(text: str, backslash: str) -> bytes:
    """`text` as UTF-8, encoded once; only text holding a lone surrogate is escaped first."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escape_name(text, backslash).encode("utf-8")
