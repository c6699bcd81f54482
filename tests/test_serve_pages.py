"""The console's pages over a store of the samples plus one hostile image: the overview counts and links, the
list's filters, sorting and paging, the image page embedding the one HTML report, compare, the upload form's CSRF
check, security headers, hostile strings rendered inert, path traversal refused, `fwaudit serve`'s safety checks."""

from __future__ import annotations

import re
import warnings
from html import escape, unescape
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.fleet.dashboard import summarise
from audit.fleet.store import open_store
from audit.serve.app import create_app
from audit.serve.settings import ServeSettings, SettingsError, is_loopback, parse_size
from tests.conftest import sample_manifests
from tests.helpers.serve import HOSTILE, HOSTILE_SHA, build_store, sample_reports

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx's successor
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration
TOKEN = "t0ken-for-the-tests-0123456789"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EXPOSED = "0.0.0.0"  # noqa: S104  # the address the server must refuse without a token


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    if not sample_manifests():
        pytest.skip("samples not built (make samples)")
    return build_store(tmp_path_factory.mktemp("serve-pages") / "fleet.sqlite", hostile=True)


@pytest.fixture
def client(db, tmp_path):
    app = create_app(ServeSettings(db=str(db), token=TOKEN, max_upload=64 * 1024, work_dir=tmp_path))
    with TestClient(app) as test_client:
        yield test_client


def sha_of(name: str) -> str:
    return next(r["image"]["sha256"] for r in sample_reports() if r["image"]["name"] == name)


def test_overview_counts_and_links(client, db):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    with open_store(str(db)) as store, store.read() as conn:
        summary = summarise(conn)
    assert f"<b>{summary.images}</b> images" in page.text
    for entity, count, _hints in summary.layers["soc"]:
        link = 'href="' + escape("/images?" + urlencode({"layer": "soc", "entity": entity})) + '"'
        assert link in page.text, entity
        bar = page.text[page.text.index(link):].split("</a>", 1)[0]
        assert f'class="count">{count}</text>' in bar
    assert 'href="/images?policy=ndaa-889%3Dfail"' in page.text
    followed = client.get("/images?policy=ndaa-889%3Dfail")
    assert followed.status_code == 200 and "hik-nvr.dav" in followed.text


def test_list_filters_sorts_and_pages(client):
    hisilicon = client.get("/images", params={"layer": "soc", "entity": "hisilicon"}).text
    names = re.findall(r'class="image-link">([^<]+)<', hisilicon)
    assert names == ["hik-nvr.dav", "xm-camera-v2.bin", "xm-camera.bin"]
    desc = client.get("/images", params={"layer": "soc", "entity": "hisilicon", "order": "desc"}).text
    assert re.findall(r'class="image-link">([^<]+)<', desc) == names[::-1]
    first = client.get("/images", params={"per_page": 2}).text
    assert len(re.findall(r'class="image-link"', first)) == 2 and 'rel="next"' in first
    assert "page 1 of 3" in first
    bad = client.get("/images", params={"policy": "x=maybe"})
    assert bad.status_code == 422 and "<h1>422" in bad.text and "Traceback" not in bad.text


def test_image_page_embeds_the_html_report(client):
    sha = sha_of("hik-nvr.dav")
    page = client.get(f"/images/{sha}").text
    assert f'<iframe id="report-frame" src="/api/v1/images/{sha}/report.html"' in page
    assert f'href="/api/v1/images/{sha}/report.sarif"' in page
    report = client.get(f"/api/v1/images/{sha}/report.html").text
    assert '<div class="ev">' in report and '<pre class="hex">' in report  # evidence: file, offset, bytes


def test_compare_two_images(client):
    old, new = sha_of("xm-camera.bin"), sha_of("xm-camera-v2.bin")
    page = client.get("/compare", params={"a": old, "b": new})
    assert page.status_code == 200 and 'id="diff"' in page.text
    assert "xm-camera.bin</a> → <a" in page.text
    diff = client.get("/api/v1/compare", params={"a": old, "b": new}).json()
    assert diff["old"]["sha256"] == old and set(diff) >= {"claims", "findings", "files"}


