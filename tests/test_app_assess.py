"""The Assess page: uploads or a sample in, verdicts, frames, timelines and the annotated clip out."""

import re

import pytest
from app_helpers import button, open_page, upload

from gymcore.judging.registry import model_label
from gymcore.records.history import History


def test_page_starts_with_two_labelled_uploaders_samples_and_a_disabled_button():
    app = open_page("assess")
    assert not app.exception
    assert [u.label for u in app.file_uploader] == ["Frontal clip", "Lateral clip"]
    assert button(app, "Assess").disabled
    assert "Squat · faulty" in [b.label for b in app.button]
    assert [m.value for m in app.multiselect] == [["rules", "pose", "vision", "fusion"]]


@pytest.mark.slow  # MediaPipe and four models on the squat pair
def test_two_uploaded_clips_give_the_matrix_frames_timeline_and_clip(squat_pair, history_home):
    app = open_page("assess", timeout=180)
    upload(app, "Frontal clip", squat_pair[0])
    upload(app, "Lateral clip", squat_pair[1])
    app.run()
    button(app, "Assess").click().run()
    assert not app.exception and not app.error
    assert app.metric[0].value == "Squat"
    matrix = app.table[0].value
    assert list(matrix.index) == ["Feet flat", "Hip/knee bend", "Hips backward", "Neutral back", "Hips below knee",
                                  "Feet angled"]
    assert matrix["Rules"].str.match(r"^(pass|FAIL) · [01]\.\d\d$").all()
    assert [tab.label for tab in app.tabs][0].startswith("Rep 1 · score")
    # The repository ships every learned model's squat weights (weights/, trained on SynthGym), so each
    # model's line names its file and its synthetic data; "not available" would mean a model failed to load.
    # The page escapes Markdown in file names; read the lines as a person sees them.
    lines = [re.sub(r"\\(.)", r"\1", m.value) for m in app.markdown]
    for name in ("pose", "vision", "fusion"):
        assert any(line.startswith(f"**{model_label(name)}**: weights {name}_squat_compact.safetensors, trained on"
                                   " SynthGym") and "synthetic data, not real people" in line for line in lines), name
    assert not any("not available" in line for line in lines)
    assert len(app.get("image")) == 32  # 16 sampled frames per view
    assert len(app.get("video")) == 2  # the annotated clip of each view
    chart = app.get("plotly_chart")[0].proto.spec
    assert "Left knee" in chart and "rep 1" in chart

    app.text_input(key="athlete").set_value("Ada").run()
    button(app, "Save to history").click().run()
    assert "Saved as assessment #1 for Ada" in app.success[-1].value
    saved = History().entries(athlete="Ada")
    assert len(saved) == 1 and saved[0].exercise == "squat" and saved[0].front_clip == squat_pair[0].name


@pytest.mark.slow  # MediaPipe and four models on a sample
def test_a_sample_is_assessed_in_one_click_with_the_named_exercise():
    app = open_page("assess", timeout=180)
    app.selectbox(key="exercise").set_value("squat").run()
    button(app, "Squat · faulty").click().run()
    assert not app.exception and not app.error
    assert app.metric[0].value == "Squat"
    assert any(c.value.startswith("Source: sample Squat · faulty") for c in app.caption)
    matrix = app.table[0].value
    assert matrix.loc["Hips below knee", "Rules"].startswith("FAIL")


def test_a_text_file_gets_a_sentence_not_a_traceback(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all")
    app = open_page("assess")
    upload(app, "Lateral clip", notes)
    app.run()
    button(app, "Assess").click().run()
    assert not app.exception
    assert len(app.error) == 1 and "not a readable video" in app.error[0].value


def test_a_clip_without_a_person_gets_a_sentence(empty_room_clip):
    app = open_page("assess", timeout=120)
    upload(app, "Frontal clip", empty_room_clip)
    app.run()
    button(app, "Assess").click().run()
    assert not app.exception
    assert len(app.error) == 1 and app.error[0].value.startswith("Nobody was found in empty_room.mp4")
