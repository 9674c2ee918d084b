"""Batch assessment's items (gymcore.pipeline.batch): manifests and folders of clips. The batch
run itself, in this process and on Ray, is in tests/test_parallel_ray.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from gymcore.errors import InputError
from gymcore.pipeline.batch import BatchItem, batch_items


def test_a_manifest_names_clips_relative_to_itself(tmp_path) -> None:
    (tmp_path / "lists").mkdir()
    manifest = tmp_path / "lists" / "batch.csv"
    manifest.write_text("id,front,side,exercise,coach\n"
                        "anna-1,clips/a_front.mp4,clips/a_side.mp4,squat,Ben\n"
                        "\n"
                        "bo,,/data/bo.mov,,\n"
                        "cy,c.mp4,,auto,\n")
    folder = tmp_path / "lists"
    assert batch_items(manifest) == [
        BatchItem("anna-1", folder / "clips" / "a_front.mp4", folder / "clips" / "a_side.mp4", "squat"),
        BatchItem("bo", None, Path("/data/bo.mov"), None),
        BatchItem("cy", folder / "c.mp4", None, None),
    ]


def test_a_manifest_id_must_name_a_file(tmp_path) -> None:
    manifest = tmp_path / "batch.csv"
    for bad in ("../up", ".hidden", "a/b", ""):
        manifest.write_text(f"id,front,side,exercise\n{bad},a.mp4,,\n")
        with pytest.raises(InputError, match="line 2: the id"):
            batch_items(manifest)


def test_a_folder_pairs_the_views_of_one_name(tmp_path) -> None:
    names = ["a_front.mp4", "a_side.mp4", "b_Frontal.MOV", "b_lateral.mov", "c.mp4", "d_front.webm", "notes.txt",
             ".hidden.mp4"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e_front.mp4").write_bytes(b"")
    assert batch_items(tmp_path) == [
        BatchItem("a", tmp_path / "a_front.mp4", tmp_path / "a_side.mp4"),
        BatchItem("b", tmp_path / "b_Frontal.MOV", tmp_path / "b_lateral.mov"),
        BatchItem("c", None, tmp_path / "c.mp4"),  # no view named: the lateral one
        BatchItem("d", tmp_path / "d_front.webm", None),
    ]


def test_two_clips_of_one_view_and_name_are_refused(tmp_path) -> None:
    (tmp_path / "x_front.mp4").write_bytes(b"")
    (tmp_path / "x_frontal.mov").write_bytes(b"")
    with pytest.raises(InputError, match="x_front.mp4 and x_frontal.mov .* both the front clip of x"):
        batch_items(tmp_path)
