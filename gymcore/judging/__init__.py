"""Judging: what every criteria model takes and gives (``types``), the rules model and the adapter
of the learned ones, and the registry that names and loads them (docs/architecture.md)."""
