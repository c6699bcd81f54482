"""Second opinion on signatures: Debian's `binwalk` signature scan of the top-level image, as weak facts.

binwalk never decides anything here: each signature it reports becomes a `binwalk.signature` fact (weight
`weak`, with its offset) that attribution may weigh next to our own parsers. No extraction; bounded time and
length (the first MAX_SCAN bytes); top-level image only; it runs in the background while unpack works.
binwalk missing: no facts, no errors, a log note.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from audit.model import AuditError, Fact

TIMEOUT = 60.0  # from the start of the scan, which runs while unpack does
NICE = 10  # added to the binwalk child's niceness (`_limits`)
MAX_SCAN = 64 * 1024 * 1024  # bytes of the image binwalk reads (it scans ~2 MB/s)
MAX_MEMORY = 384 * 1024 * 1024  # RLIMIT_DATA of the binwalk process
MAX_SIGNATURES = 200
LINE = re.compile(r"^(\d+)\s+0x[0-9A-Fa-f]+\s+(\S.*)$")
VENDOR = re.compile(r"(?i)firmware|header|hikvision|dahua|huawei|zte|tp-link|reolink|bosch|ambarella|instar|"
                    r"xiongmai|anjoy|tenvis|signature|certificate|encrypted")
log = logging.getLogger(__name__)


def parse_binwalk_output(text: str) -> list[tuple[int, str]]:
    """(offset, description) for each result line of binwalk's signature table."""
    out = []
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if m:
            out.append((int(m.group(1)), m.group(2).strip()[:300]))
    return out[:MAX_SIGNATURES]


class BinwalkScan:
    """A binwalk signature scan running in the background (started before unpack, collected after inspect)."""

    def __init__(self, image: Path) -> None:
        self.image = image
        self.home = tempfile.mkdtemp(prefix="fwaudit-binwalk-")
        self.started = time.monotonic()
        self.out = Path(self.home) / "stdout"
        self.err = Path(self.home) / "stderr"
        exe = shutil.which("binwalk")
        self.proc: subprocess.Popen[bytes] | None = None
        self.failure: str | None = None
        if exe is None:
            log.info("binwalk not installed: no second-opinion signature facts")
            return
        env = {**os.environ, "HOME": self.home, "TERM": "dumb"}
        try:
            with self.out.open("wb") as out, self.err.open("wb") as err:
                self.proc = subprocess.Popen(
                    [exe, "--signature", f"--length={MAX_SCAN}", str(image.resolve())], stdout=out, stderr=err,
                    env=env, cwd=self.home, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_limits)
        except OSError as exc:
            self.failure = f"binwalk could not run: {exc}"

    def collect(self, image_record_path: str, sha256: str) -> tuple[list[Fact], list[AuditError]]:
        """Wait (up to TIMEOUT from the start) and read the scan; the process is gone afterwards."""
        try:
            if self.failure is not None:
                return [], [_error(image_record_path, "binwalk.failed", self.failure)]
            if self.proc is None:
                return [], []
            try:
                self.proc.wait(timeout=max(0.0, TIMEOUT - (time.monotonic() - self.started)))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                return [], [_error(image_record_path, "binwalk.timeout", f"binwalk ran over {TIMEOUT:g} s; skipped")]
            text = self.out.read_bytes()[:1 << 20].decode("utf-8", "replace")
            facts = [Fact(kind="binwalk.signature", sha256=sha256, path=image_record_path, offset=offset,
                          data={"description": desc, "source": "binwalk", "weight": "weak",
                                "vendor_header": bool(VENDOR.search(desc))})
                     for offset, desc in parse_binwalk_output(text)]
            errors = []
            if self.proc.returncode != 0 and not facts:
                tail = self.err.read_bytes()[-300:].decode("utf-8", "replace")
                errors.append(_error(image_record_path, "binwalk.failed",
                                     f"binwalk exited {self.proc.returncode}: {tail}"))
            return facts, errors
        finally:
            self.close()

    def close(self) -> None:
        """Stop the scan if it still runs and remove its scratch directory."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def _limits() -> None:
    """In the binwalk child: bounded heap (its LZMA check inflates whole streams: 930 MB on a 2 GiB bomb), and a
    lower CPU priority: a second opinion collected late, it takes the time unblob and the analysis leave idle
    instead of slowing them (it reads ~2-10 MB/s: seconds of a core on a large image)."""
    resource.setrlimit(resource.RLIMIT_DATA, (MAX_MEMORY, MAX_MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(NICE)


def binwalk_signatures(image: Path, image_record_path: str, sha256: str) -> tuple[list[Fact], list[AuditError]]:
    """Weak `binwalk.signature` facts for `image`; ([], []) when binwalk is not installed."""
    return BinwalkScan(image).collect(image_record_path, sha256)


def _error(path: str, kind: str, message: str) -> AuditError:
    return AuditError(kind=f"unpack.{kind}", stage="unpack", message=message, path=path, severity="warning")
