"""Training under torchrun (gymcore.training.distributed): two processes train the single process's
model up to floating-point noise, write one card that says so, and resume from their checkpoint.

The tolerance. After two epochs on this data the single-process fp32 run is itself about 6e-5
(pose) and 1.5e-4 (classifier) from the same training in fp64, and the two-process run is as far
from fp64 as the single one; the two fp32 runs differ by 1.5e-5 (pose) and 5e-5 (classifier) in
their weights, 3e-6 and 5.4e-4 in their BatchNorm statistics. Adam moves each weight by about
its learning rate (1e-4) a step whatever the gradient's size, so anything of substance that differs
(a sample, a slice's own BatchNorm statistics, a rank's own dropout masks) shows at once: 2e-4 in
the weights and 2e-2 in the statistics after the first step, 1e-3 and 0.5 after six (measured by
swapping the global-batch layers back). Hence 2e-4 for weights and 5e-3 for statistics.

The data is sized so that no step trains on a tiny batch: 13 participants, 3 repetitions each,
give 27 training repetitions (a batch of 16 and one of 11, split 5/6: slices of different sizes);
BatchNorm over 2 or 3 samples makes the gradient so ill-conditioned that any two fp32 runs part.
"""

import json
import os
import subprocess
import sys
from copy import deepcopy
from pathlib import Path

import numpy as np
import pytest
import torch
from tinygym import write_tiny_dataset

from gymcore.training import distributed
from gymcore.training.distributed import DistributedError, Run
from gymcore.training.trainer import train

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_TOLERANCE = 2e-4
STATISTICS_TOLERANCE = 5e-3


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_tiny_dataset(tmp_path_factory.mktemp("ddp") / "data", ("squat", "lunges"), participants=13, reps=3)


