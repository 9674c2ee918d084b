"""MediaPipe's landmark errors on SynthGym renders, as a model that stands in for MediaPipe.

Tracking rendered frames with MediaPipe costs about 35 ms a frame in SynthGym's writer, most of
what a repetition costs to make. What MediaPipe adds to the generator's true joints is measured once, on a
set rendered and tracked the slow way (``fit_landmark_noise``), per view and landmark:

- an error that follows from the pose itself (MediaPipe's hip is not the skeleton's hip joint and
  moves differently from it as the hip folds, its relative depth z exaggerates the true depth):
  a ridge regression of the errors on the true pose and its squares;
- an error that holds for a whole repetition (a limb read a little off in all 16 frames: video
  mode tracks from frame to frame), and one that changes from frame to frame, smoothly; the errors
  of all landmarks move together (full covariance), and most frames are read closely but some
  badly as a whole (each frame's errors are scaled by a factor drawn from the factors measured);
- left and right limbs read the wrong way round (the legs in about 8% of SynthGym 1.0's lateral
  frames where they lie apart: the far leg is hidden), as runs of frames;
- the share of frames where nobody was found.

Drawn with the fitted spreads, such errors bend the joint angles about 1.4 times as much as
MediaPipe's do (its errors along a limb move together in ways one covariance over all poses does
not hold), so the random parts are scaled down until the draws' median joint-angle error equals
MediaPipe's on the fitting set (``random_scale``); the check on another set measures the result.

``LandmarkNoise.sample`` draws landmarks that err in that way from the true joints alone. Errors are
kept in body heights (x, y and z alike), so that a model fitted on 640 x 480 renders serves a set
rendered at any size: the landmarks stand for what MediaPipe reports on a frame where the person is
as large as in the fitted set. ``check_landmark_noise`` compares a model with MediaPipe on another
rendered set (docs/synthgym.md gives the figures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from gymcore.data import layout
from gymcore.data.dataset import ExerciseSet, available_exercises, dataset_info, load_exercise
from gymcore.errors import InputError
from gymcore.serialize import write_json
from gymcore.synth.body import LEFT_HIP
from gymcore.synth.landmarks import normalised_landmarks
from gymcore.synth.render.renderer import Camera

N_LANDMARKS = 33
DIMS = N_LANDMARKS * 3
POSE_TERMS = 2 * DIMS + 1  # the pose relative to the hips' centre, its squares, a constant
RIDGE = 1.0  # the regression's penalty (its terms are body heights and their squares, over 10^4 frames)
WINSOR_SDS = 6.0  # errors farther than this many robust spreads are clipped before a regression or covariance
_MAD_TO_SD = 1.4826  # a normal distribution's standard deviation per median absolute deviation
TWINS_APART = 0.10  # body heights between a left and a right limb for a swap to be told from noise
# Left/right twins (MediaPipe numbers each right landmark one after its left one) that are swapped
# together: the legs from the knee down, the arms from the elbow down.
SWAP_GROUPS: dict[str, tuple[int, ...]] = {"legs": (25, 27, 29, 31), "arms": (13, 15, 17, 19, 21)}
# The model bundled with gymcore, fitted on SynthGym 1.0 (seed 2026) tracked by MediaPipe 0.10.21.
BUNDLED = Path(__file__).with_name("mediapipe_noise.json")


@dataclass(frozen=True)
class ViewNoise:
    """MediaPipe's errors in one view, in body heights. The errors of the 33 landmarks' x, y and z
    move together (a misread pelvis drags both hips and knees along), so the two normal parts are
    drawn with their full covariance over those 99 numbers, given by lower Cholesky factors."""

    pose_weights: np.ndarray  # (199, 99): pose_terms(pose) @ pose_weights is the error the pose brings
    rep_factor: np.ndarray  # (99, 99): the covariance of a repetition's median error
    frame_factor: np.ndarray  # (99, 99): of a frame's error around its repetition's median
    frame_rho: float  # correlation of a frame's error with the previous frame's (video mode smooths)
    frame_scales: np.ndarray  # (101,) percentiles 0..100 of how badly a frame is read as a whole (median 1)
    random_scale: float  # what the random parts are scaled by so that joint angles err as MediaPipe's do
    missed: float  # share of frames with nobody detected
    swaps: dict[str, tuple[float, float]]  # group -> (share of frames swapped, mean run in frames)

    @property
    def rep_sd(self) -> np.ndarray:
        return np.sqrt((self.rep_factor ** 2).sum(axis=1)).reshape(N_LANDMARKS, 3)

    @property
    def frame_sd(self) -> np.ndarray:
        return np.sqrt((self.frame_factor ** 2).sum(axis=1)).reshape(N_LANDMARKS, 3)

    def to_dict(self) -> dict[str, object]:
        return {"pose_weights": _rounded(self.pose_weights), "rep_factor": _rounded(self.rep_factor),
                "frame_factor": _rounded(self.frame_factor), "frame_rho": round(self.frame_rho, 6),
                "frame_scales": _rounded(self.frame_scales), "random_scale": round(self.random_scale, 6),
                "missed": round(self.missed, 6),
                "swaps": {group: [round(share, 6), round(run, 3)] for group, (share, run) in self.swaps.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> ViewNoise:
        shapes = {"pose_weights": (POSE_TERMS, DIMS), "rep_factor": (DIMS, DIMS), "frame_factor": (DIMS, DIMS),
                  "frame_scales": (101,)}
        arrays = {name: np.asarray(data[name], dtype=float) for name in shapes}
        wrong = [name for name, shape in shapes.items() if arrays[name].shape != shape]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} do not have the shapes of 33 landmarks")
        swaps = {group: (float(data["swaps"][group][0]), float(data["swaps"][group][1])) for group in SWAP_GROUPS}
        return cls(frame_rho=float(data["frame_rho"]), random_scale=float(data["random_scale"]),
                   missed=float(data["missed"]), swaps=swaps, **arrays)

    def draw_errors(self, pose: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(T, 33, 3) errors of one repetition whose true pose is ``pose`` (T, 33, 3), in body heights."""
        frames = len(pose)
        rep = self.rep_factor @ rng.standard_normal(DIMS)
        shocks = rng.standard_normal((frames, DIMS)) @ self.frame_factor.T
        smooth = np.empty_like(shocks)
        smooth[0] = shocks[0]
        keep = np.sqrt(1.0 - self.frame_rho ** 2)  # leaves each frame's covariance the fitted one
        for t in range(1, frames):
            smooth[t] = self.frame_rho * smooth[t - 1] + keep * shocks[t]
        scales = np.interp(rng.random(frames) * 100.0, np.arange(101), self.frame_scales)
        per_frame = scales[:, None, None] * smooth.reshape(frames, N_LANDMARKS, 3)
        systematic = (pose_terms(pose) @ self.pose_weights).reshape(frames, N_LANDMARKS, 3)
        return systematic + self.random_scale * (rep.reshape(N_LANDMARKS, 3) + per_frame)


