"""Evaluate: score the models on a dataset in the published layout and browse where they disagree."""

import json

import cv2
import pandas as pd
import streamlit as st

from app.access import readable_folder
from app.ui import show_images
from gymcore.config import DATA_ROOT_ENV, data_root
from gymcore.criteria import EXERCISE_NAMES, EXERCISES, criteria_for
from gymcore.errors import GymError
from gymcore.evaluation.engine import run_evaluation
from gymcore.evaluation.repcount import count_repetitions
from gymcore.judging.registry import ASSESS_MODELS, CRITERIA_MODELS, has_weights, model_title
from gymcore.perception.draw import draw_skeleton
from gymcore.records.presentation import verdict_text
from gymcore.serialize import jsonable

SPLITS = {"test": "test split (participants held out in training)", "val": "validation split",
          "train": "training split", "all": "every repetition"}

st.title("Evaluate")
st.caption(
    "Score the models on a dataset in the published ALEX-GYM-1 layout (squat.xlsx, front_pose_squat.json,"
    " Squat_frames/, ...; SynthGym writes the same), then look at the repetitions where they disagree."
    f" Folders are read only inside the data folder {data_root()} (set by {DATA_ROOT_ENV} where the dashboard"
    " starts); give them as a path inside it or relative to it."
)


def generate_section() -> None:
    with st.expander("No dataset at hand? Generate a small SynthGym set"):
        st.caption("Synthetic participants rendered and seen by MediaPipe, about 50 s per participant here."
                   f" The set is written to the data folder {data_root()}.")
        cells = st.columns([1, 2, 1, 1], vertical_alignment="bottom")
        participants = cells[0].number_input("Participants", 1, 4, 2, key="synth_participants")
        exercises = cells[1].multiselect("Exercises", list(EXERCISES), default=list(EXERCISES),
                                         format_func=EXERCISE_NAMES.get, key="synth_exercises")
        seed = cells[2].number_input("Seed", 0, 10_000, 1, key="synth_seed")
        if cells[3].button("Generate", disabled=not exercises, width="stretch"):
            generate(int(participants), tuple(exercises), int(seed))


def generate(participants: int, exercises: tuple[str, ...], seed: int) -> None:
    from gymcore.synth.dataset.plan import Settings
    from gymcore.synth.dataset.writer import generate_dataset

    out = data_root() / f"synthgym-{participants}p-seed{seed}-{'-'.join(exercises)}"
    bar = st.progress(0.0, text="Rendering participant 1...")
    finished = []

    def advance(count: int) -> None:
        finished.append(count)
        bar.progress(len(finished) / participants, text=f"{len(finished)} of {participants} participants written")

    settings = Settings(seed=seed, participants=participants, exercises=exercises, clips=False, workers=1)
    summary = generate_dataset(settings, out, on_participant=advance)
    bar.empty()
    st.session_state.dataset_folder = str(out)
    st.session_state.evaluation_split = "all"
    st.session_state.generated_note = (f"Generated {', '.join(f'{n} {e}' for e, n in summary.reps.items())}"
                                       f" repetitions in {summary.wall_s:.0f} s.")
    st.rerun()


def results_table(report: dict) -> pd.DataFrame:
    rows = []
    for exercise, by_model in report["results"].items():
        for model, metrics in by_model.items():
            rows.append({"Exercise": EXERCISE_NAMES[exercise], "Model": model_title(model),
                         "Hamming loss": round(metrics["hamming_loss"], 4), "F1 (paper)": round(metrics["f1_paper"], 4),
                         "F1 (macro)": round(metrics["f1_macro"], 4), "Exact match": round(metrics["exact_match"], 3),
                         "Repetitions": metrics["n_samples"]})
    return pd.DataFrame(rows)


