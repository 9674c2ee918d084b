"""Compare models: the published ALEX-GYM-1 tables beside this project's measured figures."""

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.labelled import criteria_table, measured_on, summary_table
from gymcore.criteria import EXERCISE_NAMES, EXERCISES, criteria_for
from gymcore.errors import GymError
from gymcore.evaluation import published as papers
from gymcore.evaluation.clips import ClipsFigures, read_clips_figures
from gymcore.evaluation.measured import (
    PUBLISHED_COLUMN,
    CalibrationFigures,
    calibration_frame,
    card_calibrations,
    card_figures,
    criterion_frame,
    evaluation_figures,
    figures_table,
    hardware_name,
    model_latency,
    read_evaluation,
)
from gymcore.judging.registry import model_title

st.title("Compare models")
st.caption(
    "Left: figures the ALEX-GYM-1 authors publish, measured on their own data. Right: figures this project"
    " measured for its own weights, on the data named under each table. They are never mixed in one column:"
    " different data, different numbers. HL = Hamming loss (lower is better), F1 as the paper computes it."
)

# Short names keep Table 4's nine figure columns on one screen (the deadlift is the single-leg Romanian one).
SHORT_EXERCISE = {"squat": "Squat", "deadlift": "Deadlift", "lunges": "Lunges"}
# The benchmark runs the project commits (`python -m gymcore evaluate --clips ... --json`), beside the manifest.
REAL_RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "real" / "results"
PUBLISHED_NAMES = {"model": "Model", "group": "Group", "inference_s": "Seconds per sample", "hardware": "Hardware"}


def heading(column: str) -> str:
    """squat_hl -> Squat HL; names outside the tables' scheme are capitalised."""
    if column in PUBLISHED_NAMES:
        return PUBLISHED_NAMES[column]
    exercise, _, metric = column.rpartition("_")
    if exercise in SHORT_EXERCISE:
        return f"{SHORT_EXERCISE[exercise]} {'n' if metric == 'n' else metric.upper()}"
    return column.replace("_", " ").capitalize()


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=heading)


def our_figures() -> tuple[list, str]:
    """Our figures from the chosen source, and a sentence when there are none."""
    sources = ["Model cards of the shipped weights", "An evaluation report"]
    if "evaluation_report" in st.session_state:
        sources.append("The evaluation run on the Evaluate page")
    source = st.radio("Our figures from", sources, horizontal=True, key="figures_source")
    try:
        if source == sources[0]:
            figures = card_figures()
            return figures, "" if figures else (
                "No trained weights are listed in weights/manifest.json yet, so there are no measured figures"
                " from model cards: train them with `python -m gymcore train`, or evaluate on the Evaluate page.")
        if source == sources[1]:
            upload = st.file_uploader("Evaluation report (JSON)", type=["json"], key="evaluation_upload")
            if upload is None:
                return [], "Upload the JSON written by `python -m gymcore evaluate --json OUT`."
            return evaluation_figures(read_evaluation(upload.getvalue())), ""
        return evaluation_figures(st.session_state.evaluation_report), ""
    except GymError as error:
        return [], str(error)


def real_clip_figures() -> tuple[ClipsFigures | None, str]:
    """The real-clip figures from the chosen run, and a sentence when there are none."""
    # Newest first: the runs are named by date.
    runs = {f"This project's run: {path.stem}": path for path in sorted(REAL_RESULTS.glob("*.json"), reverse=True)}
    sources = [*runs, "A report (JSON)"]
    if "clips_report" in st.session_state:
        sources.append("The labelled-clips run on the Evaluate page")
    source = st.radio("Real-clip figures from", sources, horizontal=True, key="real_figures_source")
    try:
        if source in runs:
            return read_clips_figures(runs[source].read_bytes(), runs[source].name), ""
        if source == "A report (JSON)":
            upload = st.file_uploader("Labelled-clips report (JSON)", type=["json"], key="real_figures_upload")
            if upload is None:
                return None, "Upload the JSON written by `python -m gymcore evaluate --clips MANIFEST --json OUT`."
            return read_clips_figures(upload.getvalue(), upload.name), ""
        return st.session_state.clips_report, ""
    except GymError as error:
        return None, str(error)


