"""Training on several processes under torchrun (DistributedDataParallel), ending with the model a
single process trains, up to floating-point noise.

``torchrun --nproc_per_node N -m gymcore train ...`` starts N copies of the command; each reads its
place in the run from the environment torchrun sets (WORLD_SIZE, RANK, LOCAL_RANK,
LOCAL_WORLD_SIZE) and joins a process group: NCCL with one GPU per process where CUDA is
available, gloo on the CPU otherwise. A plain run (no torchrun) does none of this and trains as it
always has, on the CPU.

Why N processes train the single process's model:

- The same samples per step. The epoch's permutation and its global batches (the preset's batch
  size) are the single process's; process r takes a contiguous slice of each global batch (slices
  differ in size by one at most).
- The same gradient. DDP averages the processes' gradients; each process weights its slice's mean
  loss by the slice's share of the global batch, times N (which the average divides out), so the
  average is the gradient of the global batch's mean loss, also when the slices differ in size.
- The same BatchNorm statistics. In training, BatchNorm normalises by the statistics of the whole
  global batch, summed over the processes (``GlobalBatchNorm``); BatchNorm on a slice would use the
  slice's statistics, and torch's SyncBatchNorm refuses CPU tensors.
- The same dropout masks. Every process seeds torch alike, and each dropout layer draws the mask of
  the whole global batch, as the single process does, and keeps its slice's rows
  (``SliceDropout``), so the random streams never diverge. On the CPU the mask comes from the same
  kernel as nn.Dropout's, bit for bit; on CUDA nn.Dropout uses a fused kernel with other random
  numbers, so GPU runs agree with each other whatever N, not with a CPU run.
- The same decisions. Process 0 computes the validation loss on the whole split, as the single
  process does, and broadcasts it, so the learning-rate schedule, the best epoch and early
  stopping are decided alike everywhere.

Only process 0 writes checkpoints, weights, curves and the model card; every process can resume
from the checkpoint (they read the same file: the processes of a node share its disk).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.parallel import DistributedDataParallel

from gymcore.errors import InputError

# Process 0 alone fills the dataset cache and measures the test split while the others wait in a
# collective; the default timeout (10 minutes for NCCL) is shorter than that can take on a big dataset.
COLLECTIVE_TIMEOUT = timedelta(hours=2)


class DistributedError(InputError):
    """torchrun started a run that cannot train as asked (more processes than samples or GPUs)."""


@dataclass(frozen=True)
class Run:
    """This process's place in the training run; the defaults are a plain single-process run."""

    world_size: int = 1
    rank: int = 0
    local_world_size: int = 1
    device: str = "cpu"
    launched: bool = False  # started by torchrun, in a process group

    @property
    def leader(self) -> bool:
        return self.rank == 0


def leader_process() -> bool:
    """Whether this process is the one that reports (process 0 under torchrun, or a plain run)."""
    return int(os.environ.get("RANK", "0")) == 0


@contextmanager
def session() -> Iterator[Run]:
    """The run this process belongs to; under torchrun, inside its process group, left together."""
    run = _launched_run()
    if not run.launched:
        yield run
        return
    if run.device.startswith("cuda"):
        torch.cuda.set_device(run.device)
        dist.init_process_group("nccl", timeout=COLLECTIVE_TIMEOUT, device_id=torch.device(run.device))
    else:
        dist.init_process_group("gloo", timeout=COLLECTIVE_TIMEOUT)
    try:
        yield run
        dist.barrier()  # nobody leaves before process 0 has written the weights and the card
    finally:
        dist.destroy_process_group()


def _launched_run() -> Run:
    if "WORLD_SIZE" not in os.environ or "RANK" not in os.environ:
        return Run()
    world_size, local_rank = int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    local_world_size = int(os.environ.get("LOCAL_WORLD_SIZE", world_size))
    if not torch.cuda.is_available():
        return Run(world_size, int(os.environ["RANK"]), local_world_size, "cpu", launched=True)
    if local_world_size > torch.cuda.device_count():
        raise DistributedError(f"torchrun started {local_world_size} processes on this machine, but it has"
                               f" {torch.cuda.device_count()} GPUs; start one per GPU (--nproc_per_node).")
    return Run(world_size, int(os.environ["RANK"]), local_world_size, f"cuda:{local_rank}", launched=True)


