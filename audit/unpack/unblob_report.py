"""Map unblob's `--report` JSON into our records: chunks, per-file origins, typed errors.

unblob's report is a list of tasks; each task is a path plus the id of the chunk it came out of
(`blob_id`), and lists the chunks it found in itself. That is the first link of every evidence
chain: file -> chunk (handler, offset) -> container file. unblob's chunk ids are process-based and
differ between runs, so ours are `<container path>@<start offset>`.
"""

from __future__ import annotations

import base64
import json
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from audit.model import AuditError, Chunk
from audit.names import escape_name

SQUASHFS_MARKER = "fwaudit-unsupported-squashfs:"
SQUASHFS_DAMAGED = "fwaudit-squashfs-damaged:"  # our reader read part of a damaged image
CARVED_NAME = re.compile(r"^(\d+)-(\d+)\.([A-Za-z0-9_]+)$")
STAGE = "unpack"
TYPED_PROBLEM = re.compile(r"^(unpack\.[a-z_]+(?:\.[a-z_]+)?): ")


@dataclass(frozen=True)
class Origin:
    """Where a file came from: the container file, the handler that carved it, the chunk offset."""

    parent: str
    handler: str
    offset: int


@dataclass
class UnpackMap:
    chunks: list[Chunk] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)  # keyed by path in image
    errors: list[AuditError] = field(default_factory=list)


class PathNamer:
    """Turns absolute paths from unblob into stable paths in the image."""

    def __init__(self, image: Path, image_name: str, extract_dir: Path) -> None:
        self.image = image.resolve()
        self.image_name = image_name
        self.extract_dir = extract_dir.resolve()

    def __call__(self, raw: str | Path) -> str | None:
        path = Path(raw)
        if path == self.image:
            return escape_name(self.image_name)
        try:
            return escape_name(path.relative_to(self.extract_dir).as_posix())  # as inventory names it
        except ValueError:
            return None


