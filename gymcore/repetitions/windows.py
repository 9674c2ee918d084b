"""Repetition windows in both views: segmented on one view's movement signal, shifted into the
other by the lag that best matches the two views' signals."""

from __future__ import annotations

from gymcore.perception.analysis import Perception
from gymcore.repetitions.alignment import align_offset
from gymcore.repetitions.segmentation import segment_explained
from gymcore.repetitions.signals import combined, movement_signal
from gymcore.repetitions.types import Repetition, Segmentation


def repetitions(perception: Perception, exercise: str) -> tuple[list[dict[str, Repetition]], Segmentation]:
    """Repetition windows per view: segmented on the lateral view's signal (the frontal one's when
    alone; for lunges, where the other view agrees), then shifted into the other view by the lag
    that best matches the two views' movement signals. The segmentation's ``rejected`` lists the
    movements segmentation did not count (``segment_explained``); no window at all when none is a
    repetition."""
    views = perception.views()
    lead = "lateral" if "lateral" in views else "frontal"
    follower = "frontal" if lead == "lateral" else "lateral"
    signal = movement_signal(views[lead], exercise)
    signal_name = signal.name
    offset = None
    if follower in views:
        other = movement_signal(views[follower], exercise)
        durations = [view.source.duration_s for view in views.values()]
        offset = align_offset(signal, other, max_lag_s=0.5 * min(durations))
        if signal.view_independent:
            signal = combined(signal, other, offset)
            signal_name = f"{signal.name}, both views"
    reps, left_out = segment_explained(signal, exercise)
    segmentation = Segmentation(view=lead, signal=signal_name, offset_s=None if offset is None else round(offset, 3),
                                rejected=tuple(left_out))
    windows = [{lead: rep} for rep in reps]
    if offset is not None:
        for window in windows:
            window[follower] = window[lead].shifted(offset)
    return windows, segmentation
