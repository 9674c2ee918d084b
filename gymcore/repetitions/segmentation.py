"""Repetition segmentation from the knee-angle, trunk-lean and hip-height signals.

A repetition is an excursion of the movement signal (knee flexion for squats, the hips' drop for
lunges, trunk lean for the single-leg deadlift) from the standing level up past a high threshold
and back below a low one (hysteresis), after a rolling median (one-frame tracking glitches) and
smoothing. Excursions that are too shallow, too short or too long, or in which the hips do not
drop (squats), are set-up motion (walking in, unracking, turning) and are not counted; nor is one
cut by the clip's start or end unless the clip holds most of it and shows the turn at its bottom.
Each is said, with why, so that a repetition the tool missed is never missed silently.

Lunges alternate legs, and MediaPipe often swaps the legs in a lateral view, so their knee angles
jump; the height of the hips above the ankles, over the torso's length, is the same for either
leg and for any distance to the camera. It means the same in both views, so when both are given
the two views' hip drops are aligned and the smaller of the two is kept: a repetition must show
in both, which removes what one view's tracking invents.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gymcore.repetitions.signals import cleaned
from gymcore.repetitions.types import DEFAULT_REPS, MovementSignal, NotCounted, RepConfig, Repetition


def segment(signal: MovementSignal, exercise: str, config: RepConfig = DEFAULT_REPS) -> list[Repetition]:
    """The repetitions in one view's signal, in time order (``segment_explained`` without the
    movements left out)."""
    return segment_explained(signal, exercise, config)[0]


def segment_explained(signal: MovementSignal, exercise: str,
                      config: RepConfig = DEFAULT_REPS) -> tuple[list[Repetition], list[NotCounted]]:
    """The repetitions in one view's signal, in time order, and the movements that rose past the
    repetition threshold but were not counted, each with why. Frames before the person is first
    seen and after they are last seen (a title card, an empty gym) are left out, and a window
    seen in less than half its frames is not a repetition, nor one the clip cuts short (``_cut_short``).
    A clip that never moves a repetition's depth from its most upright frames is one movement left out."""
    seen = np.flatnonzero(np.isfinite(signal.value))
    if len(seen) < 3:
        return [], []
    inside = slice(int(seen[0]), int(seen[-1]) + 1)
    signal = replace(signal, time_s=np.asarray(signal.time_s[inside], dtype=np.float64),
                     value=np.asarray(signal.value[inside], dtype=np.float64), hip_drop=signal.hip_drop[inside])
    time_s = signal.time_s
    observed = np.isfinite(signal.value)
    value = cleaned(signal.value, time_s, config)
    if len(time_s) < 3 or not np.isfinite(value).all():
        return [], []
    standing = float(np.percentile(value, 10))
    span = float(value.max()) - standing
    # A lunge's excursion already rose past an absolute threshold; from where it starts it must
    # at least climb from the low threshold to the high one.
    min_depth = {"deadlift": config.min_trunk_lean_deg,
                 "lunges": config.lunge_enter_drop_pct - config.lunge_leave_drop_pct,
                 }.get(exercise, config.min_knee_flexion_deg)
    if span < min_depth:
        return [], [_left_out(time_s, 0, len(time_s) - 1, f"the whole clip moves through {_amount(signal.name, span)},"
                              f" less than a repetition's {_amount(signal.name, min_depth)}")]
    if exercise == "lunges":
        enter, leave = standing + config.lunge_enter_drop_pct, standing + config.lunge_leave_drop_pct
    else:
        enter, leave = standing + config.enter_share * span, standing + config.leave_share * span
    drop = cleaned(signal.hip_drop, time_s, config)
    windows, left_out = [], []
    for start, end in hysteresis_windows(value, enter, leave):
        why = _cut_short(value[start:end + 1], leave, config)
        if why:
            left_out.append(_left_out(time_s, start, end, why))
        else:
            windows.append((start, end))
    if exercise != "deadlift":
        windows = merged_while_down(windows, value, drop, config.min_hip_drop)
    found = []
    for start, end in windows:
        bottom = start + int(np.argmax(value[start:end + 1]))
        depth = float(value[bottom] - standing)
        why = _not_a_repetition(signal.name, exercise, depth, min_depth, float(time_s[end] - time_s[start]),
                                float(drop[bottom]), float(observed[start:end + 1].mean()), config)
        if why:
            left_out.append(_left_out(time_s, start, end, why))
        else:
            found.append((start, bottom, end, depth))
    deepest = max((rep[3] for rep in found), default=0.0)
    relative = config.lunge_min_relative_depth if exercise == "lunges" else config.min_relative_depth
    left_out += [_left_out(time_s, start, end, f"it reached {depth / deepest:.0%} of the deepest repetition's"
                           f" {_amount(signal.name, deepest)} (a repetition reaches at least {relative:.0%}): a partial"
                           " movement")
                 for start, _, end, depth in found if depth < relative * deepest]
    found = [rep for rep in found if rep[3] >= relative * deepest]
    edges = standing_edges([(start, end) for start, _, end, _ in found], value, standing + config.rest_share * span,
                           round(config.standing_pad_s / (float(np.median(np.diff(time_s))) or 1.0)))
    reps = [Repetition(float(time_s[first]), float(time_s[bottom]), float(time_s[last]), depth)
            for (first, last), (_, bottom, _, depth) in zip(edges, found)]
    return reps, sorted(left_out, key=lambda item: item.start_s)


