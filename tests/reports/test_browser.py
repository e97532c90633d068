"""Report pages in a real headless browser (Debian ``chromium`` + ``chromium-driver``, via Selenium).

Each page must load from ``file://`` without a console error, every ``<img>``
must have decoded (``naturalWidth > 0``), and a full-page screenshot is kept as
a test artefact (printed path; ``NEBULADAPT_TEST_ARTEFACTS`` sets the folder,
default ``build/test-artefacts`` in the repository). The system chromedriver
is passed explicitly, so Selenium Manager never runs or downloads anything.
Skipped, with the reason, only where chromium or chromedriver is not installed;
``.ci/run`` installs both and sets ``NEBULADAPT_REQUIRE_BROWSER=1``, which turns
that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--window-size=1300,1000",
)  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        reason = f"headless browser tests need Debian chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER})"
        if os.environ.get("NEBULADAPT_REQUIRE_BROWSER"):
            pytest.fail(reason + "; NEBULADAPT_REQUIRE_BROWSER is set (CI installs them)")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach the network
    profile = tempfile.mkdtemp(prefix="nebuladapt-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _artefact_dir() -> Path:
    path = Path(os.environ.get("NEBULADAPT_TEST_ARTEFACTS", REPO_ROOT / "build" / "test-artefacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_page(driver, page: Path, screenshot: Path) -> dict:
    """Load ``page``; return its console errors, images and the screenshot path."""
    driver.get_log("browser")  # drop anything logged before this page
    driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready = driver.execute_script(
            "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)"
        )
        if ready:
            break
        time.sleep(0.1)
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth])"
    )
    errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1300, min(int(height) + 40, 8000))
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(screenshot))
    driver.set_window_size(1300, 1000)
    return {"errors": errors, "images": images, "screenshot": screenshot}


def _assert_page_ok(driver, page: Path, name: str, tmp_path: Path, capsys) -> None:
    result = check_page(driver, page, tmp_path / f"{name}.png")
    kept = _artefact_dir() / f"{name}.png"
    shutil.copyfile(result["screenshot"], kept)
    with capsys.disabled():
        print(f"\n[browser] {page}: {len(result['images'])} images; screenshot -> {kept}")
    assert not result["errors"], f"console errors on {page}: {result['errors']}"
    assert result["images"], f"{page}: no image on the page"
    broken = [src for src, width in result["images"] if not width]
    assert not broken, f"{page}: images that did not load: {broken}"
    assert kept.stat().st_size > 10_000 and kept.read_bytes()[:4] == b"\x89PNG"


def test_checker_catches_a_broken_page(browser, tmp_path):
    """The checks can fail: a missing image and a script error are both seen."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html><head><link rel='icon' href='data:,'></head><body>"
                    "<img src='missing.png'><script>undefined_function()</script></body></html>")  # fmt: skip
    result = check_page(browser, page, tmp_path / "broken.png")
    assert result["images"] == [["missing.png", 0]]
    assert len(result["errors"]) >= 2  # the failed image load and the ReferenceError


def test_catalog_report_page(browser, tmp_path, classified_csv, make_toy_model, capsys):
    from nebuladapt.models import save_model
    from nebuladapt.reports.catalog_report import write_catalog_report

    model_dir = save_model(make_toy_model(5), tmp_path / "model")
    written = write_catalog_report(classified_csv, tmp_path / "report", model_dir)
    _assert_page_ok(browser, written["html"], "catalog_report", tmp_path, capsys)


def test_catalog_report_page_without_oiii(browser, tmp_path, make_classified_table, red_only_model_dir, capsys):
    """The red-plane page (no [OIII]) loads with its figures and no console error."""
    from nebuladapt.reports.catalog_report import write_catalog_report

    table = make_classified_table()
    table.remove_column("OIII5007_FLUX")
    table.write(tmp_path / "red.csv", format="ascii.csv")
    written = write_catalog_report(tmp_path / "red.csv", tmp_path / "report", red_only_model_dir)
    _assert_page_ok(browser, written["html"], "catalog_report_red_plane", tmp_path, capsys)


def test_fresh_experiment_report_page(browser, tmp_path, make_fake_experiment_result, capsys):
    from nebuladapt.reports.report import write_figures, write_report

    result = make_fake_experiment_result()
    out = tmp_path / "experiment"
    paths = write_report(result, out, write_figures(result, out))
    _assert_page_ok(browser, paths["html"], "experiment_report_fresh", tmp_path, capsys)


def test_committed_experiment_report_page(browser, tmp_path, capsys):
    page = REPO_ROOT / "docs" / "experiment" / "report.html"
    if not page.is_file():
        pytest.skip(f"{page} not in this checkout")
    _assert_page_ok(browser, page, "experiment_report_committed", tmp_path, capsys)
