"""``evaluate --clips``: the labelled-clips manifest (gymcore.evaluation.labelled), the comparison of an
assessment with its labels on hand-made cases (gymcore.evaluation.clips), and one run of the command
on two sample clips labelled from what SynthGym knows about them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from gymcore.cli.main import main
from gymcore.errors import InputError
from gymcore.evaluation.clips import (
    ON_REPETITION,
    UNLABELLED,
    CriterionScore,
    FailedClip,
    Tally,
    group_summary,
    iou,
    match_reps,
    read_clips_figures,
    score_clip,
)
from gymcore.evaluation.labelled import LabelledClip, LabelledRep, OtherMovement, count_held_out_run, read_labelled
from gymcore.judging.types import Verdict
from gymcore.pipeline.record import RepResult
from gymcore.recognition.pose_rule import NONE, Recognition

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "gymcore" / "samples"
REAL = ROOT / "benchmarks" / "real" / "clips.json"
SQUAT = ("feet_flat", "hip_knee_bend", "hips_backward", "neutral_back", "hips_below_knee", "feet_angled")


def clip(exercise: str = "squat", reps: tuple[LabelledRep, ...] = (), movements: tuple[OtherMovement, ...] = (),
         view: str = "lateral") -> LabelledClip:
    return LabelledClip("c1", "tuning", view, exercise, reps, movements, None, Path("/clips/c1.mp4"))


def found(index: int, start_s: float, end_s: float, verdicts: dict[str, dict[str, Verdict]] | None = None) -> RepResult:
    return RepResult(index, start_s, (start_s + end_s) / 2, end_s, {}, verdicts or {}, {}, None)


def recognised(exercise: str, confidence: float = 0.9) -> Recognition:
    return Recognition(exercise, confidence, "pose rule", {})


def passed(evidence: dict[str, object] | None = None) -> Verdict:
    return Verdict(prob=0.9, passed=True, evidence=evidence or {})


def failed(evidence: dict[str, object] | None = None) -> Verdict:
    return Verdict(prob=0.1, passed=False, evidence=evidence or {})


# --- matching ----------------------------------------------------------------------------------


def test_iou_of_spans() -> None:
    assert iou((0, 2), (0, 2)) == 1.0
    assert iou((0, 2), (1, 3)) == pytest.approx(1 / 3)
    assert iou((0, 1), (2, 3)) == 0.0
    assert iou((0, 4), (1, 2)) == pytest.approx(1 / 4)


def test_repetitions_are_matched_one_to_one_by_the_largest_iou() -> None:
    labelled = [(1.0, 3.0), (3.0, 5.0), (8.0, 10.0)]
    # The second found repetition overlaps both of the first two labelled ones; the first found one
    # takes labelled 0, so it gets labelled 1; the last overlaps labelled 2 by IoU 0.2 only.
    matches = match_reps([(1.1, 3.1), (2.5, 5.5), (9.6, 11.0)], labelled)
    assert [(m.found, m.labelled) for m in matches] == [(0, 0), (1, 1)]
    assert matches[0].iou == pytest.approx(1.9 / 2.1)
    assert matches[1].iou == pytest.approx(2.0 / 3.0)
    # One found repetition spanning two labelled ones matches one of them only.
    assert [(m.found, m.labelled) for m in match_reps([(1.0, 5.0)], labelled)] == [(0, 0)]
    assert match_reps([(0.0, 1.0)], [(0.0, 4.0)]) == []  # IoU 0.25, under the threshold


def test_a_found_repetition_matching_none_is_a_movement_counted_with_the_kind_it_overlaps() -> None:
    labelled = clip(reps=(LabelledRep(4.0, 6.0, {}),),
                    movements=(OtherMovement(0.0, 2.5, "walk"), OtherMovement(9.0, 10.0, "partial")))
    reps = [found(0, 0.5, 2.0), found(1, 4.1, 6.1), found(2, 6.2, 8.0), found(3, 8.8, 9.6), found(4, 5.5, 7.5)]
    score = score_clip(labelled, recognised("squat"), reps, ("rules",))
    assert [(m.found, m.labelled) for m in score.matches] == [(1, 0)]
    assert [(m.found, m.kind) for m in score.counted_movements] == [
        (0, "walk"), (2, UNLABELLED), (3, "partial"), (4, ON_REPETITION)]
    assert score.expected_reps == 1 and len(score.found) == 5


def test_in_an_other_clip_every_found_repetition_is_counted_and_recognition_is_wrong() -> None:
    jumps = clip("other", reps=(LabelledRep(0.0, 1.5, {}), LabelledRep(1.5, 3.0, {})),
                 movements=(OtherMovement(3.0, 4.0, "partial"),))
    score = score_clip(jumps, recognised("squat", 0.97), [found(0, 0.1, 1.4), found(1, 3.1, 3.9)], ("rules",))
    assert score.expected_reps == 0 and score.matches == []
    assert [m.kind for m in score.counted_movements] == ["other_exercise", "partial"]
    assert not score.recognised_right and score.confidence == 0.97
    assert score.tallies == [] and score.disagreements == []
    summary = group_summary("tuning", "other", [score], [], rules_run=True)
    assert (summary.count_exact, summary.count_within_one) == (0, 0)
    assert summary.counted_movements == 2 and summary.on_other_movements == 2
    assert summary.movement_kinds == {"other_exercise": 1, "partial": 1}



def test_an_other_clip_said_to_be_none_of_the_three_is_recognised_right_with_nothing_counted() -> None:
    deadlift = clip("other", reps=(LabelledRep(0.0, 2.0, {}),))
    score = score_clip(deadlift, recognised(NONE, 0.9), [], ("rules",))
    assert score.recognised_right and score.counted_movements == [] and score.something_judged is False
    squat = clip("squat", reps=(LabelledRep(0.0, 2.0, {}),))
    assert not score_clip(squat, recognised(NONE, 0.9), [], ("rules",)).recognised_right


# --- verdicts against labels -------------------------------------------------------------------


def test_false_alarms_detection_and_declines_are_counted_per_criterion_and_model() -> None:
    labels = [{"feet_flat": "pass", "hip_knee_bend": "fail", "hips_backward": "pass", "neutral_back": "fail",
               "hips_below_knee": "not_visible", "feet_angled": "not_visible"},
              {"feet_flat": "pass", "hip_knee_bend": "fail", "hips_backward": "pass", "neutral_back": "pass",
               "hips_below_knee": "not_visible", "feet_angled": "not_visible"}]
    evidence = {"quantity": "heel lift", "value": 2.5, "unit": "cm", "threshold": "<= 1.5", "view": "lateral",
                "frame": 42, "time_s": 1.4}
    first = {"feet_flat": {"rules": failed(evidence), "pose": passed()},  # a false alarm with its evidence
             "hip_knee_bend": {"rules": failed(), "pose": passed()},  # detected; missed
             "hips_backward": {"rules": Verdict.not_assessable("hidden"), "pose": passed()},
             "neutral_back": {"rules": failed(), "pose": failed()},
             "hips_below_knee": {"rules": passed(), "pose": Verdict.not_assessable("no frontal clip")},
             "feet_angled": {"rules": Verdict.not_assessable("no frontal clip"), "pose": passed()}}
    second = {cid: {"rules": passed(), "pose": passed()} for cid in SQUAT}
    labelled = clip(reps=(LabelledRep(1.0, 3.0, labels[0]), LabelledRep(4.0, 6.0, labels[1])))
    score = score_clip(labelled, recognised("squat"), [found(0, 1.0, 3.0, first), found(1, 4.0, 6.0, second)],
                       ("rules", "pose"))
    tallies = {(t.criterion, t.model): t for t in score.tallies}

    feet = tallies["feet_flat", "rules"]
    assert (feet.labelled_pass, feet.false_alarms, feet.agreed) == (2, 1, 1)
    assert CriterionScore.of("tuning", feet).false_alarm_rate == 0.5
    bend_rules, bend_pose = tallies["hip_knee_bend", "rules"], tallies["hip_knee_bend", "pose"]
    assert (bend_rules.labelled_fail, bend_rules.detected) == (2, 1)  # failed the first, passed the second
    assert (bend_pose.detected, bend_pose.agreed) == (0, 0)
    assert CriterionScore.of("tuning", bend_rules).detection_rate == 0.5
    assert CriterionScore.of("tuning", bend_pose).detection_rate == 0.0
    hips = CriterionScore.of("tuning", tallies["hips_backward", "rules"])
    # A declined criterion counts against agreement, and as neither a false alarm nor a pass.
    assert (hips.tally.declined, hips.not_assessable_rate, hips.agreement, hips.false_alarm_rate) == (1, 0.5, 0.5, 0.0)
    back = tallies["neutral_back", "rules"]
    assert (back.labelled_fail, back.detected, back.labelled_pass, back.false_alarms) == (1, 1, 1, 0)
    depth = tallies["hips_below_knee", "rules"]
    assert (depth.not_visible, depth.not_visible_judged, depth.scored) == (2, 2, 0)
    assert tallies["hips_below_knee", "pose"].not_visible_judged == 1
    assert CriterionScore.of("tuning", depth).agreement is None  # nothing scored

    wrong = {(d.rep, d.criterion, d.model, d.verdict) for d in score.disagreements}
    assert wrong == {(0, "feet_flat", "rules", "fail"), (1, "hip_knee_bend", "rules", "pass"),
                     (0, "hip_knee_bend", "pose", "pass"), (1, "hip_knee_bend", "pose", "pass"),
                     (0, "hips_backward", "rules", "not_assessable")}
    alarm = next(d for d in score.disagreements if d.criterion == "feet_flat")
    assert (alarm.label, alarm.evidence.time_s, alarm.evidence.value, alarm.found_rep) == ("pass", 1.4, 2.5, 0)
    assert score.something_judged is True


def test_criteria_of_a_clip_judged_as_another_exercise_are_unjudged() -> None:
    labels = dict.fromkeys(SQUAT, "pass")
    lunge_verdicts = {"front_knee_90": {"rules": passed()}}
    score = score_clip(clip(reps=(LabelledRep(1.0, 3.0, labels),)), recognised("lunges"),
                       [found(0, 1.0, 3.0, lunge_verdicts)], ("rules",))
    assert all(t.unjudged == 1 and t.agreed == 0 for t in score.tallies)
    assert {d.verdict for d in score.disagreements} == {"not_judged"}
    assert not score.recognised_right


def test_nothing_judged_by_the_rules_and_failed_clips_count_against_the_shares() -> None:
    declined = {cid: {"rules": Verdict.not_assessable("hidden")} for cid in SQUAT}
    score = score_clip(clip(reps=(LabelledRep(1.0, 3.0, dict.fromkeys(SQUAT, "pass")),)), recognised("squat"),
                       [found(0, 1.2, 3.1, declined)], ("rules",))
    assert score.something_judged is False
    broken = FailedClip("c2", "tuning", "frontal", "squat", "Nobody was found in the clip.")
    summary = group_summary("tuning", "squat", [score], [broken], rules_run=True)
    assert (summary.clips, summary.failed, summary.count_exact, summary.recognised, summary.something_judged) == \
        (2, 1, 1, 1, 0)
    assert summary.mean_iou == pytest.approx(1.8 / 2.1)
    assert group_summary("tuning", "squat", [score], [], rules_run=False).something_judged is None


def test_tallies_add_up_only_for_one_criterion_and_model() -> None:
    one = Tally.of("squat", "feet_flat", "rules", "pass", failed())
    two = Tally.of("squat", "feet_flat", "rules", "fail", failed())
    total = one + two
    assert (total.labelled_pass, total.labelled_fail, total.false_alarms, total.detected, total.agreed) == (1, 1, 1, 1, 1)
    with pytest.raises(AssertionError):
        one + Tally.of("squat", "feet_flat", "pose", "pass", failed())


# --- the manifest ------------------------------------------------------------------------------


def entry(**changes: object) -> dict[str, object]:
    """A good entry of a single lateral squat clip, with ``changes`` (None takes a key out)."""
    base = {"id": "a", "split": "tuning", "view": "lateral", "exercise": "squat", "file": "a.mp4",
            "reps": [{"start_s": 1.0, "end_s": 3.0, "labels": dict.fromkeys(SQUAT, "pass")}], "other_movements": []}
    return {key: value for key, value in {**base, **changes}.items() if value is not None}


def write_manifest(folder: Path, *entries: dict[str, object], touch: bool = True) -> Path:
    for item in entries:
        for key in ("file", "front", "side"):
            if touch and isinstance(item.get(key), str):
                (folder / item[key]).write_bytes(b"")
    path = folder / "clips.json"
    path.write_text(json.dumps({"schema": 1, "held_out_runs": 0, "clips": list(entries)}))
    return path


def test_the_view_decides_the_slot_and_files_are_relative_to_the_manifest(tmp_path) -> None:
    path = write_manifest(tmp_path, entry(id="side", view="oblique"), entry(id="front", view="frontal", file="f.mp4"),
                          entry(id="pair", file=None, view=None, front="p_front.mp4", side="p_side.mp4"),
                          entry(id="staged", file=None, source={"repo": "o/n", "commit": "c", "path": "v/s.mp4",
                                                                 "blob": "b"}))
    clips = {item.id: item for item in read_labelled(path, tmp_path / "root").clips}
    assert (clips["side"].front, clips["side"].side) == (None, tmp_path / "a.mp4")
    assert (clips["front"].front, clips["front"].side) == (tmp_path / "f.mp4", None)
    assert (clips["pair"].front, clips["pair"].side, clips["pair"].clock_view, clips["pair"].view) == \
        (tmp_path / "p_front.mp4", tmp_path / "p_side.mp4", "lateral", "pair")
    assert clips["staged"].side == tmp_path / "root" / "o+n" / "v" / "s.mp4"
    assert clips["front"].item.exercise is None and clips["front"].clock_view == "frontal"


@pytest.mark.parametrize(("changes", "refusal"), [
    ({"exercise": "bench"}, "clip a has the exercise 'bench': use one of squat, lunges, deadlift, other"),
    ({"reps": [{"start_s": 1, "end_s": 2, "labels": {**dict.fromkeys(SQUAT, "pass"), "heels_width": "pass"}}]},
     "clip a repetition 1 labels heels_width, which are not criteria of squat"),
    ({"exercise": "other"}, "clip a repetition 1 labels .* which are not criteria of other .none for an other clip"),
    ({"reps": [{"start_s": 1, "end_s": 2, "labels": {**dict.fromkeys(SQUAT, "pass"), "feet_flat": "ok"}}]},
     "clip a repetition 1 labels feet_flat 'ok': a label is one of pass, fail, not_visible"),
    ({"reps": [{"start_s": 1, "end_s": 2, "labels": dict.fromkeys(SQUAT[1:], "pass")}]},
     "clip a repetition 1 has no label for feet_flat"),
    ({"reps": [{"start_s": 3.0, "end_s": 2.0, "labels": dict.fromkeys(SQUAT, "pass")}]},
     "clip a repetition 1 ends at 2.0 s, not after its start at 3.0 s"),
    ({"other_movements": [{"start_s": 0, "end_s": 1, "kind": "dance"}]},
     "clip a other movement 1 has the kind 'dance'"),
    ({"split": "test"}, "clip a has the split 'test': use one of tuning, held_out"),
    ({"view": "top"}, "clip a has the view 'top'"),
    ({"source": {"repo": "o/n", "path": "x.mp4"}}, "clip a names its clip source and file: give one of"),
])
def test_the_reader_refuses_a_bad_entry_naming_it(tmp_path, changes, refusal) -> None:
    with pytest.raises(InputError, match=refusal):
        read_labelled(write_manifest(tmp_path, entry(**changes)))


def test_the_reader_refuses_missing_clips_roots_and_ids(tmp_path) -> None:
    from gymcore.evaluation.labelled import check_files

    missing = read_labelled(write_manifest(tmp_path, entry(), touch=False))
    with pytest.raises(InputError, match=r"clip a: its file .*a\.mp4 is not there"):
        check_files(missing.clips, missing.path)
    staged = entry(file=None, source={"repo": "o/n", "commit": "c", "path": "x.mp4", "blob": "b"})
    with pytest.raises(InputError, match="clip a names its clip by repository: give --root"):
        read_labelled(write_manifest(tmp_path, staged))
    with pytest.raises(InputError, match="lists the id 'a' twice"):
        read_labelled(write_manifest(tmp_path, entry(), entry()))
    (tmp_path / "clips.json").write_text("{not json")
    with pytest.raises(InputError, match="is not a readable labelled-clips manifest"):
        read_labelled(tmp_path / "clips.json")


def test_the_real_benchmark_manifest_reads(tmp_path) -> None:
    labelled = read_labelled(REAL, tmp_path)
    assert len(labelled.clips) == len(json.loads(REAL.read_text())["clips"])
    assert {clip.split for clip in labelled.split("tuning")} == {"tuning"}
    assert len(labelled.split("all")) == len(labelled.clips)
    for item in labelled.clips:
        assert (item.front is None) == (item.view != "frontal") and (item.side is None) == (item.view == "frontal")
        assert str(item.front or item.side).startswith(str(tmp_path))


def test_a_held_out_run_is_counted_in_the_manifest_and_nothing_else_changes(tmp_path) -> None:
    copy = tmp_path / "clips.json"
    copy.write_text(REAL.read_text(encoding="utf-8"), encoding="utf-8")
    before = json.loads(copy.read_text(encoding="utf-8"))
    assert count_held_out_run(copy) == before["held_out_runs"] + 1
    after = json.loads(copy.read_text(encoding="utf-8"))
    assert after == {**before, "held_out_runs": before["held_out_runs"] + 1}
    assert copy.read_text(encoding="utf-8") == REAL.read_text(encoding="utf-8").replace(
        f'"held_out_runs": {before["held_out_runs"]},', f'"held_out_runs": {before["held_out_runs"] + 1},')


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "refusal"), [
    (["--clips", "M", "--split", "test"], "split into tuning and held_out, not test"),
    (["--data", "D", "--split", "held_out"], "A dataset is split into test, val, train, not held_out"),
    (["--demo-clips", "D", "--root", "R"], "--root is where the clips of --clips are staged"),
    (["--clips", "M", "--models", "rules,posture"], "There is no model called 'posture'"),
])
def test_the_command_refuses_options_that_do_not_go_together(tmp_path, capsys, arguments, refusal) -> None:
    arguments = [str(tmp_path / a) if a in ("M", "D", "R") else a for a in arguments]
    write_manifest(tmp_path, entry())
    (tmp_path / "clips.json").rename(tmp_path / "M")
    assert main(["evaluate", *arguments, "--json", str(tmp_path / "out.json")]) == 2
    assert refusal in capsys.readouterr().err


def test_the_command_refuses_a_missing_clip_before_assessing_anything(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, entry(id="gone"), touch=False)
    assert main(["evaluate", "--clips", str(path), "--json", str(tmp_path / "out.json")]) == 2
    assert "clip gone: its file" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def sample_labels(name: str, hidden: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """The sample's repetitions as a labeller would write them: SynthGym's truth, 1 pass and 0 fail."""
    truth = next(item for item in json.loads((SAMPLES / "manifest.json").read_text())["clips"]
                 if f"{item['exercise']}_{item['kind']}" == name)
    return [{"start_s": rep["start_s"], "end_s": rep["end_s"],
             "labels": {cid: "not_visible" if cid in hidden else ("pass" if value else "fail")
                        for cid, value in rep["labels"].items()}} for rep in truth["reps"]]


def trimmed_from(source: Path, target: Path, start_s: float) -> Path:
    """The clip from ``start_s`` on, as a user's trimmed copy of it."""
    from gymcore.perception.video import probe_clip, read_frames, write_video

    info = probe_clip(source)
    frames = read_frames(info, range(round(start_s * info.fps), info.frame_count))
    return write_video(target, [frame.image for frame in frames], info.fps)


