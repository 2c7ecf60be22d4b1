"""The benchmark scripts run end to end on tiny random arrays and reject bad command lines.

Benchmarks print figures; these tests check that the scripts run and print their table and
result lines, never how fast anything was.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEEDRUN = ROOT / "benchmarks" / "speedrun_cifar10.py"
THROUGHPUT = ROOT / "benchmarks" / "throughput.py"


def run(script: Path, *args, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, str(script), *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def tiny_npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=rng.integers(0, 256, (64, 32, 32, 3), dtype=np.uint8),
             y_train=rng.integers(0, 10, 64).astype(np.uint8),
             x_test=rng.integers(0, 256, (24, 32, 32, 3), dtype=np.uint8),
             y_test=rng.integers(0, 10, 24).astype(np.uint8))
    return path


def test_speedrun_trains_a_few_steps_and_prints_its_figures(tiny_npz):
    result = run(SPEEDRUN, tiny_npz, "--quick", "--epochs", "1.5", "--batch-size", "16",
                 "--widths", "8,8,8", "--tta", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "backend " in out and "device " in out and "(6 steps)" in out
    assert "epoch  steps   epoch_s   train_s  test_acc" in out
    rows = [row for row in map(str.split, out.splitlines()) if row and row[0].isdigit()]
    assert [(row[0], row[1]) for row in rows] == [("1", "4"), ("2", "2")]   # 1.5 epochs
    assert all(0.0 <= float(row[4]) <= 1.0 for row in rows)
    assert "final test accuracy " in out and "(TTA: mirror + translate)" in out
    assert "compilation" in out and "excluded" in out
    assert "94% not reached" in out       # random labels


def test_throughput_prints_one_row_per_pipeline(tiny_npz):
    result = run(THROUGHPUT, "--quick", "--models", "mlp", "--precisions", "float32",
                 "--xla", "off", "--examples", "64", "--batch-size", "32", "--repeat", "1",
                 "--arrays", tiny_npz)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("backend ") and "| device " in lines[0]
    header = next(line for line in lines if line.startswith("model"))
    assert header.split() == ["model", "pipeline", "precision", "xla", "best", "ex/s",
                              "median", "ex/s", "x", "first"]
    rows = [line.split() for line in lines if line.startswith("mlp ")]
    assert [row[1] for row in rows] == ["numpy", "tf.data", "generator"]
    assert all(float(row[4].replace(",", "")) > 0 and row[6] for row in rows)
    assert rows[0][6] == "1.00"


@pytest.mark.parametrize("args, message", [
    (["missing.npz"], "does not exist"),
    (["{npz}", "--epochs", "0"], "must be a positive number"),
    (["{npz}", "--widths", "8,8"], "must be three widths"),
    (["{npz}", "--precision", "float64"], "invalid choice: 'float64'"),
    (["{npz}", "--tta", "3"], "invalid choice: 3"),
])
def test_speedrun_rejects_bad_options(tiny_npz, args, message):
    result = run(SPEEDRUN, *[a.format(npz=tiny_npz) for a in args], timeout=60)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_speedrun_rejects_arrays_without_the_four_keys(tmp_path):
    path = tmp_path / "images_only.npz"
    np.savez(path, x_train=np.zeros((4, 32, 32, 3), np.uint8))
    result = run(SPEEDRUN, path, timeout=60)
    assert result.returncode == 1
    assert "lacks ['x_test', 'y_test', 'y_train']" in result.stderr


def test_speedrun_rejects_float_images(tmp_path):
    path = tmp_path / "floats.npz"
    zeros = np.zeros((4, 32, 32, 3), np.float32)
    np.savez(path, x_train=zeros, y_train=np.zeros(4, int), x_test=zeros, y_test=np.zeros(4, int))
    result = run(SPEEDRUN, path, timeout=60)
    assert result.returncode == 1 and "must be uint8 images" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--models", "mlp,vgg"], "unknown ['vgg']; choose from mlp, cnn, resnet"),
    (["--pipelines", "numpy,arrow"], "unknown ['arrow']"),
    (["--precisions", "float64"], "unknown ['float64']"),
    (["--xla", "maybe"], "unknown ['maybe']"),
    (["--examples", "10", "--batch-size", "32"], "--examples 10 must be at least --batch-size 32"),
    (["--repeat", "0"], "'0' must be a positive integer"),
    (["--arrays", "missing.npz"], "does not exist"),
])
def test_throughput_rejects_bad_options(args, message):
    result = run(THROUGHPUT, *args, timeout=60)
    assert result.returncode == 2 and message in result.stderr, result.stderr
