"""Streamlit entry: `streamlit run app/main.py` (or `make run`)."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="Gym form check", page_icon="🏋️", layout="wide")
navigation = st.navigation([
    st.Page(PAGES / "poses.py", title="Poses & angles", icon="🦴", default=True),
])
navigation.run()
