"""unblob's leaf outcomes from the per-file cache (audit/unpack/search_memo.py): a replayed step gives unblob's own
report (real unblob, a real sample), and notes are trusted no more than the audit's own inventory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit import unblob_zygote as zygote
from audit.cache import ResultCache
from audit.file_cache import FileMemo
from audit.memo_key import memo_key
from audit.model import AuditConfig, FileRecord
from audit.pipeline import run
from audit.unpack import search_memo
from audit.unpack.search_memo import STEP, TYPE, Notes, collect, magic_version, parse_step, parse_type, store
from tests.conftest import SAMPLES_BUILD

INGENIC = SAMPLES_BUILD / "ingenic-cam.bin"
SHA = "ab" * 32
NAMES = json.dumps(["elf32", "elf64"])


def _unblob_view(workdir: Path) -> dict[str, list]:
    """unblob's report as a run-free view: per task path under the extraction root, its reports' types and,
    for chunks, handler and offsets (chunk ids are random per run)."""
    root = str(workdir / "extract")
    view: dict[str, list] = {}
    for task in json.loads((workdir / "unblob" / "report.json").read_text()):
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
    assert first.run["file_cache"]["unblob_replayed"] == 0
    assert second.run["file_cache"]["unblob_replayed"] > 0, second.run["file_cache"]
    one, two = (Path(r.run["workdir"]) for r in (first, second))
    assert _unblob_view(one) == _unblob_view(two)
    assert any(kind == "ChunkReport" and handler.startswith("elf")  # ELF steps were among those replayed
               for reports in _unblob_view(two).values() for kind, handler, *_ in reports if handler)
    notes = (two / "search-memo" / "notes").read_text().splitlines()
    assert any(line.startswith("hit\t") for line in notes)
    a, b = first.to_dict(), second.to_dict()
    a.pop("run"), b.pop("run")
    assert a == b


def test_parsers_accept_only_the_stored_shapes() -> None:
    assert parse_step('{"chunk": null}') == {"chunk": None}
    assert parse_step('{"chunk": {"handler": "elf32", "encrypted": false}}') is not None
    for bad in ('{"chunk": {"handler": "elf32"}}', '{"chunk": {"handler": 1, "encrypted": false}}',
                '{"chunk": null, "x": 1}', '{"chunk": {"handler": "a", "encrypted": "no"}}', "[]", "not json", ""):
        assert parse_step(bad) is None, bad
    assert parse_type('{"magic": "ELF 32-bit LSB executable", "mime": "application/x-executable"}') is not None
    for bad in ('{"magic": "x"}', '{"magic": 1, "mime": "y"}', '{"magic": "x", "mime": "y", "z": 1}', "null"):
        assert parse_type(bad) is None, bad


def test_collect_ignores_malformed_notes(tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    step = ["step", "2f61", SHA, NAMES, '{"chunk": null}']
    typed = ["type", "2f61", SHA, "493", '{"magic": "data", "mime": "application/octet-stream"}']
    lines = [step, step[:4], ["step", "zz", SHA, NAMES, '{"chunk": null}'],  # truncated; path not hex
             ["step", "2f62", "12", NAMES, '{"chunk": null}'], ["step", "2f63", SHA, NAMES, '{"chunk": 1}'],
             typed, ["type", "2f61", SHA, "rwx", typed[4]], ["type", "2f61", SHA, "493", '{"magic": "x"}'],
             ["hit", "c" * 64], ["hit", "short"], ["other", "2f61", SHA, NAMES, '{"chunk": null}']]
    (out / "notes").write_text("".join("\t".join(line) + "\n" for line in lines))
    notes = collect(out)
    assert notes.found == [(STEP, *step[1:]), (TYPE, *typed[1:])]
    assert notes.replayed == {"c" * 64}
    assert collect(tmp_path / "missing") == Notes()
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "notes").symlink_to(out / "notes")
    assert collect(tmp_path / "linked") == Notes()  # a link planted in the work dir is not followed


def test_notes_are_trusted_no_more_than_the_inventory(tmp_path: Path) -> None:
    memo = FileMemo(ResultCache(tmp_path / "c.sqlite"))

    def record(path: str, sha: str) -> FileRecord:
        return FileRecord(path=path, fs_path="/" + path, kind="file", size=4, mode=0o644, sha256=sha)

    files = [record("root/bin/a", SHA), record("root/bin/b", "cd" * 32), record("root/fs.img", "ef" * 32)]
    leaf = '{"chunk": {"encrypted": false, "handler": "elf32"}}'
    typed = '{"magic": "data", "mime": "application/octet-stream"}'
    notes = Notes(found=[
        (STEP, b"root/bin/a".hex(), SHA, NAMES, leaf),  # the file, its bytes: stored
        (STEP, b"root/bin/b".hex(), SHA, NAMES, leaf),  # another file's sha256: not stored
        (STEP, b"root/fs.img".hex(), "ef" * 32, NAMES, '{"chunk": null}'),  # a container: not stored
        (STEP, b"root/bin/gone".hex(), "01" * 32, NAMES, leaf),  # not in the inventory: not stored
        (TYPE, b"root/fs.img".hex(), "ef" * 32, str(0o644), typed),  # a type: stored, container or not
        (TYPE, b"root/bin/b".hex(), "cd" * 32, str(0o4755), typed),  # another mode (setuid): not stored
    ], replayed={"9" * 64})
    assert store(memo, notes, files, opened={"root/fs.img"}) == 1
    keys = {"leaf a": memo_key(memo.salt, STEP, NAMES, SHA), "leaf b": memo_key(memo.salt, STEP, NAMES, "cd" * 32),
            "leaf fs": memo_key(memo.salt, STEP, NAMES, "ef" * 32),
            "leaf gone": memo_key(memo.salt, STEP, NAMES, "01" * 32),
            "type fs": memo_key(memo.salt, TYPE, "ef" * 32, 0o644, magic_version()),
            "type b": memo_key(memo.salt, TYPE, "cd" * 32, 0o4755, magic_version()),
            "type b 644": memo_key(memo.salt, TYPE, "cd" * 32, 0o644, magic_version())}
    stored = memo.get_many(list(keys.values()))
    assert {name for name, key in keys.items() if key in stored} == {"leaf a", "type fs"}
    assert stored[keys["leaf a"]] == leaf and stored[keys["type fs"]] == typed
    assert search_memo.NOTES == "notes"


SANDBOXED = """
import json, sys
from pathlib import Path
from unblob.processing import ExtractionConfig
from unblob.sandbox import Sandbox
work = Path(sys.argv[1])
config = ExtractionConfig(extract_root=work / "extract", randomness_depth=1)
def attempt(path):
    try:
        with open(path, "a") as out:
            out.write("x\\n")
    except OSError as exc:
        return type(exc).__name__
    return "written"
targets = [work / "outside.txt", work / "extract" / "f", work / "unblob" / "report.json",
           work / "search-memo" / "notes"]
print(json.dumps(Sandbox(config, work / "unblob.log", work / "unblob" / "report.json").run(
    lambda: [attempt(p) for p in targets])))
"""


def test_unblobs_sandbox_cannot_write_the_notes(tmp_path: Path) -> None:
    """What the trust argument rests on: inside unblob's sandbox, the extraction root and the report's folder are
    writable and the notes are not (checked with a real Landlock sandbox where the kernel has one)."""
    for folder in ("extract", "unblob", "search-memo"):
        (tmp_path / folder).mkdir()
    (tmp_path / "unblob.log").touch()
    notes = tmp_path / "search-memo" / "notes"
    notes.touch()
    done = subprocess.run([sys.executable, "-c", SANDBOXED, str(tmp_path)], capture_output=True, text=True,
                          timeout=60, check=True)  # a process of its own: unblob sets multiprocessing's start method
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    if outcome[0] == "written":
        pytest.skip("this kernel gives unblob no Landlock sandbox")
    assert outcome == ["PermissionError", "written", "written", "PermissionError"]
    assert notes.read_text() == ""
