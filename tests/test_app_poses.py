"""The "Poses & angles" page, driven through Streamlit's AppTest as a user would click it."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "poses.py")


def upload(app: AppTest, label: str, path: Path) -> None:
    uploader = next(u for u in app.file_uploader if u.label == label)
    uploader.set_value((path.name, path.read_bytes(), "video/mp4"))


def test_page_starts_with_two_labelled_uploaders():
    app = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not app.exception
    assert [u.label for u in app.file_uploader] == ["Frontal clip", "Lateral clip"]
    assert app.button[0].disabled


def test_two_clips_give_frames_and_a_timeline(squat_pair):
    app = AppTest.from_file(PAGE, default_timeout=120).run()
    upload(app, "Frontal clip", squat_pair[0])
    upload(app, "Lateral clip", squat_pair[1])
    app.run()
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert [s.value for s in app.subheader] == ["Frontal view", "Lateral view", "Joint angles"]
    images = app.get("image")
    assert len(images) == 32  # 16 sampled frames per view
    chart = app.get("plotly_chart")
    assert len(chart) == 1
    assert "Left knee" in chart[0].proto.spec


def test_a_text_file_gets_a_sentence_not_a_traceback(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all")
    app = AppTest.from_file(PAGE, default_timeout=30).run()
    upload(app, "Lateral clip", notes)
    app.run()
    app.button[0].click().run()
    assert not app.exception
    assert len(app.error) == 1 and "not a readable video" in app.error[0].value
