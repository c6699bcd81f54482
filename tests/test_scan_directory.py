"""`fwaudit scan DIR`: an already-extracted firmware tree is audited like an image whose top level is unpacked.

Trees are built in tmp_path from real parts (a host ELF, gzip/tar and SquashFS made by the real tools, the
repo's built samples); nothing is mocked. Hostile entries (links to host files, escapes through other links,
loops, FIFOs, device nodes, names that are not UTF-8, a huge sparse file) must be recorded, never followed,
and never cost the report.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from audit import pipeline
from audit.model import AuditConfig
from audit.report.json_report import render
from audit.unpack.tree import MAX_TREE_DEPTH, TreeCopy, copy_tree, walk_entries

from .conftest import sample_manifests

ELF = Path("/bin/true").resolve()
GBK_NAME = os.fsdecode(b"lib/\xc5\xe4\xd6\xc3.txt")  # a GBK name, not UTF-8


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _targz(member: str, data: bytes) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def _squashfs(tmp: Path, files: dict[str, bytes]) -> bytes:
    src = tmp / "sqsrc"
    for name, data in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    image = tmp / "part.sqsh"
    subprocess.run(["mksquashfs", str(src), str(image), "-noappend", "-all-root", "-quiet", "-no-progress"],
                   check=True, capture_output=True)
    return image.read_bytes()


def build_tree(base: Path) -> Path:
    """A small rootfs: an ELF, nested containers, and every hostile kind of entry."""
    root = base / "rootfs"
    for folder in ("bin", "etc", "lib", "opt", "dev"):
        (root / folder).mkdir(parents=True)
    shutil.copyfile(ELF, root / "bin" / "app")
    (root / "bin" / "app").chmod(0o755)
    (root / "bin" / "sh").symlink_to("app")  # in the tree: kept as a link
    (root / "lib" / "data.tgz").write_bytes(_targz("doc/readme.txt", b"nested tar member\n"))
    if shutil.which("mksquashfs"):
        (root / "opt" / "part.sqsh").write_bytes(_squashfs(base, {"etc/inner.conf": b"inner=1\n"}))
    (root / "etc" / "passwd").symlink_to("/etc/passwd")  # absolute: names a host file
    (root / "etc" / "shadow").symlink_to("../../../../../../etc/shadow")  # climbs above the root
    (root / "lib" / "here").symlink_to(".")  # in the tree ...
    (root / "lib" / "via").symlink_to("here/here/../../..")  # ... but this one escapes through it
    (root / "lib" / "loop1").symlink_to("loop2")
    (root / "lib" / "loop2").symlink_to("loop1")
    os.mkfifo(root / "dev" / "fifo")
    if os.geteuid() == 0:
        os.mknod(root / "dev" / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    (root / GBK_NAME).write_bytes(b"gbk named file\n")  # surrogate-escaped str: the raw bytes on disk
    return root


def _listing(root: Path) -> list[tuple[str, int, int]]:
    out = []
    for current, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            st = os.lstat(Path(current) / name)
            out.append((str(Path(current) / name), st.st_mode, st.st_size))
    return sorted(out)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Path, subprocess.CompletedProcess[str],
                                                               list[tuple[str, int, int]]]:
    base = tmp_path_factory.mktemp("tree")
    root = build_tree(base)
    before = _listing(root)
    out, work = base / "out", base / "work"
    result = _cli("scan", str(root), "-o", str(out), "--workdir", str(work), "-j", "1", cwd=base)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return root, report, work / "rootfs.fwaudit", result, before


def _files(report: dict) -> dict[str, dict]:
    return {f["path"]: f for f in report["files"]}


@pytest.mark.integration
def test_cli_scans_a_directory_with_exit_0_and_a_report(scanned) -> None:
    _, report, _, result, _ = scanned
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert report["schema"] == "fwaudit/report/v1"
    image = report["image"]
    assert image["name"] == "rootfs"
    assert image["format"] == "directory (extracted firmware tree)"
    assert len(image["sha256"]) == 64
    regular = [f for f in report["files"] if f["kind"] == "file" and "_extract/" not in f["path"]]
    assert image["size"] == sum(f["size"] for f in regular)  # regular files of the tree itself
    assert report["status"] == "complete", report["errors"]


@pytest.mark.integration
def test_paths_are_relative_to_the_tree_root(scanned) -> None:
    _, report, _, _, _ = scanned
    files = _files(report)
    app = files["bin/app"]
    assert app["fs_path"] == "/bin/app" and app["is_elf"] and app["parent"] is None
    assert files["bin/sh"]["kind"] == "symlink" and files["bin/sh"]["link_target"] == "app"
    assert not any(p.startswith("rootfs") for p in files)


@pytest.mark.integration
def test_nested_containers_are_extracted_beside_their_files(scanned) -> None:
    _, report, _, _, _ = scanned
    files = _files(report)
    member = [f for p, f in files.items() if p.startswith("lib/data.tgz_extract/") and p.endswith("readme.txt")]
    assert member and member[0]["fs_path"] == "/doc/readme.txt"
    assert {c["container"] for c in report["chunks"]} >= {"lib/data.tgz"}
    if shutil.which("mksquashfs"):
        inner = files.get("opt/part.sqsh_extract/etc/inner.conf")
        assert inner is not None and inner["parent"] == "opt/part.sqsh" and inner["fs_path"] == "/etc/inner.conf"


@pytest.mark.integration
def test_links_leaving_the_tree_are_recorded_and_never_followed(scanned) -> None:
    _, report, work, _, _ = scanned
    files = _files(report)
    for path, target in (("etc/passwd", "/etc/passwd"), ("etc/shadow", "../../../../../../etc/shadow"),
                         ("lib/via", "here/here/../../..")):
        assert files[path]["kind"] == "symlink" and files[path]["link_target"] == target
        assert not os.path.lexists(work / "extract" / path)  # not recreated where anything could follow it
    assert files["lib/loop1"]["link_target"] == "loop2"  # a loop inside the tree: kept, harmless
    warning = [e for e in report["errors"] if e["kind"] == "unpack.tree.symlink_outside"]
    assert warning and warning[0]["severity"] == "warning"
    assert {"etc/passwd -> /etc/passwd", "lib/via -> here/here/../../.."} <= set(warning[0]["detail"].splitlines())
    host_passwd = Path("/etc/passwd").read_bytes()
    assert not any(f.get("size") == len(host_passwd) and f["kind"] == "file" and f["path"].startswith("etc")
                   for f in report["files"])
    # every link left in the work dir resolves inside it
    extract = os.path.realpath(work / "extract")
    for current, dirs, names in os.walk(work / "extract"):
        for name in dirs + names:
            if (Path(current) / name).is_symlink():
                assert os.path.realpath(Path(current) / name).startswith(extract + os.sep)


@pytest.mark.integration
def test_special_files_and_odd_names_are_recorded_not_opened(scanned) -> None:
    root, report, _, _, before = scanned
    files = _files(report)
    assert files["dev/fifo"]["kind"] == "special"
    if os.geteuid() == 0:
        assert files["dev/null"]["kind"] == "special"
    assert any(e["kind"] == "unpack.tree.special_file" for e in report["errors"])
    gbk = files["lib/\\xc5\\xe4\\xd6\\xc3.txt"]
    assert bytes.fromhex(gbk["path_raw"]) == os.fsencode(GBK_NAME)
    assert gbk["sha256"] and gbk["size"] == len(b"gbk named file\n")
    assert _listing(root) == before  # the input tree is never written to


@pytest.mark.integration
def test_two_runs_are_identical_outside_run(scanned, tmp_path: Path) -> None:
    root, first, _, _, _ = scanned
    second = pipeline.run(AuditConfig(image=root, workdir=tmp_path / "w", jobs=1))
    again = json.loads(render(second))
    for report in (first, again):
        report.pop("run")
    assert json.dumps(again, sort_keys=True) == json.dumps(first, sort_keys=True)


@pytest.mark.integration
def test_caps_bound_a_huge_file_and_the_entry_count(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    with (root / "aaa-huge.bin").open("wb") as handle:  # 8 GiB, sparse: never read past the cap
        handle.truncate(8 * 1024**3)
    for index in range(20):
        (root / f"f{index:02}.txt").write_text(f"file {index}\n")
    report = pipeline.run(AuditConfig(image=root, workdir=tmp_path / "w", jobs=1, max_files=10,
                                      max_file_size=1024 * 1024))
    kinds = {e.kind for e in report.errors}
    assert {"unpack.cap.file_size", "unpack.cap.files"} <= kinds
    huge = next(f for f in report.files if f.path == "aaa-huge.bin")
    assert huge.size == 1024 * 1024
    assert report.status == "partial"
    assert len([f for f in report.files if f.path.startswith("f")]) < 20


def test_walk_caps_depth_without_recursion(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    current = root
    for _ in range(MAX_TREE_DEPTH + 20):
        current = current / "d"
    current.mkdir(parents=True)
    (current / "leaf").write_bytes(b"x")
    result = TreeCopy()
    entries = walk_entries(root, 10_000, result)
    assert len(entries) == MAX_TREE_DEPTH
    assert [e.kind for e in result.errors] == ["unpack.cap.depth"]


def test_digest_is_stable_and_content_sensitive(tmp_path: Path) -> None:
    def digest(root: Path, name: str) -> str:
        dest = tmp_path / name
        dest.mkdir()
        result = TreeCopy()
        copy_tree(root, dest, walk_entries(root, 1000, result), 1 << 30, 1 << 30, result)
        return result.sha256

    root = tmp_path / "t"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x").write_bytes(b"one")
    (root / "l").symlink_to("a/x")
    first, second = digest(root, "c1"), digest(root, "c2")
    (root / "a" / "x").write_bytes(b"two")
    assert first == second != digest(root, "c3")


def _claims(report: dict) -> set[tuple[str, str]]:
    return {(c["layer"], c["entity"]) for c in report["provenance"]["claims"]}


@pytest.mark.integration
@pytest.mark.parametrize("name", ["openwrt-router", "xm-camera"])
def test_image_and_its_extracted_tree_have_the_same_provenance(tmp_path: Path, name: str) -> None:
    manifest = next((m for m in sample_manifests() if m["name"] == name), None)
    if manifest is None:
        pytest.skip(f"sample {name} not built (make samples)")
    image = manifest["image_path"]
    from_image = json.loads(render(pipeline.run(AuditConfig(image=image, workdir=tmp_path / "w1", jobs=1))))
    tree = tmp_path / "w1" / f"{image.name}.fwaudit" / "extract" / f"{image.name}_extract"
    assert tree.is_dir()
    from_tree = json.loads(render(pipeline.run(AuditConfig(image=tree, workdir=tmp_path / "w2", jobs=1))))
    assert _claims(from_image), "the sample should carry claims"
    assert _claims(from_tree) == _claims(from_image)
    assert not [e for e in from_tree["errors"] if e["severity"] == "error" and e["stage"] == "unpack"]
    image_fs = {f["fs_path"] for f in from_image["files"] if f["kind"] == "file" and f["parent"]}
    tree_fs = {f["fs_path"] for f in from_tree["files"] if f["kind"] == "file"}
    assert image_fs <= tree_fs  # every extracted file of the image is a file of its tree, at the same place


def test_walk_leaves_out_our_own_work_dir_and_report_folder(tmp_path: Path) -> None:
    root = tmp_path / "t"
    for folder in ("bin", "wd/t.fwaudit/extract", "reports/t"):
        (root / folder).mkdir(parents=True)
    (root / "bin" / "app").write_bytes(b"x")
    (root / "reports" / "t" / "report.json").write_text("{}")
    result = TreeCopy()
    entries = walk_entries(root, 100, result, skip=(root / "wd" / "t.fwaudit", root / "reports" / "t"))
    assert [e.rel for e in entries] == ["bin", "bin/app", "reports", "wd"]