def _not_a_repetition(signal: str, exercise: str, depth: float, min_depth: float, duration_s: float, hip_drop: float,
                      seen_share: float, config: RepConfig) -> str:
    """Why a window that rose past the repetition threshold is not a repetition, in words; "" when it is one."""
    if depth < min_depth:
        return f"{_amount(signal, depth)}, less than a repetition's {_amount(signal, min_depth)}"
    if duration_s < config.min_duration_s:
        return f"it lasted {duration_s:.1f} s, too quick for a repetition (at least {config.min_duration_s:g} s)"
    if duration_s > config.max_duration_s:
        return f"it lasted {duration_s:.0f} s, longer than a repetition (at most {config.max_duration_s:g} s)"
    if exercise != "deadlift" and np.isfinite(hip_drop) and hip_drop < config.min_hip_drop:
        return (f"{_amount(signal, depth)} but the hips dropped {max(hip_drop, 0.0):.0%} of their standing height"
                f" (a repetition drops them at least {config.min_hip_drop:.0%}): bending over rather than going"
                " down, or the hips misread")
    if seen_share < 0.5:
        return f"the person was found in only {seen_share:.0%} of its frames"
    return ""


def _cut_short(excursion: np.ndarray, leave: float, config: RepConfig) -> str:
    """Why an excursion that the clip's start or end cuts is not counted, in words; "" when it is
    counted (it is whole, or enough of it is in the clip: ``visible_share`` and ``visible_travel``)."""
    cut_at_start, cut_at_end = bool(excursion[0] > leave), bool(excursion[-1] > leave)
    if not (cut_at_start or cut_at_end):
        return ""
    if cut_at_start and cut_at_end:
        return "it lasts the whole clip, with no standing before or after it"
    edge = "start" if cut_at_start else "end"
    share = visible_share(excursion, leave)
    if share < config.min_visible_share:
        return (f"the clip's {edge} cuts it: about {share:.0%} of it is in the clip (a repetition counts from"
                f" {config.min_visible_share:.0%})")
    if visible_travel(excursion, leave) < config.min_visible_travel:
        return ("the clip starts with the athlete already near the bottom" if cut_at_start else
                "the clip ends before the athlete comes back up from the bottom: a hold, or a cut repetition")
    return ""


def _left_out(time_s: np.ndarray, start: int, end: int, why: str) -> NotCounted:
    return NotCounted(round(float(time_s[start]), 3), round(float(time_s[end]), 3), why)


def _amount(signal: str, value: float) -> str:
    """A depth of the movement signal in words: "84 degrees of knee flexion", "a 30% hip drop"."""
    return f"a {value:.0f}% hip drop" if signal == "hip drop" else f"{value:.0f} degrees of {signal}"


