"""Realistic benchmark images for bench/speed.py: a camera-style flash layout (boot area, uImage kernel, squashfs
root file system, 0xff fill) holding the real Debian armhf/mipsel/arm64 binaries that `make controls` fetched.

- `base`: the 32 MiB image;
- `next`: the next firmware version of `base`: the same tree with ~10% of its files changed (a version string
  written into each, its structure kept: `_mark`), rebuilt; ~90% of the files are byte-identical;
- `big`: a 256 MiB image (several distinct copies of the tree) for peak memory.

Everything is deterministic (sorted files; the samples' squashfs writer: fixed modes, times and owners).
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

from buildlib import gz, mkimage, mksquashfs  # noqa: E402  # samples' own writers

CONTROLS = ROOT / "tests" / ".cache" / "controls"
ARCHES = ("armhf", "mipsel", "arm64")
MiB = 1024 * 1024
BOOT_SIZE = 0x40000
KERNEL_SLOT = 0x1C0000


def _tree(dest: Path, arches: tuple[str, ...], copies: int = 1) -> list[Path]:
    """Copy the control roots into `dest` (one folder per arch and copy); the regular files, sorted."""
    for copy in range(copies):
        for arch in arches:
            src = CONTROLS / arch / "root"
            if not src.is_dir():
                raise SystemExit(f"{src} is missing: run `make controls`")
            shutil.copytree(src, dest / ("" if copy == 0 and arch == arches[0] else f"opt/{arch}-{copy}"),
                            symlinks=True, dirs_exist_ok=True)
            if copy:  # distinct copies: one changed byte run per file defeats squashfs de-duplication
                for path in sorted((dest / f"opt/{arch}-{copy}").rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        _mark(path, f"\0copy-{copy}\0".encode())
    return sorted(p for p in dest.rglob("*") if p.is_file() and not p.is_symlink())


def _mark(path: Path, marker: bytes) -> None:
    """Change a file as a rebuild does, keeping its structure: an ELF gets the marker written over bytes in its
    middle (a changed string; its headers and its end stay where they were), a gzip file is compressed again
    with the marker added to its content, anything else (text) gets it appended. Appending to an ELF or a gzip
    stream would add a trailer that the extractor carves as a chunk of its own: another layout, not a version."""
    data = path.read_bytes()
    if data[:4] == b"\x7fELF" and len(data) > 4 * len(marker):
        middle = len(data) // 2
        path.write_bytes(data[:middle] + marker + data[middle + len(marker):])
    elif data[:2] == b"\x1f\x8b" and (inner := _gunzip(data)) is not None:
        path.write_bytes(gz(inner + marker))
    else:
        path.write_bytes(data + marker)


def _gunzip(data: bytes) -> bytes | None:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, ValueError):
        return None


def _bump(files: list[Path], every: int = 10) -> int:
    """Change every `every`-th file (the next firmware version); returns how many changed."""
    changed = files[::every]
    for path in changed:
        _mark(path, b"\0fwaudit-bench next version\0")
    return len(changed)


def _flash(work: Path, rootfs: bytes, size: int) -> bytes:
    """Boot area (0xff), uImage kernel, squashfs, 0xff fill up to `size` (at least the content, MiB-aligned)."""
    kernel_src = sorted((CONTROLS / "armhf" / "root").rglob("busybox"))[0].read_bytes()
    kernel = mkimage(work, gz(kernel_src), "Linux-4.9.37", "arm", "kernel", "gzip", 0x40008000, 0x40008000)
    body = b"\xff" * BOOT_SIZE + kernel.ljust(KERNEL_SLOT, b"\xff") + rootfs
    total = max(size, -(-len(body) // MiB) * MiB)
    return body.ljust(total, b"\xff")


def build(out: Path, name: str, size: int, arches: tuple[str, ...] = ARCHES, copies: int = 1,
          bump: bool = False) -> tuple[Path, dict[str, int]]:
    """Build one image into `out`; (path, facts: files, changed, tree bytes, image bytes)."""
    work = out / f"{name}.work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "root").mkdir(parents=True)
    files = _tree(work / "root", arches, copies)
    changed = _bump(files) if bump else 0
    tree_bytes = sum(p.stat().st_size for p in files)
    image = out / f"{name}.bin"
    image.write_bytes(_flash(work, mksquashfs(work / "root", work / "rootfs.sqsh", comp="gzip"), size))
    shutil.rmtree(work)
    return image, {"files": len(files), "changed": changed, "tree_bytes": tree_bytes,
                   "image_bytes": image.stat().st_size}


def build_set(out: Path, big: bool) -> dict[str, tuple[Path, dict[str, int]]]:
    """The benchmark images: base (32 MiB), next (~90% of files shared with base), and big (256 MiB) if asked."""
    out.mkdir(parents=True, exist_ok=True)
    images = {"base": build(out, "base", 32 * MiB), "next": build(out, "next", 32 * MiB, bump=True)}
    if big:
        images["big"] = build(out, "big", 256 * MiB, copies=8)
    return images