@pytest.mark.slow  # MediaPipe over a sample pair and two single clips (~25 s)
def test_the_command_on_sample_clips(tmp_path, capsys) -> None:
    for name in ("squat_faulty_frontal", "squat_faulty_lateral", "lunges_clean_lateral"):
        (tmp_path / f"{name}.mp4").symlink_to(SAMPLES / f"{name}.mp4")
    # Trimmed to start at the bottom of its only squat: no whole repetition, which is the product's answer.
    (rep,) = sample_labels("squat_clean")
    trimmed_from(SAMPLES / "squat_clean_lateral.mp4", tmp_path / "squat_cut.mp4", (rep["start_s"] + rep["end_s"]) / 2)
    path = tmp_path / "clips.json"
    path.write_text(json.dumps({"schema": 1, "held_out_runs": 0, "clips": [
        {"id": "squat-pair", "split": "tuning", "exercise": "squat", "front": "squat_faulty_frontal.mp4",
         "side": "squat_faulty_lateral.mp4", "reps": sample_labels("squat_faulty")},
        # A lateral clip alone: the frontal criteria are not visible in it.
        {"id": "lunge-side", "split": "held_out", "view": "lateral", "exercise": "lunges",
         "file": "lunges_clean_lateral.mp4", "other_movements": [{"start_s": 0.0, "end_s": 0.8, "kind": "walk"}],
         "reps": sample_labels("lunges_clean", hidden=("heels_width", "feet_aligned"))},
        {"id": "squat-cut", "split": "held_out", "view": "lateral", "exercise": "squat", "file": "squat_cut.mp4",
         "reps": [], "other_movements": [{"start_s": 0.0, "end_s": 1.5, "kind": "partial"}]},
    ]}))
    out = tmp_path / "out.json"
    assert main(["evaluate", "--clips", str(path), "--split", "all", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "the all split, models rules (held-out run 1)" in table and "hip_knee_bend" in table
    assert json.loads(path.read_text())["held_out_runs"] == 1

    report = json.loads(out.read_text())
    assert (report["split"], report["models"], report["held_out_run"], report["failed"]) == ("all", ["rules"], 1, [])
    clips = {item["id"]: item for item in report["clips"]}
    cut = clips.pop("squat-cut")  # scored as answered (nothing counted), not failed
    assert (cut["found"], cut["counted_movements"], cut["recognised"], cut["something_judged"]) == ([], [], "squat", False)
    for item in clips.values():
        assert len(item["found"]) == item["expected_reps"] == 1 and item["recognised_right"]
        assert item["matches"][0]["iou"] > 0.5 and item["something_judged"]
    assert (clips["squat-pair"]["view"], clips["lunge-side"]["split"]) == ("pair", "held_out")
    groups = {(g["split"], g["exercise"]): g for g in report["groups"]}
    assert set(groups) == {("tuning", "squat"), ("tuning", "all"), ("held_out", "lunges"), ("held_out", "squat"),
                           ("held_out", "all"), ("all", "squat"), ("all", "lunges"), ("all", "all")}
    assert (groups["all", "all"]["clips"], groups["all", "all"]["count_exact"], groups["all", "all"]["recognised"]) == \
        (3, 3, 3)
    rows = [row for row in report["criteria"] if row["split"] == "all"]
    assert {row["tally"]["criterion"] for row in rows if row["tally"]["exercise"] == "squat"} == set(SQUAT)
    heels = next(row for row in rows if row["tally"]["criterion"] == "heels_width")
    assert (heels["tally"]["not_visible"], heels["tally"]["labelled_pass"], heels["agreement"]) == (1, 0, None)
    failing = sum(row["tally"]["labelled_fail"] for row in rows)
    assert failing == sum(not v for v in json.loads((SAMPLES / "manifest.json").read_text())["clips"][1]["reps"][0]
                          ["labels"].values())
    # Each disagreement is a verdict that is not its label, with the rule's evidence when it judged.
    disagreements = [d for item in clips.values() for d in item["disagreements"]]
    wrong = sum(row["tally"]["labelled_pass"] + row["tally"]["labelled_fail"] - row["tally"]["agreed"] for row in rows)
    assert len(disagreements) == wrong
    for d in disagreements:
        assert d["verdict"] != d["label"]
        assert d["reason"] if d["verdict"] == "not_assessable" else d["evidence"] is None or d["evidence"]["time_s"] >= 0


def test_the_report_prints_a_row_per_group_and_criterion_and_writes_json() -> None:
    from gymcore.evaluation.clips import ClipsReport, criterion_scores, describe, group_summaries

    labels = dict.fromkeys(SQUAT, "pass")
    score = score_clip(clip(reps=(LabelledRep(1.0, 3.0, labels),)), recognised("squat"),
                       [found(0, 1.0, 3.0, {cid: {"rules": failed()} for cid in SQUAT})], ("rules",))
    broken = FailedClip("c2", "tuning", "frontal", "squat", "Nobody was found in the clip.")
    report = ClipsReport("clips.json", "a benchmark", "", "docs/protocol.md", "tuning", ["rules"], 0.3, None,
                         group_summaries("tuning", [score], [broken], ["rules"]),
                         criterion_scores("tuning", [score], ["rules"]), [score], [broken], 1.0)
    lines = describe(report).splitlines()
    assert lines[0] == "clips.json: the tuning split, models rules"
    assert [line.split()[:4] for line in lines[2:4]] == [["tuning", "squat", "2", "1"], ["tuning", "all", "2", "1"]]
    assert [line.split()[2] for line in lines[6:12]] == list(SQUAT)
    assert "0.00 (n=1)    1.00 (n=1)" in lines[6]  # agreement, then false alarms
    assert "failed: c2: Nobody was found in the clip." in lines
    data = json.loads(json.dumps(report.to_dict()))
    assert data["clips"][0]["disagreements"][0]["verdict"] == "fail" and data["failed"][0]["id"] == "c2"
    # The JSON reads back as the run's figures, saying what they were measured on.
    figures = read_clips_figures(json.dumps(report.to_dict()).encode(), "report.json")
    assert figures.groups == report.groups and figures.criteria == report.criteria
    # The figures alone (benchmarks/real/figures.py) read back the same.
    assert read_clips_figures(json.dumps(figures.figures_dict()).encode(), "figures.json") == figures
    assert figures.measured_on() == ("Measured on 2 labelled clips of a benchmark (clips.json), the tuning half;"
                                     " labelled blind by the protocol of docs/protocol.md.")
    # A run over all splits of a manifest with one half has no "all" row of its own: the half's clips still count.
    assert replace(figures, split="all").measured_on().startswith("Measured on 2 labelled clips of a benchmark")
    with pytest.raises(InputError, match="report.json is not a report of"):
        read_clips_figures(b'{"groups": []}', "report.json")
