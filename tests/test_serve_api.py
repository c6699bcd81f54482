"""The HTTP API over a real SQLite store of the samples: list/filter parity with `fwaudit query`, image detail,
every report format, JSON errors (404/422, never a stack trace), the upload token and cap, a queued audit."""

from __future__ import annotations

import json
import time
import warnings

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.fleet.store import open_store
from audit.load import report_from_dict
from audit.report import cdx, html, json_report, markdown, sarif
from audit.serve.app import create_app
from audit.serve.settings import ServeSettings
from tests.conftest import sample_manifests
from tests.helpers.serve import build_store, sample_reports

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx's successor
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration
TOKEN = "t0ken-for-the-tests-0123456789"
QUERIES = (
    {"layer": "soc", "entity": "hisilicon"},
    {"endpoint": "*.hik-connect.com"},
    {"component": "linux=4.9.37"},
    {"component": "busybox>=1.30"},
    {"policy": "ndaa-889=fail"},
    {"layer": "soc", "entity": "hisilicon", "policy": "ndaa-889=review"},
    {"tag": "site=berlin"},
    {"layer": "oem", "hints": "true"},
    {},
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    if not sample_manifests():
        pytest.skip("samples not built (make samples)")
    return build_store(tmp_path_factory.mktemp("serve-api") / "fleet.sqlite")


@pytest.fixture
def client(db, tmp_path):
    app = create_app(ServeSettings(db=str(db), token=TOKEN, max_upload=256 * 1024, work_dir=tmp_path))
    with TestClient(app) as test_client:
        yield test_client


def cli_query(db, params: dict[str, str]) -> set[str]:
    args = ["query", "--db", str(db), "--format", "json"]
    for key, value in params.items():
        args += [f"--{key}"] if key == "hints" else [f"--{key}", value]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return {row["sha256"] for row in json.loads(result.stdout)}


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_list_parity_with_fwaudit_query(client, db, params):
    answer = client.get("/api/v1/images", params={**params, "per_page": 500})
    assert answer.status_code == 200
    body = answer.json()
    assert {row["sha256"] for row in body["images"]} == cli_query(db, params)
    assert body["total"] == len(body["images"])


def test_list_paginates_and_sorts(client):
    first = client.get("/api/v1/images", params={"per_page": 2, "sort": "image", "order": "desc"}).json()
    assert first["total"] == len(sample_reports()) and first["pages"] == 3 and len(first["images"]) == 2
    names = [row["image"] for row in first["images"]]
    assert names == sorted(names, reverse=True)
    last = client.get("/api/v1/images", params={"per_page": 2, "page": 3}).json()
    assert len(last["images"]) == 1


def test_image_detail_and_every_report_format(client):
    report = next(r for r in sample_reports() if r["image"]["name"] == "hik-nvr.dav")
    sha = report["image"]["sha256"]
    detail = client.get(f"/api/v1/images/{sha.upper()}").json()
    assert detail["image"]["name"] == "hik-nvr.dav" and detail["status"] == report["status"]
    assert {c["entity"] for c in detail["claims"]} == {c["entity"] for c in report["provenance"]["claims"]}
    assert set(detail["reports"]) == {"json", "html", "md", "sarif", "cdx"}
    model = report_from_dict(report)
    for fmt, writer in (("json", json_report), ("html", html), ("md", markdown), ("sarif", sarif)):
        answer = client.get(f"/api/v1/images/{sha}/report.{fmt}")
        assert answer.status_code == 200, fmt
        assert answer.text == writer.render(model), fmt  # the very writers `fwaudit report` uses
    bom = client.get(f"/api/v1/images/{sha}/report.cdx").json()
    assert bom["bomFormat"] == "CycloneDX" and bom["metadata"]["component"]["name"] == json.loads(
        cdx.render(model))["metadata"]["component"]["name"]
    assert "frame-ancestors 'self'" in client.get(f"/api/v1/images/{sha}/report.html").headers[
        "content-security-policy"]


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/images/" + "0" * 64, 404),
    ("/api/v1/images/xyz", 422),
    ("/api/v1/images/..%2f..%2fetc%2fpasswd", 404),
    ("/api/v1/images/%2e%2e/report.json", 422),
    ("/api/v1/images/" + "0" * 64 + "/report.exe", 404),
    ("/api/v1/images?policy=ndaa-889=maybe", 422),
    ("/api/v1/images?component=busybox<x", 422),
    ("/api/v1/images?per_page=0", 422),
    ("/api/v1/images?page=abc", 422),
    ("/api/v1/images?similar=nothing-stored", 422),
    ("/api/v1/jobs/../../etc", 404),
    ("/api/v1/jobs/" + "0" * 32, 404),
    ("/api/v1/nowhere", 404),
])
def test_errors_are_json(client, url, status):
    answer = client.get(url)
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error", "detail"} and "Traceback" not in answer.text


