"""The real pipeline on every built sample: every ELF the build put in is found, reports are stable."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from audit.model import AuditConfig, Report
from audit.pipeline import run
from audit.report.json_report import render

from .conftest import SAMPLES_BUILD, sample_manifests

pytestmark = pytest.mark.integration
MANIFESTS = {m["name"]: m for m in sample_manifests()}
_CACHE: dict[str, Report] = {}


def _report(name: str, tmp_path_factory: pytest.TempPathFactory) -> Report:
    if name not in _CACHE:
        work = tmp_path_factory.mktemp(f"work-{name}")
        _CACHE[name] = run(AuditConfig(image=MANIFESTS[name]["image_path"], workdir=work, jobs=2))
    return _CACHE[name]


def test_samples_are_built() -> None:
    assert len(MANIFESTS) >= 4, f"expected at least 4 built samples in {SAMPLES_BUILD}: run `make samples`"


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_every_built_elf_is_found_with_sha256_and_arch(name: str, tmp_path_factory) -> None:
    report = _report(name, tmp_path_factory)
    found = {(f.sha256, f.arch) for f in report.files if f.kind == "file"}
    expected = MANIFESTS[name]["elf"]
    assert expected, "a sample without ELF files tests nothing"
    missing = [e["fs_path"] for e in expected if (e["sha256"], e["arch"]) not in found]
    assert missing == []
    assert report.status == "complete", [e for e in report.errors if e.severity == "error"]


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_files_know_their_container_handler_and_offset(name: str, tmp_path_factory) -> None:
    report = _report(name, tmp_path_factory)
    paths = {f.path for f in report.files}
    extracted = [f for f in report.files if f.path != report.image["name"]]
    assert extracted
    for record in extracted:
        assert record.parent in paths, record.path
        assert record.handler, record.path
        assert record.offset is not None and record.offset >= 0


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_report_is_deterministic_outside_run_block(name: str, tmp_path_factory) -> None:
    first = json.loads(render(_report(name, tmp_path_factory)))
    again = run(AuditConfig(image=MANIFESTS[name]["image_path"], workdir=tmp_path_factory.mktemp("again"),
                            jobs=1))
    second = json.loads(render(again))
    first.pop("run")
    second.pop("run")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@pytest.mark.parametrize(("library", "arch"), [
    ("/usr/arm-linux-gnueabihf/lib/libc.so.6", "arm-32-le"),
    ("/usr/mips-linux-gnu/lib/libc.so.6", "mips-32-be"),
])
def test_bare_elf_is_a_valid_input(tmp_path: Path, library: str, arch: str) -> None:
    source = Path(library)
    if not source.is_file():
        pytest.skip(f"{library} not installed (cross libc comes with the sample toolchains)")
    image = tmp_path / "libc.so.6"
    image.write_bytes(source.read_bytes())
    report = run(AuditConfig(image=image, workdir=tmp_path / "w"))
    top = next(f for f in report.files if f.path == "libc.so.6")
    assert (top.sha256, top.arch, top.is_elf) == (hashlib.sha256(image.read_bytes()).hexdigest(), arch, True)
    assert report.status == "complete"


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_inspection_facts_are_in_the_report(name: str, tmp_path_factory) -> None:
    report = _report(name, tmp_path_factory)
    by_kind: dict[str, set[str]] = {}
    for fact in report.facts:
        by_kind.setdefault(fact.kind, set()).add(fact.sha256)
    elf_hashes = {e["sha256"] for e in MANIFESTS[name]["elf"]}
    assert elf_hashes <= by_kind.get("elf", set())
    assert elf_hashes <= by_kind.get("elf.comment", set())  # every sample ELF carries a toolchain banner
    banner = MANIFESTS[name].get("kernel_banner")
    if banner:
        texts = {f.data.get("banner") for f in report.facts if f.kind == "kernel.banner"}
        assert banner in texts
    assert any(f.kind == "account" for f in report.facts)
