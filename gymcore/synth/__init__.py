"""SynthGym: a procedural human, its motion programs and an OpenCV renderer that MediaPipe reads."""

from gymcore.synth.body import ArmPose, LegPose, Participant, Pose, Skeleton, pose_skeleton
from gymcore.synth.motion.squat import SquatProgram, Timeline, squat_pose, squat_sequence, squat_timeline
from gymcore.synth.render.renderer import (
    Camera,
    CameraJitter,
    RenderedFrame,
    Scene,
    camera_for_view,
    frontal_camera,
    lateral_camera,
    make_scene,
    project_landmarks,
    render_clip,
    render_clip_frames,
    render_frame,
)

__all__ = [
    "ArmPose", "Camera", "CameraJitter", "LegPose", "Participant", "Pose", "RenderedFrame", "Scene",
    "Skeleton", "SquatProgram", "Timeline", "camera_for_view", "frontal_camera", "lateral_camera",
    "make_scene", "pose_skeleton", "project_landmarks", "render_clip", "render_clip_frames",
    "render_frame", "squat_pose", "squat_sequence", "squat_timeline",
]
