"""The fusion model quantised to int8 (NNCF, OpenVINO) gives probabilities within the bench's
tolerance of the fp32 model with the same weights, on dataset repetitions it was not calibrated on.
Speed is the bench's business (``python -m gymcore bench --only models --data ...``), not a test's."""

import numpy as np
import torch
from tinygym import write_tiny_dataset

from gymcore.evaluation.bench_models import TOLERANCE, int8_check
from gymcore.models.registry import build_model


def test_int8_fusion_probabilities_stay_within_tolerance_of_fp32(tmp_path):
    # The compact fusion model at 32 x 32 frames: the same layers as the paper's at 224, converted
    # and quantised in seconds.
    root = write_tiny_dataset(tmp_path / "tiny", participants=10, reps=2)
    torch.manual_seed(0)
    net = build_model("fusion", "squat", "compact").eval()
    check = int8_check(net, root, calibration=4, fixed=4, image_size=32)
    run, reference, quantised = check.run, check.reference, check.quantised

    # The graph really computes in int8: the CPU plugin runs its convolutions on u8/i8 tensors.
    precisions = {op.get_rt_info()["runtimePrecision"].astype(str)
                  for op in run.compiled.get_runtime_model().get_ops() if "runtimePrecision" in op.get_rt_info()}
    assert precisions & {"u8", "i8"}
    assert quantised.shape == reference.shape == (4, 6)
    assert check.gaps.max() <= TOLERANCE
    # Seeded weights answer nearly the same whatever the input (logits within 0.001 across repetitions),
    # so closeness alone would pass a graph that ignored its input: the int8 logits must also follow
    # the fp32 ones from repetition to repetition (0.87 measured; 0 for a constant).
    spread_fp32, spread_int8 = reference - reference.mean(axis=0), quantised - quantised.mean(axis=0)
    assert np.corrcoef(spread_fp32.ravel(), spread_int8.ravel())[0, 1] > 0.5
