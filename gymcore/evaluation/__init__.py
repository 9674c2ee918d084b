"""Evaluation: metrics, dataset evaluation, repetition counting, the published and measured
figures, and the benchmarks."""
