"""Pieces the pages share: uploads to disk, the history store, frames with skeletons, angle timelines."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gymcore.errors import ClipError
from gymcore.judging.rules.config import DEFAULT_RULES, Limit
from gymcore.perception.analysis import ViewAnalysis
from gymcore.perception.draw import draw_skeleton
from gymcore.perception.video import VIDEO_EXTENSIONS, probe_clip
from gymcore.pipeline.result import RepResult
from gymcore.records.presentation import ANGLE_LABELS, RuleDecision
from gymcore.records.retention import Retention, Sweeper, discard, mark_used

if TYPE_CHECKING:
    from gymcore.pipeline.record import AssessmentRecord
    from gymcore.records.history import History

UPLOAD_TYPES = [ext.lstrip(".") for ext in VIDEO_EXTENSIONS]
ENGINE_LABELS = {"torch": "PyTorch", "openvino": "OpenVINO"}


def keep_session_folder() -> None:
    """Run on every page: starts the process's sweeper once and marks this session's folder as used, so
    that its clips outlive the retention time only while the session keeps coming back."""
    retention = Retention.from_environment()
    _sweeper(retention.seconds, str(retention.root))
    if "upload_dir" in st.session_state:
        mark_used(Path(st.session_state.upload_dir))


@st.cache_resource(show_spinner=False)
def _sweeper(seconds: float, root: str) -> Sweeper:
    """One sweeper thread per process and retention setting."""
    return Sweeper(Retention(seconds, Path(root))).start()


def session_dir() -> Path:
    """A private folder per browser session, so that two sessions never see each other's uploads; made
    again if the sweeper deleted it while the session sat unused."""
    if "upload_dir" not in st.session_state:
        st.session_state.upload_dir = str(Retention.from_environment().new_session_folder())
    folder = Path(st.session_state.upload_dir)
    mark_used(folder)
    return folder


def save_upload(upload: st.runtime.uploaded_file_manager.UploadedFile, view: str) -> Path:
    """Write an uploaded clip to this session's folder under its own name, in a folder named by its
    content so that re-runs reuse it and two clips of the same name do not collide; the view's
    previous upload is deleted.

    A clip that gymcore refuses (unreadable, too long, too large, too small) is deleted at once and its
    ClipError raised again on every run while it stays in the uploader, without writing it again.
    """
    data = upload.getvalue()
    folder_name = f"{view}-{hashlib.sha256(data).hexdigest()[:16]}"
    refused = st.session_state.setdefault("refused_uploads", {})
    if folder_name in refused:
        raise ClipError(refused[folder_name])
    path = session_dir() / folder_name / Path(upload.name).name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        try:
            probe_clip(path)
        except ClipError as error:
            discard(path.parent)
            refused[folder_name] = str(error)
            raise
    discard_uploads_except(view, path)
    return path


def discard_uploads_except(view: str, kept: Path | None) -> None:
    """Delete this session's uploads of ``view`` other than ``kept`` (None: all of them), once replaced
    or removed from the page."""
    if "upload_dir" not in st.session_state:
        return
    for folder in Path(st.session_state.upload_dir).glob(f"{view}-*"):
        if kept is None or folder != kept.parent:
            discard(folder)


def plain(text: str) -> str:
    """``text`` (a name, a note, a file name, a URL) to put in Markdown so that it shows as typed:
    each character that Markdown or Streamlit's extensions give a meaning (links, images, emphasis,
    headings, lists, tags, colours, formulas) escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])", r"\\\1", " ".join(text.splitlines()))


def history_store() -> History:
    """The configured history (``$GYMFORM_DATABASE_URL``, else SQLite in ``$GYMFORM_HOME``)."""
    # Imported here: the database layer (SQLAlchemy, Alembic) costs the first page about a second,
    # and only saving or the History page needs it.
    from gymcore.records.history import default_database_url

    return _open_history(default_database_url())


@st.cache_resource(show_spinner=False)
def _open_history(url: str) -> History:
    """One connection pool per process and database."""
    from gymcore.records.history import History

    return History(url)


def report_buttons(cells: list, record: AssessmentRecord, athlete: str, notes: str, stem: str) -> None:
    """The HTML and PDF report downloads in the first two of ``cells``, each rendered when clicked."""

    def rendered(kind: str) -> bytes | str:
        # Imported when a report is asked for: matplotlib and fpdf cost the first page about a second.
        from gymcore.records.reports import render_html, render_pdf

        return (render_html if kind == "html" else render_pdf)(record, athlete, notes)

    cells[0].download_button("HTML report", lambda: rendered("html"), f"{stem}.html", "text/html",
                             icon=":material/download:")
    cells[1].download_button("PDF report", lambda: rendered("pdf"), f"{stem}.pdf", "application/pdf",
                             icon=":material/download:")


def skeleton_frames(view: ViewAnalysis) -> list[np.ndarray]:
    return [
        draw_skeleton(image, landmarks, visibility)
        for image, landmarks, visibility in zip(view.images, view.sampled.landmarks, view.sampled.visibility)
    ]


