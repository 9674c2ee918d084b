"""Assessment records, the words shown about them, and the HTML and PDF reports made from them."""

import base64
import json
import re
import zlib
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest

from gymcore.cli.main import main
from gymcore.judging.types import WeightsInfo
from gymcore.pipeline.assess import assess
from gymcore.pipeline.record import SCHEMA_VERSION, AssessmentRecord, Evidence, RecordError
from gymcore.records.history import History
from gymcore.records.presentation import (
    SYNTHETIC_DATA,
    criteria_rows,
    failed_cues,
    not_assessable_lines,
    provenance,
    rep_failures,
    stage_times,
    verdict_text,
)
from gymcore.records.reports import render_html, render_pdf

# What assessment_record wrote before records were typed, for squat_pair judged by the rules, pose
# and vision models, with three verdicts and the fusion model's entry edited to show a failure, a
# refusal and a model that is not available.
LEGACY = Path(__file__).resolve().parent / "data" / "assessment_record_v1.json"
SYNTHETIC_STATEMENT = f"trained on SynthGym 1.0 ({SYNTHETIC_DATA})"


@pytest.fixture(scope="module")
def record(squat_pair) -> AssessmentRecord:
    return assess(*squat_pair, exercise="squat", models=("rules", "pose")).record()


@pytest.fixture(scope="module")
def legacy() -> dict:
    return json.loads(LEGACY.read_text())


PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_objects(pdf: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    """Object number -> (dictionary, stream inflated when compressed; empty without one)."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(?=stream|endobj)", pdf, re.S):
        dictionary, stream = match.group(2), b""
        if pdf.startswith(b"stream", match.end()):
            start = pdf.index(b"\n", match.end()) + 1
            stream = pdf[start:start + int(re.search(rb"/Length (\d+)", dictionary).group(1))]
            if b"/FlateDecode" in dictionary:
                stream = zlib.decompress(stream)
        objects[match.group(1)] = (dictionary, stream)
    return objects


def pdf_string(literal: bytes) -> bytes:
    def unescape(match: re.Match) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else PDF_ESCAPES.get(code, code)
    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, literal, flags=re.S)


def pdf_text(pdf: bytes) -> str:
    """The text an fpdf2 PDF draws, whitespace collapsed: core-font strings read as Latin-1, embedded
    (Unicode) fonts' two-byte codes read through their ToUnicode maps."""
    objects = pdf_objects(pdf)
    to_unicode = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        reference = re.search(rb"/ToUnicode (\d+) 0 R", objects[number][0])
        to_unicode[name] = reference and {
            int(code, 16): bytes.fromhex(char.decode()).decode("utf-16-be")
            for code, char in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", objects[reference.group(1)][1])}
    lines, codes = [], None
    pages = [stream for dictionary, stream in objects.values()
             if stream and b"/Subtype" not in dictionary and b"/Length1" not in dictionary]  # not images, fonts
    for stream in pages:
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", stream, re.S):  # one text object per line drawn
            line = []
            # Strings are shown by Tj, or by TJ in an array with spacing (justified lines).
            for font, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)", block, re.S):
                if font:
                    codes = to_unicode.get(font)
                elif codes is None:
                    line.append(pdf_string(literal).decode("latin-1"))
                else:
                    raw = pdf_string(literal)
                    line += [codes.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2)]
            lines.append("".join(line))
    return " ".join(" ".join(lines).split())


@pytest.mark.slow  # assesses the rendered squat pair
def test_record_carries_clips_and_timelines(record, squat_pair):
    assert record.clips["lateral"].name == squat_pair[1].name
    assert len(record.clips["frontal"].sha256) == 64
    timeline = record.timelines["lateral"]
    assert len(timeline.time_s) == len(timeline.angles_deg["left_knee"]) == 45
    assert record.created_at.tzinfo == UTC and record.schema == SCHEMA_VERSION
    assert record.models == ["rules", "pose"]


@pytest.mark.slow  # assesses the rendered squat pair
def test_record_json_reads_back_as_the_same_record(record):
    data = record.to_dict()
    assert data["schema"] == SCHEMA_VERSION
    again = AssessmentRecord.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert again.weights["pose"] == record.weights["pose"]
    evidence = Evidence.of(again.reps[0].verdicts["hips_below_knee"]["rules"])
    assert evidence.view == "lateral" and evidence.unit == "thigh lengths"
    assert Evidence.of(again.reps[0].verdicts["hips_below_knee"]["pose"]) is None


def test_a_record_saved_before_the_schema_reads_as_version_1(legacy):
    record = AssessmentRecord.from_dict(legacy)
    assert "schema" not in legacy and record.schema == 1
    assert record.to_dict() == {"schema": 1, **legacy}  # keys added, none renamed or lost
    assert record.weights["pose"].synthetic and record.weights["pose"].trained_on == "SynthGym 1.0"
    assert not record.weights["fusion"].loaded and "No fusion weights" in record.weights["fusion"].reason
    assert record.summary.most_failed[0].name == "Neutral back"
    rep = record.reps[0]
    assert rep.verdicts["neutral_back"]["rules"].passed is False
    assert not rep.verdicts["feet_angled"]["rules"].assessable
    assert rep.window("frontal").bottom_s == 2.0


def test_a_newer_or_broken_record_is_a_sentence(legacy):
    with pytest.raises(RecordError, match="newer gymcore"):
        AssessmentRecord.from_dict({**legacy, "schema": SCHEMA_VERSION + 1})
    with pytest.raises(RecordError, match="not a complete assessment record"):
        AssessmentRecord.from_dict({key: value for key, value in legacy.items() if key != "summary"})


