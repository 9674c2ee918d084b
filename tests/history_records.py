"""Assessment records for the history tests, built from the ``assess --json`` shape without running
any model: shared by the tests, the processes of the concurrency test and the script that made the
pre-migration databases in tests/data."""

from __future__ import annotations

from gymcore.pipeline.record import AssessmentRecord


def make_record(feet_flat: list[bool], exercise: str = "squat") -> AssessmentRecord:
    """An assessment read from the `assess --json` shape: one repetition per entry of feet_flat."""
    reps = []
    for index, passed in enumerate(feet_flat):
        times = {"start_s": index * 3.0, "bottom_s": index * 3.0 + 1.2, "end_s": index * 3.0 + 2.5}
        reps.append({
            "index": index, **times, "score": 1.0 if passed else 0.5, "scores": {"rules": 1.0 if passed else 0.5},
            "views": {"lateral": times},
            "criteria": {
                "feet_flat": {"rules": {"prob": 1.0 if passed else 0.0, "pass": passed},
                              "pose": {"prob": 0.8, "pass": True}},
                "feet_angled": {"rules": {"status": "not_assessable", "reason": "no frontal clip"}},
            },
        })
    return AssessmentRecord.from_dict({
        "exercise": {"name": exercise, "confidence": 1.0, "method": "given", "evidence": {}}, "reps": reps,
        "summary": {"repetitions": len(reps), "mean_score": None, "most_failed": [], "worst_rep": None,
                    "model": "rules"},
        "timing_s": {"total": 1.0},
        "weights": {"rules": {"status": "loaded"},
                    "pose": {"status": "loaded", "file": "pose_squat.safetensors", "sha256": "ab"}},
        "views": {}, "segmentation": {"view": "lateral", "signal": "knee flexion", "segmented": True},
        "pair_flags": [], "clips": {"lateral": {"name": "side.mp4", "sha256": "cd" * 32, "fps": 30.0,
                                                 "duration_s": 6.0, "width": 640, "height": 480}},
        "timelines": {"lateral": {"time_s": [0.0, 0.5], "angles_deg": {"left_knee": [170.0, 95.0]}}},
    })

