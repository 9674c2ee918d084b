"""Names that the builders (gymcore.models.registry), the judging registry, the pages and the
command line share, without torch or numpy: the learned models' names, labels and descriptions,
the inference engines and the models an assessment offers."""

from __future__ import annotations

from dataclasses import dataclass

from gymcore.criteria import VIEWS


@dataclass(frozen=True)
class ModelName:
    """How a criteria model is named and shown."""

    name: str  # the key in commands, JSON and the manifest
    label: str  # short, for table headings and check boxes
    title: str  # long, for the tables that compare models with the papers
    description: str


LEARNED_MODELS: dict[str, ModelName] = {model.name: model for model in (
    ModelName("pose", "Pose", "Pose (Angles+Distances)",
              "pose model: distance and angle features of both views (Table 4, Angles+Distances)"),
    ModelName("pose_raw", "Pose (raw)", "Pose (Raw)", "pose ablation: raw landmarks (Table 4, Pose (Raw))"),
    ModelName("pose_distances", "Pose (distances)", "Pose (Distances)",
              "pose ablation: the 528 distances only (Table 4)"),
    ModelName("pose_angles", "Pose (angles)", "Pose (Angles)", "pose ablation: the 5456 angle cosines only (Table 4)"),
    ModelName("vision", "Vision", "Vision-Based (3D ResNet)", "vision model: two ResNet3D-18 streams (frontal, lateral)"),
    ModelName("fusion", "Fusion", "Multi-Modal (fusion)",
              "multi-modal model: vision and pose streams, multi-stage fusion head"),
)}
CLASSIFIER = "classifier"
# The inference engines (gymcore.models.engine).
ENGINES = ("torch", "openvino")
# The models an assessment offers: the rules and the paper's three.
ASSESS_MODELS = ("rules", "pose", "vision", "fusion")


def views_option(views: tuple[str, ...]) -> str:
    """The command line's ``--views`` naming ``views`` ("" for both, the default)."""
    return "" if tuple(views) == VIEWS else f" --views {','.join(views)}"