@dataclass(frozen=True)
class LandmarkNoise:
    """A fitted model of one pose estimator's errors, per view."""

    estimator: str
    fitted_on: dict[str, object]  # dataset name, version, seed and repetitions per view
    views: dict[str, ViewNoise]

    def sample(self, truth: np.ndarray, scale: np.ndarray, view: str, rng: np.random.Generator) -> np.ndarray:
        """Landmarks as the estimator would report them for one repetition.

        ``truth`` (T, 33, 3): normalised true landmarks (``normalised_landmarks``); ``scale`` (T, 3): the
        body height in the units of x, y and z (pixels over the frame's width, height and width).
        Returns (T, 33, 3), NaN for frames where nobody would have been found."""
        noise = self.views[view]
        landmarks = truth + noise.draw_errors(truth / scale[:, None, :], rng) * scale[:, None, :]
        for group, (share, run) in noise.swaps.items():
            left = np.array(SWAP_GROUPS[group])
            swapped = _swap_runs(len(truth), share, run, rng)
            landmarks[np.ix_(swapped, left)], landmarks[np.ix_(swapped, left + 1)] = \
                landmarks[np.ix_(swapped, left + 1)], landmarks[np.ix_(swapped, left)]
        landmarks[rng.random(len(truth)) < noise.missed] = np.nan
        return landmarks

    def sample_reps(self, reps: TrackedReps, view: str, rng: np.random.Generator) -> np.ndarray:
        """(N, 16, 33, 3) draws for every repetition of ``reps`` (its truth and scale), seen from ``view``."""
        return np.stack([self.sample(truth, scale, view, rng) for truth, scale in zip(reps.truth, reps.scale)])

    def save(self, path: Path) -> None:
        write_json(path, {"estimator": self.estimator, "fitted_on": self.fitted_on,
                          "views": {view: noise.to_dict() for view, noise in self.views.items()}})

    @classmethod
    def load(cls, path: Path = BUNDLED) -> LandmarkNoise:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(estimator=str(data["estimator"]), fitted_on=dict(data["fitted_on"]),
                       views={view: ViewNoise.from_dict(data["views"][view]) for view in layout.VIEWS})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise InputError(f"{path} is not a landmark noise model ({error}); make one with"
                             " `python -m gymcore synth-noise --fit DATA --out FILE`.") from None