@contextmanager
def leader_first(run: Run) -> Iterator[None]:
    """Process 0 runs the block first (it fills the dataset cache, which is written without locks),
    then the others (which read it)."""
    if run.launched and not run.leader:
        dist.barrier()
    yield
    if run.launched and run.leader:
        dist.barrier()


def from_leader(run: Run, value: object) -> object:
    """Process 0's ``value``, on every process."""
    if not run.launched:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def check_world(run: Run, train_rows: int, batch_size: int, what: str) -> None:
    """Every process needs rows of every full training batch."""
    if run.world_size > batch_size:
        raise DistributedError(f"torchrun started {run.world_size} processes, but a training step has {batch_size}"
                               f" samples to share among them; start at most {batch_size}.")
    if run.world_size > train_rows:
        raise DistributedError(f"torchrun started {run.world_size} processes, but the training split of {what} has"
                               f" only {train_rows} samples; start at most {train_rows}, or train in one process.")


def launcher(run: Run) -> str:
    """How the command that trained was started, for the model card."""
    if not run.launched:
        return "python"
    nodes = run.world_size // run.local_world_size
    return f"torchrun --nproc_per_node {run.local_world_size}" + (f" --nnodes {nodes}" if nodes > 1 else "")


def rng_state(device: str) -> dict[str, torch.Tensor]:
    """torch's random state on this process: a checkpoint keeps it, so that a resumed run draws the
    dropout masks the uninterrupted run would have."""
    state = {"cpu": torch.get_rng_state()}
    if device.startswith("cuda"):
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def restore_rng(state: dict[str, torch.Tensor], device: str) -> None:
    torch.set_rng_state(state["cpu"])
    if device.startswith("cuda") and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


class Replica:
    """The network as one process trains it. This base is the plain single-process run: the network
    itself, every row of every batch, nothing shared."""

    def __init__(self, net: nn.Module, run: Run) -> None:
        self.run = run
        self.local = net  # the network on this process: its parameters, state and validation
        self.module: nn.Module = net  # what the training step calls

    def rows(self, batch: np.ndarray) -> np.ndarray:
        """This process's rows of a global batch."""
        return batch

    def loss(self, loss_fn: nn.Module, logits: torch.Tensor, targets: torch.Tensor, batch_rows: int) -> torch.Tensor:
        return loss_fn(logits, targets)

    def global_losses(self, losses: list[float]) -> list[float]:
        """The global batches' mean losses, from the values ``loss`` returned on this process."""
        return losses

    def on_leader(self, compute: Callable[[], float]) -> float:
        """``compute()`` as process 0 found it, on every process."""
        return compute()

    def copy_to(self, net: nn.Module) -> None:
        """Leave the trained weights in ``net``."""


class DistributedReplica(Replica):
    """A copy of the network on this process's device whose BatchNorm and dropout layers act on the
    global batch, wrapped in DistributedDataParallel."""

    def __init__(self, net: nn.Module, run: Run) -> None:
        super().__init__(net, run)
        self.batch = BatchSlice()
        self.local = _with_global_batch_layers(deepcopy(net), self.batch).to(run.device)
        self.module = DistributedDataParallel(self.local, device_ids=[run.device] if run.device != "cpu" else None)

    def rows(self, batch: np.ndarray) -> np.ndarray:
        start = self.run.rank * len(batch) // self.run.world_size
        stop = (self.run.rank + 1) * len(batch) // self.run.world_size
        self.batch.rows, self.batch.start, self.batch.stop = len(batch), start, stop
        return batch[start:stop]

    def loss(self, loss_fn: nn.Module, logits: torch.Tensor, targets: torch.Tensor, batch_rows: int) -> torch.Tensor:
        if len(targets) == 0:  # the last batch can be smaller than the world: this process still joins DDP's reduce
            return logits.sum() * 0.0
        return loss_fn(logits, targets) * (len(targets) * self.run.world_size / batch_rows)

    def global_losses(self, losses: list[float]) -> list[float]:
        total = torch.tensor(losses, dtype=torch.float64, device=self.run.device)
        dist.all_reduce(total)
        return (total / self.run.world_size).tolist()

    def on_leader(self, compute: Callable[[], float]) -> float:
        value = torch.tensor([compute() if self.run.leader else 0.0], dtype=torch.float64, device=self.run.device)
        dist.broadcast(value, src=0)
        return float(value)

    def copy_to(self, net: nn.Module) -> None:
        net.load_state_dict(self.local.state_dict())  # the same keys: the swapped layers keep BatchNorm's state


