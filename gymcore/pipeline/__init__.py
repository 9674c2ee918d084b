"""The pipeline: ``assess`` runs perception, recognition, repetitions and judging as one pass."""
