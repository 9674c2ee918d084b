"""End to end in a real browser: start the dashboard, upload two clips, press Assess, read the results.

Uses Debian's chromium (``make test`` installs it when missing and run as root) driven by Playwright.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from gymcore.criteria import criteria_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


# A verdict cell of the criteria matrix (app/results.py): the word, and the probability of passing when
# the model gives one (all four do).
CELL = re.compile(r"(pass|FAIL) · [01]\.\d\d|not assessable")


def table_rows(table) -> list[list[str]]:
    """The text of every cell of an st.table, row by row (header cells included), as the browser shows it."""
    return [[cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in table.locator("tr").all()]


def expected_rules_cells(perception) -> dict[str, str]:
    """The rules' verdicts on the first repetition, from the library, written as the page writes them."""
    from gymcore.pipeline.assess import assess

    assessment = assess(perception=perception, models=("rules",))
    assert assessment.exercise.exercise == "squat"
    rules = {cid: by_model["rules"] for cid, by_model in assessment.reps[0].verdicts.items()}
    return {item.name: ("not assessable" if not rules[item.id].assessable else
                        f"{'pass' if rules[item.id].passed else 'FAIL'} · {rules[item.id].prob:.2f}")
            for item in criteria_for("squat")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not answer at {url} within {seconds:.0f} s")


def wait_until_idle(page, timeout_ms: int = 60_000) -> None:
    """Until the app's script is not running: a click while an upload's rerun is under way can be lost
    when that rerun replaces the button."""
    page.locator('[data-testid="stStatusWidgetRunningIcon"]').wait_for(state="detached", timeout=timeout_ms)


def wait_for_text(page, text: str, log_path: Path, timeout_ms: int) -> None:
    """Until TEXT is on the page; if it never comes, fail with what the page and the server said instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        shown = page.locator("body").inner_text()[-3000:]
        server = "\n".join(log_path.read_text().splitlines()[-40:])
        pytest.fail(f"{text!r} not shown within {timeout_ms / 1000:.0f} s.\nThe page shows:\n{shown}\n"
                    f"The server printed:\n{server}")


@dataclass(frozen=True)
class Dashboard:
    url: str
    log: Path


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The app served on a free port, with its history in a temporary folder."""
    port = free_port()
    env = {**os.environ, "GYMFORM_HOME": str(tmp_path_factory.mktemp("home"))}
    env.pop("GYMFORM_DATABASE_URL", None)
    # The server's output goes to a file, not a pipe: a pipe nobody reads fills up (64 KiB) and then blocks
    # the server in the middle of an assessment.
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log_path)
        yield Dashboard(url, log_path)
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


def test_upload_two_clips_assess_and_read_the_results(dashboard, browser, squat_pair, squat_perception, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(dashboard.url)
    for label, clip in zip(("Frontal clip", "Lateral clip"), squat_pair):
        uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
        uploader.locator('input[type="file"]').set_input_files(str(clip))
        page.get_by_text(clip.name, exact=True).wait_for(timeout=30_000)  # the file chip, not the caption naming it too
    page.get_by_text("To assess — uploaded clips").wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Assess", exact=True).click()
    wait_for_text(page, "Verdicts per repetition", dashboard.log, timeout_ms=150_000)

    # The page's cells, word for word and case as written ("pass", "FAIL", "not assessable"): the rules'
    # column of the first repetition is what the library's own assessment of the same clips says.
    cells = criteria_matrix(page)
    assert list(cells) == [item.name for item in criteria_for("squat")]
    assert {name: row[0] for name, row in cells.items()} == expected_rules_cells(squat_perception)
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


def test_the_faulty_sample_reads_fail_where_the_hips_stay_high(dashboard, browser):
    """The bundled faulty squat (hips never below the knees) in one click: the rules' cell says FAIL,
    in capitals, as the page writes a failed criterion."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(dashboard.url)
    page.get_by_role("button", name="Squat · faulty", exact=True).wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Squat · faulty", exact=True).click()
    wait_for_text(page, "Verdicts per repetition", dashboard.log, timeout_ms=150_000)
    cells = criteria_matrix(page)
    assert re.fullmatch(r"FAIL · 0\.\d\d", cells["Hips below knee"][0]), cells["Hips below knee"]
    assert page.get_by_text("Traceback").count() == 0
    page.close()


def criteria_matrix(page) -> dict[str, list[str]]:
    """The first repetition's criteria x models matrix: criterion name -> each model's cell, every cell
    one of the page's three verdict texts."""
    # The page renders progressively: wait for the criteria matrix itself, not whichever table
    # (e.g. the time per stage) happens to be drawn first.
    matrix = page.locator('[data-testid="stTable"]').filter(has_text="Hips below knee").first
    matrix.wait_for(timeout=60_000)
    rows = table_rows(matrix)
    assert rows[0] == ["Criterion", "View", "Rules", "Pose", "Vision", "Fusion"], rows[:2]
    cells = {row[0]: row[2:] for row in rows[1:]}
    assert all(CELL.fullmatch(cell) for row in cells.values() for cell in row), cells
    return cells
