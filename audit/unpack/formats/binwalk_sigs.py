"""Second opinion on signatures: Debian's `binwalk` signature scan of the top-level image, as weak facts.

binwalk never decides anything here: each signature it reports becomes a `binwalk.signature` fact (weight
`weak`, with its offset) that attribution may weigh next to our own parsers. No extraction, bounded time,
top-level image only. binwalk missing: no facts, no errors, a log note.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from audit.model import AuditError, Fact

TIMEOUT = 60.0
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


def binwalk_signatures(image: Path, image_record_path: str, sha256: str) -> tuple[list[Fact], list[AuditError]]:
    """Weak `binwalk.signature` facts for `image`; ([], []) when binwalk is not installed."""
    exe = shutil.which("binwalk")
    if exe is None:
        log.info("binwalk not installed: no second-opinion signature facts")
        return [], []
    with tempfile.TemporaryDirectory(prefix="fwaudit-binwalk-") as home:
        env = {**os.environ, "HOME": home, "TERM": "dumb"}
        try:
            done = subprocess.run([exe, "--signature", str(image.resolve())], capture_output=True, timeout=TIMEOUT,
                                  env=env, cwd=home, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return [], [_error(image_record_path, "binwalk.timeout", f"binwalk ran over {TIMEOUT:g} s; skipped")]
        except OSError as exc:
            return [], [_error(image_record_path, "binwalk.failed", f"binwalk could not run: {exc}")]
    text = done.stdout.decode("utf-8", "replace")
    facts = [Fact(kind="binwalk.signature", sha256=sha256, path=image_record_path, offset=offset,
                  data={"description": desc, "source": "binwalk", "weight": "weak",
                        "vendor_header": bool(VENDOR.search(desc))})
             for offset, desc in parse_binwalk_output(text)]
    errors = []
    if done.returncode != 0 and not facts:
        tail = done.stderr.decode("utf-8", "replace")[-300:]
        errors.append(_error(image_record_path, "binwalk.failed", f"binwalk exited {done.returncode}: {tail}"))
    return facts, errors


def _error(path: str, kind: str, message: str) -> AuditError:
    return AuditError(kind=f"unpack.{kind}", stage="unpack", message=message, path=path, severity="warning")