def criteria_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    figure = go.Figure([go.Bar(name=column, y=frame.index, x=frame[column], orientation="h") for column in frame.columns])
    figure.update_layout(title=title, barmode="group", height=120 + 55 * len(frame),
                         xaxis={"title": "Hamming loss (lower is better)", "range": [0, 0.6]},
                         yaxis={"autorange": "reversed"}, margin={"t": 50, "b": 40, "l": 10, "r": 10},
                         legend={"orientation": "h", "y": -0.2})
    return figure


def reliability_chart(figures: CalibrationFigures) -> go.Figure:
    """Each criterion's reliability curve after calibration, over the diagonal of perfect calibration."""
    names = {criterion.id: criterion.name for criterion in criteria_for(figures.exercise)}
    figure = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                                   line={"dash": "dot", "color": "grey"})])
    for cid, item in figures.criteria.items():
        filled = [b for b in item.after.bins if b.count]
        # A bin of a few repetitions swings far from the diagonal by chance: its marker is drawn small.
        figure.add_trace(go.Scatter(x=[b.mean_prob for b in filled], y=[b.pass_rate for b in filled],
                                    mode="lines+markers", name=names.get(cid, cid),
                                    marker={"size": [4 + 12 * (b.count / item.after.n) ** 0.5 for b in filled]},
                                    customdata=[b.count for b in filled],
                                    hovertemplate="probability %{x:.2f}, passed %{y:.2f} (%{customdata} reps)"))
    figure.update_layout(title=f"{figures.label}, after calibration", height=380,
                         xaxis={"title": "predicted probability of passing", "range": [0, 1]},
                         yaxis={"title": "share that passed", "range": [0, 1]},
                         margin={"t": 50, "b": 40, "l": 10, "r": 10}, legend={"orientation": "h", "y": -0.25})
    return figure


def published_criteria(exercise: str) -> pd.DataFrame:
    table = papers.tables5to7_criteria().frame
    rows = table[(table.exercise == exercise) & (table.criterion != "Overall")].set_index("criterion")
    return rows[list(PUBLISHED_COLUMN.values())].rename(
        columns={column: model_title(model) for model, column in PUBLISHED_COLUMN.items()})


figures, missing = our_figures()

st.header("Models compared (Table 4)")
# Stacked, not side by side: nine columns of figures need the page's whole width.
table4 = papers.table4_models()
st.subheader("Published")
st.dataframe(readable(table4.frame), hide_index=True, width="stretch")
st.caption(f"Measured on: {table4.measured_on}.")
st.subheader("Measured by this project")
if figures:
    st.dataframe(readable(figures_table(figures)), hide_index=True, width="stretch")
    for where in sorted({f.measured_on for f in figures}):
        st.caption(f"Measured on: {where}.")
else:
    st.info(missing)

st.header("Per criterion (Tables 5 to 7)")
exercise = st.segmented_control("Exercise", list(EXERCISES), default="squat", format_func=EXERCISE_NAMES.get,
                                key="criteria_exercise") or "squat"
left, right = st.columns(2)
published = papers.tables5to7_criteria()
left.plotly_chart(criteria_chart(published_criteria(exercise), "Published"), width="stretch")
left.caption(f"Measured on: {published.measured_on}.")
ours = criterion_frame(figures, exercise)
if ours.empty:
    right.info(f"No measured per-criterion figures for the {EXERCISE_NAMES[exercise].lower()} yet."
               + (f" {missing}" if missing else ""))
else:
    right.plotly_chart(criteria_chart(ours, "Measured by this project"), width="stretch")
    for where in sorted({f.measured_on for f in figures if f.exercise == exercise}):
        right.caption(f"Measured on: {where}.")

st.header("Calibration of the learned models")
st.caption("How far the probability each learned model shows (\"pass · 0.93\") can be taken at its word: the test"
           " split's repetitions binned by predicted probability of passing, against how often they passed, before and"
           " after the temperature fitted per criterion on the validation split. The temperature changes no verdict."
           " The papers publish no calibration, so there is no published column here.")
