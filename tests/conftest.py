"""Test-wide settings: never download, never open windows, start each test from a clean state."""

import os

os.environ["DLCOURSE_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from dlcourse import outcomes, profiles  # noqa: E402


@pytest.fixture(autouse=True)
def clean_state(monkeypatch):
    """No active profile and no recorded outcomes leak from one test into the next."""
    monkeypatch.setattr(profiles, "_active", None)
    outcomes.reset()
    yield
    outcomes.reset()


@pytest.fixture
def profile(monkeypatch):
    """Activate a profile for the test: ``profile("laptop")``."""
    def activate(name):
        monkeypatch.delenv(profiles.ENV_VAR, raising=False)
        return profiles.activate(name)
    return activate
