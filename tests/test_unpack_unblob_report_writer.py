"""unblob's report written one result at a time (audit/unpack/unblob_report_writer.py): the very bytes of
unblob's own `ProcessResult.to_json()`, on a real extraction."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from audit.unpack import unblob_report_writer

pytestmark = pytest.mark.integration


def _image(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        members = {"a.gz": gzip.compress(b"x" * 5000), "b.txt": b"text\n", "c/d.bin": bytes(range(256))}
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_streamed_report_is_unblobs_to_json(tmp_path: Path) -> None:
    from unblob.processing import ExtractionConfig, process_file

    image = _image(tmp_path / "in.tar")
    config = ExtractionConfig(extract_root=tmp_path / "out", randomness_depth=1, process_num=1)
    result = process_file(config, image)
    assert len(result.results) >= 3  # the tar, the gzip and its member: several results, nested reports
    report = tmp_path / "report.json"
    unblob_report_writer.write_json_report(report, result)
    assert report.read_text(encoding="utf-8") == result.to_json()
    assert "".join(unblob_report_writer.pieces([])) == "[]" == type(result)(results=[]).to_json()


def _hash_reports(report: Path) -> list[dict]:
    import json

    return [r for task in json.loads(report.read_text()) for r in task.get("reports", [])
            if r.get("__typename__") == "HashReport" or {"md5", "sha1", "sha256"} <= set(r)]


def test_the_zygotes_runs_skip_unblobs_digests_and_map_the_same(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked runs write empty md5/sha1/sha256 (fwaudit hashes files itself); a fresh unblob process computes
    them; both reports map to the same chunks and origins."""
    from audit.model import AuditConfig
    from audit.unpack import unpack

    image = _image(tmp_path / "in.tar")
    maps = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("FWAUDIT_ZYGOTE", mode)
        work = tmp_path / mode
        result = unpack(image, work, AuditConfig(image=image, jobs=1))
        assert not result.errors, result.errors
        hashes = _hash_reports(work / "unblob-report.json")
        assert hashes, "no hash reports found in unblob's report"
        maps[mode] = (sorted((c.container, c.start, c.end, c.handler) for c in result.chunks), sorted(result.origins))
        empty = {h["sha256"] for h in hashes} == {""}
        assert empty is (mode == "on"), (mode, hashes[:2])
    assert maps["on"] == maps["off"]