@dataclass(frozen=True)
class TrackedReps:
    """One view of a rendered set: what the estimator reported and the truth, per repetition."""

    found: np.ndarray  # (N, 16, 33, 3) the dataset's landmarks, NaN where nobody was found
    truth: np.ndarray  # (N, 16, 33, 3) normalised true landmarks
    scale: np.ndarray  # (N, 16, 3) body height in units of x, y, z


def tracked_reps(root: Path) -> dict[str, TrackedReps]:
    """Every repetition of a SynthGym set with its ground truth (``layout.GROUND_TRUTH_FOLDER``), per view."""
    root = Path(root)
    exercises = available_exercises(root)
    if not exercises or not (root / layout.GROUND_TRUTH_FOLDER).is_dir():
        raise InputError(f"{root} is not a SynthGym set with its ground truth: fitting or checking a noise model"
                         f" needs the sheets and the {layout.GROUND_TRUTH_FOLDER} folder that `gymcore synth` writes.")
    parts = [tracked_exercise(load_exercise(root, exercise)) for exercise in exercises]
    return {view: TrackedReps(*(np.concatenate([getattr(part[view], name) for part in parts])
                                for name in ("found", "truth", "scale")))
            for view in layout.VIEWS}


def tracked_exercise(data: ExerciseSet) -> dict[str, TrackedReps]:
    """The repetitions of one exercise of a SynthGym set, in the order of its sheet, with their ground
    truth, per view."""
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {view: [] for view in layout.VIEWS}
    for i in range(len(data)):
        videos = {view: int(data.videos[view][i]) for view in layout.VIEWS}
        truth = _set_truth(Path(data.root), data.exercise, videos["frontal"], videos["lateral"])
        frames = truth.sampled[int(data.reps[i]) - layout.FIRST_REP]
        for view in layout.VIEWS:
            points, scale = truth.views[view]
            parts[view].append((data.landmarks[view][i], points[frames], scale[frames]))
    return {view: TrackedReps(*(np.stack([part[k] for part in items]) for k in range(3)))
            for view, items in parts.items()}


def true_landmarks(joints: np.ndarray, body_height_px: np.ndarray, camera: Camera) -> tuple[np.ndarray, np.ndarray]:
    """What ``sample`` starts from: the joints (T, 33, 3, world) as normalised landmarks without
    error (T, 33, 3), and the body's height (T,) in pixels as (T, 3) units of x, y and z."""
    points = np.stack([normalised_landmarks(frame, camera) for frame in np.asarray(joints, dtype=float)])
    height = np.asarray(body_height_px, dtype=float)
    return points, np.stack([height / camera.width, height / camera.height, height / camera.width], axis=1)


