"""Archives whose members try to leave the extraction folder: contained, and reported as a finding."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from audit.model import AuditConfig, Chunk
from audit.pipeline import run
from audit.unpack.member_names import is_unsafe, unsafe_names

CLIMB = "../../../../tmp/fwaudit-traversal-test.txt"
ABSOLUTE = "/etc/fwaudit-abs-test.txt"


def _newc(name: str, data: bytes, mode: int = 0o100644) -> bytes:
    raw = name.encode() + b"\0"
    fields = (1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0)
    out = b"070701" + b"".join(b"%08X" % v for v in fields) + raw
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def _odc(name: str, data: bytes) -> bytes:
    raw = name.encode() + b"\0"
    head = b"070707" + b"%06o" % 0 + b"%06o" % 1 + b"%06o" % 0o100644 + b"%06o" % 0 * 2 + b"%06o" % 1
    head += b"%06o" % 0 + b"%011o" % 0 + b"%06o" % len(raw) + b"%011o" % len(data)
    return head + raw + data


def _cpio(maker) -> bytes:  # type: ignore[no-untyped-def]
    return maker("ok.txt", b"ok") + maker(CLIMB, b"x") + maker(ABSOLUTE, b"y") + maker("TRAILER!!!", b"")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("ok.txt", CLIMB, ABSOLUTE):
            archive.writestr(zipfile.ZipInfo(name), b"data")
    return buffer.getvalue()


def _tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in ("ok.txt", CLIMB):
            info = tarfile.TarInfo(name)
            info.size = 4
            archive.addfile(info, io.BytesIO(b"data"))
    return buffer.getvalue()


def test_unsafe_name_rule() -> None:
    assert is_unsafe("../x") and is_unsafe("a/../../x") and is_unsafe("/etc/passwd") and is_unsafe("..\\x")
    assert not is_unsafe("bin/busybox") and not is_unsafe("./etc/init.d/rcS") and not is_unsafe("a..b/c")


@pytest.mark.parametrize(("handler", "blob"), [
    ("zip", _zip()), ("tar", _tar()), ("cpio_portable_ascii", _cpio(_newc)),
    ("cpio_portable_old_ascii", _cpio(_odc)),
])
def test_member_names_read_from_a_chunk_inside_a_bigger_file(tmp_path: Path, handler: str, blob: bytes) -> None:
    pad = b"\xff" * 1000  # the archive is carved out of a firmware image, not at offset 0
    path = tmp_path / "image.bin"
    path.write_bytes(pad + blob + pad)
    chunk = Chunk(id="x", container="image.bin", handler=handler, start=len(pad), end=len(pad) + len(blob))
    names = unsafe_names(path, chunk)
    assert CLIMB in names
    assert "ok.txt" not in names
    assert unsafe_names(path, Chunk(id="y", container="image.bin", handler=handler, start=0, end=10)) == []


@pytest.mark.integration
@pytest.mark.parametrize(("name", "blob"), [("evil.zip", _zip()), ("evil.cpio", _cpio(_newc))])
def test_traversal_attempt_is_a_finding_and_nothing_escapes(tmp_path: Path, name: str, blob: bytes) -> None:
    image = tmp_path / name
    image.write_bytes(blob)
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1))
    assert not Path("/tmp/fwaudit-traversal-test.txt").exists()
    found = [f for f in report.findings if f.rule == "hostile-input.path-traversal"]
    assert len(found) == 1, [f.rule for f in report.findings]
    finding = found[0]
    assert finding.category == "hostile-input" and finding.severity == "medium" and finding.path == name
    assert {e.matched for e in finding.evidence} == {CLIMB, ABSOLUTE}
    assert any(f.kind == "archive.unsafe_members" for f in report.facts)


@pytest.mark.integration
def test_plain_archive_has_no_traversal_finding(tmp_path: Path) -> None:
    image = tmp_path / "fine.zip"
    with zipfile.ZipFile(image, "w") as archive:
        archive.writestr("etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
        archive.writestr("./bin/sh", b"#!")
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1))
    assert not [f for f in report.findings if f.rule.startswith("hostile-input.")]
