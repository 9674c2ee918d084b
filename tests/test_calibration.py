"""Temperature scaling and reliability (gymcore.models.calibration) on draws whose calibration is known."""

import numpy as np
import pytest
from scipy.special import expit

from gymcore.models.calibration import calibrate, calibration_is_sound, card_temperatures, fit_temperature, reliability


def draws(temperature: float, n: int = 20000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits, and labels drawn so that sigmoid(logit / temperature) is the true pass probability."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, n)
    return logits, (rng.random(n) < expit(logits / temperature)).astype(float)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.5])
def test_the_fitted_temperature_is_the_one_the_labels_were_drawn_with(temperature):
    logits, labels = draws(temperature)
    assert fit_temperature(logits, labels) == pytest.approx(temperature, rel=0.08)


def test_one_class_or_no_repetition_fits_nothing():
    assert fit_temperature(np.array([1.0, 2.0]), np.array([1.0, 1.0])) == 1.0
    assert fit_temperature(np.array([]), np.array([])) == 1.0


def test_reliability_bins_every_repetition_and_its_ece_measures_the_gap():
    logits, labels = draws(2.5, seed=1)
    honest = reliability(expit(logits / 2.5), labels)
    over_confident = reliability(expit(logits), labels)
    assert sum(item.count for item in honest.bins) == honest.n == len(labels)
    assert honest.ece < 0.02 < 0.05 < over_confident.ece
    # Over-confident: in the top bin, fewer pass than the probabilities say.
    top = over_confident.bins[-1]
    assert top.low == 0.9 and top.pass_rate < top.mean_prob


def test_calibrate_fits_on_validation_and_measures_on_test_per_criterion():
    val_a, val_y_a = draws(2.0, n=5000, seed=2)
    val_b, val_y_b = draws(0.5, n=5000, seed=3)
    test_a, test_y_a = draws(2.0, n=5000, seed=4)
    test_b, test_y_b = draws(0.5, n=5000, seed=5)
    fitted = calibrate(np.stack([val_a, val_b], 1), np.stack([val_y_a, val_y_b], 1), np.stack([test_a, test_b], 1),
                       np.stack([test_y_a, test_y_b], 1), ["a", "b"])
    assert fitted["a"].temperature == pytest.approx(2.0, rel=0.1) and fitted["b"].temperature == pytest.approx(0.5, rel=0.1)
    assert all(item.after.ece < item.before.ece for item in fitted.values())


def test_a_card_without_sound_temperatures_is_refused_and_a_sound_one_read_in_criterion_order():
    card = {"calibration": {"criteria": {"b": {"temperature": 2.0}, "a": {"temperature": 0.5}}}}
    assert calibration_is_sound(card["calibration"]) and calibration_is_sound({})
    assert card_temperatures(card, ["a", "b", "c"]).tolist() == [0.5, 2.0, 1.0]
    assert card_temperatures({}, ["a"]) is None
    for broken in ({"criteria": {"a": {"temperature": -1.0}}}, {"criteria": {"a": {"temperature": float("inf")}}},
                   {"criteria": {"a": {"temperature": "2"}}}, {"criteria": {"a": {"temperature": True}}},
                   {"criteria": []}, {"criteria": {}}, "temperature 2", {"criteria": {"a": 2.0}}):
        assert not calibration_is_sound(broken), broken
