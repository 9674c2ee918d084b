"""Does MediaPipe see the synthetic body where the generator put it?

Runs MediaPipe Pose in video mode (model_complexity=1) over rendered frames and compares its 2D
landmarks with the renderer's projected joints, in units of body height at the subject's depth.
Run as ``python -m gymcore.synth.render.validate --out sheet.png`` for figures and a contact sheet.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from gymcore.perception.draw import contact_sheet
from gymcore.synth.body import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Participant,
    Pose,
    pose_skeleton,
)
from gymcore.synth.motion.squat import squat_sequence
from gymcore.synth.render.renderer import Camera, RenderedFrame, Scene, View, camera_for_view, make_scene, render_frame

CHECKED_JOINTS = (LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE)
_BONES = ((11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24), (23, 25),
          (25, 27), (24, 26), (26, 28), (27, 29), (29, 31), (27, 31), (28, 30), (30, 32), (28, 32))


@dataclass(frozen=True)
class ViewCheck:
    """MediaPipe against ground truth for one rendered clip."""

    frames: list[RenderedFrame]
    detected_px: np.ndarray  # (N, 33, 2), NaN where MediaPipe found nobody
    body_height_px: np.ndarray  # (N,)

    @property
    def detection_rate(self) -> float:
        return float(np.mean(~np.isnan(self.detected_px[:, 0, 0])))

    @property
    def joint_errors(self) -> np.ndarray:
        """(N, len(CHECKED_JOINTS)) distances as fractions of body height; NaN rows undetected."""
        truth = np.stack([f.landmarks_px for f in self.frames])[:, CHECKED_JOINTS]
        found = self.detected_px[:, CHECKED_JOINTS]
        return np.linalg.norm(found - truth, axis=-1) / self.body_height_px[:, None]


def detect_landmarks_px(images: Sequence[np.ndarray]) -> np.ndarray:
    """MediaPipe's 33 landmarks in pixels for each RGB frame of one clip (video mode, through the
    project's own estimator); NaN where nobody was found."""
    from gymcore.perception.pose import shared_estimator
    from gymcore.perception.video import DecodedFrame

    track = shared_estimator("synth-check").track(
        DecodedFrame(index=i, time_s=i / 30, image=image) for i, image in enumerate(images))
    height, width = images[0].shape[:2]
    return track.landmarks[:, :, :2].astype(np.float64) * (width, height)


def check_view(participant: Participant, poses: Sequence[Pose], camera: Camera, scene: Scene) -> ViewCheck:
    skeletons = [pose_skeleton(participant, pose) for pose in poses]
    frames = [render_frame(participant, skeleton, camera, scene) for skeleton in skeletons]
    heights = np.array([participant.height * camera.pixels_per_metre(s.pelvis) for s in skeletons])
    return ViewCheck(frames=frames, detected_px=detect_landmarks_px([f.image for f in frames]),
                     body_height_px=heights)


def overlay(frame: RenderedFrame, detected_px: np.ndarray) -> np.ndarray:
    """The frame with MediaPipe's skeleton in green and the generator's joints as red dots."""
    image = frame.image.copy()
    if not np.isnan(detected_px[0, 0]):
        points = np.round(detected_px).astype(int)
        for a, b in _BONES:
            cv2.line(image, tuple(points[a]), tuple(points[b]), (0, 255, 0), 2, cv2.LINE_AA)
    for x, y in np.round(frame.landmarks_px[list(CHECKED_JOINTS)]).astype(int):
        cv2.circle(image, (x, y), 3, (255, 0, 0), -1, cv2.LINE_AA)
    return image


def dataset_contact_sheet(root: Path, picks: int = 2, frames: int = 6, tile_width: int = 200) -> np.ndarray:
    """Frames of a written dataset with its stored MediaPipe skeleton drawn over them: per exercise,
    ``picks`` repetitions (the cleanest and the most faulty), frontal row then lateral row, each
    captioned with the criteria the repetition fails."""
    import json

    import pandas as pd

    from gymcore.data import layout

    tiles, columns = [], frames
    for exercise in (e for e in layout.SHEETS if (Path(root) / layout.SHEETS[e]).exists()):
        sheet = pd.read_excel(Path(root) / layout.SHEETS[exercise])
        labels = sheet[layout.label_columns(exercise)]
        order = np.argsort(labels.sum(axis=1).to_numpy(), kind="stable")
        rows = [int(order[-1]), *[int(i) for i in order[:picks - 1]]]
        for view in layout.VIEWS:
            entries = json.loads((Path(root) / layout.POSE_FILES[view].format(exercise=exercise)).read_text())
            for row in rows:
                failed = [c for c in layout.label_columns(exercise) if sheet.loc[row, c] == 0]
                video, rep = int(sheet.loc[row, layout.COLUMN_VIDEO[view]]), int(sheet.loc[row, layout.COLUMN_REP])
                for k, number in enumerate(np.linspace(0, layout.FRAMES_PER_REP - 1, frames).astype(int)):
                    path = Path(root) / layout.FRAME_FOLDERS[exercise] / layout.frame_name(video, rep, number + 1)
                    image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
                    points = entries[row][number]
                    tiles.append(_draw_stored(image, points, f"{exercise} {view} fails: {', '.join(failed) or 'none'}"
                                              if k == 0 else ""))
    return contact_sheet(tiles, columns=columns, tile_width=tile_width)


def _draw_stored(image: np.ndarray, points: list | None, caption: str) -> np.ndarray:
    from gymcore.perception.pose import SKELETON

    image = image.copy()
    h, w = image.shape[:2]
    if points is not None:
        px = np.round(np.asarray(points)[:, :2] * [w, h]).astype(int)
        for a, b in SKELETON[9:]:
            cv2.line(image, tuple(px[a]), tuple(px[b]), (0, 255, 0), 2, cv2.LINE_AA)
    if caption:
        cv2.putText(image, caption, (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 3, cv2.LINE_AA)
        cv2.putText(image, caption, (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (200, 0, 0), 1, cv2.LINE_AA)
    return image


def validation_run(seed: int, n_participants: int, fps: float = 8.0) -> dict[View, list[ViewCheck]]:
    """Squat clips of fresh participants in both views, each checked against MediaPipe."""
    rng = np.random.default_rng(seed)
    checks: dict[View, list[ViewCheck]] = {"frontal": [], "lateral": []}
    for pid in range(n_participants):
        participant = Participant.sample(rng, pid)
        poses = squat_sequence(participant, 1, fps, rng, setup_s=0.4)
        for view in checks:
            camera = camera_for_view(view, participant, rng)
            checks[view].append(check_view(participant, poses, camera, make_scene(camera, rng)))
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description="Render synthetic squats, run MediaPipe, report and draw.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--participants", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("synth_contact.png"))
    args = parser.parse_args()
    checks = validation_run(args.seed, args.participants)
    tiles = []
    for view, view_checks in checks.items():
        detected = np.concatenate([~np.isnan(c.detected_px[:, 0, 0]) for c in view_checks])
        error = np.nanmean(np.concatenate([c.joint_errors for c in view_checks]))
        print(f"{view}: detected {detected.mean():.1%} of {len(detected)} frames, "
              f"mean joint error {error:.2%} of body height")
    for frontal, lateral in zip(checks["frontal"], checks["lateral"]):
        for check in (frontal, lateral):
            for i in np.linspace(0, len(check.frames) - 1, 4).astype(int):
                tiles.append(overlay(check.frames[i], check.detected_px[i]))
    cv2.imwrite(str(args.out), cv2.cvtColor(contact_sheet(tiles, columns=8, tile_width=240), cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