def sample_frames(rows, index: int, view: str) -> list:
    """The repetition's 16 frames from the dataset with its landmarks drawn."""
    images = []
    for path, landmarks in zip(rows.frame_paths(index, view), rows.landmarks[view][index]):
        image = cv2.imread(str(path))
        if image is None:
            raise FileNotFoundError(path)
        images.append(draw_skeleton(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), landmarks))
    return images


def browse_disagreements(runs: dict) -> None:
    st.header("Where the models disagree")
    exercise = st.selectbox("Exercise", list(runs), format_func=EXERCISE_NAMES.get, key="disagree_exercise")
    run = runs[exercise]
    disagreeing = run.disagreements()
    one_model = len(run.verdicts) == 1
    if not disagreeing:
        st.success("The models agree on every repetition." if not one_model else "The model matches the truth everywhere.")
        return
    what = "the model and the true labels differ" if one_model else "the models' decisions differ"
    st.caption(f"{len(disagreeing)} of {len(run.rows)} repetitions where {what}.")
    rows = run.rows
    index = st.selectbox(
        "Repetition", disagreeing, key="disagree_row",
        format_func=lambda i: f"participant {rows.participants[i]}, video {rows.videos['frontal'][i]}/"
                              f"{rows.videos['lateral'][i]}, repetition {rows.reps[i]}")
    table = pd.DataFrame({
        "Criterion": [item.name for item in criteria_for(exercise)],
        "Truth": ["satisfied" if label else "NOT satisfied" for label in rows.labels[index]],
        **{model_title(model): [verdict_text(v) for v in verdicts[index].values()]
           for model, verdicts in run.verdicts.items()},
    }).set_index("Criterion")
    st.table(table)
    left, right = st.columns(2)
    for column, view in ((left, "frontal"), (right, "lateral")):
        with column:
            st.markdown(f"**{view.capitalize()} view**")
            try:
                show_images(sample_frames(rows, index, view), [f"#{k + 1}" for k in range(16)], columns=4)
            except FileNotFoundError as missing:
                st.warning(f"The frame {missing} is missing from the dataset.")


def repetition_section() -> None:
    st.header("Repetition counting")
    st.caption("Multi-repetition clips with walking in and standing still, clean and faulty repetitions, whose"
               " true repetitions are known: SynthGym renders them here, or point at a folder written by"
               " `python -m gymcore synth --demo-clips`. Each paired clip goes through the pipeline as an upload"
               " would; measured on synthetic clips, not on people.")
    with st.expander("Render demo clips"):
        cells = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
        exercises = cells[0].multiselect("Exercises", list(EXERCISES), default=["lunges"], key="demo_exercises",
                                         format_func=EXERCISE_NAMES.get)
        reps = cells[1].number_input("Repetitions per clip", 1, 6, 3, key="demo_reps")
        seed = cells[2].number_input("Seed", 0, 10_000, 7, key="demo_seed")
        if cells[3].button("Render", disabled=not exercises, width="stretch"):
            render_demo_clips(tuple(exercises), int(reps), int(seed))
    cells = st.columns([4, 1], vertical_alignment="bottom")
    folder = cells[0].text_input("Demo clips folder", key="demo_folder", placeholder=str(data_root() / "demo-clips"))
    if cells[1].button("Count repetitions", disabled=not folder.strip(), width="stretch"):
        with st.spinner("Finding the body, the repetitions and the rules' verdicts in every clip..."):
            try:
                st.session_state.count_report = count_repetitions([readable_folder(folder)]).to_dict()
                st.session_state.pop("count_error", None)
            except GymError as error:
                st.session_state.count_error = str(error)
    if "count_error" in st.session_state:
        st.error(st.session_state.count_error)
    report = st.session_state.get("count_report")
    if report is not None:
        st.dataframe(count_table(report), hide_index=True, width="stretch")
        losses = ", ".join(f"{EXERCISE_NAMES[e]} {loss:.3f}" for e, loss in report["rules_hamming_loss"].items()
                           if e != "all" and loss is not None)
        st.caption(f"Counted exactly: {report['count_exact']['all']:.0%} of {report['n_clips']} clips; exercise"
                   f" recognised: {report['recognised']:.0%}. Rules' Hamming loss on the segmented repetitions"
                   f" (clips counted exactly): {losses or '-'}.")


