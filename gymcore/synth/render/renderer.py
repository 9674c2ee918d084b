"""Perspective cameras and a painter's-algorithm renderer for the synthetic body (OpenCV + numpy).

The body is drawn as shaded capsules (limbs) and ellipsoids (torso, head, hands, feet), sorted
far to near. Shading is layered: each primitive is filled several times, shrinking toward the
light, which reads as a lit cylinder or ball at the cost of a few polygon fills.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from gymcore.synth.body import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_INDEX,
    LEFT_KNEE,
    LEFT_PINKY,
    LEFT_SHOULDER,
    LEFT_WRIST,
    RGB,
    Participant,
    Pose,
    Side,
    Skeleton,
    pose_skeleton,
)

SUBPIXEL_BITS = 4
SUBPIXEL = float(1 << SUBPIXEL_BITS)
_CIRCLE = np.stack([np.cos(np.linspace(0, 2 * np.pi, 20, endpoint=False)),
                    np.sin(np.linspace(0, 2 * np.pi, 20, endpoint=False))], axis=1)
# (scale of the shape, brightness) from the shadowed rim to the highlight.
_SHADE_LAYERS: tuple[tuple[float, float], ...] = ((1.0, 0.58), (0.86, 0.74), (0.66, 0.88), (0.40, 1.0))


@dataclass(frozen=True)
class Camera:
    """Pinhole camera. rotation rows are the camera's right, down and forward axes in world."""

    position: np.ndarray
    rotation: np.ndarray
    focal_px: float
    width: int = 640
    height: int = 480

    @classmethod
    def look_at(
        cls, position: np.ndarray, target: np.ndarray, focal_px: float, width: int = 640, height: int = 480
    ) -> Camera:
        forward = np.asarray(target, float) - np.asarray(position, float)
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        return cls(np.asarray(position, float), np.stack([right, down, forward]), focal_px, width, height)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) -> camera coordinates (N, 3): x right, y down, z depth."""
        return (np.asarray(points, float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) -> pixel coordinates (N, 2)."""
        cam = self.to_camera(np.atleast_2d(points))
        return self.camera_to_pixels(cam)

    def camera_to_pixels(self, cam: np.ndarray) -> np.ndarray:
        """Camera coordinates (N, 3) -> pixel coordinates (N, 2)."""
        z = np.maximum(cam[:, 2:3], 1e-6)
        centre = np.array([self.width / 2.0, self.height / 2.0])
        return cam[:, :2] * (self.focal_px / z) + centre

    def pixels_per_metre(self, point: np.ndarray) -> float:
        """Image scale of a fronto-parallel length at the depth of point."""
        return float(self.focal_px / self.to_camera(np.atleast_2d(point))[0, 2])


@dataclass(frozen=True)
class CameraJitter:
    """Ranges drawn for a camera preset. fill is the body height as a fraction of image height."""

    max_yaw_deg: float = 15.0
    height_m: tuple[float, float] = (0.6, 1.4)
    fill: tuple[float, float] = (0.55, 0.75)
    vertical_fov_deg: tuple[float, float] = (42.0, 60.0)


View = Literal["frontal", "lateral"]


def frontal_camera(
    participant: Participant,
    rng: np.random.Generator | None = None,
    width: int = 640,
    height: int = 480,
    jitter: CameraJitter = CameraJitter(),
) -> Camera:
    """A camera in front of the participant (on +z); rng=None gives the un-jittered preset."""
    return _preset_camera(participant, 0.0, rng, width, height, jitter)


def lateral_camera(
    participant: Participant,
    rng: np.random.Generator | None = None,
    width: int = 640,
    height: int = 480,
    jitter: CameraJitter = CameraJitter(),
    side: Side = "left",
) -> Camera:
    """A camera at the participant's side (left side on +x); rng=None gives the un-jittered preset."""
    return _preset_camera(participant, 90.0 if side == "left" else -90.0, rng, width, height, jitter)


