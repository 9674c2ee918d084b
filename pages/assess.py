"""Assess: a frontal and a lateral clip in, per-repetition verdicts of each model out."""

import time
from pathlib import Path

import streamlit as st

from app.results import failure_markdown, show_matrix, show_provenance, timing_frame, verdict_matrix
from app.ui import (
    ENGINE_LABELS,
    UPLOAD_TYPES,
    angle_timeline,
    discard_uploads_except,
    history_store,
    plain,
    report_buttons,
    save_upload,
    session_dir,
    show_frames,
)
from gymcore.criteria import EXERCISE_NAMES, EXERCISES
from gymcore.data.samples import bundled_samples
from gymcore.errors import GymError
from gymcore.judging.registry import ASSESS_MODELS, model_label
from gymcore.models.engine import ENGINES
from gymcore.perception.analysis import annotate_view
from gymcore.pipeline.assess import assess, perceive
from gymcore.pipeline.record import AssessmentRecord
from gymcore.records.presentation import not_assessable_lines, rep_failures, rule_decisions, warning_lines
from gymcore.records.retention import discard

st.title("Assess a set")
st.caption(
    "Film the set from the front and from the side (either may be missing), then press **Assess**."
    " Each repetition is found, and every criterion of the exercise is judged by the chosen models."
)


def choose_clips() -> tuple[dict[str, Path], str, dict[str, str]]:
    """The clips to assess, where they come from and their names as the user knows them: uploads,
    camera recordings, or the sample picked last."""
    generation = st.session_state.setdefault("upload_generation", 0)
    left, right = st.columns(2)
    uploads = {"frontal": left.file_uploader("Frontal clip", type=UPLOAD_TYPES, key=f"front_upload_{generation}"),
               "lateral": right.file_uploader("Lateral clip", type=UPLOAD_TYPES, key=f"side_upload_{generation}")}
    samples = {sample.key: sample for sample in bundled_samples()}
    if samples:
        st.markdown("**Or try a sample** — synthetic SynthGym clips (a procedural body, not a person;"
                    " SL deadlift = single-leg Romanian deadlift):")
        for column, sample in zip(st.columns(len(samples)), samples.values()):
            if column.button(sample.title, key=f"sample_{sample.key}", width="stretch"):
                st.session_state.sample_key = sample.key
                st.session_state.run_now = True
                st.session_state.upload_generation += 1
                st.rerun()
    with st.expander("Record with the browser's camera"):
        recorded = {}
        if st.toggle("Use the camera", key="use_camera",
                     help="One camera for one view, or two (on two devices or two inputs) for both."):
            from app.camera import camera_recorders

            recorded = camera_recorders(session_dir())
    for view in [view for view, upload in uploads.items() if upload is None]:
        discard_uploads_except(view, None)
    if any(uploads.values()):
        st.session_state.pop("sample_key", None)
        saved = save_uploads(uploads)
        return saved, "uploaded clips", {view: uploads[view].name for view in saved}
    if recorded:
        return recorded, "camera recording", {view: path.name for view, path in recorded.items()}
    sample = samples.get(st.session_state.get("sample_key", ""))
    if sample is None:
        return {}, "", {}
    return dict(sample.clips), f"sample {sample.title}", {view: path.name for view, path in sample.clips.items()}


def save_uploads(uploads: dict) -> dict[str, Path]:
    """The uploaded clips on disk; a refused one (deleted already) is named with the reason instead."""
    saved = {}
    for view, upload in uploads.items():
        if upload is None:
            continue
        try:
            saved[view] = save_upload(upload, view)
        except GymError as error:
            st.error(f"{view.capitalize()} clip refused: {error}")
    return saved


