"""Offline CVE matching: tolerant version comparison, OSV range semantics, import formats, no-data status,
fixed versions, old-store migration."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli_db import db
from audit.vulndb import compare_versions, default_db_path, import_osv, in_range, info, match_components

FIXTURE = [
    {"id": "CVE-2022-48174", "summary": "busybox ash stack overflow", "aliases": ["GHSA-test-0001"],
     "database_specific": {"severity": "CRITICAL"},
     "affected": [{"package": {"ecosystem": "Generic", "name": "busybox", "purl": "pkg:generic/busybox"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.36.0"}]}]}]},
    {"id": "CVE-2023-48795", "summary": "Terrapin prefix truncation in dropbear", "aliases": [],
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N"}],
     "affected": [{"package": {"ecosystem": "Generic", "name": "dropbear"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2013.62"},
                                                               {"last_affected": "2022.83"}]}]}]},
    {"id": "CVE-2021-3711", "summary": "openssl SM2 decryption overflow", "aliases": ["OSV-openssl-1"],
     "affected": [{"package": {"ecosystem": "Generic", "name": "openssl", "purl": "pkg:generic/openssl"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.1.1"}, {"fixed": "1.1.1l"}]}],
                   "versions": ["1.1.0-special"]}]},
    {"id": "PYSEC-0000-1", "summary": "a python package also called busybox", "aliases": [],
     "affected": [{"package": {"ecosystem": "PyPI", "name": "busybox"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]},
]


def _comp(name: str, version: str | None) -> dict:
    purl = f"pkg:generic/{name}" + (f"@{version}" if version else "")
    return {"name": name, "version": version, "purl": purl, "occurrences": [{"path": f"rootfs/bin/{name}"}]}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    src = tmp_path / "osv"
    src.mkdir()
    for rec in FIXTURE:
        (src / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    path = tmp_path / "fwaudit.db"
    assert import_osv(src, path) == len(FIXTURE)
    return path


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("1.1.1k", "1.1.1l", -1), ("1.1.1k", "1.1.1", 1), ("1.1.1", "1.1.1a", -1), ("2022.82", "2022.83", -1),
    ("1.36.1", "1.36.0", 1), ("1.10.0", "1.9.9", 1), ("2.0rc1", "2.0", -1), ("v1.2.3", "1.2.3", 0),
    ("3.0.2", "3.0.10", -1), ("1.2", "1.2.0", -1),
])
def test_compare_versions(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


def test_in_range_semantics() -> None:
    events = [{"introduced": "1.1.1"}, {"fixed": "1.1.1l"}]
    assert in_range("1.1.1k", events) and in_range("1.1.1", events)
    assert not in_range("1.1.1l", events) and not in_range("1.1.0", events) and not in_range("3.0.0", events)
    last = [{"introduced": "0"}, {"last_affected": "2022.83"}]
    assert in_range("2022.83", last) and not in_range("2024.84", last)


def test_matches_right_versions_not_fixed_ones(db_path: Path) -> None:
    components = [_comp("busybox", "1.35.0"), _comp("busybox", "1.36.1"), _comp("dropbear", "2022.82"),
                  _comp("dropbear", "2024.85"), _comp("openssl", "1.1.1k"), _comp("openssl", "1.1.1w"),
                  _comp("openssl", "1.1.0-special"), _comp("zlib", None)]
    matches, status = match_components(components, db_path)
    found = {(m["component"], m["version"], m["id"]) for m in matches}
    assert found == {("busybox", "1.35.0", "CVE-2022-48174"), ("dropbear", "2022.82", "CVE-2023-48795"),
                     ("openssl", "1.1.1k", "CVE-2021-3711"), ("openssl", "1.1.0-special", "CVE-2021-3711")}
    assert status["status"] == "ok" and status["matches"] == 4
    busybox = next(m for m in matches if m["component"] == "busybox")
    assert busybox["severity"] == "critical" and busybox["aliases"] == ["GHSA-test-0001"]
    assert busybox["occurrences"] == ["rootfs/bin/busybox"] and "ash" in busybox["summary"]


def test_no_data_is_not_no_vulnerabilities(tmp_path: Path) -> None:
    matches, status = match_components([_comp("busybox", "1.35.0")], tmp_path / "missing.db")
    assert matches == [] and status["status"] == "no-data"
    assert not (tmp_path / "missing.db").exists()


def test_import_zip_and_single_file_replace_by_id(tmp_path: Path) -> None:
    archive = tmp_path / "osv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for rec in FIXTURE[:2]:
            zf.writestr(f"{rec['id']}.json", json.dumps(rec))
    path = tmp_path / "db.sqlite"
    assert import_osv(archive, path) == 2
    single = tmp_path / "one.json"
    single.write_text(json.dumps(FIXTURE[0]), encoding="utf-8")
    assert import_osv(single, path) == 1
    assert info(path)["records"] == 2


def test_default_path_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "fwaudit" / "fwaudit.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path().parts[-4:] == (".local", "share", "fwaudit", "fwaudit.db")


def test_cli_import_and_info(tmp_path: Path) -> None:
    src = tmp_path / "rec.json"
    src.write_text(json.dumps(FIXTURE), encoding="utf-8")
    path = tmp_path / "cli.db"
    runner = CliRunner()
    result = runner.invoke(db, ["--db", str(path), "import-osv", str(src)])
    assert result.exit_code == 0 and "imported 4 records" in result.output
    result = runner.invoke(db, ["--db", str(path), "info", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["records"] == 4
    result = runner.invoke(db, ["--db", str(tmp_path / "none.db"), "info"])
    assert result.exit_code == 0 and "no-data" in result.output


def test_after_event_and_fixed_versions(db_path: Path) -> None:
    after = [{"after": "1.31.1"}, {"fixed": "1.32.0"}]
    assert not in_range("1.31.1", after) and in_range("1.31.2", after) and not in_range("1.32.0", after)
    matches, status = match_components([_comp("openssl", "1.1.1k")], db_path)
    assert [m["fixed"] for m in matches] == [["1.1.1l"]] and "data_date" in status


def test_store_made_before_cpe_column_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE affected (vuln_id TEXT, ecosystem TEXT, name TEXT, purl TEXT, ranges TEXT, "
                     "versions TEXT)")
    assert import_osv_one(tmp_path, path) == 1
    assert match_components([_comp("busybox", "1.35.0")], path)[0][0]["id"] == "CVE-2022-48174"


def import_osv_one(tmp_path: Path, path: Path) -> int:
    src = tmp_path / "one.json"
    src.write_text(json.dumps(FIXTURE[0]), encoding="utf-8")
    return import_osv(src, path)
