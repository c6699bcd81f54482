"""unblob's report written one result at a time (audit/unpack/unblob_report_writer.py): the very bytes of
unblob's own `ProcessResult.to_json()`, on a real extraction."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _image(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        members = {"a.gz": gzip.compress(b"x" * 5000), "b.txt": b"text\n", "c/d.bin": bytes(range(256))}
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


COMPARE = """
import sys
from pathlib import Path
from unblob.processing import ExtractionConfig, process_file
from audit.unpack import unblob_report_writer
image, out, report = map(Path, sys.argv[1:4])
result = process_file(ExtractionConfig(extract_root=out, randomness_depth=1, process_num=1), image)
unblob_report_writer.write_json_report(report, result)
same = report.read_text(encoding="utf-8") == result.to_json()
empty = "".join(unblob_report_writer.pieces([])) == "[]" == type(result)(results=[]).to_json()
print(len(result.results), same, empty)
"""


def test_streamed_report_is_unblobs_to_json(tmp_path: Path) -> None:
    """In a process of its own: importing unblob's processing sets multiprocessing's start method, which a test
    process may have set already."""
    image = _image(tmp_path / "in.tar")
    proc = subprocess.run([sys.executable, "-c", COMPARE, str(image), str(tmp_path / "out"), str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-1500:]
    results, same, empty = proc.stdout.split()[-3:]
    assert int(results) >= 3  # the tar, the gzip and its member: several results, nested reports
    assert (same, empty) == ("True", "True")


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
        hashes = _hash_reports(work / "unblob" / "report.json")
        assert hashes, "no hash reports found in unblob's report"
        maps[mode] = (sorted((c.container, c.start, c.end, c.handler) for c in result.chunks), sorted(result.origins))
        empty = {h["sha256"] for h in hashes} == {""}
        assert empty is (mode == "on"), (mode, hashes[:2])
    assert maps["on"] == maps["off"]
