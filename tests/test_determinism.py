"""Two smoke executions of the same training chapters record identical outcomes.

The course promises reproducible figures (seeded, deterministic ops): run chapters 02, 03 and 05
twice through the runner, as ``make run`` does, and compare every recorded outcome except the
timings, which measure the machine rather than the model.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse import data

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ("02_training_math.ipynb", "03_feedforward.ipynb", "05_rnn.ipynb")
TIMING_UNITS = {"s", "ms", "us", "µs", "ns", "x", "×", "GFLOP/s", "FLOP/s", "examples/s",
                "steps/s", "images/s", "tokens/s", "MB/s"}


def is_timing(outcome: dict) -> bool:
    unit = outcome.get("unit") or ""
    return unit in TIMING_UNITS or unit.endswith("/s")


def execute(build: Path) -> dict:
    """{(notebook, outcome name): value} of one smoke execution of CHAPTERS into ``build``."""
    env = {k: v for k, v in os.environ.items() if k != "DLCOURSE_SEED"}
    env["DLCOURSE_PROFILE"] = "smoke"
    command = [sys.executable, "-m", "dlcourse.nb", "run", "--profile", "smoke", "--build",
               str(build), *(str(ROOT / "notebooks" / name) for name in CHAPTERS)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=540)
    summary = json.loads((build / "summary-smoke.json").read_text())
    failed = [c["notebook"] for c in summary["chapters"] if c["status"] != "passed"]
    assert result.returncode == 0 and not failed, f"{failed}\n{result.stdout[-3000:]}"
    return {(chapter["notebook"], outcome["name"]): outcome["value"]
            for chapter in summary["chapters"] for outcome in chapter["outcomes"]
            if not is_timing(outcome)}


def test_timings_are_told_apart():
    assert is_timing({"unit": "s"}) and is_timing({"unit": "examples/s"})
    assert not is_timing({"unit": ""}) and not is_timing({"unit": "check"})


@pytest.mark.notebooks
@pytest.mark.timeout(1200)
@pytest.mark.skipif(not data.is_prepared("mnist"),
                    reason="needs mnist prepared in TFDS_DATA_DIR")
def test_two_smoke_executions_record_identical_outcomes(tmp_path):
    first = execute(tmp_path / "first")
    second = execute(tmp_path / "second")
    assert {notebook for notebook, _ in first} == set(CHAPTERS)
    assert first.keys() == second.keys()
    differing = {key: (first[key], second[key]) for key in first if first[key] != second[key]}
    assert not differing, f"outcomes that differ between two executions: {differing}"
