"""Debian control binaries (negatives) and the real vendor corpus (positives), located for tests and tools."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from audit.model import FileRecord

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
CONTROLS_CACHE = REPO / "tests" / ".cache" / "controls"
MAX_CONTROL_SIZE = 64 * 1024 * 1024
ELF_MAGIC = b"\x7fELF"

# Named negative sources used by tests/rule_cases.yaml.
SOURCES: dict[str, tuple[Path, ...]] = {
    "debian-host": (Path("/usr/bin"), Path("/usr/lib/x86_64-linux-gnu")),
    "debian-cross": (
        Path("/usr/arm-linux-gnueabihf/lib"),
        Path("/usr/mipsel-linux-gnu/lib"),
        Path("/usr/aarch64-linux-gnu/lib"),
    ),
    "debian-fetched": (CONTROLS_CACHE,),
}


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == ELF_MAGIC
    except OSError:
        return False


def _walk(root: Path, recursive: bool) -> Iterable[Path]:
    if not root.is_dir():
        return []
    return root.rglob("*") if recursive else root.iterdir()


def control_files(source: str) -> list[Path]:
    """ELF files of one named source (top level for host dirs; recursive for cross/fetched trees)."""
    recursive = source != "debian-host"
    found = {
        p.resolve()
        for root in SOURCES[source]
        for p in _walk(root, recursive)
        if p.is_file() and 0 < p.stat().st_size <= MAX_CONTROL_SIZE and _is_elf(p)
    }
    return sorted(found)


def fetched_controls_present() -> bool:
    return CONTROLS_CACHE.is_dir() and any(CONTROLS_CACHE.rglob("*.so*"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_for(path: Path, name: str | None = None, parent: str | None = None) -> FileRecord:
    """A minimal FileRecord for a file on disk (path in image = `name` or the file's own path)."""
    return FileRecord(
        path=name or path.as_posix().lstrip("/"),
        fs_path="/" + path.name,
        kind="file",
        size=path.stat().st_size,
        mode=0o644,
        sha256=sha256_file(path),
        is_elf=_is_elf(path),
        parent=parent,
    )


def corpus_manifest() -> list[dict[str, str]]:
    """Rows of ../shared/corpus/MANIFEST.tsv ([] when the corpus is absent)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    lines = manifest.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]