@dataclass(frozen=True)
class _SetTruth:
    sampled: np.ndarray  # (repetitions, 16) the frames each repetition's landmarks were taken from
    views: dict[str, tuple[np.ndarray, np.ndarray]]  # view -> true_landmarks of every frame of the set


@lru_cache(maxsize=1)  # a set's repetitions come one after another and share its file
def _set_truth(root: Path, exercise: str, frontal: int, lateral: int) -> _SetTruth:
    stem = root / layout.GROUND_TRUTH_FOLDER / layout.ground_truth_stem(exercise, frontal, lateral)
    arrays = np.load(stem.with_suffix(".npz"))
    cameras = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))["cameras"]
    views = {}
    for view in layout.VIEWS:
        c = cameras[view]
        camera = Camera(np.asarray(c["position"]), np.asarray(c["rotation"]), float(c["focal_px"]),
                        int(c["width"]), int(c["height"]))
        views[view] = true_landmarks(arrays["joints_world"], arrays[f"body_height_px_{view}"], camera)
    return _SetTruth(arrays["sampled_frames"], views)


def fit_landmark_noise(root: Path, estimator: str) -> LandmarkNoise:
    """Fit the model on a SynthGym set tracked by ``estimator`` (the set's own landmarks)."""
    reps = tracked_reps(root)
    info = dataset_info(root)
    views = {view: _calibrated(_fit_view(tracked), view, tracked) for view, tracked in reps.items()}
    fitted_on = {"name": info["name"], "version": info["version"], "seed": info["seed"],
                 "repetitions": {view: len(tracked.found) for view, tracked in reps.items()}}
    return LandmarkNoise(estimator=estimator, fitted_on=fitted_on, views=views)


def _calibrated(noise: ViewNoise, view: str, reps: TrackedReps, rounds: int = 4) -> ViewNoise:
    """``noise`` with the random_scale at which its draws' median joint-angle error on ``reps`` is
    the estimator's (a few fixed-point steps: the error is nearly proportional to the scale), and
    with swap shares that leave out the frames its own errors make look swapped (the fit counts
    those in the estimator's landmarks too)."""
    target = median_angle_error(reps.found, reps)
    rng = np.random.default_rng(0)
    for _ in range(rounds):
        drawn = LandmarkNoise("", {}, {view: noise}).sample_reps(reps, view, rng)
        noise = replace(noise, random_scale=noise.random_scale * target / median_angle_error(drawn, reps))
    unswapped = replace(noise, swaps={group: (0.0, 1.0) for group in noise.swaps})
    seeming = _swap_shares(LandmarkNoise("", {}, {view: unswapped}).sample_reps(reps, view, rng), reps)
    return replace(noise, swaps={group: (max(0.0, share - seeming[group][0]), run)
                                 for group, (share, run) in noise.swaps.items()})


# The joint angles the calibration and the check compare (MediaPipe's numbers): knees, hips,
# elbows, shoulders and ankles, both sides.
ANGLES = tuple((a + side, b + side, c + side) for side in (0, 1)
               for a, b, c in ((23, 25, 27), (11, 23, 25), (11, 13, 15), (13, 11, 23), (25, 27, 31)))


def median_angle_error(landmarks: np.ndarray, reps: TrackedReps) -> float:
    """Median |angle - true angle| in degrees over ANGLES and frames, in the image plane (body heights)."""
    def angles(points: np.ndarray) -> np.ndarray:
        p = points[..., :2] / reps.scale[:, :, None, :2]
        a, b, c = (p[..., [t[k] for t in ANGLES], :] for k in range(3))
        u, w = a - b, c - b
        cos = (u * w).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(w, axis=-1) + 1e-12)
        return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return float(np.nanmedian(np.abs(angles(landmarks) - angles(reps.truth))))


