"""A Ray cluster as a lab runs one (`ray start --head`), reached by the command line at its address:
the batch's verdicts are those of one process. (Ray Client's ``ray://`` addresses go through the same
``ray.init``; its server sometimes fails to start its per-client process on a loaded 2-core machine,
so the test connects as a process on a node of the cluster does, at the head's own address.)"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gymcore.pipeline.batch import assess_batch

pytestmark = pytest.mark.slow  # a Ray cluster's start-up, MediaPipe over clips

SAMPLES = Path(__file__).resolve().parent.parent / "gymcore" / "samples"
RAY = Path(sys.executable).with_name("ray")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ray_cluster_address():
    """A one-node cluster in a process group of its own, stopped with it (not `ray stop`, which
    would stop every Ray instance of the machine)."""
    home = Path(tempfile.mkdtemp(prefix="rayhome-", dir="/tmp"))  # Ray's socket paths must stay short
    port = free_port()
    # Without the RAY_* variables a Ray instance started in this test process leaves behind (its
    # authentication mode among them): the cluster and the command are a lab's, not this process's.
    env = {name: value for name, value in os.environ.items() if not name.startswith("RAY_")}
    env |= {"HOME": str(home), "RAY_USAGE_STATS_ENABLED": "0"}
    log = (home / "ray-start.log").open("w")
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", f"--port={port}", "--num-cpus=2",
         "--include-dashboard=false", f"--temp-dir={home / 'ray'}", "--disable-usage-stats"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, head, home / "ray-start.log")
        yield f"127.0.0.1:{port}", env
    finally:
        with contextlib.suppress(ProcessLookupError):  # none left when ray start failed
            os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
        log.close()
        shutil.rmtree(home, ignore_errors=True)  # Ray's sockets and logs; nothing to keep


def wait_for_port(port: int, head: subprocess.Popen, log: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert head.poll() is None, f"ray start exited with {head.returncode}:\n{log.read_text()[-3000:]}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"The Ray head's port {port} did not open within {seconds:.0f} s")


def test_batch_on_a_ray_cluster_gives_the_verdicts_of_one_process(ray_cluster_address, tmp_path) -> None:
    address, env = ray_cluster_address
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "sq_front.mp4").symlink_to(SAMPLES / "squat_faulty_frontal.mp4")
    (clips / "sq_side.mp4").symlink_to(SAMPLES / "squat_faulty_lateral.mp4")
    (clips / "dl.mp4").symlink_to(SAMPLES / "deadlift_clean_lateral.mp4")
    assess_batch(clips, tmp_path / "alone", workers=1)

    run = subprocess.run([sys.executable, "-m", "gymcore", "assess", "--batch", str(clips), "--out",
                          str(tmp_path / "cluster"), "--address", address], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    for item in ("sq", "dl"):
        alone, cluster = (json.loads((tmp_path / run_name / f"{item}.json").read_text())
                          for run_name in ("alone", "cluster"))
        assert alone["reps"], item
        assert alone["reps"] == cluster["reps"] and alone["exercise"] == cluster["exercise"]
