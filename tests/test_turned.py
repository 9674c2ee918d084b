"""Oblique clips: MediaPipe's 3D landmarks turned to a side-on or facing virtual camera."""

import numpy as np
import pytest

from gymcore.judging.rules.config import DEFAULT_RULES
from gymcore.perception.trackcheck import orientation, width_ratio
from gymcore.perception.turned import VIRTUAL_SIZE, turned
from gymcore.synth.body import rot_y


def about_vertical(world: np.ndarray, degrees: float) -> np.ndarray:
    """The same poses with the camera walked ``degrees`` around the athlete (a turn about world y)."""
    return world @ rot_y(degrees).T


@pytest.mark.parametrize("degrees", [35.0, 50.0, 140.0])
def test_the_turned_view_does_not_depend_on_where_the_camera_stood(squat_perception, degrees) -> None:
    world = squat_perception.lateral.timeline.world[squat_perception.lateral.timeline.detected]
    for view in ("lateral", "frontal"):  # equal up to the float32 landmarks' precision
        np.testing.assert_allclose(turned(about_vertical(world, degrees), view), turned(world, view), atol=1e-6)


def test_turned_side_on_or_facing_the_views_read_as_such(squat_perception) -> None:
    world = about_vertical(squat_perception.lateral.timeline.world[squat_perception.lateral.timeline.detected], 45.0)
    limits = DEFAULT_RULES.view
    assert orientation(width_ratio(turned(world, "lateral"), VIRTUAL_SIZE), limits) == "lateral"
    assert orientation(width_ratio(turned(world, "frontal"), VIRTUAL_SIZE), limits) == "frontal"
    # Side-on, the athlete faces the picture's right: the toes are right of the heels.
    side = turned(world, "lateral")
    assert np.nanmedian(side[:, 31, 0] - side[:, 29, 0]) > 0  # left foot index vs left heel


def test_an_oblique_repetition_is_sampled_turned_and_judged_but_not_on_the_feet(squat_perception) -> None:
    from dataclasses import replace

    from gymcore.judging.gate import refusals
    from gymcore.judging.sampling import rep_sample
    from gymcore.repetitions.windows import repetitions

    view = squat_perception.lateral
    timeline = view.timeline
    # Seen from 45 degrees: MediaPipe's image landmarks would be those of the turned world, so
    # re-project the 3D pose at that angle into the picture, scaled to the clip's size.
    world = about_vertical(timeline.world, 45.0)
    pictured = np.stack([0.5 + world[..., 0] / 2.6, 0.5 + world[..., 1] / 2.6 * view.source.width / view.source.height,
                         world[..., 2]], axis=-1)
    oblique = replace(squat_perception, frontal=None,
                      lateral=replace(view, timeline=replace(timeline, landmarks=pictured, world=world)))
    windows, _ = repetitions(oblique, "squat")
    sample = rep_sample(oblique, windows[0], needs_images=False)
    assert sample.views["lateral"].turned_from == "oblique"
    reasons = refusals("squat", sample)
    assert reasons["hips_below_knee"] == "" and reasons["hips_backward"] == ""
    assert reasons["neutral_back"].startswith("Neutral back is not judged from a lateral clip that looks oblique")
    assert reasons["feet_flat"].startswith("Feet flat is not judged from a lateral clip that looks oblique")
