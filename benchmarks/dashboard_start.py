"""How long the dashboard takes from `streamlit run` to its first page drawn in a browser.

The issue's target is 4 s. The floor is Streamlit itself: a one-line app that draws the same title,
started and opened the same way in the same run, so that a busy machine moves both. Each figure is
the median of several starts, the two apps alternating.

    python benchmarks/dashboard_start.py [--runs 5]

Needs Debian's chromium (`make test` installs it) and the project's environment.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TITLE = "Assess a set"  # the first page's title, drawn by both apps
TARGET_S = 4.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_page_seconds(browser, app: Path, home: Path) -> float:
    """From starting the server to the page's title visible in a new browser page."""
    from playwright.sync_api import Error as PlaywrightError

    port = free_port()
    env = {**os.environ, "GYMFORM_HOME": str(home)}
    env.pop("GYMFORM_DATABASE_URL", None)  # a throwaway home's own history, never a shared one
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = browser.new_page()
    try:
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}", timeout=2_000)
                break
            except PlaywrightError:  # the server is not listening yet
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"{app} did not start") from None
                time.sleep(0.05)
        page.get_by_text(TITLE).first.wait_for(timeout=60_000)
        return time.perf_counter() - started
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dashboard-start-") as scratch, sync_playwright() as playwright:
        floor_app = Path(scratch) / "floor.py"
        floor_app.write_text(f"import streamlit as st\n\nst.title({TITLE!r})\n")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        times: dict[str, list[float]] = {"dashboard": [], "floor": []}
        for run in range(runs):
            home = Path(scratch) / f"home-{run}"
            times["dashboard"].append(first_page_seconds(browser, ROOT / "app" / "main.py", home))
            times["floor"].append(first_page_seconds(browser, floor_app, home))
        browser.close()
    ours, floor = statistics.median(times["dashboard"]), statistics.median(times["floor"])
    print(f"| first page, median of {runs} starts | s | ratio to the floor | target |")
    print("|---|---:|---:|---|")
    print(f"| dashboard (app/main.py, Assess page) | {ours:.2f} | {ours / floor:.2f}x | {TARGET_S:.0f} s"
          f" ({'met' if ours <= TARGET_S else f'missed by {ours - TARGET_S:.2f} s'}) |")
    print(f"| floor: a one-line Streamlit app | {floor:.2f} | 1.00x | |")


if __name__ == "__main__":
    main()
