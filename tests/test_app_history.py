"""The History page over assessments saved from the bundled samples."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from app_helpers import button, open_page
from test_history import make_record

from gymcore.pipeline.assess import assess
from gymcore.pipeline.record import AssessmentRecord
from gymcore.records.history import History

SAMPLES = "gymcore/samples"
HOSTILE = '![x](http://example.invalid/x.png) [link](http://e.invalid) **bold** <a href="http://e.invalid/a">a</a>'
MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")


@pytest.fixture(scope="module")
def squat_record() -> AssessmentRecord:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / SAMPLES
    return assess(front=root / "squat_faulty_frontal.mp4", side=root / "squat_faulty_lateral.mp4",
                  exercise="squat").record()


def markdown_bodies(app) -> list[str]:
    """What the page hands to Streamlit's Markdown renderer."""
    return [element.value for kind in MARKDOWN_ELEMENTS for element in getattr(app, kind)]


def test_empty_history_says_how_to_fill_it(history_home):
    app = open_page("history")
    assert not app.exception
    assert "Nothing saved yet" in app.info[0].value


@pytest.mark.slow  # assesses a sample clip pair (~10 s)
def test_list_filter_trend_and_exports(history_home, squat_record):
    store = History()
    first = datetime(2026, 1, 5, tzinfo=UTC)
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
    assert [b.proto.label for b in app.get("download_button")] == ["CSV", "JSON of this page", "HTML report",
                                                                   "PDF report"]
    most_failed = ", ".join(item.name for item in squat_record.summary.most_failed) or "none"
    assert any(f"most failed: {most_failed}." in c.value for c in app.caption)


def test_the_list_comes_fifty_to_a_page(history_home):
    store = History()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(55):
        store.save(make_record([True]), f"Athlete {index:02d}", created_at=start + timedelta(hours=index))
    app = open_page("history")
    assert not app.exception and not app.error
    assert app.dataframe[0].value["Athlete"].tolist() == [f"Athlete {index:02d}" for index in range(54, 4, -1)]
    assert any("Assessments 1–50 of 55" in c.value for c in app.caption)
    app.number_input[0].set_value(2).run()
    assert app.dataframe[0].value["Athlete"].tolist() == [f"Athlete {index:02d}" for index in range(4, -1, -1)]
    assert any("Assessments 51–55 of 55" in c.value for c in app.caption)
    assert app.selectbox(key="history_report").options == [
        f"#{i} · 2026-01-01 0{i - 1}:00 · Athlete 0{i - 1} · Squat" for i in range(5, 0, -1)]
    app.selectbox(key="history_athlete").set_value("Athlete 07").run()
    assert app.dataframe[0].value["Athlete"].tolist() == ["Athlete 07"] and not app.number_input


def test_names_are_shown_as_typed_never_as_markdown_or_html(history_home, squat_record):
    History().save(squat_record, HOSTILE, notes="**note** [n](http://e.invalid/n)")
    app = open_page("history")
    assert not app.exception and not app.error
    assert app.dataframe[0].value["Athlete"].tolist() == [HOSTILE]
    assert app.dataframe[0].value["Notes"].tolist() == ["**note** [n](http://e.invalid/n)"]
    app.selectbox(key="trend_criterion").set_value("hips_below_knee").run()
    title = json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title.startswith("![x](http://example.invalid/x.png) [link](http://e.invalid) **bold** &lt;a href=")
    app.selectbox(key="trend_model").set_value("fusion").run()  # no verdicts: a sentence with the name
    button(app, "Delete").click().run()  # the confirmation names the athlete
    with_name = [body for body in markdown_bodies(app) if "example" in body]
    assert len(with_name) == 2
    # Every character of the name is there, each punctuation mark escaped: none starts an image, a
    # link, emphasis or a tag.
    escaped = "".join(rf"\\{re.escape(c)}" if c in "![]()*<>:.=" else re.escape(c) for c in HOSTILE)
    assert all(re.search(escaped, body) for body in with_name)


def test_deleting_takes_a_second_click(history_home):
    store = History()
    kept = store.save(make_record([True]), "Ana", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    dropped = store.save(make_record([False]), "Ana", created_at=datetime(2026, 1, 2, tzinfo=UTC))
    app = open_page("history")
    assert app.selectbox(key="history_report").value == dropped
    button(app, "Delete").click().run()
    assert store.count() == 2 and f"Delete assessment #{dropped} of Ana" in app.warning[0].value
    button(app, "Keep it").click().run()
    assert store.count() == 2 and not app.warning
    button(app, "Delete").click().run()
    button(app, "Delete for good").click().run()
    assert not app.exception and [e.id for e in store.entries()] == [kept]
    assert app.dataframe[0].value["#"].tolist() == [kept] and not app.warning


def test_a_database_password_never_reaches_the_page(history_home, monkeypatch):
    monkeypatch.setenv("GYMFORM_DATABASE_URL", "postgresql+psycopg://coach:s3cret@127.0.0.1:1/gym")
    app = open_page("history")
    assert not app.exception
    assert "coach:***@127.0.0.1:1/gym" in re.sub(r"\\(.)", r"\1", app.error[0].value)
    assert not [body for body in markdown_bodies(app) if "s3cret" in body]