def camera_for_view(view: View, participant: Participant, rng: np.random.Generator | None = None,
                    width: int = 640, height: int = 480) -> Camera:
    maker = frontal_camera if view == "frontal" else lateral_camera
    return maker(participant, rng, width, height)


def _preset_camera(
    participant: Participant,
    azimuth_deg: float,
    rng: np.random.Generator | None,
    width: int,
    height: int,
    jitter: CameraJitter,
) -> Camera:
    def draw(bounds: tuple[float, float]) -> float:
        return float(np.mean(bounds)) if rng is None else float(rng.uniform(*bounds))

    yaw = 0.0 if rng is None else float(rng.uniform(-jitter.max_yaw_deg, jitter.max_yaw_deg))
    vfov = np.radians(draw(jitter.vertical_fov_deg))
    focal = height / (2.0 * np.tan(vfov / 2.0))
    distance = participant.height * focal / (draw(jitter.fill) * height)
    # Squats move the hips back; aim a little behind the feet at mid-body height.
    target = np.array([0.0, 0.5 * participant.height, -0.06 * participant.height])
    azimuth = np.radians(azimuth_deg + yaw)
    position = target + distance * np.array([np.sin(azimuth), 0.0, np.cos(azimuth)])
    position[1] = draw(jitter.height_m) * (0.6 + 0.4 * participant.height / 1.75)
    return Camera.look_at(position, target, focal, width, height)


@dataclass(frozen=True)
class Scene:
    """What surrounds the body: a pre-rendered background for one camera and the light."""

    background: np.ndarray  # (H, W, 3) uint8 RGB
    light: np.ndarray  # unit vector from the body toward the light
    ambient: float
    shadow_strength: float


def make_scene(camera: Camera, rng: np.random.Generator) -> Scene:
    """Random wall, textured floor and light, ray-cast once per camera."""
    light = np.array([rng.uniform(-0.8, 0.8), rng.uniform(0.6, 1.2), rng.uniform(0.2, 1.0)])
    return Scene(
        background=_render_background(camera, rng),
        light=light / np.linalg.norm(light),
        ambient=float(rng.uniform(0.85, 1.1)),
        shadow_strength=float(rng.uniform(0.2, 0.45)),
    )


