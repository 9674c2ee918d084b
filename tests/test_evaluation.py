"""The paper's metrics on small hand-checked cases."""

import numpy as np
import pytest

from gymcore.evaluation.metrics import f1_score, multilabel_metrics


def test_metrics_match_hand_computation():
    truth = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]])
    predicted = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]])
    metrics = multilabel_metrics(truth, predicted, ["a", "b", "c"])
    assert metrics.hamming_loss == pytest.approx(2 / 12)
    assert metrics.exact_match == pytest.approx(2 / 4)
    # pooled: 7 true positives, 1 false positive, 1 false negative; 3 true negatives
    f1_positive = 2 * 7 / (2 * 7 + 1 + 1)
    f1_negative = 2 * 3 / (2 * 3 + 1 + 1)
    assert metrics.f1_paper == pytest.approx((f1_positive + f1_negative) / 2)
    assert metrics.per_criterion["a"].hamming_loss == pytest.approx(1 / 4)
    assert metrics.per_criterion["b"].f1 == pytest.approx(1.0)
    assert metrics.per_criterion["c"].f1 == pytest.approx(2 * 2 / (2 * 2 + 0 + 1))
    assert metrics.f1_macro == pytest.approx(np.mean([m.f1 for m in metrics.per_criterion.values()]))


def test_f1_of_a_class_absent_everywhere_is_one():
    assert f1_score(np.zeros(4), np.zeros(4), positive=1) == 1.0


def test_counting_repetitions_in_a_folder_without_demo_clips_says_how_to_make_them(tmp_path, capsys):
    from gymcore.cli.main import main

    assert main(["evaluate", "--demo-clips", str(tmp_path), "--json", str(tmp_path / "out.json")]) == 2
    assert "python -m gymcore synth --demo-clips" in capsys.readouterr().err
