"""unblob runs forked from a zygote (audit/unblob_zygote.py): the same reports as fresh processes, the zygote
reused, a dead zygote replaced, and caps still end the run (real unblob, real samples)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from audit import unblob_zygote as zygote
from audit.model import AuditConfig
from audit.pipeline import run
from audit.unpack.engine import Caps, run_unblob
from tests.conftest import SAMPLES_BUILD

XM = SAMPLES_BUILD / "xm-camera.bin"
INGENIC = SAMPLES_BUILD / "ingenic-cam.bin"


@pytest.fixture(autouse=True)
def _fresh_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    if not XM.is_file():
        pytest.skip("samples not built (make samples)")
    monkeypatch.setenv("FWAUDIT_ZYGOTE", "on")
    zygote.shutdown()


def _report(image: Path) -> str:
    data = run(AuditConfig(image=image, jobs=1)).to_dict()
    data.pop("run", None)
    return json.dumps(data, sort_keys=True)


def test_forked_runs_give_the_reports_of_fresh_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    forked = _report(XM)
    monkeypatch.setenv("FWAUDIT_ZYGOTE", "off")
    fresh = _report(XM)
    assert forked == fresh
    assert '"claims"' in forked and "xiongmai" in forked.lower()


def test_the_zygote_is_reused_and_a_dead_one_replaced() -> None:
    _report(XM)
    assert len(zygote._idle) == 1
    first = zygote._idle[0].proc.pid
    _report(XM)
    assert [z.proc.pid for z in zygote._idle] == [first]  # the same server ran the second extraction
    os.kill(first, signal.SIGKILL)
    time.sleep(0.2)
    again = _report(XM)
    assert '"claims"' in again
    assert zygote._idle and zygote._idle[0].proc.pid != first


def _work(tmp_path: Path) -> tuple[Path, Path]:
    """(work dir, its empty extract dir) for a direct `run_unblob`."""
    work = tmp_path / "work"
    (work / "extract").mkdir(parents=True)
    return work, work / "extract"


def _caps(timeout: float) -> Caps:
    return Caps(max_bytes=1 << 30, max_files=100_000, max_file_size=1 << 30, timeout=timeout)


def test_a_cap_kills_the_forked_run_and_nothing_is_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work, extract = _work(tmp_path)
    caps = _caps(timeout=0.3)
    started: list[int] = []
    real_spawn = zygote.spawn

    def spawn(*args, **kwargs):  # the real spawn; the test only notes the pid it got
        child = real_spawn(*args, **kwargs)
        started.append(child.pid)
        return child

    monkeypatch.setattr(zygote, "spawn", spawn)
    result = run_unblob(INGENIC, extract, work, 4, 1, caps)
    assert started, "the run was not forked from the zygote"
    assert result.cap_hit == "timeout"
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)


def test_off_starts_fresh_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FWAUDIT_ZYGOTE", "off")
    _report(XM)
    assert zygote._idle == []


def test_the_zygote_started_early_is_the_one_that_runs_unblob() -> None:
    _report(XM)
    assert len(zygote._idle) == 1 and zygote._idle[0].served


def test_a_cache_hit_leaves_no_zygote_behind(tmp_path: Path) -> None:
    config = AuditConfig(image=XM, jobs=1, cache=tmp_path / "results.sqlite")
    assert run(config).run["cache"] == "miss"
    zygote.shutdown()
    again = run(config)
    assert again.run["cache"] == "hit"
    assert zygote._idle == []  # the one started early was stopped, not left importing unblob


class _StopError(Exception):
    pass


@pytest.mark.parametrize("mode", ["on", "off"])
def test_an_interrupted_watch_stops_the_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """Ctrl-C (or a batch worker's SIGTERM) while unblob runs: the run, in a session of its own, is killed too,
    forked or fresh, instead of writing on into a work dir that is being removed."""
    monkeypatch.setenv("FWAUDIT_ZYGOTE", mode)
    work, extract = _work(tmp_path)
    caps = _caps(timeout=600)
    pids: list[int] = []
    import audit.unpack.engine as engine

    real_watch = engine._watch

    def watch(child, *args):  # the real watcher, interrupted at its first progress report
        pids.append(child.pid)
        return real_watch(child, *args)

    def progress(_files: int, _bytes: int) -> None:
        raise _StopError

    monkeypatch.setattr(engine, "_watch", watch)
    with pytest.raises(_StopError):
        run_unblob(INGENIC, extract, work, 4, 1, caps, progress)
    assert pids
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def _listing(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file())


def test_a_small_input_loads_lief_on_demand_and_extracts_the_same(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An input below SMALL_INPUT runs with lief deferred (bin/unblob-zygote): an ELF with a gzip stream after
    its end needs lief to find that end, and the forked run must carve exactly what a fresh process carves."""
    import gzip

    import audit.unpack.engine as engine

    tree_work, tree = _work(tmp_path / "xm")
    run_unblob(XM, tree, tree_work, 4, 1, _caps(timeout=120))
    elf = min((p for p in tree.rglob("*") if p.is_file() and not p.is_symlink()
               and p.read_bytes()[:4] == b"\x7fELF"), key=lambda p: (p.stat().st_size, str(p)))
    image = tmp_path / "elf-plus-gzip.bin"
    image.write_bytes(elf.read_bytes() + gzip.compress(b"fwaudit appended payload\n" * 200, mtime=0))
    assert image.stat().st_size < engine.SMALL_INPUT
    listings = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("FWAUDIT_ZYGOTE", mode)
        zygote.shutdown()  # on: a new zygote, asked at once, so lief is still deferred when the run starts
        work, extract = _work(tmp_path / mode)
        result = run_unblob(image, extract, work, 4, 1, _caps(timeout=120))
        assert result.returncode == 0
        listings[mode] = _listing(extract)
    assert listings["on"] == listings["off"]
    assert any("fwaudit appended payload" in p.read_text(errors="replace")
               for p in (tmp_path / "on" / "work" / "extract").rglob("*") if p.is_file())


def test_a_one_image_process_ends_its_zygote_with_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fwaudit scan` (keep_after_use(False)): the zygote serves its one run and exits, so the analysis that
    follows does not carry an idle unblob process; the report is the same as with a kept zygote."""
    kept = _report(XM)
    monkeypatch.setattr(zygote, "_keep", True)  # restored after the test
    zygote.keep_after_use(False)
    zygote.prestart(dict(os.environ))
    server = zygote._idle[0].proc
    assert _report(XM) == kept
    assert zygote._idle == []
    assert server.poll() == 0  # the server process has exited, cleanly (os._exit(0) after its answer)
