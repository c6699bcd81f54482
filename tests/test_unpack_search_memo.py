"""unblob's leaf outcomes from the per-file cache (audit/unpack/search_memo.py): a replayed step gives unblob's own
report (real unblob, a real sample), and notes are trusted no more than the audit's own inventory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit import unblob_zygote as zygote
from audit.cache import ResultCache
from audit.file_cache import FileMemo
from audit.model import AuditConfig, FileRecord
from audit.pipeline import run
from audit.unpack import search_memo
from audit.unpack.search_memo import Notes, collect, key_of, parse, store
from tests.conftest import SAMPLES_BUILD

INGENIC = SAMPLES_BUILD / "ingenic-cam.bin"
SHA = "ab" * 32
NAMES = json.dumps(["elf32", "elf64"])


def _unblob_view(workdir: Path) -> dict[str, list]:
    """unblob's report as a run-free view: per task path under the extraction root, its reports' types and,
    for chunks, handler and offsets (chunk ids are random per run)."""
    root = str(workdir / "extract")
    view: dict[str, list] = {}
    for task in json.loads((workdir / "unblob-report.json").read_text()):
        path = str(task["task"]["path"]).replace(root, "<root>")
        view[path] = sorted(
            (r["__typename__"], r.get("handler_name"), r.get("start_offset"), r.get("end_offset"),
             len(r.get("extraction_reports") or []))
            for r in task["reports"])
    return view


def test_replayed_steps_give_unblobs_own_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not INGENIC.is_file():
        pytest.fail("samples are not built: run `make samples`")
    monkeypatch.setenv("FWAUDIT_ZYGOTE", "on")
    zygote.shutdown()
    cache = tmp_path / "c.sqlite"
    first = run(AuditConfig(image=INGENIC, cache=cache, jobs=1, keep=True, workdir=tmp_path / "one"))
    second = run(AuditConfig(image=INGENIC, cache=cache, jobs=1, keep=True, workdir=tmp_path / "two"))
    assert first.run["file_cache"]["searches_skipped"] == 0
    assert second.run["file_cache"]["searches_skipped"] > 0, second.run["file_cache"]
    one, two = (Path(r.run["workdir"]) for r in (first, second))
    assert _unblob_view(one) == _unblob_view(two)
    assert any(kind == "ChunkReport" and handler.startswith("elf")  # ELF steps were among those replayed
               for reports in _unblob_view(two).values() for kind, handler, *_ in reports if handler)
    assert (two / "search-memo").is_dir() and any(p.name.startswith("hits.") for p in (two / "search-memo").iterdir())
    a, b = first.to_dict(), second.to_dict()
    a.pop("run"), b.pop("run")
    assert a == b


def test_parse_accepts_only_the_two_leaf_outcomes() -> None:
    assert parse('{"chunk": null}') == {"chunk": None}
    assert parse('{"chunk": {"handler": "elf32", "encrypted": false}}') is not None
    for bad in ('{"chunk": {"handler": "elf32"}}', '{"chunk": {"handler": 1, "encrypted": false}}',
                '{"chunk": null, "x": 1}', '{"chunk": {"handler": "a", "encrypted": "no"}}', "[]", "not json", ""):
        assert parse(bad) is None, bad


def test_collect_ignores_malformed_notes(tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    good = ["2f61", SHA, NAMES, '{"chunk": null}']
    (out / "new.1").write_text("\t".join(good) + "\n" + "\t".join(good[:3]) + "\n"  # a truncated line
                               + "\t".join(["zz", SHA, NAMES, '{"chunk": null}']) + "\n"  # not hex
                               + "\t".join(["2f62", "12", NAMES, '{"chunk": null}']) + "\n"  # not a sha256
                               + "\t".join(["2f63", SHA, NAMES, '{"chunk": 1}']) + "\n")  # not an outcome
    (out / "hits.1").write_text("c" * 64 + "\n" + "short\n")
    (out / "other.1").write_text("\t".join(good) + "\n")
    (out / "new.2").symlink_to(out / "new.1")
    notes = collect(out)
    assert notes.found == [tuple(good)]
    assert notes.replayed == {"c" * 64}
    assert collect(tmp_path / "missing") == Notes()


def test_notes_are_trusted_no_more_than_the_inventory(tmp_path: Path) -> None:
    memo = FileMemo(ResultCache(tmp_path / "c.sqlite"))

    def record(path: str, sha: str) -> FileRecord:
        return FileRecord(path=path, fs_path="/" + path, kind="file", size=4, mode=0o644, sha256=sha)

    files = [record("root/bin/a", SHA), record("root/bin/b", "cd" * 32), record("root/fs.img", "ef" * 32)]
    leaf = '{"chunk": {"encrypted": false, "handler": "elf32"}}'
    notes = Notes(found=[
        (b"root/bin/a".hex(), SHA, NAMES, leaf),  # the file, its bytes: stored
        (b"root/bin/b".hex(), SHA, NAMES, leaf),  # another file's sha256: not stored
        (b"root/fs.img".hex(), "ef" * 32, NAMES, '{"chunk": null}'),  # a container: not stored
        (b"root/bin/gone".hex(), "01" * 32, NAMES, leaf),  # not in the inventory: not stored
    ], replayed={"9" * 64})
    assert store(memo, notes, files, opened={"root/fs.img"}) == 1
    stored = memo.get_many([key_of(memo.salt, NAMES, sha) for sha in (SHA, "cd" * 32, "ef" * 32, "01" * 32)])
    assert list(stored.values()) == [leaf]
    assert key_of(memo.salt, NAMES, SHA) in stored
    assert search_memo.STAGE == "unpack.search"
