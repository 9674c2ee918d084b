import json

import pytest

from gymcore.cli.main import main
from gymcore.criteria import EXERCISES, catalogue_dict, criteria_for, criterion


def test_catalogue_has_the_papers_criteria():
    assert EXERCISES == ("squat", "lunges", "deadlift")
    assert [len(criteria_for(e)) for e in EXERCISES] == [6, 7, 5]
    for exercise in EXERCISES:
        ids = [c.id for c in criteria_for(exercise)]
        assert len(set(ids)) == len(ids)
        for item in criteria_for(exercise):
            assert item.id.isidentifier() and item.id == item.id.lower()
            assert item.view in ("frontal", "lateral")
            assert item.name and item.cue.endswith(".")


def test_names_match_the_published_tables(published_dir):
    import csv

    with open(published_dir / "alex_gym_1_tables5to7_criteria.csv") as handle:
        rows = [row for row in csv.DictReader(handle) if row["criterion"] != "Overall"]
    for exercise in EXERCISES:
        published = [row["criterion"] for row in rows if row["exercise"] == exercise]
        assert published == [c.name for c in criteria_for(exercise)]


def test_unknown_names_are_explained():
    with pytest.raises(ValueError, match="choose one of squat, lunges, deadlift"):
        criteria_for("bench press")
    with pytest.raises(ValueError, match="no criterion"):
        criterion("squat", "balance")


def test_cli_prints_the_catalogue_as_json(capsys):
    assert main(["criteria", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == catalogue_dict()
    assert set(data["lunges"][0]) == {"id", "name", "cue", "view"}
