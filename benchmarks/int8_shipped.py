"""int8 (NNCF, as the bench's int8 row) on the shipped compact models, whose weights are trained:
|Δprob| against fp32 and verdicts flipped on SynthGym test repetitions. The bench's check uses
seeded weights, whose logits lie near 0 and hardly move; trained logits spread ~2, which shows
what int8 costs in accuracy. Usage: PYTHONPATH=. python benchmarks/int8_shipped.py <SynthGym folder>
"""

import sys
from pathlib import Path

import numpy as np
import torch
from scipy.special import expit

from gymcore.evaluation.bench_models import synthgym_inputs
from gymcore.judging.learned import load_criteria_model
from gymcore.models.engine import int8_runner

torch.set_num_threads(2)
data = Path(sys.argv[1])
for name in ("fusion", "vision"):
    model = load_criteria_model(name, "squat")
    net = model.net.eval()
    calibration, fixed = ([{key: value for key, value in sample.items() if key.split("_")[0] in net.input_kinds}
                           for sample in synthgym_inputs(data, split, count, model.image_size)]
                          for split, count in (("train", 32), ("test", 20)))
    run = int8_runner(net, {key: value.shape[1:] for key, value in calibration[0].items()}, calibration)
    with torch.no_grad():
        reference = expit(np.concatenate([net({k: torch.from_numpy(v) for k, v in s.items()}).numpy() for s in fixed]))
    quantised = expit(np.concatenate([run(s) for s in fixed]))
    gaps = np.abs(quantised - reference)
    flips = int(((quantised >= 0.5) != (reference >= 0.5)).sum())
    print(f"{name} ({model.weights.file}): |Δprob| max {gaps.max():.2f}, median {np.median(gaps):.3f},"
          f" verdicts flipped {flips} of {gaps.size}")
