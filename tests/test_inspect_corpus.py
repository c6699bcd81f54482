"""Real vendor SDK binaries from ../shared/corpus (never copied into the repo; skipped when absent)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from audit.inspect import inspect_files
from audit.model import Fact, FileRecord

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present"),
]


def facts_for(rel: str) -> dict[str, list[Fact]]:
    p = CORPUS / "openipc" / rel
    if not p.is_file():
        pytest.skip(f"{rel} not in corpus")
    data = p.read_bytes()
    rec = FileRecord(path=rel, fs_path="/" + rel.rsplit("/", 1)[-1], kind="file", size=len(data), mode=0o644,
                     sha256=hashlib.sha256(data).hexdigest(), is_elf=True)
    facts, errors = inspect_files([(p, rec)])
    assert errors == []
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.kind, []).append(f)
    return out


def comments(facts: dict[str, list[Fact]]) -> list[str]:
    return [f.data["text"] for f in facts.get("elf.comment", [])]


def test_hisilicon_ev200_sys_ko() -> None:
    f = facts_for("hisilicon-osdrv-hi3516ev200/hi3516ev200_sys.ko")
    mi = f["kmod.modinfo"][0].data
    assert mi["license"] == "Proprietary" and mi["vermagic"].startswith("4.9.37 ")
    assert any("hisilicon,hisi-sys" in a for a in mi["alias"])
    assert "GCC: (HC&C V1R3C00SPC200B005_20190606) 6.3.0" in comments(f)


def test_hisilicon_ev200_libmpi() -> None:
    f = facts_for("hisilicon-osdrv-hi3516ev200/libmpi.so")
    assert "GCC: (HC&C V1R3C00SPC200B005_20190606) 6.3.0" in comments(f)
    exports = f["elf.symbols"][0].data["exports"]
    assert sum(e.startswith("HI_MPI_") for e in exports) > 50
    assert f["elf"][0].data["abi"]["float_abi"] == "soft"


def test_hisilicon_cv300_libmpi_banner() -> None:
    f = facts_for("hisilicon-osdrv-hi3516cv300/libmpi.so")
    assert any(c.startswith("GCC: (Hisilicon_v500_20180120) 4.9.4") for c in comments(f))


def test_sigmastar_mi_sys_ko() -> None:
    mi = facts_for("sigmastar-osdrv-infinity6e/mi_sys.ko")["kmod.modinfo"][0].data
    assert mi["author"].endswith("@sigmastar.com.cn>") and mi["depends"] == ["mi_common"]
    assert mi["kernel_release"] == "4.9.84" and "SMP" in mi["flags"]


def test_fullhan_libispcore() -> None:
    f = facts_for("fullhan-osdrv-fh8852v100/libispcore.so")
    assert "GCC: (b220190606) 5.5.0" in comments(f)
    assert f["elf"][0].data["needed"] == ["libc.so.0"]  # uClibc
    assert sum(e.startswith("isp_") for e in f["elf.symbols"][0].data["exports"]) > 100


def test_novatek_libhdal() -> None:
    f = facts_for("novatek-osdrv-nt9856x/libhdal.so")
    assert any("Buildroot 2020.02.9" in c for c in comments(f))
    assert sum(e.startswith("hd_") for e in f["elf.symbols"][0].data["exports"]) > 100


def test_grainmedia_libgm() -> None:
    f = facts_for("grainmedia-osdrv-gm8136/libgm.so")
    assert any("Buildroot 2012.02" in c for c in comments(f))
    assert sum(e.startswith("gm_") for e in f["elf.symbols"][0].data["exports"]) > 20


def test_ingenic_libimp() -> None:
    f = facts_for("ingenic-osdrv-t31/libimp.so")
    assert "GCC: (Ingenic r3.3.0-gcc540 2018.04-11) 5.4.0" in comments(f)
    elf = f["elf"][0].data
    assert elf["machine"] == "EM_MIPS" and elf["abi"]["isa"] == "mips32r2" and elf["abi"]["abi"] == "o32"
    assert sum(e.startswith("IMP_") for e in f["elf.symbols"][0].data["exports"]) > 100


def test_xm711_is_montage_not_xiongmai() -> None:
    mi = facts_for("xiongmai-osdrv-xm530/xm711.ko")["kmod.modinfo"][0].data
    assert mi["author"] == "Montage" and mi["description"].startswith("Lynx driver")


def test_ambarella_iav_ko() -> None:
    mi = facts_for("ambarella-osdrv-s3l/iav.ko")["kmod.modinfo"][0].data
    assert "ambarella.com" in mi["author"] and mi["depends"] == ["hw_timer", "imgproc", "vout", "dsp"]