def _render_background(camera: Camera, rng: np.random.Generator) -> np.ndarray:
    h, w = camera.height, camera.width
    u, v = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    rays = np.stack([(u - w / 2) / camera.focal_px, (v - h / 2) / camera.focal_px, np.ones_like(u)], -1)
    rays = rays @ camera.rotation  # camera -> world directions
    forward = camera.rotation[2] * np.array([1.0, 0.0, 1.0])
    forward /= np.linalg.norm(forward)
    wall_distance = float(np.dot(-camera.position, forward)) + float(rng.uniform(1.5, 4.0))
    along = rays @ forward
    t_wall = wall_distance / np.maximum(along, 1e-6)
    going_down = rays[..., 1] < -1e-6
    t_floor = np.where(going_down, -camera.position[1] / np.where(going_down, rays[..., 1], -1.0), np.inf)
    is_floor = t_floor < t_wall

    wall = _wall_texture(camera.position + rays * t_wall[..., None], forward, rng)
    floor = _floor_texture(camera.position + rays * np.where(is_floor, t_floor, 0.0)[..., None], rng)
    image = np.where(is_floor[..., None], floor, wall)
    image += rng.normal(0.0, 2.5, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _wall_texture(points: np.ndarray, forward: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lateral = points @ np.array([forward[2], 0.0, -forward[0]])
    height = points[..., 1]
    top, bottom = _muted_colour(rng), _muted_colour(rng)
    blend = np.clip(height / 3.0, 0.0, 1.0)[..., None]
    image = bottom * (1 - blend) + top * blend
    # Posters, doors and shelves: a few flat rectangles on the wall.
    for _ in range(int(rng.integers(0, 5))):
        x0, y0 = rng.uniform(-4.0, 4.0), rng.uniform(0.2, 2.0)
        inside = (np.abs(lateral - x0) < rng.uniform(0.2, 0.9)) & (np.abs(height - y0) < rng.uniform(0.15, 0.9))
        image[inside] = _muted_colour(rng, spread=60.0)
    skirting = height < rng.uniform(0.05, 0.15)
    image[skirting] = image[skirting] * 0.6
    return image


def _muted_colour(rng: np.random.Generator, spread: float = 30.0) -> np.ndarray:
    """A grey with a tint, like painted walls and gym floors; spread sets how colourful."""
    return np.clip(rng.uniform(60, 215) + rng.normal(0.0, spread, size=3), 20, 245)


def _floor_texture(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    x, z = points[..., 0], points[..., 2]
    base = _muted_colour(rng)
    tile = rng.uniform(0.3, 1.2)
    checker = ((np.floor(x / tile) + np.floor(z / tile)) % 2)[..., None]
    contrast = rng.uniform(0.0, 0.12)
    grout = (np.minimum(np.abs(x / tile - np.round(x / tile)), np.abs(z / tile - np.round(z / tile))) < 0.015)
    image = np.broadcast_to(base, points.shape) * (1.0 - contrast * checker)
    image = np.where(grout[..., None], image * 0.8, image)
    distance_falloff = np.clip(1.1 - 0.04 * np.hypot(x, z), 0.7, 1.1)[..., None]
    return image * distance_falloff


@dataclass(frozen=True)
class RenderedFrame:
    image: np.ndarray  # (H, W, 3) uint8 RGB
    landmarks_px: np.ndarray  # (33, 2) projected landmarks
    landmark_depth: np.ndarray  # (33,) camera depth in metres


@dataclass(frozen=True)
class _Capsule:
    start: np.ndarray
    end: np.ndarray
    start_radius: float
    end_radius: float
    colour: RGB

    @property
    def centre(self) -> np.ndarray:
        return (self.start + self.end) / 2.0


@dataclass(frozen=True)
class _Ellipsoid:
    centre: np.ndarray
    axes: np.ndarray  # (3, 3) columns are the semi-axes in world coordinates
    colour: RGB


_Shape = _Capsule | _Ellipsoid


@dataclass
class _Canvas:
    """An image being painted, with the camera and light that shape each fill.

    highlight is the image direction toward the light, shorter when the light is frontal. The
    outlines of all shapes are computed together (per frame, numpy's cost is in its calls, not in
    the few dozen shapes), then filled in painting order.
    """

    image: np.ndarray
    camera: Camera
    highlight: np.ndarray
    brightness: float

    def paint_all(self, shapes: list[_Shape]) -> None:
        capsules = [i for i, shape in enumerate(shapes) if isinstance(shape, _Capsule)]
        ellipsoids = [i for i, shape in enumerate(shapes) if isinstance(shape, _Ellipsoid)]
        layers: dict[int, list[np.ndarray]] = {}
        if capsules:
            layers.update(zip(capsules, self._capsule_layers([shapes[i] for i in capsules])))  # type: ignore[misc]
        if ellipsoids:
            layers.update(zip(ellipsoids, self._ellipsoid_layers([shapes[i] for i in ellipsoids])))  # type: ignore[misc]
        shades = np.array([shade for _, shade in _SHADE_LAYERS])
        colours = np.minimum(255.0, np.array([shape.colour for shape in shapes], float)[:, None, :]
                             * shades[None, :, None] * self.brightness)
        for index in range(len(shapes)):
            for outline, colour in zip(layers[index], colours[index].tolist()):
                cv2.fillConvexPoly(self.image, cv2.convexHull(outline), colour, cv2.LINE_AA, SUBPIXEL_BITS)

    def _capsule_layers(self, capsules: list[_Capsule]) -> list[list[np.ndarray]]:
        """Per capsule, its outline per shade layer (none when an end is behind the camera)."""
        ends_world = np.stack([np.stack([c.start, c.end]) for c in capsules])  # (n, 2, 3)
        cam = self.camera.to_camera(ends_world.reshape(-1, 3)).reshape(len(capsules), 2, 3)
        ends = self.camera.camera_to_pixels(cam.reshape(-1, 3)).reshape(len(capsules), 2, 2)
        radii = np.array([[c.start_radius, c.end_radius] for c in capsules]) * self.camera.focal_px / cam[:, :, 2]
        visible = ~np.any(cam[:, :, 2] < 0.05, axis=1)
        per_layer = []
        for scale, _ in _SHADE_LAYERS:
            offset = self.highlight * ((1.0 - scale) * radii.mean(axis=1) * 0.8)[:, None]  # (n, 2)
            rims = ends[:, :, None, :] + offset[:, None, None, :] + scale * radii[:, :, None, None] * _CIRCLE
            per_layer.append(_subpixels(rims.reshape(len(capsules), -1, 2)))
        return [[layer[i] for layer in per_layer] if visible[i] else [] for i in range(len(capsules))]

    def _ellipsoid_layers(self, ellipsoids: list[_Ellipsoid]) -> list[list[np.ndarray]]:
        """Per ellipsoid, its outline per shade layer: the outline of the linearised projection about
        its centre, the ellipse whose covariance is M M^T."""
        centre_cam = self.camera.to_camera(np.stack([e.centre for e in ellipsoids]))
        centres = self.camera.camera_to_pixels(centre_cam)
        x, y, z = centre_cam.T
        zero, one = np.zeros_like(z), np.ones_like(z)
        jacobian = (self.camera.focal_px / z)[:, None, None] * np.stack(
            [np.stack([one, zero, -x / z], axis=1), np.stack([zero, one, -y / z], axis=1)], axis=1)
        m = jacobian @ self.camera.rotation @ np.stack([e.axes for e in ellipsoids])
        eigval, eigvec = np.linalg.eigh(m @ np.swapaxes(m, 1, 2))
        outlines = (_CIRCLE * np.sqrt(np.maximum(eigval, 1e-9))[:, None, :]) @ np.swapaxes(eigvec, 1, 2)
        sizes = np.sqrt(eigval.max(axis=1))
        per_layer = [_subpixels(centres[:, None, :] + (self.highlight * ((1.0 - scale) * sizes * 0.8)[:, None])[:, None, :]
                                + scale * outlines) for scale, _ in _SHADE_LAYERS]
        return [[layer[i] for layer in per_layer] if centre_cam[i, 2] >= 0.05 else [] for i in range(len(ellipsoids))]


def _subpixels(points: np.ndarray) -> np.ndarray:
    """Pixel coordinates as the fixed-point integers OpenCV's antialiased fills take."""
    return np.round(points * SUBPIXEL).astype(np.int32)


def render_frame(participant: Participant, skeleton: Skeleton, camera: Camera, scene: Scene) -> RenderedFrame:
    """Draw one posed body over the scene background."""
    image = scene.background.copy()
    _paint_floor_shadow(image, skeleton, camera, participant, scene.shadow_strength)
    light_cam = camera.rotation @ scene.light
    sideways = float(np.linalg.norm(light_cam[:2]))
    highlight = light_cam[:2] / max(sideways, 1e-6) * min(1.0, sideways + 0.3)
    # A light from behind the camera brightens the visible side a little.
    brightness = scene.ambient * (0.85 + 0.15 * max(0.0, -float(light_cam[2])))
    canvas = _Canvas(image, camera, highlight, brightness)

    groups = _body_groups(participant, skeleton, camera)
    depths = [float(camera.to_camera(g[0][None])[0, 2]) for g in groups]
    canvas.paint_all([shape for index in np.argsort(depths)[::-1] for shape in groups[index][1]])
    cam = camera.to_camera(skeleton.landmarks)
    return RenderedFrame(image=image, landmarks_px=camera.camera_to_pixels(cam), landmark_depth=cam[:, 2])


def _paint_floor_shadow(
    image: np.ndarray, skeleton: Skeleton, camera: Camera, participant: Participant, strength: float
) -> None:
    lm = skeleton.landmarks
    feet = lm[[LEFT_HEEL, LEFT_FOOT_INDEX, LEFT_HEEL + 1, LEFT_FOOT_INDEX + 1]]
    centre = np.array([feet[:, 0].mean(), 0.0, (feet[:, 2].mean() + skeleton.pelvis[2]) / 2.0])
    radius = np.array([0.5 * (np.ptp(feet[:, 0]) + 0.3 * participant.height),
                       0.5 * (np.ptp(feet[:, 2]) + 0.25 * participant.height)])
    ring = np.stack([centre[0] + radius[0] * _CIRCLE[:, 0], np.zeros(len(_CIRCLE)),
                     centre[2] + radius[1] * _CIRCLE[:, 1]], axis=1)
    cam = camera.to_camera(ring)
    if np.any(cam[:, 2] < 0.05):
        return
    pts = camera.camera_to_pixels(cam)
    blur = max(2.0, 0.15 * float(np.ptp(pts[:, 1])))
    pad = int(3 * blur) + 2  # room for the blurred edge to fade out inside the patch
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + pad, [camera.width, camera.height])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.fillConvexPoly(mask, np.round((pts - [x0, y0]) * SUBPIXEL).astype(np.int32), 1.0, cv2.LINE_AA, SUBPIXEL_BITS)
    mask = cv2.GaussianBlur(mask, (0, 0), blur)
    roi = image[y0:y1, x0:x1]
    roi[:] = (roi * (1.0 - strength * mask[..., None])).astype(np.uint8)


def _shade(colour: RGB, factor: float) -> RGB:
    r, g, b = (int(min(255, c * factor)) for c in colour)
    return (r, g, b)


def _cross(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    """np.cross of two 3-vectors, with the same products in the same order, without its cost
    (about 20 us a call, a few dozen calls a frame)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def _body_groups(
    participant: Participant, skeleton: Skeleton, camera: Camera
) -> list[tuple[np.ndarray, list[_Shape]]]:
    """Shapes grouped by what must be painted together, each with the point its depth is sorted on."""
    p, lm = participant, skeleton.landmarks
    groups: list[tuple[np.ndarray, list[_Shape]]] = []
    # MediaPipe numbers every right-side landmark one after its left twin.
    for side, offset in (("left", 0), ("right", 1)):
        groups.extend(_leg_groups(p, skeleton, side, offset))
        groups.extend(_arm_groups(p, lm, side, offset))
    groups.extend(_torso_groups(p, skeleton))
    groups.append(_head_group(p, skeleton, camera))
    return groups


def _leg_groups(p: Participant, skeleton: Skeleton, side: Side, offset: int) -> list[tuple[np.ndarray, list[_Shape]]]:
    lm = skeleton.landmarks
    hip, knee, ankle = lm[LEFT_HIP + offset], lm[LEFT_KNEE + offset], lm[LEFT_ANKLE + offset]
    shin_colour = p.trousers if p.long_trousers else p.skin
    thigh = _Capsule(hip, knee, p.thigh_radius, 0.72 * p.thigh_radius, p.trousers)
    shank = _Capsule(knee, ankle, 0.95 * p.calf_radius, 0.6 * p.calf_radius, shin_colour)
    foot_rot = skeleton.foot_rotation(side)
    half = np.array([0.028 * p.height, 0.45 * p.ankle_height, 0.5 * p.foot_length])
    shoe_centre = ankle + foot_rot @ np.array([0.0, -0.5 * p.ankle_height, 0.5 * p.foot_length - p.heel_back])
    shoe = _Ellipsoid(shoe_centre, foot_rot * half, p.shoes)
    return [(thigh.centre, [thigh]), (shank.centre, [shank]), (shoe_centre, [shoe])]


def _arm_groups(p: Participant, lm: np.ndarray, side: Side, offset: int) -> list[tuple[np.ndarray, list[_Shape]]]:
    shoulder, elbow, wrist = lm[LEFT_SHOULDER + offset], lm[LEFT_ELBOW + offset], lm[LEFT_WRIST + offset]
    fingers = (lm[LEFT_INDEX + offset] + lm[LEFT_PINKY + offset]) / 2.0
    sleeve = p.shirt if p.long_sleeves else p.skin
    upper = [_Capsule(shoulder, elbow, p.upper_arm_radius, 0.85 * p.upper_arm_radius, sleeve)]
    if not p.long_sleeves:
        cuff = shoulder + 0.45 * (elbow - shoulder)
        upper.append(_Capsule(shoulder, cuff, 1.12 * p.upper_arm_radius, 1.05 * p.upper_arm_radius, p.shirt))
    forearm = _Capsule(elbow, wrist, 0.85 * p.forearm_radius, 0.65 * p.forearm_radius, sleeve)
    along = fingers - wrist
    length = float(np.linalg.norm(along))
    axis = along / max(length, 1e-6)
    across = _cross(axis, (0.0, 1.0, 0.0)) if abs(axis[1]) < 0.95 else np.array([1.0, 0.0, 0.0])
    across /= np.linalg.norm(across)
    normal = _cross(axis, across)
    hand_axes = np.stack([axis * 0.62 * length, across * 0.022 * p.height, normal * 0.03 * p.height], axis=1)
    hand = _Ellipsoid(wrist + 0.5 * along, hand_axes, p.skin)
    return [((shoulder + elbow) / 2, upper), (forearm.centre, [forearm]), (hand.centre, [hand])]


def _torso_groups(p: Participant, skeleton: Skeleton) -> list[tuple[np.ndarray, list[_Shape]]]:
    lm = skeleton.landmarks
    pelvis_rot, lumbar_rot, thorax_rot = skeleton.pelvis_rotation, skeleton.lumbar_rotation, skeleton.thorax_rotation
    depth = p.torso_depth / 2.0
    pelvis_centre = skeleton.pelvis + pelvis_rot @ np.array([0.0, 0.01 * p.height, -0.2 * depth])
    pelvis = _Ellipsoid(
        pelvis_centre,
        pelvis_rot * np.array([p.hip_half_width + 0.85 * p.thigh_radius, 0.085 * p.height, 1.05 * depth]),
        p.trousers,
    )
    lumbar_base = skeleton.pelvis + pelvis_rot @ np.array([0.0, 0.02 * p.height, -0.01 * p.height])
    belly = _Ellipsoid(
        (lumbar_base + skeleton.lumbar_top) / 2.0,
        lumbar_rot * np.array([p.hip_half_width + 0.7 * p.thigh_radius, 0.62 * p.lumbar_length, 0.9 * depth]),
        p.shirt,
    )
    chest_centre = skeleton.lumbar_top + thorax_rot @ np.array([0.0, 0.45 * p.thoracic_length, 0.0])
    chest = _Ellipsoid(
        chest_centre,
        thorax_rot * np.array([0.95 * p.shoulder_half_width, 0.62 * p.thoracic_length, depth]),
        p.shirt,
    )
    shoulders = _Capsule(lm[LEFT_SHOULDER], lm[LEFT_SHOULDER + 1], 1.25 * p.upper_arm_radius,
                         1.25 * p.upper_arm_radius, p.shirt)
    neck_top = skeleton.head_center + skeleton.head_rotation @ np.array(
        [0.0, -0.3 * p.head_height, -0.1 * p.head_depth]
    )
    neck = _Capsule(skeleton.neck_base, neck_top, 0.30 * p.head_width, 0.27 * p.head_width, p.skin)
    return [(pelvis_centre, [pelvis]), (chest_centre, [belly, chest, shoulders]), (skeleton.neck_base, [neck])]


def _head_group(p: Participant, skeleton: Skeleton, camera: Camera) -> tuple[np.ndarray, list[_Shape]]:
    centre, rot = skeleton.head_center, skeleton.head_rotation
    half = np.array([p.head_width, p.head_height, p.head_depth]) / 2.0
    toward_camera = camera.position - centre

    def facing(local: np.ndarray) -> bool:
        """Whether a point on the head surface (fractions of the half axes) faces the camera."""
        normal = rot @ (local / half)
        return float(np.dot(normal, toward_camera - rot @ (local * half))) > 0.0

    def surface_patch(x: float, y: float, size: tuple[float, float], colour: RGB, lift: float = 0.02) -> _Shape:
        """A flat disc lying on the face at fractional position (x, y)."""
        local = np.array([x, y, np.sqrt(max(1.0 - x * x - y * y, 0.0))])
        normal = rot @ (local / half)
        normal /= np.linalg.norm(normal)
        tangent_x = _cross((0.0, 1.0, 0.0), normal) if abs(normal[1]) < 0.95 else rot[:, 0]
        tangent_x /= np.linalg.norm(tangent_x)
        tangent_y = _cross(normal, tangent_x)
        position = centre + rot @ (local * half) + normal * lift * p.head_depth
        axes = np.stack([tangent_x * size[0] * half[0], tangent_y * size[1] * half[1], normal * 0.005], axis=1)
        return _Ellipsoid(position, axes, colour)

    ears = [
        (centre + rot @ (half * np.array([s, 0.0, -0.1])),
         _Ellipsoid(centre + rot @ (half * np.array([s * 0.97, 0.0, -0.1])),
                    rot * (half * np.array([0.10, 0.30, 0.17])), _shade(p.skin, 0.92)))
        for s in (1.0, -1.0)
    ]
    ears.sort(key=lambda e: -float(camera.to_camera(e[0][None])[0, 2]))
    hair = _Ellipsoid(centre + rot @ (half * np.array([0.0, 0.16, -0.10])), rot * (half * np.array([1.06, 1.0, 1.06])),
                      p.hair)
    head = _Ellipsoid(centre, rot * half, p.skin)

    shapes: list[_Shape] = [ears[0][1], hair, head]
    dark = (40, 30, 30)
    for s in (1.0, -1.0):
        if facing(np.array([s * 0.36, 0.08, 0.93])):
            shapes.append(surface_patch(s * 0.36, 0.08, (0.22, 0.10), (245, 245, 240)))
            shapes.append(surface_patch(s * 0.36, 0.08, (0.10, 0.09), dark, lift=0.03))
            shapes.append(surface_patch(s * 0.38, 0.26, (0.24, 0.035), _shade(p.hair, 0.8)))
    if facing(np.array([0.0, -0.48, 0.88])):
        shapes.append(surface_patch(0.0, -0.48, (0.28, 0.07), (150, 60, 60)))
    # The nose is a real bump so that it also juts out of the profile.
    nose_tip = rot @ (half * np.array([0.0, -0.20, 1.0]))
    if float(np.dot(nose_tip, toward_camera)) > -0.3 * float(np.linalg.norm(toward_camera) * np.linalg.norm(nose_tip)):
        shapes.append(_Ellipsoid(centre + 0.97 * nose_tip, rot * (half * np.array([0.11, 0.16, 0.14])),
                                 _shade(p.skin, 0.9)))
    shapes.append(ears[1][1])
    return centre, shapes


def project_landmarks(skeleton: Skeleton, camera: Camera) -> np.ndarray:
    """The skeleton's 33 landmarks in pixels."""
    return camera.project(skeleton.landmarks)


def render_clip(
    participant: Participant,
    poses: Sequence[Pose],
    camera: Camera,
    scene: Scene | None = None,
    rng: np.random.Generator | None = None,
) -> list[np.ndarray]:
    """RGB frames of a pose sequence seen by one camera; the scene is drawn from rng if not given."""
    return [frame.image for frame in render_clip_frames(participant, poses, camera, scene, rng)]


def render_clip_frames(
    participant: Participant,
    poses: Sequence[Pose],
    camera: Camera,
    scene: Scene | None = None,
    rng: np.random.Generator | None = None,
) -> list[RenderedFrame]:
    """Like render_clip, keeping each frame's projected landmarks."""
    if scene is None:
        scene = make_scene(camera, rng if rng is not None else np.random.default_rng(participant.participant_id))
    return [render_frame(participant, pose_skeleton(participant, pose), camera, scene) for pose in poses]
