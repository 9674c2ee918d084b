"""Landmarks of a synthetic body as MediaPipe would report them, without rendering.

For testing and measuring the rules on poses whose true angles are known: the skeleton's joints
are projected by the camera, normalised by the frame size, and given MediaPipe's kind of relative
depth (camera depth minus the hip centre's, in the scale of x).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gymcore.config import MODEL_FRAMES
from gymcore.judging.types import ViewSample
from gymcore.perception.features import pose_features
from gymcore.perception.pose import LANDMARK
from gymcore.perception.video import uniform_indices
from gymcore.synth import Camera, Participant, Pose, Skeleton, pose_skeleton


def view_sample(
    participant: Participant, poses: Sequence[Pose], camera: Camera, view: str, fps: float,
    visibility: float = 0.95,
) -> ViewSample:
    """A repetition filmed at fps (one pose per frame) seen by the camera, as the models take it:
    16 frames sampled uniformly."""
    indices = uniform_indices(len(poses), MODEL_FRAMES)
    landmarks = np.stack([normalised_landmarks(pose_skeleton(participant, poses[i]).landmarks, camera) for i in indices])
    return ViewSample(
        view=view, frame_indices=indices, time_s=indices / fps,
        landmarks=landmarks, visibility=np.full(landmarks.shape[:2], visibility),
        features=pose_features(landmarks), image_size=(camera.width, camera.height),
    )


def normalised_landmarks(world: np.ndarray, camera: Camera) -> np.ndarray:
    """(33, 3) world joints as MediaPipe reports landmarks, without its errors: x and y over the
    frame's width and height, z the depth relative to the hips' centre in the scale of x."""
    cam = camera.to_camera(world)
    pixels = camera.camera_to_pixels(cam)
    hips = (cam[LANDMARK["left_hip"], 2] + cam[LANDMARK["right_hip"], 2]) / 2
    depth = (cam[:, 2] - hips) * camera.focal_px / hips / camera.width
    return np.column_stack([pixels[:, 0] / camera.width, pixels[:, 1] / camera.height, depth])


def body_height_px(height_m: float, skeletons: Sequence[Skeleton], camera: Camera) -> np.ndarray:
    """(T,) the body's height in pixels at the depth of its pelvis, frame by frame: the unit that
    SynthGym's ground truth and the landmark noise model measure errors in."""
    return np.array([height_m * camera.pixels_per_metre(skeleton.pelvis) for skeleton in skeletons])
