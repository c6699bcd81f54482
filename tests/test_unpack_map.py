"""Unit tests: unblob report mapping, origin inference, the sasquatch stand-in."""

from __future__ import annotations

import base64
import importlib.machinery
import importlib.util
from pathlib import Path

from audit.unpack import UnpackResult
from audit.unpack.unblob_report import PathNamer, error_from_report, map_report, origin_from_names

WRAPPER = Path(__file__).resolve().parents[1] / "audit" / "unpack" / "bin" / "sasquatch"


def _tasks(root: str) -> list[dict]:
    img = "/in/fw.bin"
    ex = f"{root}/fw.bin_extract"
    carved = f"{ex}/1000-5000.squashfs_v4_le_extract"
    return [
        {"task": {"path": img, "blob_id": ""}, "reports": [
            {"__typename__": "CarveDirectoryReport", "carve_dir": ex},
            {"__typename__": "UnknownChunkReport", "id": "9:3", "start_offset": 0, "end_offset": 1000},
            {"__typename__": "ChunkReport", "id": "9:1", "handler_name": "squashfs_v4_le",
             "start_offset": 1000, "end_offset": 5000, "is_encrypted": False, "extraction_reports": []},
        ], "subtasks": [{"path": carved, "blob_id": "9:1"}]},
        {"task": {"path": carved, "blob_id": "9:1"}, "reports": [],
         "subtasks": [{"path": f"{carved}/bin", "blob_id": "9:1"}]},
        {"task": {"path": f"{carved}/bin/app.gz", "blob_id": "9:1"}, "reports": [
            {"__typename__": "ChunkReport", "id": "12:7", "handler_name": "gzip", "start_offset": 0,
             "end_offset": 80, "is_encrypted": False, "extraction_reports": []},
        ], "subtasks": [{"path": f"{carved}/bin/app.gz_extract", "blob_id": "12:7"}]},
    ]


def test_map_report_links_files_to_chunk_handler_and_offset() -> None:
    namer = PathNamer(Path("/in/fw.bin"), "fw.bin", Path("/w/extract"))
    mapped = map_report(_tasks("/w/extract"), namer)
    ids = sorted(c.id for c in mapped.chunks)
    assert ids == ["fw.bin@0", "fw.bin@1000", "fw.bin_extract/1000-5000.squashfs_v4_le_extract/bin/app.gz@0"]
    result = UnpackResult(extract_dir=Path("/w/extract"), chunks=mapped.chunks, origins=mapped.origins)
    origin = result.origin("fw.bin_extract/1000-5000.squashfs_v4_le_extract/bin/busybox")
    assert origin is not None
    assert (origin.parent, origin.handler, origin.offset) == ("fw.bin", "squashfs_v4_le", 1000)
    inner = result.origin("fw.bin_extract/1000-5000.squashfs_v4_le_extract/bin/app.gz_extract/app")
    assert inner is not None
    assert (inner.parent, inner.handler) == ("fw.bin_extract/1000-5000.squashfs_v4_le_extract/bin/app.gz", "gzip")
    unknown = result.origin("fw.bin_extract/0-1000.unknown")
    assert unknown is not None and unknown.handler == "unknown" and unknown.offset == 0
    squash = next(c for c in mapped.chunks if c.id == "fw.bin@1000")
    assert squash.extract_dir == "fw.bin_extract/1000-5000.squashfs_v4_le_extract"


def test_chunk_ids_do_not_depend_on_unblob_process_ids() -> None:
    namer = PathNamer(Path("/in/fw.bin"), "fw.bin", Path("/w/extract"))
    first = map_report(_tasks("/w/extract"), namer)
    renumbered = [dict(t) for t in _tasks("/w/extract")]
    renumbered[0]["reports"][2] = {**renumbered[0]["reports"][2], "id": "77:1"}
    renumbered[0]["subtasks"] = [{**renumbered[0]["subtasks"][0], "blob_id": "77:1"}]
    renumbered[1] = {**renumbered[1], "task": {**renumbered[1]["task"], "blob_id": "77:1"}}
    second = map_report(renumbered, namer)
    assert sorted(c.id for c in first.chunks) == sorted(c.id for c in second.chunks)


def test_origin_from_names_when_no_report() -> None:
    carved = origin_from_names("fw.bin_extract/1000-5000.squashfs_v4_le_extract/bin/sh")
    assert carved is not None and (carved.parent, carved.handler, carved.offset) == (
        "fw.bin", "squashfs_v4_le", 1000)
    whole = origin_from_names("fw.zip_extract/rootfs.img_extract/etc/passwd")
    assert whole is not None and whole.parent == "fw.zip_extract/rootfs.img" and whole.offset == 0
    assert origin_from_names("fw.bin") is None


def test_sasquatch_failure_becomes_unsupported_squashfs_error() -> None:
    stderr = base64.b64encode(b"fwaudit-unsupported-squashfs: version 3 big-endian\n").decode()
    error = error_from_report({"__typename__": "ExtractCommandFailedReport", "command": "sasquatch -be x",
                               "stderr": stderr, "stdout": "", "exit_code": 3}, "fw.bin")
    assert error is not None
    assert error.kind == "unpack.unsupported.squashfs"
    assert "version 3 big-endian" in error.message
    assert error.severity == "error"


def test_informational_reports_are_not_errors() -> None:
    assert error_from_report({"__typename__": "StatReport", "path": "/x"}, "fw.bin") is None
    missing = error_from_report({"__typename__": "ExtractorDependencyNotFoundReport",
                                 "severity": "ERROR", "dependencies": ["lziprecover"]}, "fw.bin")
    assert missing is not None and missing.kind == "unpack.dependency_missing"


def _load_wrapper():
    loader = importlib.machinery.SourceFileLoader("sasquatch_wrapper", str(WRAPPER))
    spec = importlib.util.spec_from_loader("sasquatch_wrapper", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_sasquatch_wrapper_parses_and_refuses_short_superblocks(tmp_path: Path, capsys) -> None:
    wrapper = _load_wrapper()
    args, image, dest = wrapper.parse(["-le", "-no-exit-code", "-d", "/x/out", "/x/fs.sqsh"])
    assert (args, image, dest) == (["-no-exit-code", "-d", "/x/out", "/x/fs.sqsh"], Path("/x/fs.sqsh"), Path("/x/out"))
    short = tmp_path / "short"
    short.write_bytes(b"hsqs")
    assert wrapper.main(["-d", str(tmp_path / "out"), str(short)]) == 3
    assert "fwaudit-unsupported-squashfs: truncated superblock" in capsys.readouterr().err


def test_squashfs_markers_become_typed_errors() -> None:
    damaged = error_from_report({"__typename__": "ExtractCommandFailedReport", "severity": "WARNING",
                                 "command": "sasquatch -d out fs", "exit_code": 3,
                                 "stderr": "fwaudit-squashfs-damaged: 2 problem(s), 40 entries extracted; x"}, "fw")
    assert damaged is not None and (damaged.kind, damaged.severity) == ("unpack.inconsistent", "warning")
    refused = error_from_report({"__typename__": "ExtractCommandFailedReport", "severity": "WARNING",
                                 "command": "sasquatch -d out fs", "exit_code": 3,
                                 "stderr": "fwaudit-unsupported-squashfs: version 2 little-endian"}, "fw")
    assert refused is not None and refused.kind == "unpack.unsupported.squashfs"
    assert "version 2" in refused.message
