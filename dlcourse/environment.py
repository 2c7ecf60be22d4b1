"""``setup(PROFILE)``: the first call of every notebook.

It resolves the profile, seeds Python, NumPy and the Keras backend, makes TensorFlow's ops
deterministic (a chapter that measures speed passes ``deterministic=False`` and says why),
and prints what the results depend on: device, versions, profile.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import warnings
from dataclasses import dataclass

from dlcourse import _checks, profiles

SHUFFLE_WARNING = (r"`shuffle=True` was passed, but will be ignored since the data `x` "
                   r"was provided as a tf.data.Dataset")


@dataclass(frozen=True)
class Session:
    profile: str
    device: str
    seed: int
    deterministic: bool
    versions: dict

    def __str__(self) -> str:
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        mode = "deterministic ops" if self.deterministic else "non-deterministic ops (speed)"
        return (f"profile: {self.profile} | device: {self.device} | seed {self.seed}, {mode}\n"
                f"versions: {versions}")


def versions() -> dict:
    """Versions of Python and of the libraries that the course's results depend on."""
    found = {"python": platform.python_version()}
    for module in ("tensorflow", "keras", "tensorflow_datasets", "numpy"):
        mod = sys.modules.get(module)
        if mod is None:
            try:
                mod = __import__(module)
            except ImportError:
                continue
        found[module] = getattr(mod, "__version__", "?")
    return found


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hide what C++ code writes to file descriptor 2 (TensorFlow's start-up log lines).

    Those lines are written before TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL``, so the variable
    alone cannot hide them. Python exceptions are unaffected: they surface after the block.
    """
    try:
        saved = os.dup(2)
    except OSError:          # no real descriptor 2 (some embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow_quietly():
    """Import TensorFlow (and Keras with it) without its start-up log lines; return it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" not in sys.modules:
        with _native_stderr_silenced():
            import tensorflow  # noqa: F401
    return sys.modules["tensorflow"]


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend; with TensorFlow, optionally deterministic ops."""
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def setup(profile: str = "auto", *, seed: int = 42, deterministic: bool = True,
          quiet: bool = False) -> Session:
    """Resolve ``profile``, seed everything, print device/versions/profile; return the Session."""
    _checks.one_of("profile", profile, profiles.CHOICES)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic={deterministic!r} must be True or False")
    name = profiles.activate(profile)
    # Keras 3 warns on every fit(tf.data pipeline) because fit's shuffle defaults to True; the
    # course's pipelines shuffle themselves (dlcourse.data.load), so the warning is only noise.
    warnings.filterwarnings("ignore", message=SHUFFLE_WARNING, category=UserWarning)
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        import_tensorflow_quietly()
    seed_everything(seed, deterministic)
    from dlcourse import devices

    session = Session(profile=name, device=devices.describe(), seed=seed,
                      deterministic=deterministic, versions=versions())
    if not quiet:
        print(session)
        if devices.accelerator() == "CPU" and name == "full":
            print("note: the full profile on a CPU takes hours; 'laptop' is sized for a CPU.")
    return session