def test_security_headers(client):
    for url in ("/", "/images", "/api/v1/images", "/static/console.css", "/nowhere"):
        headers = client.get(url).headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert "default-src 'self'" in headers["content-security-policy"], url
        assert "frame-ancestors 'self'" in headers["content-security-policy"], url
    cookie = TestClient(client.app).get("/upload").headers["set-cookie"]  # a first visit
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_upload_form_needs_the_csrf_token(client):
    form = client.get("/upload").text
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', form).group(1)
    blob = {"file": ("fw.bin", b"\x00" * 100)}
    without = client.post("/upload", data={"token": TOKEN}, files=blob)
    assert without.status_code == 403 and "CSRF" in without.text
    forged = client.post("/upload", data={"token": TOKEN, "csrf_token": "0" * 64}, files=blob)
    assert forged.status_code == 403
    other_session = TestClient(client.app)
    assert other_session.post("/upload", data={"token": TOKEN, "csrf_token": csrf}, files=blob).status_code == 403
    no_token = client.post("/upload", data={"csrf_token": csrf}, files=blob)
    assert no_token.status_code == 401
    ok = client.post("/upload", data={"token": TOKEN, "csrf_token": csrf}, files=blob, follow_redirects=False)
    assert ok.status_code == 303 and re.fullmatch(r"/jobs/[0-9a-f]{32}", ok.headers["location"])
    job_page = client.get(ok.headers["location"]).text
    assert 'src="/static/job.js"' in job_page and "fw.bin" in job_page


def test_hostile_strings_render_inert(client):
    pages = {"overview": client.get("/").text, "list": client.get("/images").text,
             "image": client.get(f"/images/{HOSTILE_SHA}").text,
             "filtered": client.get("/images", params={"tag": f"brand={HOSTILE}"}).text,
             "report": client.get(f"/api/v1/images/{HOSTILE_SHA}/report.html").text}
    for name, text in pages.items():
        assert HOSTILE not in text, name
        assert ESCAPED in text or unescape(ESCAPED) in unescape(text), name
    for name in ("overview", "list", "image", "filtered"):
        assert "<script" not in pages[name], name  # the console's own pages carry no script element but job.js
    assert pages["overview"].count(ESCAPED) >= 1 and pages["image"].count(ESCAPED) >= 2


@pytest.mark.parametrize("url", [
    "/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/app.py", "/static//etc/passwd", "/images/..%2f..%2f..%2fetc%2fpasswd",
    "/images/%2e%2e%2f" + "0" * 55, "/api/v1/images/..%2fapp.py/report.json",
])
def test_path_traversal_is_refused(client, url):
    answer = client.get(url)
    assert answer.status_code in (404, 422), url
    assert "[tool." not in answer.text and "root:" not in answer.text and "create_app" not in answer.text


def test_settings_are_checked():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback(EXPOSED) and not is_loopback("192.168.1.10")
    with pytest.raises(SettingsError, match="needs --auth-token-file"):
        ServeSettings(db="x", host=EXPOSED).check()
    ServeSettings(db="x", host=EXPOSED, token=TOKEN).check()
    assert parse_size("512M") == 512 * 1024**2 and parse_size("2GiB") == 2 * 1024**3 and parse_size("100") == 100
    with pytest.raises(SettingsError):
        parse_size("lots")


def test_serve_refuses_unsafe_starts(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "s.sqlite")
    exposed = runner.invoke(main, ["serve", "--db", db, "--host", EXPOSED])
    assert exposed.exit_code == 2 and "needs --auth-token-file" in exposed.stderr
    short = tmp_path / "token"
    short.write_text("short\n")
    weak = runner.invoke(main, ["serve", "--db", db, "--auth-token-file", str(short)])
    assert weak.exit_code == 2 and "at least 16" in weak.stderr
    bad_db = runner.invoke(main, ["serve", "--db", "mysql://nobody@nowhere/db"])
    assert bad_db.exit_code == 2 and "only SQLite" in bad_db.stderr
    bad_cap = runner.invoke(main, ["serve", "--db", db, "--max-upload", "-1"])
    assert bad_cap.exit_code == 2
