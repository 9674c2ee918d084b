"""Private by default: `make run` listens on 127.0.0.1, a shared dashboard asks for its password on
every page, and the Evaluate page reads only inside the data root."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from app.access import OutsideDataRoot, listens_privately, readable_folder

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "app" / "main.py"
PASSWORD = "correct horse battery staple"


def streamlit_arguments(make_variables: dict[str, str]) -> list[str]:
    """The arguments `make run` would give `streamlit run` (make -n prints, runs nothing)."""
    env = {key: value for key, value in os.environ.items() if key not in ("HOST", "PORT", "MAKEFLAGS")}
    printed = subprocess.run(["make", "-n", "run", *(f"{k}={v}" for k, v in make_variables.items())], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True).stdout
    command = next(line for line in printed.replace("\\\n", " ").splitlines() if "streamlit run" in line)
    return shlex.split(command)


def test_make_run_listens_on_this_machine_only_unless_told_otherwise():
    arguments = streamlit_arguments({})
    assert arguments[arguments.index("--server.address") + 1] == "127.0.0.1"
    arguments = streamlit_arguments({"HOST": "0.0.0.0", "PORT": "8600"})
    assert arguments[arguments.index("--server.address") + 1] == "0.0.0.0"
    assert arguments[arguments.index("--server.port") + 1] == "8600"


@pytest.mark.parametrize("address, private", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("gym.example.org", False), ("", False),
    (None, False),
])
def test_only_loopback_addresses_count_as_private(address, private):
    assert listens_privately(address) is private


@pytest.fixture
def no_password(monkeypatch):
    monkeypatch.delenv("GYMFORM_PASSWORD", raising=False)


@pytest.fixture
def server_address():
    """Sets the address the server is configured to listen on, as `HOST=... make run` does."""
    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


@pytest.fixture
def network_address(server_address):
    server_address("0.0.0.0")


def dashboard(page: str | None = None, secrets: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(MAIN), default_timeout=90)
    app.secrets.update(secrets or {})
    if page:
        app.switch_page(f"../pages/{page}.py")
    return app.run()


def shows_only_the_password_prompt(app: AppTest) -> bool:
    return ([t.value for t in app.title] == ["Gym form check"] and [t.label for t in app.text_input] == ["Password"]
            and not app.file_uploader and not app.dataframe and not app.selectbox)


@pytest.mark.parametrize("page, title", [(None, "Assess a set"), ("history", "History"), ("evaluate", "Evaluate")])
def test_with_a_password_every_page_shows_only_the_prompt_until_it_is_entered(page, title, no_password,
                                                                            history_home):
    app = dashboard(page, secrets={"password": PASSWORD})
    assert not app.exception and shows_only_the_password_prompt(app)

    app.text_input(key="password_entered").input("correct horse")
    app.button[0].click().run()
    assert shows_only_the_password_prompt(app)
    assert [e.value for e in app.error] == ["That password is not right. Try again, or ask whoever runs the"
                                            " dashboard for it."]
    assert not any(PASSWORD in str(element.value) for element in [*app.markdown, *app.caption, *app.error])

    app.text_input(key="password_entered").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception and [t.value for t in app.title] == [title]
    assert "Password" not in [t.label for t in app.text_input]
    # Once in, the session stays in: the next run asks nothing.
    app.run()
    assert [t.value for t in app.title] == [title]


def test_the_password_may_come_from_the_environment(monkeypatch, network_address):
    monkeypatch.setenv("GYMFORM_PASSWORD", PASSWORD)
    app = dashboard()
    assert shows_only_the_password_prompt(app)
    app.text_input(key="password_entered").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception and [t.value for t in app.title] == ["Assess a set"]


def test_on_a_network_address_without_a_password_nothing_is_served(no_password, network_address):
    app = dashboard("history")
    assert not app.exception
    assert len(app.error) == 1 and "no password is set" in app.error[0].value
    assert not app.title and not app.text_input and not app.button


def test_on_this_machine_without_a_password_the_pages_open(no_password, server_address):
    server_address("127.0.0.1")
    app = dashboard()
    assert not app.exception and [t.value for t in app.title] == ["Assess a set"]


def test_folders_outside_the_data_root_are_refused_after_resolving(tmp_path, monkeypatch):
    root, outside = tmp_path / "data", tmp_path / "elsewhere"
    (root / "set").mkdir(parents=True)
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    monkeypatch.setenv("GYMFORM_DATA_ROOT", str(root))
    assert readable_folder(str(root / "set")) == (root / "set").resolve()
    assert readable_folder("set") == (root / "set").resolve()  # relative to the data root
    for text in (str(outside), "../elsewhere", str(root / "set" / ".." / ".." / "elsewhere"), "escape", "/etc"):
        with pytest.raises(OutsideDataRoot, match="is outside the data folder"):
            readable_folder(text)
