"""The console in a real browser: uvicorn on a free 127.0.0.1 port, headless Debian Chromium driven by selenium
through Debian's chromium-driver. Loads the overview, follows a chart bar, opens an image page, expands an
evidence row inside the embedded report, compares two images, uploads an image through the form and follows its
audit to the image page; no page logs a console error (CSP violations included) and the hostile image's
`<script>` never runs. Screenshots go to tests/.cache/artifacts/ (git-ignored) and the test's tmp dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.serve.app import create_app
from audit.serve.settings import ServeSettings
from tests.conftest import REPO, sample_manifests
from tests.helpers.serve import build_store, live_server, sample_reports

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = REPO / "tests" / ".cache" / "artifacts"
TOKEN = "browser-test-token-0123456789"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(CHROMIUM).exists() or not Path(DRIVER).exists(),
                       reason="chromium or chromium-driver not installed (make setup)"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1400", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path):
    if not sample_manifests():
        pytest.skip("samples not built (make samples)")
    db = build_store(tmp_path / "fleet.sqlite", hostile=True)
    app = create_app(ServeSettings(db=str(db), token=TOKEN, work_dir=tmp_path / "work"))
    with live_server(app) as base:
        yield base


def shoot(driver, name: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for folder in (ARTIFACTS, tmp_path):
        driver.save_screenshot(str(folder / f"serve-{name}.png"))
    print(f"screenshot: {ARTIFACTS / f'serve-{name}.png'}")


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(driver, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)


def test_console_in_headless_chromium(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    assert browser.title.startswith("Fleet overview")
    assert browser.find_element(By.ID, "image-count").text == f"{len(sample_reports()) + 1} images"
    shoot(browser, "overview", tmp_path)
    bar = browser.find_element(By.CSS_SELECTOR, '#layer-soc a[href="/images?layer=soc&entity=hisilicon"] rect')
    bar.click()
    wait_for(browser, lambda d: "/images?" in d.current_url)
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.image-link")]
    assert names == ["hik-nvr.dav", "xm-camera-v2.bin", "xm-camera.bin"]
    shoot(browser, "list-hisilicon", tmp_path)
    assert console_errors(browser) == []

    browser.find_element(By.LINK_TEXT, "hik-nvr.dav").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "report-frame"))
    assert browser.find_element(By.ID, "image-name").text == "hik-nvr.dav"
    browser.switch_to.frame(browser.find_element(By.ID, "report-frame"))
    wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-js") == "ready")
    row = browser.find_element(By.CSS_SELECTOR, "#provenance table.claims details")
    evidence = row.find_element(By.CSS_SELECTOR, "div.ev")
    assert not evidence.is_displayed()
    browser.execute_script("arguments[0].scrollIntoView()", row)
    row.find_element(By.TAG_NAME, "summary").click()
    wait_for(browser, lambda _d: evidence.is_displayed())
    assert "offset" in evidence.text and "path" in evidence.text
    assert evidence.find_element(By.CSS_SELECTOR, "pre.hex").text.strip()  # the matched bytes
    browser.switch_to.default_content()
    shoot(browser, "image-evidence", tmp_path)
    assert console_errors(browser) == []


def test_every_page_loads_cleanly_and_upload_follows_the_audit(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    shas = {r["image"]["name"]: r["image"]["sha256"] for r in sample_reports()}
    pages = ["/", "/images?sort=status&order=desc", f"/images/{shas['xm-camera.bin']}", "/images/ee" + "e" * 62,
             f"/compare?a={shas['xm-camera.bin']}&b={shas['xm-camera-v2.bin']}", "/upload"]
    for url in pages:
        browser.get(server + url)
        assert browser.find_elements(By.CSS_SELECTOR, "header.top"), url
        assert console_errors(browser) == [], url  # the hostile image's page included: its <script> is text
    shoot(browser, "upload-form", tmp_path)
    browser.get(server + "/static/missing.css")
    assert any("404" in message for message in console_errors(browser))  # the check does see errors
    browser.get(server + "/upload")
    manifest = next(m for m in sample_manifests() if m["name"] == "xm-camera")
    browser.find_element(By.NAME, "file").send_keys(str(manifest["image_path"]))
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    wait_for(browser, lambda d: "/jobs/" in d.current_url)
    shoot(browser, "job-progress", tmp_path)
    wait_for(browser, lambda d: d.current_url.endswith(f"/images/{shas['xm-camera.bin']}"), timeout=240)
    assert browser.find_element(By.ID, "image-name").text == "xm-camera.bin"
    shoot(browser, "uploaded-image", tmp_path)
    assert console_errors(browser) == []