def render_demo_clips(exercises: tuple[str, ...], reps: int, seed: int) -> None:
    from gymcore.synth.dataset.demo import write_demo_clips
    from gymcore.synth.dataset.plan import Settings

    out = data_root() / f"demo-clips-seed{seed}-{reps}reps-{'-'.join(exercises)}"
    with st.spinner(f"Rendering a clean and a faulty clip of {reps} repetitions per exercise, both views..."):
        write_demo_clips(out, Settings(seed=seed, exercises=exercises), reps=reps)
    st.session_state.demo_folder = str(out)
    st.rerun()


def count_table(report: dict) -> pd.DataFrame:
    return pd.DataFrame([{
        "Clip": f"{clip['folder']} {EXERCISE_NAMES[clip['exercise']]} ({clip['kind']})",
        "True repetitions": clip["true_reps"], "Found": clip["found_reps"], "Exact": "yes" if clip["exact"] else "NO",
        "Recognised as": EXERCISE_NAMES[clip["recognised"]],
        "Rules' wrong verdicts": f"{clip['wrong_verdicts']} of {clip['verdicts']}" if clip["verdicts"] else "-",
    } for clip in report["clips"]])


generate_section()
if "generated_note" in st.session_state:
    st.success(st.session_state.pop("generated_note"))
cells = st.columns([3, 1, 2], vertical_alignment="bottom")
folder = cells[0].text_input("Dataset folder", key="dataset_folder", placeholder=str(data_root() / "ALEX-GYM-1"))
split = cells[1].selectbox("Split", list(SPLITS), key="evaluation_split", format_func=lambda s: s)
requested = cells[2].multiselect("Models", list(CRITERIA_MODELS), default=list(ASSESS_MODELS),
                                 key="evaluation_models")
st.caption(f"Split: {SPLITS[split]} (participants split 70/15/15 with seed 0, as in training)."
           " Learned models without weights for an exercise are left out.")

if st.button("Run the evaluation", type="primary", disabled=not folder.strip() or not requested):
    bar = st.progress(0.0, text="Reading the dataset...")
    try:
        evaluation = run_evaluation(readable_folder(folder), split, requested,
                                    progress=lambda share, text: bar.progress(share, text=text))
        st.session_state.evaluation = evaluation
        st.session_state.evaluation_report = jsonable(evaluation.report())
        st.session_state.pop("evaluation_error", None)
    except GymError as error:
        st.session_state.evaluation_error = str(error)
    bar.empty()

if "evaluation_error" in st.session_state:
    st.error(st.session_state.evaluation_error)

evaluation = st.session_state.get("evaluation")
if evaluation is not None:
    report = st.session_state.evaluation_report
    st.header("Results")
    dataset = report["dataset"]
    st.caption(f"Measured on {dataset['name']} {dataset.get('version') or ''} ({dataset['path']}), {split} split;"
               f" {dataset['not_assessable']}.")
    skipped = {exercise: [m for m in requested if not has_weights(m, exercise)]
               for exercise in evaluation.runs}
    if any(skipped.values()):
        st.caption("Left out for want of weights: " + "; ".join(
            f"{EXERCISE_NAMES[exercise]}: {', '.join(names)}" for exercise, names in skipped.items() if names) + ".")
    st.dataframe(results_table(report), hide_index=True, width="stretch")
    st.download_button("Evaluation report (JSON)", json.dumps(report, indent=1), "evaluation.json",
                       "application/json", icon=":material/download:")
    st.caption("The Compare models page can show these figures beside the published ones.")
    browse_disagreements(evaluation.runs)

repetition_section()
