import itertools

import numpy as np
import pytest

from gymcore.perception.features import N_ANGLES, N_DISTANCES, N_FEATURES, feature_names, pose_features


def slow_features(points: np.ndarray) -> np.ndarray:
    """docs/architecture.md step 4 written out loop by loop: obviously right, far too slow to use."""
    rows = []
    for frame in points:
        row = [np.linalg.norm(frame[i] - frame[j]) for i, j in itertools.combinations(range(33), 2)]
        for i, j, k in itertools.combinations(range(33), 3):
            a, b = frame[i] - frame[j], frame[k] - frame[j]
            row.append(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-8))
        rows.append(row)
    return np.array(rows)


def test_sizes_follow_the_paper():
    assert (N_DISTANCES, N_ANGLES, N_FEATURES) == (528, 5456, 5984)
    names = feature_names()
    assert len(names) == 5984
    assert names[0] == "dist_0_1" and names[527] == "dist_31_32"
    assert names[528] == "cos_0_1_2" and names[-1] == "cos_30_31_32"


def test_matches_the_slow_definition_on_random_poses():
    points = np.random.default_rng(7).normal(size=(4, 33, 3))
    fast = pose_features(points)
    assert fast.shape == (4, 5984) and fast.dtype == np.float32
    np.testing.assert_allclose(fast, slow_features(points), rtol=1e-5, atol=1e-6)


def test_known_values_on_a_right_angle():
    points = np.zeros((1, 33, 3))
    points[0, 0] = (1, 0, 0)
    points[0, 2] = (0, 1, 0)  # landmark 1 stays at the origin: the angle 0-1-2 is 90 degrees
    features = pose_features(points)[0]
    assert features[0] == pytest.approx(1.0)  # distance 0-1
    assert features[1] == pytest.approx(np.sqrt(2))  # distance 0-2
    assert features[N_DISTANCES] == pytest.approx(0.0, abs=1e-7)  # cos of the angle at 1 in (0, 1, 2)


def test_missing_frame_stays_missing():
    points = np.random.default_rng(1).random((3, 33, 3))
    points[1] = np.nan
    features = pose_features(points)
    assert np.isnan(features[1]).all()
    assert np.isfinite(features[[0, 2]]).all()


def test_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(T, 33, 3\)"):
        pose_features(np.zeros((16, 17, 3)))
