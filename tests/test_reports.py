import base64
import re

import pytest

from gymcore.pipeline.assess import assess
from gymcore.records.history import History
from gymcore.records.reports import assessment_record, criteria_rows, render_html, render_pdf


@pytest.fixture(scope="module")
def record(squat_pair):
    return assessment_record(assess(*squat_pair, exercise="squat", models=("rules",)))


@pytest.mark.slow  # assesses the rendered squat pair
def test_record_carries_clips_and_timelines(record, squat_pair):
    assert record["clips"]["lateral"]["name"] == squat_pair[1].name
    assert len(record["clips"]["frontal"]["sha256"]) == 64
    timeline = record["timelines"]["lateral"]
    assert len(timeline["time_s"]) == len(timeline["angles_deg"]["left_knee"]) == 45


@pytest.mark.slow  # assesses the rendered squat pair
def test_html_report_is_self_contained(record):
    html = render_html(record, athlete="Ana", notes="first session")
    assert "Squat assessment" in html and "Ana" in html and "first session" in html
    assert "http://" not in html and "https://" not in html  # opens offline
    chart = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(chart).startswith(b"\x89PNG")
    rows = criteria_rows(record)
    assert len(rows) == 6 * len(record["reps"])
    for row in rows:
        assert row["criterion"] in html


@pytest.mark.slow  # assesses the rendered squat pair
def test_pdf_report(record):
    pdf = render_pdf(record, athlete="Ana")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


@pytest.mark.slow  # assesses the rendered squat pair
def test_report_again_from_a_saved_assessment(record, tmp_path):
    history = History(f"sqlite:///{tmp_path / 'h.sqlite'}")
    saved = history.record(history.save(record, "Ana"))
    assert render_html(saved, athlete="Ana").count("<tr>") == render_html(record, athlete="Ana").count("<tr>")