def pose_terms(pose: np.ndarray) -> np.ndarray:
    """(T, 199) the terms the pose's own error is regressed on: the true landmarks (T, 33, 3, body
    heights) relative to the hips' centre, their squares and a constant."""
    hips = (pose[:, LEFT_HIP] + pose[:, LEFT_HIP + 1]) / 2.0
    relative = (pose - hips[:, None, :]).reshape(len(pose), DIMS)
    return np.hstack([relative, relative ** 2, np.ones((len(pose), 1))])


def _swap_runs(frames: int, share: float, run: float, rng: np.random.Generator) -> np.ndarray:
    """Which frames are swapped: a two-state chain that is swapped ``share`` of the time, in runs
    of ``run`` frames on average."""
    if share <= 0.0:
        return np.zeros(frames, dtype=bool)
    leave = 1.0 / max(run, 1.0)  # chance a swapped run ends at the next frame
    enter = min(1.0, leave * share / max(1.0 - share, 1e-9))  # keeps the chain swapped `share` of the time
    state = rng.random() < share
    out = np.empty(frames, dtype=bool)
    for frame, draw in enumerate(rng.random(frames)):
        out[frame] = state
        state = (draw >= leave) if state else (draw < enter)
    return out


def _swap_shares(landmarks: np.ndarray, reps: TrackedReps) -> dict[str, tuple[float, float]]:
    """Per group: the share of frames (where the two sides lie apart, and someone was found) whose
    twins sit on the wrong side, and the mean length of those runs."""
    scale = reps.scale[:, :, None, :]
    measured, true = landmarks / scale, reps.truth / scale
    found = ~np.isnan(landmarks[..., 0, 0])
    shares = {}
    for group, twins in SWAP_GROUPS.items():
        left = np.array(twins)
        # Only where the two sides lie apart: where they overlap, noise alone can look like a swap.
        apart = np.linalg.norm(true[..., left, :2] - true[..., left + 1, :2], axis=-1).mean(axis=-1) > TWINS_APART
        swapped = _swapped_frames(measured, true, left) & apart
        counted = found & apart
        shares[group] = (float(swapped[counted].mean()) if counted.any() else 0.0, _mean_run(swapped))
    return shares


def _swapped_frames(measured: np.ndarray, true: np.ndarray, left: np.ndarray) -> np.ndarray:
    """(N, 16) frames whose twins sit nearer the other side's true landmarks than their own."""
    same = np.linalg.norm(measured[..., left, :2] - true[..., left, :2], axis=-1).sum(-1) \
        + np.linalg.norm(measured[..., left + 1, :2] - true[..., left + 1, :2], axis=-1).sum(-1)
    crossed = np.linalg.norm(measured[..., left, :2] - true[..., left + 1, :2], axis=-1).sum(-1) \
        + np.linalg.norm(measured[..., left + 1, :2] - true[..., left, :2], axis=-1).sum(-1)
    return crossed < same  # False where nobody was found (NaN compares False)


def _mean_run(flags: np.ndarray) -> float:
    """Mean length of the runs of True along each row."""
    padded = np.pad(flags.astype(np.int8), ((0, 0), (1, 1)))
    starts = np.count_nonzero(np.diff(padded, axis=1) == 1)
    return float(flags.sum() / starts) if starts else 1.0


