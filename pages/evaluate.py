"""Evaluate: score the models on a dataset in the published layout and browse where they disagree; count
the repetitions of demo clips; measure the product on labelled clips (``evaluate --clips``)."""

import json

import cv2
import pandas as pd
import streamlit as st

from app.access import readable_folder
from app.labelled import criteria_table, measured_on, summary_table
from app.ui import show_images
from gymcore.config import DATA_ROOT_ENV, data_root
from gymcore.criteria import EXERCISE_NAMES, EXERCISES, criteria_for
from gymcore.errors import GymError
from gymcore.evaluation.clips import SPLIT_WORDS, ClipsReport, Disagreement, evaluate_clips
from gymcore.evaluation.engine import run_evaluation
from gymcore.evaluation.labelled import LabelledClip, read_labelled
from gymcore.evaluation.repcount import count_repetitions
from gymcore.judging.registry import ASSESS_MODELS, CRITERIA_MODELS, has_weights, model_title
from gymcore.perception.draw import draw_skeleton
from gymcore.perception.video import probe_clip, read_frames
from gymcore.records.presentation import evidence_text, verdict_text
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
        "Recognised as": EXERCISE_NAMES.get(clip["recognised"], "None of the three"),
        "Rules' wrong verdicts": f"{clip['wrong_verdicts']} of {clip['verdicts']}" if clip["verdicts"] else "-",
    } for clip in report["clips"]])


VERDICT_WORDS = {"pass": "pass", "fail": "fail", "not_assessable": "not assessable", "not_judged": "not judged"}


def labelled_clips_section() -> None:
    st.header("Evaluate on labelled clips")
    st.caption("The product against clips a person labelled (the manifest format and labelling protocol are in"
               " docs/real-benchmark.md), as `python -m gymcore evaluate --clips MANIFEST --root DIR` runs it: each"
               " clip assessed as an upload would be, its repetitions, exercise and verdicts compared with the"
               " labels. The manifest and the clips must lie inside the data folder.")
    cells = st.columns([3, 3], vertical_alignment="bottom")
    manifest = cells[0].text_input("Labelled-clips manifest", key="clips_manifest",
                                   placeholder=str(data_root() / "real" / "clips.json"))
    root = cells[1].text_input("Staged clips folder (--root)", key="clips_root",
                               placeholder=str(data_root() / "real-clips"),
                               help="Where `python benchmarks/real/stage.py --root DIR` staged the clips named by"
                                    " repository; leave empty when every clip lies beside the manifest.")
    cells = st.columns([1, 2], vertical_alignment="bottom")
    split = cells[0].selectbox("Half", list(SPLIT_WORDS), key="clips_split")
    offered = [name for name in ASSESS_MODELS if any(has_weights(name, exercise) for exercise in EXERCISES)]
    models = cells[1].multiselect("Models", offered, default=["rules"], key="clips_models", format_func=model_title)
    if split != "tuning":
        st.warning("This run covers the held-out half: it is for reporting, never for tuning, and each run of it"
                   " adds one to the manifest's `held_out_runs` (commit the manifest afterwards).")
    if st.button("Evaluate the labelled clips", disabled=not manifest.strip() or not models):
        with st.spinner("Assessing every clip and comparing it with its labels..."):
            run_labelled_clips(manifest, root, tuple(models), split)
    if "clips_error" in st.session_state:
        st.error(st.session_state.clips_error)
    report = st.session_state.get("clips_report")
    if report is not None:
        show_clips_report(report, st.session_state.clips_labelled)


def run_labelled_clips(manifest: str, root: str, models: tuple[str, ...], split: str) -> None:
    """The run, kept in the session state with the manifest's clips (where each file is) and what names the data."""
    for key in ("clips_report", "clips_labelled", "clips_error"):
        st.session_state.pop(key, None)
    try:
        path = readable_folder(manifest)
        folder = readable_folder(root) if root.strip() else None
        labelled = read_labelled(path, folder)
        for clip in labelled.split(split):  # a clip named by the manifest, outside the data folder, is refused too
            for file in (clip.front, clip.side):
                if file is not None:
                    readable_folder(str(file))
        report = evaluate_clips(path, folder, models=models, split=split, workers=1)
    except GymError as error:
        st.session_state.clips_error = str(error)
        return
    st.session_state.clips_report = report
    st.session_state.clips_labelled = {clip.id: clip for clip in labelled.clips}


