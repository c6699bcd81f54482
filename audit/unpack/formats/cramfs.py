"""cramfs through util-linux `fsck.cramfs --extract`, which keeps symlinks as links.

unblob's own cramfs handler finds and sizes the chunk well (magic, signature, CRC, both byte orders) but extracts
with 7z, which exits 2 on relative symlinks such as `bin/netinit -> ../bin/dvrbox` (normal in firmware) and drops
them. We keep unblob's handler and give it this extractor instead (`use_fsck_cramfs`, called by our plugin).

Links are written as stored; unblob's own post-extraction pass then rewrites absolute links to stay inside the
extraction directory and removes links that leave it (reported as `MaliciousSymlinkRemoved`). Device nodes and
FIFOs are created as such; the inventory records them as `special` and never opens them.
"""

from __future__ import annotations

import binascii
import shutil
import struct
import subprocess
from pathlib import Path

from unblob.models import Extractor, ExtractResult
from unblob.report import ExtractionProblem

EXECUTABLE = "fsck.cramfs"
MAGIC_LE = b"\x45\x3d\xcd\x28"
MAGIC_BE = b"\x28\xcd\x3d\x45"
FLAG_FSID_V2 = 0x1
TIMEOUT_S = 300
WORK_NAME = ".fwaudit-cramfs"


def swapped_crc_fixed(image: bytes) -> bytes | None:
    """A copy with the CRC in the byte order fsck.cramfs expects, when the vendor stored it swapped; else None.

    unblob accepts both orders ("some vendors like their CRC's swapped"); fsck.cramfs only the standard one.
    """
    if len(image) < 64 or image[:4] not in (MAGIC_LE, MAGIC_BE):
        return None
    order = "<" if image[:4] == MAGIC_LE else ">"
    size, flags = struct.unpack_from(order + "II", image, 4)
    if not flags & FLAG_FSID_V2 or size > len(image):
        return None
    stored = struct.unpack_from(order + "I", image, 32)[0]
    body = bytearray(image[:size])
    body[32:36] = bytes(4)
    crc = binascii.crc32(body)
    if stored == crc:
        return None
    body[32:36] = struct.pack(order + "I", crc)
    return bytes(body) + image[size:]


def executable() -> str:
    """fsck.cramfs from PATH, else from the sbin directories (absent from a user's PATH on Debian)."""
    return shutil.which(EXECUTABLE) or shutil.which(EXECUTABLE, path="/usr/sbin:/sbin") or EXECUTABLE


class FsckCramfsExtractor(Extractor):
    """Extracts a carved cramfs chunk with `fsck.cramfs --extract` into unblob's output directory."""

    def get_dependencies(self) -> list[str]:
        return [EXECUTABLE]

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
        outdir.mkdir(parents=True, exist_ok=True)
        work = outdir / WORK_NAME
        root = work / "root"  # fsck.cramfs creates the root itself and refuses an existing one
        work.mkdir()
        try:
            image = inpath
            fixed = swapped_crc_fixed(inpath.read_bytes())
            if fixed is not None:
                image = work / "image.cramfs"
                image.write_bytes(fixed)
            problems = self._run(image, root)
            if root.is_dir():
                for entry in sorted(root.iterdir()):
                    entry.rename(outdir / entry.name)  # rename moves a link itself, never its target
            return ExtractResult(reports=problems)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _run(image: Path, root: Path) -> list[ExtractionProblem]:
        cmd = [executable(), f"--extract={root}", str(image)]
        try:
            # no stdin=DEVNULL: unblob's Landlock sandbox denies opening /dev/null
            res = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except FileNotFoundError:
            return [ExtractionProblem(problem=f"extractor not installed: {EXECUTABLE} (util-linux)",
                                      resolution="skipped")]
        except subprocess.TimeoutExpired:
            return [ExtractionProblem(problem=f"{EXECUTABLE} timed out after {TIMEOUT_S} s",
                                      resolution="partial extraction kept")]
        if res.returncode == 0:
            return []
        detail = res.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {res.returncode}"
        return [ExtractionProblem(problem=f"{EXECUTABLE} failed: {reason}", resolution="partial extraction kept")]


def use_fsck_cramfs() -> None:
    """Give unblob's cramfs handler our extractor (its chunk detection stays unblob's)."""
    from unblob.handlers.filesystem.cramfs import CramFSHandler

    CramFSHandler.EXTRACTOR = FsckCramfsExtractor()