def replicate(net: nn.Module, run: Run) -> Replica:
    return DistributedReplica(net, run) if run.launched else Replica(net, run)


@dataclass
class BatchSlice:
    """The global batch of the current step and this process's rows of it, read by the dropout layers."""

    rows: int = 0
    start: int = 0
    stop: int = 0


class _GlobalSum(torch.autograd.Function):
    """The sum over the processes, differentiable: every process's loss depends on every slice."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        total = tensor.clone()
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        total = grad.clone()
        dist.all_reduce(total)
        return total


class GlobalBatchNorm(_BatchNorm):
    """BatchNorm (1d, 2d or 3d) whose training statistics are those of the whole global batch; in
    evaluation it is BatchNorm itself. Made from a BatchNorm layer with affine weights and running
    statistics (``like``), as every gymcore network has."""

    @classmethod
    def like(cls, layer: _BatchNorm) -> GlobalBatchNorm:
        made = cls(layer.num_features, layer.eps, layer.momentum)
        made.load_state_dict(layer.state_dict())
        made.weight.requires_grad_(layer.weight.requires_grad)  # frozen stages stay frozen
        made.bias.requires_grad_(layer.bias.requires_grad)
        return made.train(layer.training)

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() < 2:
            raise ValueError(f"BatchNorm expects (batch, channels, ...) input, got {x.dim()} dimensions.")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return super().forward(x)
        dims = [0, *range(2, x.dim())]
        shape = [1, -1] + [1] * (x.dim() - 2)
        sums = _GlobalSum.apply(torch.cat((x.sum(dims), x.new_full((1,), x.numel() // x.shape[1]))))
        count = sums[-1]
        mean = sums[:-1] / count
        centred = x - mean.view(shape)
        var = _GlobalSum.apply((centred * centred).sum(dims)) / count  # two passes, as BatchNorm: no cancellation
        with torch.no_grad():
            self.num_batches_tracked.add_(1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(var * count / (count - 1), self.momentum)  # BatchNorm tracks the unbiased variance
        return centred * torch.rsqrt(var + self.eps).view(shape) * self.weight.view(shape) + self.bias.view(shape)


class SliceDropout(nn.Dropout):
    """Dropout that draws the mask of the whole global batch, as a single process would, and applies
    its slice's rows."""

    def __init__(self, p: float, batch: BatchSlice) -> None:
        super().__init__(p)
        self.batch = batch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        # As ATen's CPU dropout draws it (_dropout_impl: bernoulli_(1 - p), then div_(1 - p)), for every row.
        noise = x.new_empty((self.batch.rows, *x.shape[1:])).bernoulli_(1 - self.p).div_(1 - self.p)
        return x * noise[self.batch.start:self.batch.stop]


def _with_global_batch_layers(module: nn.Module, batch: BatchSlice) -> nn.Module:
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d):
            setattr(module, name, GlobalBatchNorm.like(child))
        elif type(child) is nn.Dropout:
            setattr(module, name, SliceDropout(child.p, batch))
        else:
            _with_global_batch_layers(child, batch)
    return module