def _fit_view(reps: TrackedReps) -> ViewNoise:
    found = ~np.isnan(reps.found[..., 0, 0])  # (N, 16)
    scale = reps.scale[:, :, None, :]
    measured, true = reps.found / scale, (reps.truth / scale).copy()  # body heights
    swaps = _swap_shares(reps.found, reps)
    for twins in SWAP_GROUPS.values():
        # The errors below are measured against the side MediaPipe put each landmark on.
        left = np.array(twins)
        n, f = np.nonzero(_swapped_frames(measured, true, left))
        true[n[:, None], f[:, None], left], true[n[:, None], f[:, None], left + 1] = \
            true[n[:, None], f[:, None], left + 1], true[n[:, None], f[:, None], left]
    errors = measured - true
    terms = pose_terms(true[found])
    pose_weights = np.linalg.solve(terms.T @ terms + RIDGE * np.eye(POSE_TERMS),
                                   terms.T @ _winsorised(errors)[found].reshape(-1, DIMS))
    errors = errors - (pose_terms(true.reshape(-1, N_LANDMARKS, 3)) @ pose_weights).reshape(errors.shape)
    rep_median = np.nanmedian(errors, axis=1, keepdims=True)  # NaN for a repetition never found
    deviations = errors - rep_median
    # How badly each frame is read as a whole: its errors' typical size over the 99 numbers (a median,
    # so that one wild landmark does not make the whole frame bad), relative to the typical frame.
    deviation_sd = _robust_sd(deviations).reshape(DIMS)
    flat = deviations.reshape(*deviations.shape[:2], DIMS) / deviation_sd
    roughness = np.median(np.abs(flat), axis=-1)
    scale = roughness / np.nanmedian(roughness)
    normalised = np.clip(flat / scale[..., None], -WINSOR_SDS, WINSOR_SDS) * deviation_sd
    # The spreads of the two parts, and the frame part's smoothness, come from the errors'
    # autocovariance (a median or a mean per repetition would keep some of the frames' error and
    # take some of their smoothness); their shapes from the repetitions' medians and the deviations.
    spread = _robust_sd(errors).reshape(DIMS)
    whole = np.clip((errors - np.nanmedian(errors, axis=(0, 1))).reshape(*errors.shape[:2], DIMS)
                    / spread / scale[..., None], -WINSOR_SDS, WINSOR_SDS)
    rep_share, rho = _variance_split(whole, found)
    total = float(np.sum(spread ** 2))
    frame_covariance = _with_trace(_covariance(normalised[found]), (1.0 - rep_share) * total)
    rep_covariance = _with_trace(_covariance(rep_median[:, 0].reshape(-1, DIMS)), rep_share * total)
    frame_scales = np.nanpercentile(scale[found], np.arange(101))
    return ViewNoise(
        pose_weights=pose_weights,
        rep_factor=_factor(rep_covariance),
        frame_factor=_factor(frame_covariance),
        frame_rho=rho,
        frame_scales=frame_scales,
        random_scale=1.0,
        missed=float(1.0 - found.mean()),
        swaps=swaps,
    )


def _covariance(samples: np.ndarray) -> np.ndarray:
    """(99, 99) covariance of the rows of ``samples`` (rows with a NaN left out)."""
    samples = samples[~np.isnan(samples).any(axis=1)]
    return np.cov(samples, rowvar=False) if len(samples) > 1 else np.zeros((DIMS, DIMS))