def standing_edges(windows: list[tuple[int, int]], value: np.ndarray, rest: float, pad: int) -> list[tuple[int, int]]:
    """Each window widened to standing on both sides, as a repetition of the published dataset
    runs from standing to standing: back to where the signal was last at the ``rest`` level and
    on to where it is next, then ``pad`` frames more; never past the middle of the gap to a
    neighbouring repetition, nor the clip's ends."""
    widened = []
    last = len(value) - 1
    for i, (start, end) in enumerate(windows):
        low = (windows[i - 1][1] + start + 1) // 2 if i else 0
        high = (end + windows[i + 1][0]) // 2 if i + 1 < len(windows) else last
        before = np.flatnonzero(value[low:start + 1] <= rest)
        after = np.flatnonzero(value[end:high + 1] <= rest)
        first = low + int(before[-1]) if len(before) else low
        final = end + int(after[0]) if len(after) else high
        widened.append((max(low, first - pad), min(high, final + pad)))
    return widened


def merged_while_down(windows: list[tuple[int, int]], value: np.ndarray, drop: np.ndarray,
                      min_drop: float) -> list[tuple[int, int]]:
    """Neighbouring windows whose hips stayed down between their bottoms are one repetition.

    At the bottom of a deep squat the thigh covers the calf in a lateral view, and MediaPipe can
    straighten the leg for a few frames: the knee signal dips and one repetition looks like two.
    The hips, which stay down, tell them apart from two repetitions with a stand between: between
    those the hips rise by at least ``min_drop``, even where the hips' standing level is misread
    (a frontal view's hips read 0.55 down while standing after the dumbbell was picked up).
    """
    if not np.isfinite(drop).all():
        return windows
    merged: list[tuple[int, int]] = []
    for start, end in windows:
        if merged:
            previous_start, previous_end = merged[-1]
            bottoms = (previous_start + int(np.argmax(value[previous_start:previous_end + 1])),
                       start + int(np.argmax(value[start:end + 1])))
            between = drop[bottoms[0]:bottoms[1] + 1].min()
            if between >= min_drop and min(drop[bottoms[0]], drop[bottoms[1]]) - between < min_drop:
                merged[-1] = (previous_start, end)
                continue
        merged.append((start, end))
    return merged


def hysteresis_windows(value: np.ndarray, enter: float, leave: float) -> list[tuple[int, int]]:
    """(start, end) positions of the excursions above `enter`, each widened to where the signal
    was last and is next below `leave`: the clip's first or last frame for an excursion already
    above `leave` when the clip starts, or still above it when the clip ends."""
    windows: list[tuple[int, int]] = []
    position = 0
    n = len(value)
    while position < n:
        above = np.flatnonzero(value[position:] > enter)
        if not len(above):
            break
        crossing = position + int(above[0])
        before = np.flatnonzero(value[:crossing] <= leave)
        after = np.flatnonzero(value[crossing:] <= leave)
        start = int(before[-1]) if len(before) else 0
        end = crossing + int(after[0]) if len(after) else n - 1
        position = end + 1
        if not windows or start >= windows[-1][1]:
            windows.append((start, end))
    return windows


def visible_share(excursion: np.ndarray, leave: float) -> float:
    """The share of an excursion cut by the clip's start or end that the clip holds, from the
    excursion's other side: the missing part is taken to last as long as the frames on the other
    side of the bottom between `leave` and the level at the cut (a clip cut just after the athlete
    set off, or as they stand up, holds most of the repetition; one cut at the bottom about half).
    """
    bottom = int(np.argmax(excursion))
    if excursion[-1] > leave:  # cut at the end: mirrored on the way down
        missing = int(np.argmax(excursion[:bottom + 1] >= excursion[-1]))
    else:  # cut at the start: mirrored on the way up
        missing = len(excursion) - 1 - (bottom + int(np.argmax(excursion[bottom:] <= excursion[0])))
    return (len(excursion) - 1) / max(len(excursion) - 1 + missing, 1)


def visible_travel(excursion: np.ndarray, leave: float) -> float:
    """The share of an excursion's path, down from `leave` to the bottom and back, that a clip
    cutting it holds: the whole of the side it shows, and on the cut side the way from the bottom
    to the level at the cut. Unlike ``visible_share`` it does not grow with time spent at the
    bottom: a hold to the clip's end reads about a half, as a repetition cut at its bottom does."""
    peak = float(np.max(excursion))
    at_cut = float(excursion[-1] if excursion[-1] > leave else excursion[0])
    return 0.5 + 0.5 * (peak - at_cut) / max(peak - leave, 1e-9)
