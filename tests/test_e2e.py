"""End to end in a real browser: start the dashboard, upload two clips, press Assess, read the results.

Uses Debian's chromium (``make test`` installs it when missing and run as root) driven by Playwright.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not answer at {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The app served on a free port, with its history in a temporary folder."""
    port = free_port()
    env = {**os.environ, "GYMFORM_HOME": str(tmp_path_factory.mktemp("home"))}
    env.pop("GYMFORM_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium`"
                    " (`make test` does so when run as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_upload_two_clips_assess_and_read_the_results(dashboard, browser, squat_pair, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(dashboard)
    for label, clip in zip(("Frontal clip", "Lateral clip"), squat_pair):
        uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
        uploader.locator('input[type="file"]').set_input_files(str(clip))
        page.get_by_text(clip.name).wait_for(timeout=30_000)
    page.get_by_text("To assess — uploaded clips").wait_for(timeout=30_000)
    page.get_by_role("button", name="Assess", exact=True).click()
    page.get_by_text("Verdicts per repetition").wait_for(timeout=150_000)

    # The page renders progressively: wait for the criteria matrix itself, not whichever table
    # (e.g. the time per stage) happens to be drawn first.
    matrix = page.locator('[data-testid="stTable"]').filter(has_text="Hips below knee").first
    matrix.wait_for(timeout=60_000)
    text = matrix.inner_text()
    assert "Hips below knee" in text and "Rules" in text
    assert "pass" in text or "fail" in text
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for(timeout=30_000)
    assert "Left knee" in chart.inner_text()
    assert page.get_by_text("Traceback").count() == 0

    shot = tmp_path / "assess.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("GYMFORM_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["GYMFORM_SCREENSHOTS"]) / "e2e-assess.png")
    page.close()
