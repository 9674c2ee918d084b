"""Poses & angles: two clips in, the 16 sampled frames with the skeleton and angle timelines out."""

import streamlit as st

from app.ui import UPLOAD_TYPES, angle_timeline, save_upload, show_frames
from gymcore.errors import GymError
from gymcore.perception import analyse_clips

st.title("Poses & angles")
st.caption(
    "Upload a frontal and a lateral clip of the same set. MediaPipe finds the 33 body landmarks in"
    " 16 frames spaced evenly over each clip (the models' input) and in every frame up to 30 fps"
    " (the angle curves). Either clip may be left empty."
)

left, right = st.columns(2)
front_upload = left.file_uploader("Frontal clip", type=UPLOAD_TYPES, key="front_upload")
side_upload = right.file_uploader("Lateral clip", type=UPLOAD_TYPES, key="side_upload")

if st.button("Analyse poses", type="primary", disabled=front_upload is None and side_upload is None):
    front, side = save_upload(front_upload, "frontal"), save_upload(side_upload, "lateral")
    with st.spinner("Decoding the clips and finding the body landmarks..."):
        try:
            st.session_state.perception = analyse_clips(front=front, side=side)
            st.session_state.pop("perception_error", None)
        except GymError as error:
            st.session_state.pop("perception", None)
            st.session_state.perception_error = str(error)

if "perception_error" in st.session_state:
    st.error(st.session_state.perception_error)

perception = st.session_state.get("perception")
if perception is not None:
    for flag in perception.flags:
        st.warning(flag.message)
    views = perception.views()
    st.caption(f"Analysed in {perception.wall_s:.1f} s.")
    for name, view in views.items():
        source = view.source
        st.subheader(f"{name.capitalize()} view")
        st.caption(
            f"{source.width}x{source.height}, {source.fps:.1f} fps, {source.duration_s:.1f} s,"
            f" {source.frame_count} frames{f', rotated {source.rotation}°' if source.rotation else ''};"
            f" person found in {view.quality.detection_rate:.0%} of frames."
        )
        for flag in view.quality.flags:
            st.warning(flag.message)
        show_frames(view)
    st.subheader("Joint angles")
    st.caption("Measured in each camera's image plane. Grey lines mark the 16 sampled frames.")
    st.plotly_chart(angle_timeline(views), width="stretch")
