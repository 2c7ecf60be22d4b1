"""A run killed with SIGKILL mid-epoch and started again ends with the uninterrupted weights."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

WORKER = Path(__file__).with_name("resume_worker.py")
KILL_AT = {"fit": 12, "custom": 14}     # optimizer steps; 8 per epoch: both mid-epoch 2
CHECKPOINT_INTERVAL = {"fit": 8, "custom": 3}


def progress(workdir):
    """[(pid, variant, steps done)] from the worker's log (a line cut by the kill is dropped)."""
    path = workdir / "progress"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(int(p[0]), p[1], int(p[2])) for p in (line.split() for line in lines) if len(p) == 3]


def start(workdir):
    env = {**os.environ, "PYTHONPATH": str(WORKER.parent.parent)}
    return subprocess.Popen([sys.executable, str(WORKER), str(workdir)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def kill_when(process, workdir, variant, steps, timeout=180):
    """SIGKILL the worker once it has logged ``steps`` optimizer steps of ``variant``."""
    deadline = time.monotonic() + timeout
    try:
        while not any(pid == process.pid and v == variant and s >= steps
                      for pid, v, s in progress(workdir)):
            if process.poll() is not None:
                pytest.fail(f"the worker ended before step {steps} of {variant}:\n"
                            f"{process.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not reach step {steps} of {variant} in {timeout} s")
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def steps_lost(workdir, variant, killed_pid, resumed_pid):
    """Steps the killed process had done that the resumed one had to do again."""
    done = max(s for pid, v, s in progress(workdir) if pid == killed_pid and v == variant)
    resumed_from = min(s for pid, v, s in progress(workdir)
                       if pid == resumed_pid and v == variant) - 1
    assert resumed_from > 0, f"{variant}: the second process started again from scratch"
    return done - resumed_from


@pytest.mark.timeout(600)
def test_sigkilled_training_resumes_to_the_uninterrupted_weights(tmp_path, record_property):
    first = start(tmp_path)
    kill_when(first, tmp_path, "fit", KILL_AT["fit"])
    second = start(tmp_path)
    kill_when(second, tmp_path, "custom", KILL_AT["custom"])
    third = start(tmp_path)
    try:
        output, _ = third.communicate(timeout=240)
    finally:
        third.kill()
        third.wait()
    assert third.returncode == 0, output
    lost = {"fit": steps_lost(tmp_path, "fit", first.pid, second.pid),
            "custom": steps_lost(tmp_path, "custom", second.pid, third.pid)}
    for variant, interval in CHECKPOINT_INTERVAL.items():
        resumed = np.load(tmp_path / f"{variant}-resumed.npz")
        reference = np.load(tmp_path / f"{variant}-reference.npz")
        difference = max(float(np.max(np.abs(resumed[k] - reference[k]))) for k in reference)
        record_property(f"{variant}_steps_lost", lost[variant])
        record_property(f"{variant}_max_weight_difference", difference)
        print(f"{variant}: killed with SIGKILL, {lost[variant]} step(s) lost "
              f"(checkpoint every {interval}), max |weight difference| {difference:.3g}")
        assert 0 <= lost[variant] <= interval
        assert difference <= 1e-6
    assert not (tmp_path / "fit-checkpoints").exists(), "a finished fit keeps no checkpoint"
    assert not (tmp_path / "custom-checkpoints").exists(), "a finished loop keeps no checkpoint"
