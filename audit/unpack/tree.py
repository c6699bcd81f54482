"""An already-extracted firmware tree as input: walk it and copy it into the work dir, bounded.

unblob puts every nested container's `*_extract` folder beside the container, so it must run on a copy
that we own, never on the caller's tree. The walk and the copy never follow a symlink. A relative link
is recreated with its target text as is if it resolves inside the copy; an absolute link (on this host it
names a host path) or one resolving outside is not recreated: like FIFOs, sockets and device nodes it is
handed to the inventory as a record only (`TreeCopy.recorded`) and named in one warning. Regular files
are opened with O_NOFOLLOW|O_NONBLOCK and checked with fstat, so a file swapped for a link or a FIFO
during the walk is skipped, never read. At most the size
`lstat` reported is read (a /proc-like file cannot feed bytes forever). The caps are the image caps:
total bytes, entries, per-file size, plus a directory-depth cap.

The tree digest (report.image.sha256) is sha256 over one line per entry, sorted by the raw bytes of its
path relative to the tree root: `<path> NUL <kind> NUL <value> LF`, where value is the content sha256 of
a file (with ` truncated` when the per-file cap cut it), the link target of a symlink, the type of a
special file, and empty for a directory. Modes, owners and times are not part of it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from audit.model import AuditError
from audit.names import escape_name

MAX_TREE_DEPTH = 256  # directory levels below the tree root; deeper entries are not copied
READ_BLOCK = 1024 * 1024
FILE_MODE_BITS = 0o600  # like unblob's own fix_permission: the extractor must read what it is given
DIR_MODE_BITS = 0o700
LISTED = 50  # link and special-file names listed in one warning's detail
TREE_FORMAT = "directory (extracted firmware tree)"
STAGE = "unpack"


@dataclass(frozen=True)
class Entry:
    rel: str  # relative to the tree root, '/'-separated, surrogate-escaped str (raw bytes kept by os.fsencode)
    st: os.stat_result  # lstat, taken once by the walk

    @property
    def mode(self) -> int:
        return self.st.st_mode

    @property
    def size(self) -> int:
        return self.st.st_size


@dataclass
class TreeCopy:
    """What the walk and the copy found: the image record's digest and size, and typed errors."""

    sha256: str = ""
    size: int = 0  # total bytes of the regular files walked (their lstat sizes)
    files: int = 0
    errors: list[AuditError] = field(default_factory=list)
    outside_links: list[tuple[str, str]] = field(default_factory=list)  # (path, target), escaped for messages
    specials: list[tuple[str, str]] = field(default_factory=list)  # (path, type), escaped for messages
    recorded: list[tuple[str, os.stat_result, str | None]] = field(default_factory=list)
    """Entries recorded but not on disk (raw rel, lstat, link target or None): links that leave the tree and
    special files. The inventory adds their records without touching the disk."""


def walk_entries(root: Path, max_entries: int, result: TreeCopy, skip: tuple[Path, ...] = ()) -> list[Entry]:
    """Every entry below root (not root itself), sorted by raw path bytes, links not followed.

    Iterative (no recursion on depth); stops at `max_entries` entries with an `unpack.cap.files` error.
    `skip` (our own work dir and report folder, when the tree holds them: `fwaudit scan .`) is left out.
    """
    skipped = {ident for ident in map(_identity, skip) if ident is not None}
    entries: list[Entry] = []
    stack: list[tuple[str, int]] = [("", 0)]
    too_deep = 0
    while stack:
        rel_dir, depth = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as listing:
                names = sorted((e.name for e in listing), key=os.fsencode)
        except OSError as exc:
            result.errors.append(_unreadable(rel_dir or ".", exc))
            continue
        subdirs: list[str] = []
        for name in names:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                st = os.lstat(root / rel)
            except OSError as exc:
                result.errors.append(_unreadable(rel, exc))
                continue
            if (st.st_dev, st.st_ino) in skipped:
                continue
            if stat.S_ISDIR(st.st_mode) and depth + 1 > MAX_TREE_DEPTH:
                too_deep += 1
                continue
            if len(entries) >= max_entries:
                result.errors.append(_cap("files", f"walked {max_entries} entries, cap {max_entries}"))
                return _sorted(entries)
            entries.append(Entry(rel, st))
            if stat.S_ISDIR(st.st_mode):
                subdirs.append(rel)
        stack.extend((d, depth + 1) for d in reversed(subdirs))
    if too_deep:
        result.errors.append(_cap("depth", f"{too_deep} directories deeper than {MAX_TREE_DEPTH} levels not copied"))
    return _sorted(entries)


