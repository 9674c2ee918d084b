"""Repetitions: the movement signal of each view, its segmentation into repetitions, and the
alignment of the two views (docs/architecture.md)."""