def _factor(covariance: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor (a small ridge keeps it defined when fewer samples than 99 were seen)."""
    return np.linalg.cholesky(covariance + 1e-10 * np.eye(DIMS))


def _with_trace(covariance: np.ndarray, trace: float) -> np.ndarray:
    """``covariance`` scaled to the given total variance."""
    return covariance * (trace / max(float(np.trace(covariance)), 1e-12))


def _variance_split(z: np.ndarray, found: np.ndarray) -> tuple[float, float]:
    """For errors z (N, 16, 99) of unit spread, each the sum of a part fixed per repetition and a
    part correlated rho^k at k frames apart: the fixed part's share of the variance, and rho. From
    the autocovariances at lags 0, 1 and 2, c_k = a + (c_0 - a) rho^k, pooled over the 99 numbers."""
    def autocovariance(lag: int) -> float:
        pairs = found[:, lag:] & found[:, :z.shape[1] - lag]
        return float(np.mean(z[:, lag:][pairs] * z[:, :z.shape[1] - lag][pairs]))
    c0, c1, c2 = (autocovariance(lag) for lag in (0, 1, 2))
    denominator = 2.0 * c1 - c0 - c2
    fixed = (c1 * c1 - c0 * c2) / denominator if abs(denominator) > 1e-12 else 0.0
    fixed = float(np.clip(fixed, 0.0, 0.95 * c1)) if c1 > 0 else 0.0
    rho = float(np.clip((c1 - fixed) / max(c0 - fixed, 1e-12), 0.0, 0.99))
    return fixed / c0, rho


def _winsorised(errors: np.ndarray) -> np.ndarray:
    """``errors`` (N, T, 33, 3) clipped WINSOR_SDS robust spreads from their median, so that a wild
    frame does not steer a regression."""
    typical, centre = _robust_sd(errors), np.nanmedian(errors, axis=(0, 1))
    return np.clip(errors, centre - WINSOR_SDS * typical, centre + WINSOR_SDS * typical)


def _robust_sd(values: np.ndarray) -> np.ndarray:
    """(33, 3) spread of ``values`` (N, T, 33, 3) over repetitions and frames, robust to the far ones."""
    centre = np.nanmedian(values, axis=(0, 1))
    return _MAD_TO_SD * np.nanmedian(np.abs(values - centre), axis=(0, 1))


@dataclass(frozen=True)
class NoiseCheckRow:
    """The model against the estimator on one view of a set the model was not fitted on."""

    view: str
    repetitions: int
    missed: tuple[float, float]  # (estimator, model)
    rep_sd: tuple[float, float]  # median over landmarks and axes, body heights
    frame_sd: tuple[float, float]
    distance: tuple[tuple[float, float, float], tuple[float, float, float]]  # landmarks' distance from the
    # truth (x, y) in body heights, 50th, 90th and 99th percentiles: (estimator, model)
    angle_error: tuple[float, float]  # median joint-angle error in degrees (ANGLES)
    explained: float  # share of the estimator's x, y error variance here that the model's pose term explains


def check_landmark_noise(noise: LandmarkNoise, root: Path, seed: int = 0) -> list[NoiseCheckRow]:
    """Fit the same statistics on ``root`` (tracked by the estimator) and on the model's draws for
    the same repetitions, and put them side by side."""
    rows = []
    rng = np.random.default_rng(seed)
    for view, reps in tracked_reps(root).items():
        drawn = noise.sample_reps(reps, view, rng)
        measured, modelled = _fit_view(reps), _fit_view(TrackedReps(drawn, reps.truth, reps.scale))
        rows.append(NoiseCheckRow(
            view=view, repetitions=len(reps.found),
            missed=(measured.missed, modelled.missed),
            rep_sd=(float(np.median(measured.rep_sd)), float(np.median(modelled.rep_sd))),
            frame_sd=(float(np.median(measured.frame_sd)), float(np.median(modelled.frame_sd))),
            distance=(_distance_percentiles(reps.found, reps), _distance_percentiles(drawn, reps)),
            angle_error=(median_angle_error(reps.found, reps), median_angle_error(drawn, reps)),
            explained=_explained(noise.views[view], reps),
        ))
    return rows


def _explained(noise: ViewNoise, reps: TrackedReps) -> float:
    """1 - residual / total variance of the x, y errors (winsorised) once the pose term is taken off."""
    found = ~np.isnan(reps.found[..., 0, 0])
    scale = reps.scale[:, :, None, :]
    pose = (reps.truth / scale)[found]
    errors = _winsorised(((reps.found - reps.truth) / scale)[found][None])[0][..., :2]
    predicted = (pose_terms(pose) @ noise.pose_weights).reshape(errors.shape[0], N_LANDMARKS, 3)[..., :2]
    return float(1.0 - ((errors - predicted) ** 2).sum() / ((errors - errors.mean(axis=0)) ** 2).sum())


def _distance_percentiles(landmarks: np.ndarray, reps: TrackedReps) -> tuple[float, float, float]:
    offset = (landmarks - reps.truth)[..., :2] / reps.scale[:, :, None, :2]
    p50, p90, p99 = np.nanpercentile(np.linalg.norm(offset, axis=-1), [50, 90, 99])
    return float(p50), float(p90), float(p99)


def _rounded(array: np.ndarray) -> list:
    return np.round(np.asarray(array, dtype=float), 6).tolist()