def copy_tree(root: Path, dest: Path, entries: list[Entry], max_bytes: int, max_file_size: int,
              result: TreeCopy) -> None:
    """Recreate `entries` under `dest` (which exists and is empty) and fill in the digest."""
    lines = hashlib.sha256()
    copied = 0
    result.size = sum(e.size for e in entries if stat.S_ISREG(e.mode))
    for entry in entries:
        target = dest / entry.rel
        kind, value = _kind(entry.mode), b""
        try:
            if kind == "dir":
                target.mkdir(mode=0o700)
            elif kind == "symlink":
                link = os.readlink(root / entry.rel)  # noqa: PTH115  # str, not Path: keeps the text exact ('a/')
                value = os.fsencode(link)
                if link.startswith("/") or not link:
                    _record_outside(result, entry, link)  # absolute: on this host it names a host path
                else:
                    target.symlink_to(link)  # the text as is; checked below once every link exists
            elif kind == "file":
                if copied + min(entry.size, max_file_size) > max_bytes:
                    result.errors.append(_cap("bytes", f"copied {copied} bytes, cap {max_bytes}; "
                                              f"{escape_name(entry.rel)} and what follows not copied"))
                    break
                cut = entry.size > max_file_size  # at most the lstat size is read, so a growing file is cut too
                digest, size = _copy_file(root / entry.rel, target, entry.mode, min(entry.size, max_file_size))
                copied += size
                result.files += 1
                value = (digest + (" truncated" if cut else "")).encode()
                if cut:
                    result.errors.append(AuditError(
                        kind="unpack.cap.file_size", stage=STAGE, path=escape_name(entry.rel), severity="error",
                        message=f"a file of {entry.size} bytes reached the per-file size cap ({max_file_size}); "
                        "its content is truncated"))
            else:
                result.specials.append((escape_name(entry.rel), kind))
                result.recorded.append((entry.rel, entry.st, None))
                value = kind.encode()
        except (OSError, _NotRegularError) as exc:
            result.errors.append(_unreadable(entry.rel, exc))
            continue
        lines.update(os.fsencode(entry.rel) + b"\0" + kind.encode() + b"\0" + value + b"\n")
    _drop_escaping_links(dest, entries, result)
    _restore_dir_modes(dest, entries)
    result.sha256 = lines.hexdigest()
    result.errors.extend(_link_and_special_warnings(result))


class _NotRegularError(Exception):
    """The entry changed type between the walk and the copy: skipped, never read."""

    strerror = "changed type during the copy (skipped, not read)"


def _copy_file(source: Path, target: Path, mode: int, limit: int) -> tuple[str, int]:
    """(sha256 of the bytes copied, bytes copied): at most `limit` bytes."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegularError(str(source))
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        digest, done = hashlib.sha256(), 0
        try:
            while done < limit and (block := os.read(fd, min(READ_BLOCK, limit - done))):
                digest.update(block)
                os.write(out, block)
                done += len(block)
        finally:
            os.close(out)
        target.chmod((stat.S_IMODE(mode) | FILE_MODE_BITS) & 0o7777)  # our own new file, never a link
        return digest.hexdigest(), done
    finally:
        os.close(fd)


def _restore_dir_modes(dest: Path, entries: list[Entry]) -> None:
    """Directories get their own mode bits (plus owner rwx) once everything below them exists."""
    for entry in reversed(entries):
        if stat.S_ISDIR(entry.mode):
            try:
                (dest / entry.rel).chmod((stat.S_IMODE(entry.mode) | DIR_MODE_BITS) & 0o7777)  # our own dirs
            except OSError:
                continue  # not copied (an earlier error says why)


def _drop_escaping_links(dest: Path, entries: list[Entry], result: TreeCopy) -> None:
    """Remove every relative link of the copy that resolves outside it (also through other links, as unblob
    checks its own extractions); repeated until stable, since a removal changes how other links resolve."""
    root = os.path.realpath(dest)
    links = [e for e in entries if stat.S_ISLNK(e.mode) and (dest / e.rel).is_symlink()]
    changed = True
    while changed and links:
        changed, kept = False, []
        for entry in links:
            real = os.path.realpath(dest / entry.rel)  # string work only: nothing is opened or read
            if real == root or real.startswith(root + os.sep):
                kept.append(entry)
                continue
            link = os.readlink(dest / entry.rel)  # noqa: PTH115  # exact text, as above
            (dest / entry.rel).unlink()
            _record_outside(result, entry, link)
            changed = True
        links = kept


def _record_outside(result: TreeCopy, entry: Entry, link: str) -> None:
    result.outside_links.append((escape_name(entry.rel), escape_name(link)))
    result.recorded.append((entry.rel, entry.st, link))


def _link_and_special_warnings(result: TreeCopy) -> list[AuditError]:
    warnings = []
    if result.outside_links:
        absolute = sum(1 for _, t in result.outside_links if t.startswith("/"))
        warnings.append(AuditError(
            kind="unpack.tree.symlink_outside", stage=STAGE, severity="warning",
            message=f"{len(result.outside_links)} symlinks point outside the tree on this host ({absolute} absolute, "
            f"{len(result.outside_links) - absolute} relative, resolving above its root): recorded with their "
            "targets, not recreated in the work dir, never followed",
            detail="\n".join(f"{p} -> {t}" for p, t in result.outside_links[:LISTED])))
    if result.specials:
        warnings.append(AuditError(
            kind="unpack.tree.special_file", stage=STAGE, severity="warning",
            message=f"{len(result.specials)} special files (FIFOs, sockets, device nodes) recorded, not copied "
            "and never opened",
            detail="\n".join(f"{p} ({k})" for p, k in result.specials[:LISTED])))
    return warnings


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISREG(mode):
        return "file"
    for test, name in ((stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "char device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _sorted(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: os.fsencode(e.rel))


def _cap(which: str, detail: str) -> AuditError:
    return AuditError(kind=f"unpack.cap.{which}", stage=STAGE, severity="error",
                      message=f"copying the tree stopped at the {which} cap ({detail}); what was copied is audited")


def _unreadable(rel: str, exc: BaseException) -> AuditError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return AuditError(kind="unpack.tree.unreadable", stage=STAGE, path=escape_name(rel), severity="error",
                      message=f"cannot read this entry of the input tree: {reason}")