def load_report(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(data, list):
        raise ValueError("unblob report is not a list of tasks")
    return data


def map_report(tasks: list[dict[str, Any]], name: PathNamer) -> UnpackMap:
    """Chunks, origins of every task path, and typed errors from unblob's task list."""
    result = UnpackMap()
    chunk_by_blob: dict[str, tuple[Chunk, str]] = {}
    blob_of: dict[str, str] = {}
    carve_dirs: dict[str, str] = {}
    for task in tasks:
        container = name(task.get("task", {}).get("path", ""))
        if container is None:
            continue
        blob_of[container] = task["task"].get("blob_id", "")
        for report in task.get("reports", []):
            _read_report(report, container, name, result, chunk_by_blob, carve_dirs)
        for sub in task.get("subtasks", []):
            sub_path = name(sub.get("path", ""))
            if sub_path is not None:
                blob_of.setdefault(sub_path, sub.get("blob_id", ""))
    _attach_extract_dirs(result, chunk_by_blob, blob_of)
    for path, blob in blob_of.items():
        if blob in chunk_by_blob:
            chunk, _ = chunk_by_blob[blob]
            result.origins[path] = Origin(chunk.container, chunk.handler, chunk.start)
    _carved_origins(result, carve_dirs)
    return result


def _read_report(
    report: dict[str, Any], container: str, name: PathNamer, result: UnpackMap,
    chunk_by_blob: dict[str, tuple[Chunk, str]], carve_dirs: dict[str, str],
) -> None:
    kind = report.get("__typename__", "")
    if kind in ("ChunkReport", "UnknownChunkReport"):
        chunk = Chunk(
            id=f"{container}@{int(report['start_offset'])}", container=container,
            handler=report.get("handler_name") or "unknown", start=int(report["start_offset"]),
            end=int(report["end_offset"]), is_encrypted=bool(report.get("is_encrypted", False)),
        )
        chunk_by_blob[str(report.get("id"))] = (chunk, container)
        for sub in report.get("extraction_reports", []) or []:
            _read_report(sub, container, name, result, chunk_by_blob, carve_dirs)
        return
    if kind == "CarveDirectoryReport":
        carve = name(report.get("carve_dir", ""))
        if carve is not None:
            carve_dirs[carve] = container
        return
    error = error_from_report(report, container)
    if error is not None:
        result.errors.append(error)


def _attach_extract_dirs(
    result: UnpackMap, chunk_by_blob: dict[str, tuple[Chunk, str]], blob_of: dict[str, str],
) -> None:
    """A chunk's extraction directory is the shallowest path that came out of it."""
    shallowest: dict[str, str] = {}
    for path, blob in blob_of.items():
        best = shallowest.get(blob)
        if best is None or (path.count("/"), path) < (best.count("/"), best):
            shallowest[blob] = path
    for blob, (chunk, _) in chunk_by_blob.items():
        target = shallowest.get(blob)
        if target is not None and target.endswith("_extract"):
            chunk = Chunk(**{**chunk.__dict__, "extract_dir": target})
            chunk_by_blob[blob] = (chunk, chunk.container)
        result.chunks.append(chunk_by_blob[blob][0])


def _carved_origins(result: UnpackMap, carve_dirs: dict[str, str]) -> None:
    """Carved pieces (`<start>-<end>.<handler>` in a carve dir) come from their container's chunk."""
    starts = {(c.container, c.start): c for c in result.chunks}
    for carve_dir, container in carve_dirs.items():
        for chunk in result.chunks:
            if chunk.container != container:
                continue
            suffix = "unknown" if chunk.handler == "unknown" else chunk.handler
            carved = f"{carve_dir}/{chunk.start}-{chunk.end}.{suffix}"
            if (container, chunk.start) in starts:
                result.origins.setdefault(carved, Origin(container, chunk.handler, chunk.start))


def origin_from_names(path: str) -> Origin | None:
    """Fallback when unblob left no report (killed on a cap): infer the origin from unblob's naming.

    `X_extract/<start>-<end>.<handler>_extract/...` came from X at <start>; `X_extract/...` from X.
    Only used for the directories unblob itself creates, never to override the report.
    """
    parts = PurePosixPath(path).parts
    for index in range(len(parts) - 1, 0, -1):
        part = parts[index - 1]
        if not part.endswith("_extract"):
            continue
        base = part[: -len("_extract")]
        carved = CARVED_NAME.match(base)
        if carved and index >= 2 and parts[index - 2].endswith("_extract"):
            container = "/".join([*parts[: index - 2], parts[index - 2][: -len("_extract")]])
            return Origin(container, carved.group(3), int(carved.group(1)))
        container = "/".join([*parts[: index - 1], base])
        return Origin(container, "", 0)
    return None


_ERROR_KINDS = {
    "ExtractorDependencyNotFoundReport": ("unpack.dependency_missing", "error"),
    "ExtractorTimedOut": ("unpack.extractor_timeout", "error"),
    "CalculateChunkExceptionReport": ("unpack.handler_error", "error"),
    "CalculateMultiFileExceptionReport": ("unpack.handler_error", "error"),
    "UnknownError": ("unpack.handler_error", "error"),
    "OutputDirectoryExistsReport": ("unpack.output_exists", "error"),
    "MultiFileCollisionReport": ("unpack.multifile_collision", "warning"),
    "MaliciousSymlinkRemoved": ("unpack.unsafe_symlink_removed", "warning"),
    "ExtractionProblem": ("unpack.problem", "warning"),
}


_WHAT = {"CalculateChunkExceptionReport": "handler failed on a chunk",
         "CalculateMultiFileExceptionReport": "handler failed on a multi-file set", "UnknownError": "failed"}


def error_from_report(report: dict[str, Any], container: str) -> AuditError | None:
    """A typed error for one of unblob's error reports, None for informational reports."""
    kind = report.get("__typename__", "")
    if kind == "ExtractCommandFailedReport":
        return _command_failed(report, container)
    if kind not in _ERROR_KINDS:
        return None
    code, severity = _ERROR_KINDS[kind]
    full = str(report.get("exception") or report.get("problem") or "").strip()
    detail = _short(full, tail=True)  # a traceback's last lines name the exception
    last = full.splitlines()[-1] if full else "no detail"
    if "File too large" in detail or "EFBIG" in detail:
        code, severity = "unpack.cap.file_size", "error"
    typed = TYPED_PROBLEM.match(detail) if kind == "ExtractionProblem" else None
    if typed is not None:  # our handlers name the kind: `unpack.truncated: ...`, `unpack.inconsistent: ...`
        code = typed.group(1)
        severity = "error" if code.startswith("unpack.cap.") else "warning"
    if kind == "ExtractionProblem" and "traversal" in detail.lower():
        code = "unpack.unsafe_path"
        severity = "error" if "skip" in str(report.get("resolution", "")).lower() else "warning"
    message = {
        "ExtractorDependencyNotFoundReport": f"extractor not installed: {report.get('dependencies')}",
        "ExtractorTimedOut": f"extractor timed out: {_short(str(report.get('cmd', '')))}",
        "MaliciousSymlinkRemoved": f"symlink leaving the image removed: {report.get('link')} -> "
        f"{report.get('target')}",
        "ExtractionProblem": f"{report.get('problem')} ({report.get('resolution')})",
    }.get(kind, f"unblob {_WHAT.get(kind, 'failed')}: {_short(last, 300)}")
    if typed is not None:
        message = f"{detail[typed.end():]} ({report.get('resolution')})"
    elif code == "unpack.cap.file_size":
        message = "a file reached the per-file size cap; its content is truncated"
    where = f"{container}: {escape_name(str(report['path']))}" if report.get("path") else container
    return AuditError(kind=code, stage=STAGE, message=message, path=where, detail=detail or None,
                      severity=severity)


def _command_failed(report: dict[str, Any], container: str) -> AuditError:
    stderr = _decode(report.get("stderr", ""))
    command = str(report.get("command", ""))
    if SQUASHFS_DAMAGED in stderr:
        reason = stderr.split(SQUASHFS_DAMAGED, 1)[-1].strip().splitlines()[0]
        return AuditError(
            kind="unpack.inconsistent", stage=STAGE, path=container, severity="warning",
            message=f"damaged SquashFS, read in part: {reason}", detail=_short(stderr),
        )
    if SQUASHFS_MARKER in stderr or command.startswith("sasquatch"):
        reason = stderr.split(SQUASHFS_MARKER, 1)[-1].strip().splitlines()[0] if stderr else "failed"
        return AuditError(
            kind="unpack.unsupported.squashfs", stage=STAGE, path=container, severity="error",
            message=f"SquashFS image that neither unsquashfs nor fwaudit's reader can read: {reason}",
            detail=_short(stderr),
        )
    tool = command.split(" ", 1)[0] or "extractor"
    if "File too large" in stderr or report.get("exit_code") == -signal.SIGXFSZ:
        return AuditError(kind="unpack.cap.file_size", stage=STAGE, path=container, severity="error",
                          message=f"{tool} hit the per-file size cap", detail=_short(stderr))
    return AuditError(
        kind="unpack.extract_failed", stage=STAGE, path=container, severity="error",
        message=f"{tool} exited with code {report.get('exit_code')}", detail=_short(stderr),
    )


def _decode(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except ValueError:
        return value


def _short(text: str, limit: int = 600, tail: bool = False) -> str:
    """`text` cut to `limit` characters: its head, or its tail (`tail`) for tracebacks."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return "..." + text[3 - limit :] if tail else text[: limit - 3] + "..."