def run_assessment(clips: dict[str, Path], exercise: str, models: list[str], source: str, engine: str) -> None:
    """Perception and judging, each a visible step; errors become a sentence. The annotated clips are
    drawn after the verdicts are shown (``draw_annotated``)."""
    st.session_state.pop("result", None)
    discard_annotated()
    with st.status("Assessing...", expanded=True) as status:
        try:
            status.write(f"1/2 Finding the body in every frame of the {' and '.join(clips)} clip(s) (MediaPipe)...")
            perception = perceive(clips.get("frontal"), clips.get("lateral"), models, exercise, engine)
            status.write(f"2/2 Recognising the exercise, finding repetitions, judging with"
                         f" {', '.join(model_label(m) for m in models)}...")
            assessment = assess(exercise=exercise, models=models, perception=perception, engine=engine)
        except GymError as error:
            status.update(label="The clips could not be assessed", state="error", expanded=False)
            st.session_state.assess_error = str(error)
            return
        total = assessment.timing_s["total"]
        status.update(label=f"Assessed in {total:.1f} s", state="complete", expanded=False)
    st.session_state.pop("assess_error", None)
    st.session_state.result = {"assessment": assessment, "record": assessment.record(), "annotated": {},
                               "source": source}


def discard_annotated() -> None:
    """The previous assessment's annotated clips, deleted: its result is gone from the page."""
    for old in session_dir().glob("annotated-*.mp4"):
        discard(old)


def draw_annotated(result: dict, slots: dict) -> None:
    """Each view's annotated clip into its slot, drawn now if it is not on disk (new, or deleted by the
    retention sweep since): a second decoding pass, run once everything else of the result is shown."""
    views = result["assessment"].perception.views()
    for name, slot in slots.items():
        with slot, st.spinner(f"Drawing the skeleton over the {name} clip..."):
            try:
                path = annotate_view(views[name], session_dir() / f"annotated-{name}-{time.time_ns()}.mp4")
            except GymError as error:
                slot.caption(f"The annotated clip could not be drawn: {error}")
                continue
        result["annotated"][name] = path
        slot.video(str(path))


def show_summary(record: AssessmentRecord, source: str) -> None:
    exercise, summary = record.exercise, record.summary
    cells = st.columns(4)
    how = "named by you" if exercise.method == "given" else f"recognised, {exercise.confidence:.0%} sure"
    cells[0].metric("Exercise", EXERCISE_NAMES[exercise.exercise], how, delta_color="off", delta_arrow="off")
    cells[1].metric("Repetitions", len(record.reps))
    mean = summary.mean_score
    cells[2].metric("Mean score", "-" if mean is None else f"{mean:.0%}",
                    f"{model_label(summary.model)} model", delta_color="off", delta_arrow="off",
                    help="Share of the assessable criteria passed, averaged over the repetitions.")
    cells[3].metric("Time", f"{record.timing_s['total']:.1f} s")
    st.caption(f"Source: {plain(source)}.")
    for line in warning_lines(record):
        st.warning(plain(line))
    if record.segmentation.note:
        st.info(record.segmentation.note)


def show_reps(record: AssessmentRecord) -> None:
    exercise = record.exercise.exercise
    models = [m for m in ASSESS_MODELS if m in record.weights and record.weights[m].loaded]
    if not record.reps:
        st.info("No repetition to show.")
        return
    titles = [f"Rep {rep.index + 1} · " + ("score -" if rep.score is None else f"score {rep.score:.0%}")
              for rep in record.reps]
    for tab, rep in zip(st.tabs(titles), record.reps):
        with tab:
            st.caption(f"{rep.start_s:.2f} s to {rep.end_s:.2f} s, deepest at {rep.bottom_s:.2f} s"
                       f" ({record.segmentation.view} view). Probabilities are of passing.")
            show_matrix(verdict_matrix(rep, exercise, models))
            failures = rep_failures(rep, exercise)
            if failures:
                st.markdown("**What to work on**\n\n" + "\n".join(f"- {failure_markdown(f)}" for f in failures))
            else:
                st.success("Every assessable criterion passed.")
            for line in not_assessable_lines(rep, exercise):
                st.caption(f"Not assessable — {line}")


