"""The History page over assessments saved from the bundled samples."""

from datetime import datetime, timedelta, timezone

import pytest
from app_helpers import open_page

from gymcore.pipeline.assess import assess
from gymcore.records.history import History
from gymcore.pipeline.record import AssessmentRecord

SAMPLES = "gymcore/samples"


@pytest.fixture(scope="module")
def squat_record() -> AssessmentRecord:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / SAMPLES
    return assess(front=root / "squat_faulty_frontal.mp4", side=root / "squat_faulty_lateral.mp4",
                  exercise="squat").record()


def test_empty_history_says_how_to_fill_it(history_home):
    app = open_page("history")
    assert not app.exception
    assert "Nothing saved yet" in app.info[0].value


@pytest.mark.slow  # assesses a sample clip pair (~10 s)
def test_list_filter_trend_and_exports(history_home, squat_record):
    store = History()
    first = datetime(2026, 1, 5, tzinfo=timezone.utc)
    for day in range(3):
        store.save(squat_record, "Ada", notes=f"week {day + 1}", created_at=first + timedelta(days=7 * day))
    store.save(squat_record, "Bo", created_at=first)
    app = open_page("history")
    assert not app.exception and not app.error
    assert len(app.dataframe[0].value) == 4
    app.selectbox(key="history_athlete").set_value("Ada").run()
    listed = app.dataframe[0].value
    assert set(listed["Athlete"]) == {"Ada"} and len(listed) == 3
    app.selectbox(key="trend_criterion").set_value("hips_below_knee").run()
    trend = app.get("plotly_chart")[0].proto.spec
    assert "Hips below knee" in trend and "2026-01-19" in trend
    assert [b.proto.label for b in app.get("download_button")] == ["CSV", "JSON", "HTML report", "PDF report"]
    most_failed = ", ".join(item.name for item in squat_record.summary.most_failed) or "none"
    assert any(f"most failed: {most_failed}." in c.value for c in app.caption)
