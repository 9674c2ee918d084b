"""The labelled-clips figures (``gymcore evaluate --clips``) as the Evaluate and Compare pages show them."""

import pandas as pd

from gymcore.criteria import EXERCISE_NAMES
from gymcore.evaluation.clips import ClipsFigures
from gymcore.judging.registry import model_title


def measured_on(figures: ClipsFigures) -> str:
    """The run's sentence on its data, and the models it ran."""
    return f"{figures.measured_on()} Models: {', '.join(model_title(m) for m in figures.models)}."


def summary_table(figures: ClipsFigures) -> pd.DataFrame:
    return pd.DataFrame([{
        "Half": group.split, "Exercise": _exercise(group.exercise), "Clips": group.clips, "Failed": group.failed,
        "Counted exactly": _of(group.count_exact, group.clips),
        "Within one": _of(group.count_within_one, group.clips),
        "Found / labelled repetitions": f"{group.found_reps}/{group.expected_reps}",
        "Mean IoU": "-" if group.mean_iou is None else f"{group.mean_iou:.2f}",
        "Counted, not repetitions": f"{group.counted_movements}" + (
            f" ({', '.join(f'{kind} {n}' for kind, n in group.movement_kinds.items())})" if group.movement_kinds else ""),
        "Recognised": _of(group.recognised, group.clips),
        "Something judged (rules)": _of(group.something_judged, group.clips),
    } for group in figures.groups])


def criteria_table(figures: ClipsFigures) -> pd.DataFrame:
    return pd.DataFrame([{
        "Half": row.split, "Exercise": _exercise(row.tally.exercise), "Criterion": row.tally.criterion,
        "Model": model_title(row.tally.model), "Agreement": _rated(row.agreement, row.tally.scored),
        "False alarms": _rated(row.false_alarm_rate, row.tally.labelled_pass),
        "Detection": _rated(row.detection_rate, row.tally.labelled_fail),
        "Not assessable": _rated(row.not_assessable_rate, row.tally.scored),
    } for row in figures.criteria])


def _of(part: int | None, whole: int) -> str:
    return "-" if part is None else f"{part}/{whole}"


def _rated(value: float | None, n: int) -> str:
    return f"{'-' if value is None else f'{value:.2f}'} (n={n})"


def _exercise(name: str) -> str:
    return EXERCISE_NAMES.get(name, name)