def test_unexpected_error_is_a_json_500_without_trace(db, tmp_path, monkeypatch):
    app = create_app(ServeSettings(db=str(db), work_dir=tmp_path))
    monkeypatch.setattr(app.state.store, "current_run", lambda _sha: 1 / 0)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        answer = test_client.get("/api/v1/images/" + "a" * 64)
    assert answer.status_code == 500 and answer.json()["error"] == "internal error"
    assert "ZeroDivision" not in answer.text and "Traceback" not in answer.text


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/images", "/api/v1/images/{sha256}", "/api/v1/images/{sha256}/report.{fmt}",
            "/api/v1/jobs/{job_id}"} <= set(doc["paths"])
    assert not any(path == "/" or path.startswith("/images") for path in doc["paths"])  # pages stay out


def test_upload_needs_the_token(client):
    blob = {"file": ("fw.bin", b"\x00" * 100)}
    missing = client.post("/api/v1/images", files=blob)
    assert missing.status_code == 401 and missing.json()["error"] == "authentication required"
    wrong = client.post("/api/v1/images", files=blob, headers={"authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 403


def test_upload_disabled_without_a_server_token(db, tmp_path):
    with TestClient(create_app(ServeSettings(db=str(db), work_dir=tmp_path))) as test_client:
        answer = test_client.post("/api/v1/images", content=b"x", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 403 and "auth-token-file" in answer.json()["detail"]


def test_upload_cap(client, tmp_path):
    auth = {"authorization": f"Bearer {TOKEN}"}
    big = b"\x00" * (1024 * 1024)
    declared = client.post("/api/v1/images?name=big.bin", content=big, headers=auth)
    assert declared.status_code == 413 and declared.json()["error"] == "upload too large"

    def chunks():  # no Content-Length: the cap is enforced while the body streams in
        for _ in range(16):
            yield b"\x00" * 65536

    streamed = client.post("/api/v1/images?name=big.bin", content=chunks(), headers=auth)
    assert streamed.status_code == 413
    just_over = client.post("/api/v1/images", files={"file": ("f.bin", b"\x00" * (256 * 1024 + 1))}, headers=auth)
    assert just_over.status_code == 413
    assert not any((tmp_path / "uploads").iterdir())  # nothing left behind


def test_upload_is_audited_and_stored(tmp_path):
    manifest = next(m for m in sample_manifests() if m["name"] == "openwrt-router")
    data = manifest["image_path"].read_bytes()
    if len(data) > 256 * 1024:
        pytest.skip("the router sample is larger than this test's upload cap")
    app = create_app(ServeSettings(db=str(tmp_path / "empty.sqlite"), token=TOKEN, max_upload=256 * 1024,
                                   work_dir=tmp_path / "work"))
    with TestClient(app) as client:
        answer = client.post("/api/v1/images?name=../../etc/router%20copy.bin", content=data,
                             headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/octet-stream"})
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert job["name"] == "router_copy.bin" and job["status"] in ("queued", "running")
        deadline = time.monotonic() + 180
        while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = client.get(answer.headers["location"]).json()
        assert job["status"] == "done", job
        assert job["image_url"] == f"/images/{job['sha256']}"
        detail = client.get(f"/api/v1/images/{job['sha256']}").json()
        assert detail["image"]["name"] == "router_copy.bin"
        assert client.get("/api/v1/images").json()["total"] == 1
    assert not any((tmp_path / "work" / "uploads").iterdir())  # the upload folder went with the audit


def test_an_audit_that_cannot_run_is_a_failed_job(tmp_path):
    from audit.serve.audit_child import AuditFailedError, audit_in_child
    from audit.serve.jobs import Jobs

    with pytest.raises(AuditFailedError) as caught:
        audit_in_child(tmp_path / "missing.bin", 10, lambda _stage, _message: None)
    assert "missing.bin" in str(caught.value)
    with open_store(str(tmp_path / "s.sqlite")) as store:
        jobs = Jobs(store, tmp_path / "work")
        folder, path = jobs.new_upload("../x.bin")
        assert path.parent == folder and folder.parent == tmp_path / "work" / "uploads" and path.name == "x.bin"
        job = jobs.submit(path, 1)  # never written: the job fails with the reason, the worker goes on
        deadline = time.monotonic() + 60
        while job.status not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
        jobs.close()
    assert job.status == "failed" and "x.bin" in job.error and not folder.exists()
