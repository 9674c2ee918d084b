import numpy as np
import pytest

from gymcore.perception.angles import ANGLE_NAMES, ANGLE_NAMES_3D, angle_at, image_angles, world_angles
from gymcore.perception.pose import LANDMARK as L


def test_angle_at_hand_computed_triangles():
    joint = np.array([0.0, 0.0])
    assert angle_at(np.array([1.0, 0.0]), joint, np.array([0.0, 1.0])) == pytest.approx(90)
    assert angle_at(np.array([1.0, 0.0]), joint, np.array([-1.0, 0.0])) == pytest.approx(180)
    # 3-4-5 triangle: the angle opposite the side 3 is asin(3/5).
    assert angle_at(np.array([4.0, 0.0]), joint, np.array([4.0, 3.0])) == pytest.approx(np.degrees(np.arctan2(3, 4)))
    assert angle_at(np.array([1.0, 0.0, 0.0]), np.zeros(3), np.array([1.0, 1.0, 0.0])) == pytest.approx(45)


def _standing_side_view() -> np.ndarray:
    """A normalised pose whose knee angle is 45 degrees in a 1000 x 500 frame."""
    points = np.full((1, 33, 3), 0.5)
    points[0, L["left_shoulder"], :2] = (0.5, 0.2)
    points[0, L["right_shoulder"], :2] = (0.5, 0.2)
    points[0, L["left_hip"], :2] = (0.5, 0.5)
    points[0, L["right_hip"], :2] = (0.5, 0.5)
    # In a 1000 x 500 frame the knee sits 100 px right of the hip and the ankle 100 px left of and
    # 100 px below the knee.
    points[0, L["left_knee"], :2] = (0.6, 0.5)
    points[0, L["left_ankle"], :2] = (0.5, 0.7)
    return points


def test_image_angles_are_measured_in_pixels_not_normalised_units():
    angles = image_angles(_standing_side_view(), width=1000, height=500)
    assert set(angles) == set(ANGLE_NAMES)
    assert angles["left_knee"][0] == pytest.approx(45)
    assert angles["trunk_lean"][0] == pytest.approx(0)
    # The same normalised points in a square frame make another angle: the aspect ratio matters.
    square = image_angles(_standing_side_view(), width=500, height=500)
    assert square["left_knee"][0] == pytest.approx(np.degrees(np.arctan2(100, 50)))


def test_trunk_lean_from_vertical():
    points = _standing_side_view()
    for side in ("left_shoulder", "right_shoulder"):
        points[0, L[side], :2] = (0.8, 0.2)  # 300 px right, 300 px up of the hips in a 1000 x 1000 frame
    assert image_angles(points, 1000, 1000)["trunk_lean"][0] == pytest.approx(45)


def test_world_angles_and_missing_frames():
    world = np.zeros((2, 33, 3))
    world[:, L["left_hip"]] = (0, 0, 0)
    world[:, L["left_knee"]] = (0, 0.4, 0)
    world[:, L["left_ankle"]] = (0, 0.4, 0.4)
    world[1] = np.nan
    angles = world_angles(world)
    assert set(angles) == set(ANGLE_NAMES_3D)
    assert angles["left_knee_3d"][0] == pytest.approx(90)
    assert np.isnan(angles["left_knee_3d"][1])
