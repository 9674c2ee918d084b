"""Driving the dashboard's pages with Streamlit's AppTest, as a user would click them."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parent.parent / "pages"


def open_page(name: str, timeout: float = 60) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout).run()


def upload(app: AppTest, label: str, path: Path) -> None:
    uploader = next(u for u in app.file_uploader if u.label == label)
    uploader.set_value((path.name, path.read_bytes(), "video/mp4"))


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)
