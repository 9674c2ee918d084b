"""Metrics of docs/architecture.md step 8: Hamming loss, the paper's F1, macro F1, exact match.

``f1_paper`` is the published figure: over all labels pooled, the mean of the F1 of the positive
class and the F1 of the negative class. ``f1_macro`` is the mean of the per-criterion F1 of the
positive class. A class absent from both truth and prediction counts as F1 = 1 (nothing to miss).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from gymcore.judging.types import Verdict


def f1_score(truth: np.ndarray, predicted: np.ndarray, positive: int = 1) -> float:
    truth_pos, pred_pos = truth == positive, predicted == positive
    true_pos = float(np.sum(truth_pos & pred_pos))
    denominator = float(np.sum(truth_pos) + np.sum(pred_pos))
    return 1.0 if denominator == 0 else 2.0 * true_pos / denominator


@dataclass
class CriterionMetrics:
    hamming_loss: float
    f1: float


@dataclass
class Metrics:
    hamming_loss: float
    f1_paper: float
    f1_macro: float
    exact_match: float
    n_samples: int
    per_criterion: dict[str, CriterionMetrics]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def multilabel_metrics(truth: np.ndarray, predicted: np.ndarray, criterion_ids: list[str]) -> Metrics:
    """(N, L) 0/1 truth and predictions -> the paper's metrics and per-criterion ones."""
    truth = np.asarray(truth).astype(int)
    predicted = np.asarray(predicted).astype(int)
    wrong = truth != predicted
    per_criterion = {cid: CriterionMetrics(float(wrong[:, j].mean()) if len(truth) else 0.0,
                                           f1_score(truth[:, j], predicted[:, j]))
                     for j, cid in enumerate(criterion_ids)}
    return Metrics(
        hamming_loss=float(wrong.mean()) if truth.size else 0.0,
        f1_paper=(f1_score(truth, predicted, 1) + f1_score(truth, predicted, 0)) / 2.0,
        f1_macro=float(np.mean([m.f1 for m in per_criterion.values()])),
        exact_match=float((~wrong).all(axis=1).mean()) if len(truth) else 0.0,
        n_samples=int(len(truth)),
        per_criterion=per_criterion,
    )


NOT_ASSESSABLE_POLICY = "a criterion a model declines to judge counts as an error"


def predictions(truth: np.ndarray, criterion_ids: list[str], verdicts: list[dict[str, Verdict]]) -> np.ndarray:
    """0/1 per repetition and criterion against the (N, L) 0/1 truth; a criterion the model
    declines to judge counts as an error."""
    truth = np.asarray(truth).astype(int)
    return np.array([[int(rep[cid].passed) if rep[cid].assessable else 1 - truth[i, j]
                      for j, cid in enumerate(criterion_ids)] for i, rep in enumerate(verdicts)],
                    dtype=int).reshape(len(truth), len(criterion_ids))