def show_media(result: dict) -> dict:
    """The timelines, frames and annotated clips; gives the slots of the annotated clips still to draw."""
    assessment, record = result["assessment"], result["record"]
    views = assessment.perception.views()
    exercise = record.exercise.exercise
    st.subheader("Joint angles")
    st.caption("Measured in each camera's image plane. Green bands: repetitions (dashed: the deepest point);"
               " markers: where each rule decided (hover for the measurement); dotted: rule thresholds on a"
               " plotted angle.")
    st.plotly_chart(angle_timeline(views, record.reps, exercise, rule_decisions(record)), width="stretch")
    st.subheader("Sampled frames and the annotated clip")
    to_draw = {}
    for tab, (name, view) in zip(st.tabs([f"{name.capitalize()} view" for name in views]), views.items()):
        with tab:
            source = view.source
            st.caption(f"{plain(Path(source.path).name)}: {source.width}x{source.height}, {source.fps:.1f} fps,"
                       f" {source.duration_s:.1f} s; person found in {view.quality.detection_rate:.0%} of frames."
                       " The 16 frames below are spaced evenly over the clip (the models' input).")
            show_frames(view)
            left, _ = st.columns([2, 1])
            annotated = result["annotated"].get(name)
            if annotated is not None and Path(annotated).exists():
                left.video(str(annotated))
            else:
                to_draw[name] = left.empty()
    return to_draw


def show_save(record: AssessmentRecord) -> None:
    st.subheader("Save and share")
    left, right = st.columns([1, 2])
    athlete = left.text_input("Athlete", key="athlete", placeholder="name or code")
    notes = right.text_input("Notes", key="notes", placeholder="optional, e.g. 60 kg, after warm-up")
    buttons = st.columns([1, 1, 1, 3])
    if buttons[0].button("Save to history", type="primary", disabled=not athlete.strip()):
        try:
            saved = history_store().save(record, athlete, notes)
            st.success(f"Saved as assessment #{saved} for {plain(athlete.strip())}; find it on the History page.")
        except GymError as error:
            st.error(str(error))
    report_buttons(buttons[1:3], record, athlete, notes, f"{record.exercise.exercise}-{record.created_at:%Y-%m-%d}")


clips, source, names = choose_clips()
settings = st.columns([1, 3, 1, 1], vertical_alignment="bottom")
exercise = settings[0].selectbox("Exercise", ["auto", *EXERCISES], key="exercise",
                                 format_func=lambda e: "Recognise it" if e == "auto" else EXERCISE_NAMES[e])
models = settings[1].multiselect("Models", list(ASSESS_MODELS), default=list(ASSESS_MODELS), key="models",
                                 format_func=model_label)
engine = settings[2].selectbox("Engine", ENGINES, key="engine", format_func=ENGINE_LABELS.get,
                               help="How the learned models run, with the same verdicts. Measured on 2 cores"
                                    " (`python -m gymcore bench --only models`): OpenVINO judges 3 repetitions"
                                    " 1.0x to 1.7x as fast as PyTorch with the shipped vision and fusion models, 1.9x"
                                    " with the paper's full-size fusion model; the first assessment converts each"
                                    " model once (seconds).")
pressed = settings[3].button("Assess", type="primary", width="stretch", disabled=not clips or not models)
st.caption(f"To assess — {plain(source)}: " + ", ".join(f"{view} {plain(names[view])}" for view in clips)
           if clips else "Upload at least one clip, record one, or pick a sample.")

if (pressed or st.session_state.pop("run_now", False)) and clips and models:
    run_assessment(clips, exercise, models, f"{source} ({', '.join(names.values())})", engine)

if "assess_error" in st.session_state:
    st.error(st.session_state.assess_error)

result = st.session_state.get("result")
if result is not None:
    record = result["record"]
    st.divider()
    show_summary(record, result["source"])
    st.subheader("Verdicts per repetition")
    show_provenance(record.weights)
    show_reps(record)
    undrawn = show_media(result)
    st.subheader("Time per stage")
    st.table(timing_frame(record.timing_s))
    show_save(record)
    draw_annotated(result, undrawn)
