"""Recording clips from the browser's camera (one or two cameras) into the session's folder."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = ("frontal", "lateral")


def recording_path(folder: Path, view: str) -> Path:
    return folder / f"camera-{view}.mp4"


def camera_recorders(folder: Path) -> dict[str, Path]:
    """One WebRTC recorder per view; returns the views whose recording is finished and on disk.

    streamlit-webrtc is imported here, not at the top of the page: most users upload files, and the
    page should not pay for the WebRTC stack on every start.
    """
    from aiortc.contrib.media import MediaRecorder
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    recorded: dict[str, Path] = {}
    for column, view in zip(st.columns(2), VIEWS):
        path = recording_path(folder, view)
        with column:
            st.markdown(f"**{view.capitalize()} camera** — press Start, perform the set, press Stop.")
            context = webrtc_streamer(
                key=f"camera-{view}", mode=WebRtcMode.SENDRECV,
                media_stream_constraints={"video": True, "audio": False},
                in_recorder_factory=lambda path=path: MediaRecorder(str(path), format="mp4"),
            )
            if path.exists() and path.stat().st_size > 0 and not context.state.playing:
                recorded[view] = path
                st.caption(f"Recorded: {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    return recorded