def show_clips_report(report: ClipsReport, labelled: dict[str, LabelledClip]) -> None:
    data = measured_on(report)
    st.subheader("Repetitions, recognition and judging per half and exercise")
    if report.about:
        st.caption(report.about)
    st.dataframe(summary_table(report), hide_index=True, width="stretch")
    st.caption(f"{data} A found repetition is a labelled one when their spans overlap by IoU at least"
               f" {report.iou_match}; a failed clip counts as wrong in every share.")
    st.subheader("Verdicts against the labels per criterion")
    if report.criteria:
        st.dataframe(criteria_table(report), hide_index=True, width="stretch")
        st.caption(f"{data} On matched repetitions labelled pass or fail; a criterion declined (not assessable)"
                   " counts as disagreeing; n is each rate's denominator.")
    else:
        st.info("No labelled repetition was matched, so no verdict could be compared with its label.")
    for clip in report.failed:
        st.error(f"Clip {clip.id} could not be assessed: {clip.error}")
    show_clip_disagreements(report, labelled)


def show_clip_disagreements(report: ClipsReport, labelled: dict[str, LabelledClip]) -> None:
    st.subheader("Verdicts that are not the label")
    disagreeing = {score.id: score for score in report.clips if score.disagreements}
    if not disagreeing:
        st.success("Every verdict on a matched repetition is its label.")
        return
    clip_id = st.selectbox("Clip", list(disagreeing), key="clips_disagree_clip",
                           format_func=lambda i: f"{i} ({EXERCISE_NAMES.get(disagreeing[i].exercise, '')}, {disagreeing[i].view},"
                                                 f" {len(disagreeing[i].disagreements)} disagreements)")
    items = disagreeing[clip_id].disagreements
    st.dataframe(pd.DataFrame([{
        "Repetition": item.rep + 1, "Criterion": item.criterion, "Model": model_title(item.model),
        "Label": item.label, "Verdict": VERDICT_WORDS.get(item.verdict, item.verdict),
        "Why": item.reason or (evidence_text(item.evidence) if item.evidence else ""),
    } for item in items]), hide_index=True, width="stretch")
    chosen = st.selectbox("Disagreement", range(len(items)), key="clips_disagree_row",
                          format_func=lambda k: f"repetition {items[k].rep + 1}, {items[k].criterion},"
                                                f" {model_title(items[k].model)}: labelled {items[k].label},"
                                                f" {VERDICT_WORDS.get(items[k].verdict, items[k].verdict)}")
    show_disagreement_frame(labelled[clip_id], items[chosen])


def show_disagreement_frame(clip: LabelledClip, item: Disagreement) -> None:
    """The clip's frame where the rule measured, or the labelled repetition's middle when it measured nothing."""
    if item.evidence is not None:
        view, frame, time_s, where = item.evidence.view, item.evidence.frame, item.evidence.time_s, "where the rule measured"
    else:
        rep = clip.reps[item.rep]
        view, frame, time_s = clip.clock_view, None, (rep.start_s + rep.end_s) / 2
        where = "the middle of the labelled repetition"
    path = clip.front if view == "frontal" else clip.side
    if path is None:
        st.info(f"The clip has no {view} view to show.")
        return
    try:
        info = probe_clip(path)
        index = frame if frame is not None else round(time_s * info.fps)
        image = read_frames(info, [min(max(index, 0), info.frame_count - 1)], long_side=720)[0]
    except GymError as error:
        st.warning(f"The frame cannot be shown: {error}")
        return
    show_images([image.image], [f"{path.name}, {view} view, frame {image.index} at {image.time_s:.2f} s: {where}"],
                columns=2)


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
labelled_clips_section()
