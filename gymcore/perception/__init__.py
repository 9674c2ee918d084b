"""Perception: from a clip to poses, angles, features and the checks of the track.

``video`` decodes, ``pose`` runs MediaPipe, ``angles`` and ``features`` measure, ``trackcheck``
judges whether a view can be trusted, and ``analysis`` runs them as one pass per clip
(docs/architecture.md).
"""

from gymcore.perception.analysis import VIEWS, Perception, ViewAnalysis, analyse_clips, analyse_view

__all__ = ["VIEWS", "Perception", "ViewAnalysis", "analyse_clips", "analyse_view"]