def test_presentation_words_verdicts_failures_and_refusals(legacy):
    record = AssessmentRecord.from_dict(legacy)
    rep = record.reps[0]
    assert verdict_text(rep.verdicts["neutral_back"]["rules"]) == "FAIL · 0.20"
    assert verdict_text(rep.verdicts["feet_flat"]["pose"]) == "pass · 0.94"
    assert verdict_text(rep.verdicts["feet_angled"]["rules"]) == "not assessable"
    assert [(cue.name, cue.reps) for cue in failed_cues(record)] == [("Neutral back", [1]), ("Hips below knee", [1])]
    back = rep_failures(rep, "squat")[0]
    assert back.failed_by == ["Rules"] and "measured arms to shoulder-hip line at the bottom 80.1 deg" in back.measured
    assert not_assessable_lines(rep, "squat") == ["Rules: The feet are hidden in the frontal clip. (Feet angled)"]
    assert [stage.label for stage in stage_times(record.timing_s)][-1] == "Total"


def test_provenance_says_which_weights_were_trained_on_synthetic_people():
    lines = [item.line for item in provenance({
        "rules": WeightsInfo("loaded", note="thresholds"),
        "pose": WeightsInfo("loaded", file="pose.safetensors", trained_on="SynthGym 1.0", synthetic=True, date="2026-11-22"),
        "vision": WeightsInfo("loaded", file="vision.safetensors", trained_on="Gym clips 2"),
        "fusion": WeightsInfo.unavailable("No fusion weights are installed."),
    })]
    assert lines[0].startswith("Rules: hand-written thresholds")
    assert lines[1] == f"Pose: weights pose.safetensors, {SYNTHETIC_STATEMENT}, dated 2026-11-22"
    assert lines[2] == "Vision: weights vision.safetensors, trained on Gym clips 2"
    assert lines[3] == "Fusion: not available (No fusion weights are installed.)"


@pytest.mark.slow  # assesses the rendered squat pair
def test_html_report_is_self_contained(record):
    html = render_html(record, athlete="Ana", notes="first session")
    assert "Squat assessment" in html and "Ana" in html and "first session" in html
    assert "http://" not in html and "https://" not in html  # opens offline
    chart = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(chart).startswith(b"\x89PNG")
    rows = criteria_rows(record)
    assert len(rows) == 6 * len(record.reps)
    for row in rows:
        assert row.criterion in html


@pytest.mark.slow  # assesses the rendered squat pair
def test_both_reports_state_where_every_models_verdicts_come_from(record):
    assert record.weights["pose"].synthetic  # the shipped pose weights were trained on SynthGym
    lines = [item.line for item in provenance(record.weights)]
    assert lines[0].startswith("Rules: hand-written thresholds") and SYNTHETIC_DATA not in lines[0]
    assert lines[1].startswith("Pose: weights pose_squat_compact.safetensors") and SYNTHETIC_STATEMENT in lines[1]
    html = render_html(record, athlete="Ana")
    text = pdf_text(render_pdf(record, athlete="Ana"))
    assert "Squat assessment" in text and "Athlete: Ana" in text
    for line in lines:
        assert f"<li>{line}</li>" in html
        assert line in text


def test_the_pdf_keeps_every_character_of_a_name(legacy):
    record = AssessmentRecord.from_dict(legacy)
    name, notes = "Zoë Ωmega 张伟", "Ćwiczenie • 練習 😀"
    text = pdf_text(render_pdf(record, athlete=name, notes=notes))
    assert f"Athlete: {name} Date:" in text and f"Notes: {notes}" in text
    assert "???" not in text and "\ufffd" not in text
    assert "Athlete: Ana Date:" in pdf_text(render_pdf(record, athlete="Ana"))


@pytest.mark.slow  # assesses the rendered squat pair
def test_report_again_from_a_saved_assessment(record, tmp_path):
    history = History(f"sqlite:///{tmp_path / 'h.sqlite'}")
    saved = history.saved(history.save(record, "Ana"))
    without_chart = re.compile(r"base64,[^\"]+")
    assert (without_chart.sub("", render_html(saved.record, athlete="Ana"))
            == without_chart.sub("", render_html(record, athlete="Ana")))
    assert render_pdf(saved.record).startswith(b"%PDF")


@pytest.mark.slow  # assesses the rendered squat pair
def test_an_unsure_recognition_is_in_the_report(record):
    unsure = replace(record, exercise=replace(record.exercise, method="pose rule", confidence=0.6))
    assert unsure.exercise.caution and f"<p class=\"cue\">{unsure.exercise.caution}</p>" in render_html(unsure)


@pytest.mark.slow  # assesses the rendered squat pair
def test_cli_writes_the_report_its_suffix_names(squat_pair, tmp_path, capsys):
    front, side = squat_pair
    html, pdf = tmp_path / "ana.html", tmp_path / "out" / "ana.pdf"
    assert main(["assess", "--front", str(front), "--side", str(side), "--exercise", "squat",
                 "--report", str(html)]) == 0
    assert "Squat assessment" in html.read_text() and "Rules: hand-written thresholds" in html.read_text()
    assert main(["assess", "--side", str(side), "--exercise", "squat", "--report", str(pdf)]) == 0
    assert "Squat assessment" in pdf_text(pdf.read_bytes())
    assert f"wrote {pdf}" in capsys.readouterr().out


def test_cli_refuses_a_report_it_cannot_write_before_reading_the_clips(tmp_path, capsys):
    assert main(["assess", "--side", str(tmp_path / "missing.mp4"), "--report", str(tmp_path / "ana.docx")]) == 2
    assert "name the file ana.html or ana.pdf, not ana.docx" in capsys.readouterr().err
