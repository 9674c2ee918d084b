"""Calibrated probabilities for the learned models: per-criterion temperature scaling and the
reliability of the probabilities before and after it.

A network trained with binary cross-entropy on a few thousand synthetic repetitions is usually
over-confident: "pass · 0.99" on a repetition it gets wrong one time in ten. Temperature scaling
(Guo et al., 2017) divides each criterion's logit by one number fitted on the validation split, by
maximum likelihood. A positive temperature keeps every logit's sign, so no verdict changes: only the
probability shown beside it does. Reliability is measured on the test split, which the fit never
sees: the repetitions binned by predicted probability of passing, each bin's mean probability
against how often those repetitions passed, and the expected calibration error (ECE), the bins'
gaps weighted by their share of repetitions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import expit, log_expit

BINS = 10
# Fewer validation repetitions than this fit a temperature to noise: on SynthGym 1.0's 45
# participants (17-43 validation repetitions an exercise) the fitted temperatures made the test
# split's ECE worse on 21 of the vision and fusion models' 36 criteria; on the pose models' 450-600
# they made it worse on 4 of 54 (weights/README.md). Below it a model stays uncalibrated.
MIN_VALIDATION = 100
# Temperatures are searched between these (in log space); beyond them a criterion's logits carry
# no usable information (the fit would flatten every probability to the base rate) or are already
# near-certain; either way the bound is where the fit stops, and the card shows it.
LOG_T_BOUNDS = (np.log(0.05), np.log(20.0))


@dataclass(frozen=True)
class ReliabilityBin:
    """Repetitions whose predicted probability of passing fell in [low, high)."""

    low: float
    high: float
    count: int
    mean_prob: float | None  # None for an empty bin
    pass_rate: float | None


@dataclass(frozen=True)
class Reliability:
    """One criterion's reliability curve on a set of repetitions, and its ECE."""

    bins: list[ReliabilityBin]
    ece: float
    n: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reliability:
        return cls([ReliabilityBin(**item) for item in data["bins"]], float(data["ece"]), int(data["n"]))


@dataclass(frozen=True)
class CriterionCalibration:
    """A criterion's fitted temperature and its reliability on the test split before and after."""

    temperature: float
    before: Reliability
    after: Reliability

    def to_dict(self) -> dict[str, object]:
        return {"temperature": self.temperature, "before": self.before.to_dict(), "after": self.after.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CriterionCalibration:
        return cls(float(data["temperature"]), Reliability.from_dict(data["before"]), Reliability.from_dict(data["after"]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T > 0 that maximises the likelihood of ``labels`` (1 pass, 0 fail) under
    sigmoid(logits / T). One class only, or no repetition, fits nothing: T = 1."""
    from scipy.optimize import minimize_scalar  # only training and `gymcore calibrate` fit

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if len(z) == 0 or y.min() == y.max():
        return 1.0

    def loss(log_t: float) -> float:
        scaled = z / np.exp(log_t)
        return -float(np.mean(y * log_expit(scaled) + (1.0 - y) * log_expit(-scaled)))

    found = minimize_scalar(loss, bounds=LOG_T_BOUNDS, method="bounded", options={"xatol": 1e-4})
    return float(np.exp(found.x))


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> Reliability:
    """The reliability curve of predicted pass probabilities against the labels, in ``bins`` equal
    bins of [0, 1], and the ECE."""
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out, gap = [], 0.0
    for index in range(bins):
        chosen = which == index
        count = int(chosen.sum())
        mean_prob = float(p[chosen].mean()) if count else None
        pass_rate = float(y[chosen].mean()) if count else None
        if count:
            gap += count * abs(mean_prob - pass_rate)
        out.append(ReliabilityBin(float(edges[index]), float(edges[index + 1]), count, mean_prob, pass_rate))
    return Reliability(out, gap / len(p) if len(p) else 0.0, len(p))


def calibrate(val_logits: np.ndarray, val_labels: np.ndarray, test_logits: np.ndarray, test_labels: np.ndarray,
              ids: list[str]) -> dict[str, CriterionCalibration]:
    """Per criterion (columns in ``ids`` order): the temperature fitted on the validation split and
    the test split's reliability before and after it."""
    out = {}
    for column, cid in enumerate(ids):
        temperature = fit_temperature(val_logits[:, column], val_labels[:, column])
        out[cid] = CriterionCalibration(
            temperature,
            reliability(expit(test_logits[:, column]), test_labels[:, column]),
            reliability(expit(test_logits[:, column] / temperature), test_labels[:, column]),
        )
    return out


def calibration_card(fitted: dict[str, CriterionCalibration], val_n: int, test_n: int) -> dict[str, object]:
    """What a model card keeps of a calibration (``ModelCard.calibration``)."""
    return {"method": "temperature scaling per criterion (decisions unchanged)",
            "fitted_on": f"validation split ({val_n} repetitions)",
            "measured_on": f"test split ({test_n} repetitions), {BINS} bins",
            "criteria": {cid: item.to_dict() for cid, item in fitted.items()}}


def calibration_is_sound(calibration: object) -> bool:
    """Whether a card's ``calibration`` is empty (uncalibrated) or gives each criterion it names a
    positive finite temperature (the manifest is not trusted: gymcore.models.weights)."""
    if calibration == {}:
        return True
    criteria = calibration.get("criteria") if isinstance(calibration, dict) else None
    if not isinstance(criteria, dict) or not criteria:
        return False
    temperatures = [item.get("temperature") if isinstance(item, dict) else None for item in criteria.values()]
    return all(isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) and t > 0
               for t in temperatures)


def card_temperatures(card: dict[str, object], ids: list[str]) -> np.ndarray | None:
    """The temperatures of a card's calibration, in ``ids`` order (a criterion it does not name
    keeps 1); None for an uncalibrated card. The card was checked by ``calibration_is_sound``."""
    criteria = (card.get("calibration") or {}).get("criteria")
    if not criteria:
        return None
    return np.array([float(criteria[cid]["temperature"]) if cid in criteria else 1.0 for cid in ids], dtype=np.float32)
