"""Other people in view: MediaPipe's legacy Pose follows one person, and says nothing of a second.

MediaPipe 0.10.21's wheel carries the person detector that Pose runs whenever it loses its person
(``mediapipe/modules/pose_detection/pose_detection.tflite``) and the graph around it
(``PoseDetectionCpu``: letterboxing to 224 px, the model, non-maximum suppression). Run on its own,
that graph returns every person it finds, not only the best one, with no download. Each detection
carries the centre of the hips and of the shoulders and a point on the circle around the whole
body; a detection whose hips lie close to the tracked person's hips, or whose hips and shoulders
both lie on the tracked person (the detector, shown part of a body, can take the legs for a whole
person), is the tracked person.

The detector sees a 224 px letterboxed copy of the frame, where a person under about half the
frame's height scores too low to count. Corner tiles of the frame, each seen at that size too,
bring such a person back: of 48 constructed two-person clips (two bundled clips side by side, or a
second person pasted in at full, 0.7 and 0.5 size), searching as gymcore.perception.analysis does
flagged 47, searching whole frames only 18.

The tasks API (``mediapipe.tasks`` PoseLandmarker with ``num_poses``) would need a ``.task`` bundle
that the wheel does not ship; its models without their metadata are refused.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from gymcore.perception.pose import LANDMARK, silenced_native_stderr

# PoseDetectionCpu keeps detections scoring 0.5 or more. On the 576 sampled frames of the 12 bundled
# and 24 SynthGym demo clips, no detection off the athlete in a whole frame scored even 0.5 (the
# athlete's legs, taken for a person in a tile, scored up to 0.9 but lie on the athlete); a second person
# at full size scored 0.6 to 0.99: this keeps a margin against real footage's clutter.
MIN_SCORE = 0.75
# A detection whose hip centre lies within this share of its body radius (hips to the edge of the
# circle around the whole body) of the tracked person's hip centre is that person; so is one whose
# hips and shoulders lie within the tracked person's landmarks' box, grown by BOX_MARGIN of its size.
SAME_PERSON_RADII = 0.5
BOX_MARGIN = 0.1
# Each tile is this share of the frame's width and height, one in each corner.
TILE_SHARE = 0.6
_GRAPH = """
input_stream: "image"
output_stream: "detections"
node {
  calculator: "PoseDetectionCpu"
  input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:detections"
}
"""


@dataclass(frozen=True)
class PersonDetection:
    """One person the detector found, in pixels of the image it was given."""

    score: float
    hips: np.ndarray  # (2,) x, y of the hip centre
    shoulders: np.ndarray  # (2,) x, y of the shoulder centre
    radius: float  # from the hips to the circle around the whole body

    def moved(self, x: int, y: int) -> PersonDetection:
        """The detection in a larger image whose part at (x, y) it was found in."""
        offset = np.array([x, y], dtype=np.float64)
        return PersonDetection(self.score, self.hips + offset, self.shoulders + offset, self.radius)


class PersonDetector:
    """MediaPipe's person detector on single images. Calls from several threads are serialised."""

    def __init__(self) -> None:
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase

        config = text_format.Parse(_GRAPH, calculator_pb2.CalculatorGraphConfig())
        with silenced_native_stderr():
            self._graph = SolutionBase(graph_config=config, outputs=["detections"])
            # The model opens on the first image, logging from MediaPipe's threads.
            self._graph.process({"image": np.zeros((64, 64, 3), np.uint8)})
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray, tiled: bool = False) -> list[PersonDetection]:
        """Everyone found in an RGB uint8 image, best first; ``tiled`` searches the corner tiles
        too (five runs instead of one), where smaller people are found. A person found in several
        tiles is listed once per tile."""
        found = self._detect_in(image)
        if tiled:
            for x, y, tile in _corner_tiles(image, TILE_SHARE):
                found += [detection.moved(x, y) for detection in self._detect_in(tile)]
        return sorted(found, key=lambda d: -d.score)

    def _detect_in(self, image: np.ndarray) -> list[PersonDetection]:
        with self._lock:
            found = self._graph.process({"image": np.ascontiguousarray(image)}).detections
        size = np.array([image.shape[1], image.shape[0]], dtype=np.float64)
        return [_detection(item, size) for item in found or ()]


def others_in_frame(detections: list[PersonDetection], landmarks: np.ndarray, image_size: tuple[int, int],
                    min_score: float = MIN_SCORE) -> int:
    """How many people found in one frame are not the tracked person, whose (33, 3) normalised
    landmarks are NaN when the tracker found nobody (then the best detection is taken to be the
    athlete). Detections of one person (from several tiles) count once."""
    confident = [d for d in detections if d.score >= min_score]
    points = np.asarray(landmarks, dtype=np.float64)[:, :2] * np.asarray(image_size, dtype=np.float64)
    hips = points[[LANDMARK["left_hip"], LANDMARK["right_hip"]]]
    if not np.isfinite(hips).all():
        others = confident[1:]
    else:
        box = _grown_box(points[np.isfinite(points).all(axis=1)])
        others = [d for d in confident if not _is_tracked(d, hips.mean(axis=0), box)]
    return len(_distinct(others))


def _is_tracked(detection: PersonDetection, tracked_hips: np.ndarray, box: tuple[np.ndarray, np.ndarray]) -> bool:
    if float(np.linalg.norm(detection.hips - tracked_hips)) <= SAME_PERSON_RADII * detection.radius:
        return True
    low, high = box
    return all(bool(np.all((low <= point) & (point <= high))) for point in (detection.hips, detection.shoulders))


def _grown_box(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low, high = points.min(axis=0), points.max(axis=0)
    margin = BOX_MARGIN * (high - low)
    return low - margin, high + margin


def _distinct(detections: list[PersonDetection]) -> list[PersonDetection]:
    """One detection per person, the best: others whose hips lie within the same-person distance of
    a kept one's are the same person seen in another tile."""
    kept: list[PersonDetection] = []
    for detection in sorted(detections, key=lambda d: -d.score):
        if all(np.linalg.norm(detection.hips - k.hips) > SAME_PERSON_RADII * max(detection.radius, k.radius)
               for k in kept):
            kept.append(detection)
    return kept


def _corner_tiles(image: np.ndarray, share: float) -> list[tuple[int, int, np.ndarray]]:
    height, width = image.shape[:2]
    tile_h, tile_w = int(height * share), int(width * share)
    return [(x, y, image[y:y + tile_h, x:x + tile_w])
            for y in (0, height - tile_h) for x in (0, width - tile_w)]


def _detection(item: object, size: np.ndarray) -> PersonDetection:
    # PoseDetectionCpu's keypoints: hip centre, a point on the whole-body circle, shoulder centre,
    # a point on the upper-body circle; all relative to the image.
    points = np.array([(p.x, p.y) for p in item.location_data.relative_keypoints], dtype=np.float64) * size
    return PersonDetection(score=float(item.score[0]), hips=points[0], shoulders=points[2],
                           radius=float(np.linalg.norm(points[1] - points[0])))


_SHARED: dict[str, PersonDetector] = {}
_SHARED_LOCK = threading.Lock()


def shared_detector(slot: str = "default") -> PersonDetector:
    """A process-wide detector per slot (one per camera view, so two views can run at once)."""
    with _SHARED_LOCK:
        if slot not in _SHARED:
            _SHARED[slot] = PersonDetector()
        return _SHARED[slot]