def show_images(images: list[np.ndarray], captions: list[str], columns: int = 8) -> None:
    for start in range(0, len(images), columns):
        cells = st.columns(columns)
        for cell, image, caption in zip(cells, images[start:start + columns], captions[start:start + columns]):
            cell.image(image, caption=caption, width="stretch")


def show_frames(view: ViewAnalysis, columns: int = 8) -> None:
    """The 16 sampled frames of a view with the skeleton, each captioned with its time."""
    captions = [
        f"#{position + 1} · {view.sampled.time_s[position]:.2f} s"
        + ("" if view.sampled.detected[position] else " · nobody found")
        for position in range(len(view.sampled))
    ]
    show_images(skeleton_frames(view), captions, columns)


_PALETTE = ["#1f77b4", "#aec7e8", "#d62728", "#ff9896", "#2ca02c"]

# Rules whose measurement is one of the plotted angles: (exercise, view) -> [(label, limit)].
# The other rules measure lengths or ratios; their decisions are marked on the curves instead.
ANGLE_THRESHOLDS: dict[tuple[str, str], list[tuple[str, Limit]]] = {
    ("lunges", "lateral"): [("front knee at the bottom", DEFAULT_RULES.lunge_front_knee_deg),
                            ("trunk lean", DEFAULT_RULES.lunge_trunk_lean_deg)],
    ("lunges", "frontal"): [("trunk lean", DEFAULT_RULES.lunge_trunk_lean_deg)],
}


def angle_timeline(views: dict[str, ViewAnalysis], reps: list[RepResult] | None = None,
                   exercise: str | None = None, decisions: list[RuleDecision] | None = None) -> go.Figure:
    """Knee, hip and trunk angles over time, one panel per view.

    ``reps`` (the assessment's) shades each repetition; the rules' thresholds that bound a plotted
    angle are drawn as dotted lines, and ``decisions`` (gymcore.records.presentation.rule_decisions)
    mark when and where each rule decided.
    """
    figure = make_subplots(rows=len(views), cols=1, shared_xaxes=False, vertical_spacing=0.16,
                           subplot_titles=[f"{name.capitalize()} view" for name in views])
    for row, (name, view) in enumerate(views.items(), start=1):
        _angle_traces(figure, view, row)
        if reps:
            _rep_windows(figure, name, reps, row)
        else:
            for time_s in view.sampled.time_s:
                figure.add_vline(x=float(time_s), line={"color": "rgba(0,0,0,0.12)", "width": 1}, row=row, col=1)
        for label, limit in ANGLE_THRESHOLDS.get((exercise or "", name), []):
            for bound in (limit.low, limit.high):
                if bound is not None:
                    figure.add_hline(y=bound, line={"dash": "dot", "color": "#7f7f7f", "width": 1}, row=row, col=1,
                                     annotation_text=f"rule: {label} {limit.describe()}°",
                                     annotation_font_size=10, annotation_position="top left")
        _decision_markers(figure, [d for d in decisions or [] if d.view == name], row, show_legend=row == 1)
        figure.update_yaxes(title_text="degrees", range=[0, 190], row=row, col=1)
        figure.update_xaxes(title_text="time (s)", row=row, col=1)
    figure.update_layout(height=340 * len(views), margin={"t": 40, "b": 30, "l": 50, "r": 10})
    return figure


def _angle_traces(figure: go.Figure, view: ViewAnalysis, row: int) -> None:
    for (key, label), colour in zip(ANGLE_LABELS.items(), _PALETTE):
        values = view.angles[key]
        figure.add_trace(go.Scatter(
            x=view.timeline.time_s, y=np.where(np.isnan(values), None, values), name=label,
            legendgroup=key, showlegend=row == 1, line={"color": colour},
            hovertemplate=f"{label}: %{{y:.0f}}°<br>%{{x:.2f}} s<extra>{view.view}</extra>",
        ), row=row, col=1)


def _rep_windows(figure: go.Figure, view: str, reps: list[RepResult], row: int) -> None:
    for rep in reps:
        window = rep.window(view)
        figure.add_vrect(x0=window.start_s, x1=window.end_s, fillcolor="#2ca02c", opacity=0.08, line_width=0,
                         annotation_text=f"rep {rep.index + 1}", annotation_position="top left",
                         annotation_font_size=10, row=row, col=1)
        figure.add_vline(x=window.bottom_s, line={"color": "rgba(44,160,44,0.5)", "width": 1, "dash": "dash"},
                         row=row, col=1)


def _decision_markers(figure: go.Figure, decisions: list[RuleDecision], row: int, show_legend: bool) -> None:
    for passed, colour, label in ((True, "#2ca02c", "rule passed here"), (False, "#d62728", "rule failed here")):
        chosen = [d for d in decisions if d.passed is passed]
        figure.add_trace(go.Scatter(
            x=[d.time_s for d in chosen], y=[8] * len(chosen), mode="markers", name=label,
            legendgroup=label, showlegend=show_legend and bool(chosen),
            marker={"symbol": "triangle-up" if passed else "x", "size": 11, "color": colour},
            text=["<br>".join(d.lines) for d in chosen], hovertemplate="%{text}<extra></extra>",
        ), row=row, col=1)
