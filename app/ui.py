"""Pieces the pages share: uploads to disk, cached analysis, errors as sentences."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gymcore.draw import draw_skeleton
from gymcore.perception import ViewAnalysis
from gymcore.video import VIDEO_EXTENSIONS

UPLOAD_TYPES = [ext.lstrip(".") for ext in VIDEO_EXTENSIONS]


def session_dir() -> Path:
    """A private folder per browser session, so that two sessions never see each other's uploads."""
    if "upload_dir" not in st.session_state:
        st.session_state.upload_dir = tempfile.mkdtemp(prefix="gymform-")
    return Path(st.session_state.upload_dir)


def save_upload(upload: st.runtime.uploaded_file_manager.UploadedFile | None, view: str) -> Path | None:
    """Write an uploaded clip to this session's folder, named by its content so re-runs reuse it."""
    if upload is None:
        return None
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = session_dir() / f"{view}-{digest}{Path(upload.name).suffix.lower()}"
    if not path.exists():
        path.write_bytes(data)
    return path


def skeleton_frames(view: ViewAnalysis) -> list[np.ndarray]:
    return [
        draw_skeleton(image, landmarks, visibility)
        for image, landmarks, visibility in zip(view.images, view.sampled.landmarks, view.sampled.visibility)
    ]


def show_frames(view: ViewAnalysis, columns: int = 8) -> None:
    frames = skeleton_frames(view)
    for start in range(0, len(frames), columns):
        cells = st.columns(columns)
        for offset, (cell, frame) in enumerate(zip(cells, frames[start:start + columns])):
            position = start + offset
            found = "" if view.sampled.detected[position] else " · nobody found"
            cell.image(frame, caption=f"#{position + 1} · {view.sampled.time_s[position]:.2f} s{found}",
                       width="stretch")


TIMELINE_ANGLES = {
    "left_knee": "Left knee", "right_knee": "Right knee",
    "left_hip": "Left hip", "right_hip": "Right hip", "trunk_lean": "Trunk lean",
}


def angle_timeline(views: dict[str, ViewAnalysis]) -> go.Figure:
    """Knee, hip and trunk angles over time, one panel per view, sampled frames marked."""
    figure = make_subplots(rows=len(views), cols=1, shared_xaxes=False, vertical_spacing=0.16,
                           subplot_titles=[f"{name.capitalize()} view" for name in views])
    palette = ["#1f77b4", "#aec7e8", "#d62728", "#ff9896", "#2ca02c"]
    for row, view in enumerate(views.values(), start=1):
        for (key, label), colour in zip(TIMELINE_ANGLES.items(), palette):
            values = view.angles[key]
            figure.add_trace(go.Scatter(
                x=view.timeline.time_s, y=np.where(np.isnan(values), None, values), name=label,
                legendgroup=key, showlegend=row == 1, line={"color": colour},
                hovertemplate=f"{label}: %{{y:.0f}}°<br>%{{x:.2f}} s<extra>{view.view}</extra>",
            ), row=row, col=1)
        for time_s in view.sampled.time_s:
            figure.add_vline(x=float(time_s), line={"color": "rgba(0,0,0,0.12)", "width": 1}, row=row, col=1)
        figure.update_yaxes(title_text="degrees", row=row, col=1)
        figure.update_xaxes(title_text="time (s)", row=row, col=1)
    figure.update_layout(height=330 * len(views), margin={"t": 40, "b": 30, "l": 50, "r": 10},
                         legend={"orientation": "h", "y": 1.08})
    return figure
