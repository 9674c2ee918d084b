"""int8 (NNCF, as the bench's int8 row) on the shipped compact models, whose weights are trained:
|Δprob| against fp32 and verdicts flipped on SynthGym test repetitions. The bench's check uses
seeded weights, whose logits lie near 0 and hardly move; trained logits spread ~2, which shows
what int8 costs in accuracy. Usage: PYTHONPATH=. python benchmarks/int8_shipped.py <SynthGym folder>
"""

import sys
from pathlib import Path

import numpy as np
import torch

from gymcore.evaluation.bench_models import int8_check
from gymcore.judging.learned import load_criteria_model

torch.set_num_threads(2)
data = Path(sys.argv[1])
for name in ("fusion", "vision"):
    model = load_criteria_model(name, "squat")
    check = int8_check(model.net.eval(), data, calibration=32, fixed=20, image_size=model.image_size)
    gaps = check.gaps
    flips = int(((check.quantised >= 0) != (check.reference >= 0)).sum())
    print(f"{name} ({model.weights.file}): |Δprob| max {gaps.max():.2f}, median {np.median(gaps):.3f},"
          f" verdicts flipped {flips} of {gaps.size}")
