"""Reading the ALEX-GYM-1 layout: rows, null frames, participant split, clear errors, caches."""

import json

import numpy as np
import pytest
from tinygym import write_tiny_dataset

from gymcore.data.dataset import cached_features, cached_frames, dataset_cache_folder, load_exercise, split_exercise
from gymcore.errors import InputError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_tiny_dataset(tmp_path_factory.mktemp("tiny"), ("squat", "lunges"), participants=10)


def test_rows_labels_and_null_frames(tiny):
    data = load_exercise(tiny, "squat")
    assert len(data) == 20 and data.labels.shape == (20, 6)
    assert set(np.unique(data.labels)) <= {0.0, 1.0}
    assert np.isnan(data.landmarks["frontal"][1, 5]).all()  # the null frame written for rep 1
    assert np.isfinite(data.landmarks["lateral"]).all()
    assert data.frame_paths(0, "lateral")[0].name == "2_idx_0_1.jpg"


def test_split_is_by_participant_70_15_15(tiny):
    parts = split_exercise(load_exercise(tiny, "squat"), seed=0)
    people = {name: set(part.participants) for name, part in parts.items()}
    assert [len(people[name]) for name in ("train", "val", "test")] == [6, 2, 2]
    assert not (people["train"] & people["val"] or people["train"] & people["test"] or people["val"] & people["test"])
    assert split_exercise(load_exercise(tiny, "lunges"), seed=0)["test"].participants.tolist() == \
        parts["test"].participants.tolist()  # one split for every exercise


def test_missing_sheet_and_column_are_named(tiny, tmp_path):
    with pytest.raises(InputError, match="deadlift.xlsx"):
        load_exercise(tiny, "deadlift")
    broken = write_tiny_dataset(tmp_path / "broken", participants=3, reps=1)
    import pandas as pd

    sheet = pd.read_excel(broken / "squat.xlsx").drop(columns=["feet_flat"])
    sheet.to_excel(broken / "squat.xlsx", index=False)
    with pytest.raises(InputError, match="feet_flat"):
        load_exercise(broken, "squat")
    (broken / "lat_pose_squat.json").write_text(json.dumps([]))
    sheet = pd.read_excel(broken / "squat.xlsx").assign(feet_flat=1)
    sheet.to_excel(broken / "squat.xlsx", index=False)
    with pytest.raises(InputError, match="lat_pose_squat.json"):
        load_exercise(broken, "squat")


def test_features_and_frames_are_cached_and_finite(tiny):
    data = load_exercise(tiny, "squat").subset(np.arange(4))
    features = cached_features(data, "frontal")
    assert features.shape == (4, 16, 5984) and np.isfinite(features).all()
    assert len(list(dataset_cache_folder(tiny).glob("squat_frontal_features_*.npy"))) == 1
    assert np.array_equal(cached_features(data, "frontal"), features)
    frames = cached_frames(data, "lateral", 24)
    assert frames.shape == (4, 16, 24, 24, 3) and frames.dtype == np.uint8 and frames.any()


def test_caches_go_under_the_cache_root_never_into_the_dataset_folder(tiny, tmp_path, monkeypatch):
    before = sorted(path.relative_to(tiny) for path in tiny.rglob("*"))
    monkeypatch.setenv("GYMCORE_CACHE", str(tmp_path / "cache"))
    data = load_exercise(tiny, "squat").subset(np.arange(2))
    cached_features(data, "lateral")
    cached_frames(data, "frontal", 24)
    assert sorted(path.relative_to(tiny) for path in tiny.rglob("*")) == before
    written = sorted(path.name for path in (tmp_path / "cache" / "datasets").rglob("*.npy"))
    assert len(written) == 2 and written[0].startswith("squat_frontal_frames24_")
    # The same dataset reached through another spelling of its path shares the cache.
    assert dataset_cache_folder(tiny / ".." / tiny.name) == dataset_cache_folder(tiny)
