"""The course notebooks follow COURSE.md §3, and the package code passes the linter."""

import subprocess
import sys

import pytest

from dlcourse import nb as nbtools

COURSE = nbtools.notebooks()


def test_there_are_notebooks():
    assert COURSE, "notebooks/ holds no course notebook"


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_notebook_follows_the_conventions(path):
    assert nbtools.problems(path) == []


def test_chapter_numbers_are_unique():
    numbers = [p.name[:2] for p in COURSE]
    assert len(numbers) == len(set(numbers))


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "dlcourse", "tests",
                             "benchmarks"], cwd=nbtools.ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
