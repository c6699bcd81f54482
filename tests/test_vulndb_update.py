"""`fwaudit db update` against a real local HTTP server serving OSV all.zip and NVD CVE API 2.0 pages in the
public formats; offline `--from-file`; failures exit 3 and leave the previous store as it was. No internet."""

from __future__ import annotations

import io
import json
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from audit.cli_db import db
from audit.findings.components import cpe_of, purl_of
from audit.findings.tables import component_rows
from audit.vulndb import info, match_components

NVD_STAMP = "2024-05-01T10:00:00.000"
OSV_RECORDS = [
    {"id": "CVE-2022-0001", "modified": "2024-04-30T00:00:00Z", "summary": "kernel use-after-free",
     "affected": [{"package": {"ecosystem": "Linux", "name": "Kernel"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "5.10.0"}, {"fixed": "5.10.150"},
                                                                {"introduced": "5.15.0"}, {"fixed": "5.15.70"}]}]},
                  {"package": {"ecosystem": "Debian:12", "name": "linux"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "6.1.1-1"}]}]}]},
    {"id": "DEBIAN-ONLY-1", "modified": "2024-04-29T00:00:00Z", "summary": "not the upstream kernel",
     "affected": [{"package": {"ecosystem": "Debian:12", "name": "linux"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]},
]


def _cve(cve_id: str, severity: str, matches: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cve": {"id": cve_id, "lastModified": "2024-04-20T08:00:00.000", "vulnStatus": "Analyzed",
                    "descriptions": [{"lang": "es", "value": "otra"}, {"lang": "en", "value": f"{cve_id} in busybox"}],
                    "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
                                                   "cvssData": {"version": "3.1", "baseScore": 9.8,
                                                                "baseSeverity": severity}}]},
                    "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": matches}]}]}}


BUSYBOX_CVES = [
    _cve("CVE-2022-48174", "CRITICAL", [{"vulnerable": True, "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
                                         "versionEndExcluding": "1.36.0", "matchCriteriaId": "A"}]),
    _cve("CVE-2021-42386", "HIGH", [{"vulnerable": True, "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
                                     "versionStartIncluding": "1.16.0", "versionEndIncluding": "1.33.1"}]),
    _cve("CVE-2099-0001", "LOW", [{"vulnerable": True, "criteria": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
                                   "versionStartExcluding": "1.31.1", "versionEndExcluding": "1.32.0"}]),
    _cve("CVE-2099-0002", "LOW", [{"vulnerable": True, "criteria": "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*"},
                                  {"vulnerable": False, "criteria": "cpe:2.3:o:acme:router_firmware:-:*:*:*:*:*:*:*"}]),
]


def _page(vulns: list[dict[str, Any]], start: int, total: int) -> dict[str, Any]:
    return {"resultsPerPage": len(vulns), "startIndex": start, "totalResults": total, "format": "NVD_CVE",
            "version": "2.0", "timestamp": NVD_STAMP, "vulnerabilities": vulns}