calibrations = [item for item in card_calibrations() if item.exercise == exercise]
if not calibrations:
    st.info(f"No calibrated model of the {EXERCISE_NAMES[exercise].lower()} is listed in weights/manifest.json:"
            " `python -m gymcore calibrate` calibrates trained weights, and training calibrates new ones.")
else:
    by_label = {item.label: item for item in calibrations}
    chosen = by_label[st.selectbox("Model", list(by_label), key="calibration_model")]
    left, right = st.columns(2)
    left.plotly_chart(reliability_chart(chosen), width="stretch")
    right.dataframe(calibration_frame(chosen), hide_index=True, width="stretch")
    st.caption(f"Measured on: {chosen.measured_on}. ECE: the bins' gaps between probability and pass rate, weighted"
               " by their share of repetitions (lower is better).")

st.header("On real footage")
st.caption("This project's own benchmark of public clips of real people (docs/real-benchmark.md): repetitions,"
           " recognition and each criterion's verdicts against a person's labels. The papers publish no figure on"
           " these clips, so there is no published column here.")
real, real_missing = real_clip_figures()
if real is None:
    st.info(real_missing)
else:
    summary, criteria = summary_table(real), criteria_table(real)
    halves = list(dict.fromkeys(summary["Half"]))
    half = st.segmented_control("Half", halves, default=halves[0], key="real_half") or halves[0]
    models = st.multiselect("Models", list(dict.fromkeys(criteria["Model"])), default=list(dict.fromkeys(criteria["Model"]))[:1],
                            key="real_models")
    st.dataframe(summary[summary["Half"] == half], hide_index=True, width="stretch")
    st.dataframe(criteria[(criteria["Half"] == half) & criteria["Model"].isin(models)], hide_index=True, width="stretch")
    learned = [row for row in real.criteria if row.tally.model != "rules" and row.tally.scored]
    declined_all = bool(learned) and all(row.not_assessable_rate == 1.0 for row in learned)
    judged = sorted({row.tally.model for row in learned if row.not_assessable_rate < 1.0})
    st.caption(f"{measured_on(real)} False alarms: fails on labelled passes; detection: fails on labelled faults;"
               " n is each rate's denominator." + (
                   " The learned models judge only a frontal and a lateral clip together, and declined every"
                   " repetition of these clips." if declined_all else "") + (
                   f" Every clip here is one view: {', '.join(judged)} judged them with one-view weights trained on"
                   " SynthGym's synthetic people only (weights/README.md); a model without one-view weights declined"
                   " every repetition." if judged else ""))

st.header("Inference time (Table 8)")
left, right = st.columns(2)
with left:
    table8 = papers.table8_latency()
    st.subheader("Published")
    hardware = ", ".join(table8.frame["hardware"].unique())
    st.dataframe(readable(table8.frame.drop(columns="hardware")), hide_index=True, width="stretch")
    st.caption(f"Hardware: {hardware}. Measured on: {table8.measured_on}.")
with right:
    st.subheader("Measured here")
    st.caption(f"Hardware: {hardware_name()}.")
    if st.button("Time the models on this machine", help="Builds each network and times one sample, batch 1."):
        with st.spinner("Timing the pose, vision and fusion networks..."):
            st.session_state.latency = model_latency()
    if "latency" in st.session_state:
        st.dataframe(readable(st.session_state.latency.drop(columns="threads")), hide_index=True, width="stretch")
        st.caption(f"{st.session_state.latency['threads'].iloc[0]} threads. Network forward pass only, one sample of"
                   " 16 frames per view, median of 3 runs;"
                   " the shipped compact variant, so not the same network size as the published rows.")
    result = st.session_state.get("result")
    if result is not None:
        timing = result["record"]["timing_s"]
        rows = [{"Stage": key.removeprefix("model_") + " model" if key.startswith("model_") else key,
                 "Seconds": round(value, 3)}
                for key, value in timing.items() if key in ("perception", "total") or key.startswith("model_")]
        st.markdown("**Your last assessment, end to end** (all repetitions of the clip)")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

st.header("Other papers")
others = papers.other_seeds()
st.dataframe(others.frame, hide_index=True, width="stretch")
st.caption(f"Measured on: {others.measured_on}. Different tasks and data: not comparable with the tables above.")
