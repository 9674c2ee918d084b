"""Who may use the dashboard, and which folders it may read.

The dashboard shows and deletes every athlete's history and reads folders on the server, so it is
private by default: `make run` listens on 127.0.0.1 only. Listening on a network address needs a
password (``$GYMFORM_PASSWORD``, or ``password`` in .streamlit/secrets.toml), asked once per browser
session. A configured password is asked for on any address, since a proxy on the same machine can
make a loopback server public.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from pathlib import Path

import streamlit as st

from gymcore.config import DATA_ROOT_ENV, data_root
from gymcore.errors import InputError

PASSWORD_ENV = "GYMFORM_PASSWORD"
PASSWORD_SECRET = "password"
GRANTED_KEY = "access_granted"


class OutsideDataRoot(InputError):
    """A folder the dashboard was asked to read lies outside the data root."""


def listens_privately(address: str | None) -> bool:
    """True when only this machine can reach a server bound to ``address``. Streamlit's default (no
    address) listens on every interface, and a host name may resolve to anything, so neither counts."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def configured_password() -> str | None:
    """The password from the environment, else from Streamlit's secrets; None when neither sets one."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        try:
            password = st.secrets.get(PASSWORD_SECRET)
        except FileNotFoundError:  # no secrets.toml anywhere
            password = None
    return str(password) if password else None


def may_enter() -> bool:
    """True when this browser session may see the pages: on a private address without a password
    anyone may; otherwise only after the password was entered in this session."""
    password = configured_password()
    if password is None:
        return listens_privately(st.get_option("server.address"))
    return bool(st.session_state.get(GRANTED_KEY))


def require_access() -> None:
    """Stop the page here, showing the password prompt or why nothing is served, unless ``may_enter``."""
    if may_enter():
        return
    password = configured_password()
    if password is None:
        st.error("This dashboard is reachable from the network but no password is set, so it shows nothing."
                 f" Whoever runs it: set {PASSWORD_ENV} (or `password` in .streamlit/secrets.toml) and restart,"
                 " or run it for this machine only with `make run` (address 127.0.0.1).")
    else:
        _ask_for_password(password)
    st.stop()


def _ask_for_password(password: str) -> None:
    st.title("Gym form check")
    with st.form("password_form", clear_on_submit=True):
        entered = st.text_input("Password", type="password", key="password_entered")
        submitted = st.form_submit_button("Enter", type="primary")
    if not submitted:
        st.caption("This dashboard is shared: enter the password you were given.")
        return
    if _same_secret(entered, password):
        st.session_state[GRANTED_KEY] = True
        st.rerun()
    st.error("That password is not right. Try again, or ask whoever runs the dashboard for it.")


def _same_secret(entered: str, password: str) -> bool:
    """Compared in constant time over digests, so neither the content nor the length shows in the timing."""
    return hmac.compare_digest(hashlib.sha256(entered.encode()).digest(), hashlib.sha256(password.encode()).digest())


def readable_folder(text: str) -> Path:
    """The folder named by ``text`` (absolute, with ~, or relative to the data root) if it lies inside the
    data root once links and ``..`` are resolved; refused with a sentence otherwise."""
    root = data_root().resolve()
    folder = (root / Path(text.strip()).expanduser()).resolve()
    if not folder.is_relative_to(root):
        raise OutsideDataRoot(f"{text.strip()} is outside the data folder {root}, and the dashboard reads only"
                              f" folders inside it. Move or copy the data under {root} (a link there leading"
                              f" back out is refused too), or start the dashboard with {DATA_ROOT_ENV} set to"
                              " a folder that holds it.")
    return folder