def _osv_zip(records: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rec in records:
            zf.writestr(f"{rec['id']}.json", json.dumps(rec))
    return buf.getvalue()


class Feeds(BaseHTTPRequestHandler):
    """The mirror: `/osv/<ECOSYSTEM>/all.zip` and `/nvd/cves/2.0?virtualMatchString=...` (one CVE per page, to
    exercise paging). `mode` switches to failures."""

    mode = "ok"
    requests: ClassVar[list[str]] = []
    withdrawn: ClassVar[set[str]] = set()  # record ids the feeds no longer carry

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        Feeds.requests.append(self.path)
        if url.path == "/osv/Linux/all.zip":
            self._send(200, _osv_zip([r for r in OSV_RECORDS if r["id"] not in Feeds.withdrawn]), "application/zip")
        elif url.path == "/nvd/cves/2.0":
            if Feeds.mode == "500":
                self._send(500, b"internal error", "text/plain")
                return
            if Feeds.mode == "badjson":
                self._send(200, b'{"vulnerabilities": [', "application/json")
                return
            query = urllib.parse.parse_qs(url.query)
            start = int(query["startIndex"][0])
            mine = BUSYBOX_CVES if query["virtualMatchString"] == ["cpe:2.3:a:busybox:busybox"] else []
            mine = [v for v in mine if v["cve"]["id"] not in Feeds.withdrawn]
            self._send(200, json.dumps(_page(mine[start:start + 1], start, len(mine))).encode(), "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if ctype == "application/zip":
            self.send_header("Last-Modified", "Tue, 30 Apr 2024 12:00:00 GMT")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def mirror() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Feeds.mode, Feeds.requests, Feeds.withdrawn = "ok", [], set()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _comp(name: str, version: str) -> dict[str, Any]:
    row = next(r for r in component_rows() if r.name == name)
    return {"name": name, "version": version, "purl": purl_of(row, name, version), "cpe": cpe_of(row, version),
            "occurrences": [{"path": f"rootfs/bin/{name}"}]}


def _found(db_path: Path, *comps: dict[str, Any]) -> dict[tuple[str, str, str], list[str]]:
    matches, meta = match_components(list(comps), db_path)
    assert meta["status"] == "ok"
    return {(m["component"], m["version"], m["id"]): m["fixed"] for m in matches}


def test_update_from_mirror_matches_cpe_ranges_and_osv_packages(mirror: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    result = CliRunner().invoke(db, ["update", "--mirror", mirror, "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "nvd: [" in result.stderr and "busybox:busybox: 4/4 CVEs" in result.stderr
    assert "osv:Linux: 1 records" in result.stdout and "nvd: 4 records" in result.stdout
    assert sum("busybox%3Abusybox" in r for r in Feeds.requests) == 4  # paged one CVE at a time
    found = _found(path, _comp("busybox", "1.31.1"), _comp("busybox", "1.36.1"), _comp("linux", "5.10.100"),
                   _comp("linux", "5.12.0"), _comp("linux", "5.15.3"))
    assert found == {("busybox", "1.31.1", "CVE-2022-48174"): ["1.36.0"],
                     ("busybox", "1.31.1", "CVE-2021-42386"): [],  # versionEndIncluding: no fixed version known
                     ("busybox", "1.31.1", "CVE-2099-0002"): [],  # listed version
                     ("linux", "5.10.100", "CVE-2022-0001"): ["5.10.150"],
                     ("linux", "5.15.3", "CVE-2022-0001"): ["5.15.70"]}
    assert _found(path, _comp("busybox", "1.31.2")) == {("busybox", "1.31.2", "CVE-2022-48174"): ["1.36.0"],
                                                        ("busybox", "1.31.2", "CVE-2021-42386"): [],
                                                        ("busybox", "1.31.2", "CVE-2099-0001"): ["1.32.0"]}
    matches, meta = match_components([_comp("busybox", "1.31.1")], path)
    assert next(m for m in matches if m["id"] == "CVE-2022-48174")["severity"] == "critical"
    assert "in busybox" in matches[0]["summary"]
    assert meta["data_date"] == "2024-04-30T12:00:00Z" and meta["data_age_days"] > 300
    data = info(path)
    assert {f["name"]: f["feed_date"] for f in data["feeds"]} == {"nvd": NVD_STAMP, "osv:Linux": "2024-04-30T12:00:00Z"}
    assert data["records"] == 5  # the Debian-only record is not one of ours
    shown = CliRunner().invoke(db, ["--db", str(path), "info"])
    assert "feed:     nvd: 4 records, data of 2024-05-01" in shown.output and "data age:" in shown.output


def test_records_withdrawn_from_a_feed_leave_the_store(mirror: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    assert CliRunner().invoke(db, ["update", "--mirror", mirror, "--db", str(path)]).exit_code == 0
    before = _found(path, _comp("busybox", "1.31.1"), _comp("linux", "5.10.100"))
    assert ("busybox", "1.31.1", "CVE-2022-48174") in before and ("linux", "5.10.100", "CVE-2022-0001") in before
    Feeds.withdrawn = {"CVE-2022-48174", "CVE-2022-0001"}
    result = CliRunner().invoke(db, ["update", "--mirror", mirror, "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "osv:Linux: 0 records" in result.stdout and "1 withdrawn records removed" in result.stdout
    after = _found(path, _comp("busybox", "1.31.1"), _comp("linux", "5.10.100"))
    assert after == {k: v for k, v in before.items() if k[2] not in Feeds.withdrawn} and len(after) == len(before) - 2
    assert info(path)["records"] == 3


def test_only_one_source(mirror: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    result = CliRunner().invoke(db, ["--db", str(path), "update", "--mirror", mirror, "--only", "osv"])
    assert result.exit_code == 0, result.output
    assert [f["name"] for f in info(path)["feeds"]] == ["osv:Linux"]
    assert not any(r.startswith("/nvd/") for r in Feeds.requests)


def test_from_file_offline(tmp_path: Path) -> None:
    osv_zip = tmp_path / "all.zip"
    osv_zip.write_bytes(_osv_zip(OSV_RECORDS))
    nvd = tmp_path / "busybox.json"
    nvd.write_text(json.dumps(_page(BUSYBOX_CVES, 0, len(BUSYBOX_CVES))), encoding="utf-8")
    path = tmp_path / "v.db"
    result = CliRunner().invoke(db, ["--db", str(path), "update", "--from-file", str(osv_zip), "--from-file", str(nvd)])
    assert result.exit_code == 0, result.output
    found = _found(path, _comp("busybox", "1.31.1"), _comp("linux", "5.10.100"))
    assert found[("busybox", "1.31.1", "CVE-2022-48174")] == ["1.36.0"]
    assert found[("linux", "5.10.100", "CVE-2022-0001")] == ["5.10.150"]
    feeds = {f["name"]: f for f in info(path)["feeds"]}
    assert feeds[f"nvd:{nvd}"]["feed_date"] == NVD_STAMP and feeds[f"osv:{osv_zip}"]["records"] == 2


def test_from_file_folder_with_nvd_and_osv_files(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "busybox.json").write_text(json.dumps(_page(BUSYBOX_CVES, 0, len(BUSYBOX_CVES))), encoding="utf-8")
    for index, record in enumerate(OSV_RECORDS):
        (folder / f"osv-{index}.json").write_text(json.dumps(record), encoding="utf-8")
    path = tmp_path / "v.db"
    result = CliRunner().invoke(db, ["--db", str(path), "update", "--from-file", str(folder)])
    assert result.exit_code == 0, result.output
    found = _found(path, _comp("busybox", "1.31.1"), _comp("linux", "5.10.100"))
    assert found[("busybox", "1.31.1", "CVE-2022-48174")] == ["1.36.0"]  # the NVD file inside the folder counts
    assert found[("linux", "5.10.100", "CVE-2022-0001")] == ["5.10.150"]


@pytest.mark.parametrize(("mode", "message"), [("500", "HTTP 500"), ("badjson", "bad JSON")])
def test_failed_feed_exits_3_and_keeps_the_store(mirror: str, tmp_path: Path, mode: str, message: str) -> None:
    path = tmp_path / "v.db"
    runner = CliRunner()
    assert runner.invoke(db, ["--db", str(path), "update", "--mirror", mirror]).exit_code == 0
    before = info(path)
    Feeds.mode = mode
    result = runner.invoke(db, ["--db", str(path), "update", "--mirror", mirror])
    assert result.exit_code == 3
    assert message in result.stderr and "unchanged" in result.stderr and "Traceback" not in result.output
    assert info(path) == before


def test_failed_first_update_creates_no_store(mirror: str, tmp_path: Path) -> None:
    Feeds.mode = "500"
    path = tmp_path / "v.db"
    result = CliRunner().invoke(db, ["--db", str(path), "update", "--mirror", mirror, "--only", "nvd"])
    assert result.exit_code == 3 and not path.exists()


def test_unreachable_mirror_and_bad_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(db, ["--db", str(tmp_path / "v.db"), "update", "--mirror", "http://127.0.0.1:9"])
    assert result.exit_code == 3 and "127.0.0.1:9" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(db, ["--db", str(tmp_path / "v.db"), "update", "--from-file", str(bad)])
    assert result.exit_code == 3 and "bad JSON" in result.stderr and not (tmp_path / "v.db").exists()