def torchrun(data: Path, model: str, epochs: int, out: Path) -> None:
    """``torchrun --standalone --nproc_per_node 2 -m gymcore train`` (gloo on the CPU, a free port)."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "gymcore",
               "train", "--data", str(data), "--exercise", "squat", "--model", model, "--epochs", str(epochs),
               "--threads", "1", "--weights-dir", str(out / "weights"), "--work-dir", str(out / "run")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]


def single(data: Path, model: str, epochs: int, out: Path):
    torch.set_num_threads(1)  # as each torchrun process (--threads 1)
    return train(data, "squat", model, "cpu", weights_dir=out / "weights", work_dir=out / "run", max_epochs=epochs,
                 progress=False)


def checkpoint(out: Path) -> dict:
    return torch.load(out / "run" / "checkpoint.pt", weights_only=True)


def largest_differences(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> tuple[float, float]:
    """Max abs difference of the weights, and of the BatchNorm running statistics."""
    floats = [name for name, tensor in a.items() if tensor.is_floating_point()]
    gaps = {name: float((a[name] - b[name]).abs().max()) for name in floats}
    return (max(gap for name, gap in gaps.items() if "running_" not in name),
            max(gap for name, gap in gaps.items() if "running_" in name))


def card(out: Path, stem: str) -> dict:
    return json.loads((out / "weights" / f"{stem}.card.json").read_text())


@pytest.mark.slow
def test_two_processes_resume_and_train_the_single_process_pose_model(data, tmp_path):
    alone = single(data, "pose", 2, tmp_path / "single")
    torchrun(data, "pose", 1, tmp_path / "ddp")  # interrupted after an epoch...
    torchrun(data, "pose", 2, tmp_path / "ddp")  # ...and resumed from rank 0's checkpoint
    together = checkpoint(tmp_path / "ddp")
    weights, statistics = largest_differences(checkpoint(tmp_path / "single")["model"], together["model"])
    assert weights < WEIGHTS_TOLERANCE and statistics < STATISTICS_TOLERANCE, (weights, statistics)
    assert [r["val_loss"] for r in together["state"]["history"]] == pytest.approx(
        [r.val_loss for r in alone.history], abs=1e-4)
    assert alone.card["training"]["world_size"] == 1
    shared = card(tmp_path / "ddp", "pose_squat_compact")
    assert shared["training"]["world_size"] == 2 and shared["training"]["epochs"] == 2
    assert shared["command"].startswith("torchrun --nproc_per_node 2 -m gymcore train")


@pytest.mark.slow
def test_two_processes_train_the_single_process_classifier(data, tmp_path):
    single(data, "classifier", 2, tmp_path / "single")
    torchrun(data, "classifier", 2, tmp_path / "ddp")
    weights, statistics = largest_differences(checkpoint(tmp_path / "single")["model"],
                                              checkpoint(tmp_path / "ddp")["model"])
    assert weights < WEIGHTS_TOLERANCE and statistics < STATISTICS_TOLERANCE, (weights, statistics)
    assert card(tmp_path / "ddp", "classifier_all_compact")["training"]["world_size"] == 2


@pytest.mark.slow
def test_a_resumed_single_process_run_is_the_uninterrupted_one(data, tmp_path):
    single(data, "pose", 2, tmp_path / "whole")
    single(data, "pose", 1, tmp_path / "parts")
    single(data, "pose", 2, tmp_path / "parts")  # the checkpoint keeps the random state: the same dropout masks
    whole, parts = checkpoint(tmp_path / "whole"), checkpoint(tmp_path / "parts")
    assert all(torch.equal(whole["model"][name], parts["model"][name]) for name in whole["model"])


def test_torchrun_with_more_processes_than_samples_is_refused():
    with pytest.raises(DistributedError, match="start at most 16"):
        distributed.check_world(Run(world_size=17, launched=True), 100, 16, "D")
    with pytest.raises(DistributedError, match="only 5 samples"):
        distributed.check_world(Run(world_size=8, launched=True), 5, 16, "D")
    distributed.check_world(Run(world_size=2, launched=True), 5, 16, "D")


def test_the_run_is_read_from_torchrun_environment(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    with distributed.session() as run:
        assert run == Run() and distributed.launcher(run) == "python"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    run = distributed._launched_run()
    assert run == Run(world_size=4, rank=3, local_world_size=2, device="cpu", launched=True) and not run.leader
    assert distributed.launcher(run) == "torchrun --nproc_per_node 2 --nnodes 2"


@pytest.fixture
def one_process_group(tmp_path):
    """A gloo process group of this process alone, for the global-batch layers' collectives."""
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_global_batch_layers_on_one_process_are_batchnorm_and_dropout(one_process_group):
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Conv2d(4, 6, 1), torch.nn.BatchNorm2d(6), torch.nn.Dropout(0.3))
    batch = distributed.BatchSlice(rows=5, start=0, stop=5)
    converted = distributed._with_global_batch_layers(deepcopy(reference), batch)
    assert isinstance(converted[1], distributed.GlobalBatchNorm) and isinstance(converted[2], distributed.SliceDropout)
    x = torch.randn(5, 4, 3, 2)
    outputs = []
    for net in (reference, converted):
        torch.manual_seed(1)
        out = net(x)
        out.square().sum().backward()
        outputs.append((out.detach(), net[0].weight.grad, net[1].running_var))
    (out_a, grad_a, var_a), (out_b, grad_b, var_b) = outputs
    assert torch.equal(out_a == 0, out_b == 0)  # the same dropout mask, bit for bit
    assert torch.allclose(out_a, out_b, atol=1e-5) and torch.allclose(grad_a, grad_b, atol=1e-4)
    assert torch.allclose(var_a, var_b, atol=1e-6)
    converted.eval()
    reference.eval()
    assert torch.allclose(reference(x), converted(x), atol=1e-6)


def test_a_slice_draws_its_rows_of_the_global_mask():
    whole = distributed.SliceDropout(0.5, distributed.BatchSlice(rows=6, start=0, stop=6))
    part = distributed.SliceDropout(0.5, distributed.BatchSlice(rows=6, start=2, stop=5))
    x = torch.ones(6, 8)
    torch.manual_seed(2)
    expected = whole(x)[2:5]
    torch.manual_seed(2)
    assert np.array_equal(part(x[2:5]).numpy(), expected.numpy())
