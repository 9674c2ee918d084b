"""Data: the published ALEX-GYM-1 layout, dataset loading, and the bundled sample clips."""
