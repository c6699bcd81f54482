"""What `fwaudit serve` was asked: one frozen record, checked before the server starts."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024
SIZE_RE = re.compile(r"^\s*(\d+)\s*([KMGT]?)(i?B)?\s*$", re.IGNORECASE)
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class SettingsError(ValueError):
    """A setting that makes the server unsafe or unusable (exit 2)."""


@dataclass(frozen=True)
class ServeSettings:
    """The store, where to listen, the API token (None: uploads disabled) and the upload cap in bytes."""

    db: str
    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    work_dir: Path | None = None  # uploads and audit work dirs; a fresh temporary folder when None

    def check(self) -> None:
        """Refuse a non-loopback bind without a token."""
        if not is_loopback(self.host) and not self.token:
            raise SettingsError(f"--host {self.host} is not a loopback address: a non-loopback bind needs "
                                "--auth-token-file (or bind 127.0.0.1 behind a reverse proxy)")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_size(text: str) -> int:
    """`512M`, `2G`, `1048576`, `100KiB` -> bytes."""
    match = SIZE_RE.match(text)
    if not match or int(match.group(1)) <= 0:
        raise SettingsError(f"--max-upload {text!r}: expected a positive size such as 512M or 2G")
    return int(match.group(1)) * UNITS[match.group(2).upper()]


def read_token(path: Path) -> str:
    """The API token: the file's first line, at least 16 characters."""
    try:
        token = path.read_text(encoding="utf-8").strip().splitlines()[0].strip() if path.stat().st_size else ""
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise SettingsError(f"--auth-token-file {path}: cannot read a token ({exc})") from exc
    if len(token) < 16:
        raise SettingsError(f"--auth-token-file {path}: the token must be at least 16 characters")
    return token
