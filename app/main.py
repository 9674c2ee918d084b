"""Streamlit entry: `streamlit run app/main.py` (or `make run`)."""

from pathlib import Path

import streamlit as st

from app.access import may_enter, require_access
from app.ui import keep_session_folder
from gymcore.errors import GymError

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="Gym form check", page_icon="🏋️", layout="wide")
# Before the password: the sweeper must run (and an active session's clips stay fresh) whoever visits.
try:
    keep_session_folder()
except GymError as error:
    st.error(str(error))
    st.stop()
# The pages are declared before the check so that a link to one of them still leads there once the
# password is in; the menu stays hidden until then.
navigation = st.navigation([
    st.Page(PAGES / "assess.py", title="Assess", icon=":material/fitness_center:", default=True),
    st.Page(PAGES / "compare.py", title="Compare models", icon=":material/leaderboard:"),
    st.Page(PAGES / "evaluate.py", title="Evaluate", icon=":material/science:"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:"),
], position="sidebar" if may_enter() else "hidden")
# Every page runs through here, so this one check covers them all.
require_access()
navigation.run()
