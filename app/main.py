"""Streamlit entry: `streamlit run app/main.py` (or `make run`)."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="Gym form check", page_icon="🏋️", layout="wide")
navigation = st.navigation([
    st.Page(PAGES / "assess.py", title="Assess", icon=":material/fitness_center:", default=True),
    st.Page(PAGES / "compare.py", title="Compare models", icon=":material/leaderboard:"),
    st.Page(PAGES / "evaluate.py", title="Evaluate", icon=":material/science:"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:"),
])
navigation.run()
