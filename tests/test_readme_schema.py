"""The README's `assess --json` example names only keys that real records have."""

import dataclasses
import re
from pathlib import Path

import pytest

import gymcore.judging.learned as learned
from gymcore.judging.types import WeightsInfo
from gymcore.perception.analysis import analyse_clips
from gymcore.pipeline.assess import assess
from gymcore.repetitions.types import NotCounted

README = Path(__file__).resolve().parent.parent / "README.md"
TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
LIST = "[]"  # a path step into the items of a list

KeyPath = tuple[str, ...]


def readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("### `assess --json OUT`", 1)[1]
    return section.split("```jsonc", 1)[1].split("```", 1)[0]


def strip_comments(text: str) -> str:
    """The jsonc without // and /* */ comments (none of the README's strings holds either)."""
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def example_paths(text: str) -> set[KeyPath]:
    """Every key path the example names: ``{"a": {"b"}}`` names ("a",) and ("a", "b"); list items add a
    LIST step; ``...`` stands for keys not spelled out."""
    tokens = TOKEN.findall(strip_comments(text))
    paths: set[KeyPath] = set()
    end = _value(tokens, 0, (), paths)
    assert end == len(tokens), f"the example does not parse after token {end}: {tokens[end:end + 5]}"
    return paths


def _value(tokens: list[str], at: int, path: KeyPath, paths: set[KeyPath]) -> int:
    if tokens[at] == "{":
        return _object(tokens, at + 1, path, paths)
    if tokens[at] == "[":
        return _array(tokens, at + 1, path, paths)
    return at + 1  # a number, string, true/false/null or ...


def _object(tokens: list[str], at: int, path: KeyPath, paths: set[KeyPath]) -> int:
    while tokens[at] != "}":
        if tokens[at] == "...":
            at += 1
        else:
            key = tokens[at]
            assert key.startswith('"'), f"a key was expected at {path}, not {key}"
            paths.add((*path, key[1:-1]))
            at += 1
            if tokens[at] == ":":
                at = _value(tokens, at + 1, (*path, key[1:-1]), paths)
        if tokens[at] == ",":
            at += 1
    return at + 1


def _array(tokens: list[str], at: int, path: KeyPath, paths: set[KeyPath]) -> int:
    while tokens[at] != "]":
        at = _value(tokens, at, (*path, LIST), paths)
        if tokens[at] == ",":
            at += 1
    return at + 1


def data_paths(data: object, path: KeyPath = ()) -> set[KeyPath]:
    paths: set[KeyPath] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            paths |= {(*path, key)} | data_paths(value, (*path, key))
    elif isinstance(data, list):
        for item in data:
            paths |= data_paths(item, (*path, LIST))
    return paths


@pytest.fixture(scope="module")
def records(squat_pair, tmp_path_factory, request) -> list[dict]:
    """Real records covering the example's alternatives: a squat judged by the rules and the pose
    model; the same clips judged as lunges (failed criteria, a summary to show); one clip given
    as both views with the vision model's weights missing (a pair flag, verdicts refused, a model
    not available); and the first with an unsure recognition, no repetition found and a movement
    not counted, which the record words from its own types (as records written before 2026-12-02
    said a clip judged whole for want of a repetition)."""
    front, side = squat_pair
    perception = analyse_clips(front=front, side=side)
    squat = assess(exercise="squat", models=("rules", "pose"), perception=perception).record()
    lunges = assess(exercise="lunges", models=("rules",), perception=perception).record()
    patch = pytest.MonkeyPatch()
    request.addfinalizer(patch.undo)
    patch.setattr(learned, "WEIGHTS_DIR", tmp_path_factory.mktemp("no-weights"))
    same_clip = assess(front=side, side=side, exercise="squat", models=("rules", "vision")).record()
    unsure = dataclasses.replace(
        squat, exercise=dataclasses.replace(squat.exercise, method="pose rule", confidence=0.6),
        segmentation=dataclasses.replace(squat.segmentation, segmented=False, note="No repetition was found.",
                                         rejected=(NotCounted(1.0, 2.5, "both feet left the floor: a jump"),)))
    return [record.to_dict() for record in (squat, lunges, same_clip, unsure)]


def test_every_key_of_the_readme_example_is_in_a_real_record(records):
    real = set().union(*map(data_paths, records))
    missing = sorted(example_paths(readme_example()) - real)
    assert not missing, f"the README names keys no record has: {missing}"


def test_the_readme_example_names_every_top_level_key_and_weights_field(records):
    named = example_paths(readme_example())
    assert {path[0] for path in named} == set(records[0])
    weights_keys = {path[2] for path in named if path[0] == "weights" and len(path) == 3}
    assert weights_keys == {field.name for field in dataclasses.fields(WeightsInfo)}


def test_the_example_parser_reads_set_like_keys_lists_and_comments():
    text = '{"a": {"b", "c": [{"d"}], ...}, // "x": 1\n "e": "f" /* "y" */, "g": [...]}'
    assert example_paths(text) == {("a",), ("a", "b"), ("a", "c"), ("a", "c", LIST, "d"), ("e",), ("g",)}
