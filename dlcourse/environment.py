"""``setup(PROFILE)``: the first call of every notebook.

It resolves the profile, seeds Python, NumPy and the Keras backend, makes TensorFlow's ops
deterministic (a chapter that measures speed passes ``deterministic=False`` and says why),
chooses the ``tf.distribute`` strategy for the machine (TPU, several GPUs, the two-replica CPU
stand-in, or the default), and prints what the results depend on: device, versions, profile.

A chapter builds and compiles its Keras models under ``session.strategy.scope()`` and passes
``jit_compile=session.jit_compile`` to ``compile``; that is all it takes to train on a TPU.
"""

from __future__ import annotations

import os
import platform
import sys
import warnings
from dataclasses import dataclass

from dlcourse import _checks, devices, profiles
from dlcourse.tfimport import import_tensorflow_quietly

SHUFFLE_WARNING = (r"`shuffle=True` was passed, but will be ignored since the data `x` "
                   r"was provided as a tf.data.Dataset")

JIT_REFUSED_WARNING = r"Model doesn't support `jit_compile=True`"


@dataclass(frozen=True)
class Session:
    profile: str
    device: str
    seed: int
    deterministic: bool
    versions: dict
    strategy: object = None        # a tf.distribute strategy (None without TensorFlow)
    jit_compile: bool | str = "auto"

    @property
    def replicas(self) -> int:
        """Model copies trained in sync: 1 on a CPU or one GPU, 8 on a Colab TPU v2-8."""
        return 1 if self.strategy is None else int(self.strategy.num_replicas_in_sync)

    def global_batch(self, per_replica: int) -> int:
        """The batch a pipeline must yield so that each replica gets ``per_replica`` examples."""
        return _checks.positive_int("per_replica", per_replica) * self.replicas

    def __str__(self) -> str:
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        mode = "deterministic ops" if self.deterministic else "non-deterministic ops (speed)"
        kind = "no strategy" if self.strategy is None else type(self.strategy).__name__
        return (f"profile: {self.profile} | device: {self.device} | seed {self.seed}, {mode}\n"
                f"strategy: {kind}, {self.replicas} replica(s), jit_compile={self.jit_compile}\n"
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


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend; with TensorFlow, optionally deterministic ops."""
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


SEED_ENV_VAR = "DLCOURSE_SEED"
DEFAULT_SEED = 42


def default_seed() -> int:
    """``DLCOURSE_SEED`` if set (to check that targets hold with other seeds), else 42."""
    text = os.environ.get(SEED_ENV_VAR, "").strip()
    if not text:
        return DEFAULT_SEED
    if not text.isdigit():
        raise ValueError(f"{SEED_ENV_VAR}={text!r} must be a non-negative integer")
    return int(text)


def setup(profile: str = "auto", *, seed: int | None = None, deterministic: bool = True,
          quiet: bool = False) -> Session:
    """Resolve ``profile``, seed everything, print device/versions/profile; return the Session.

    ``seed`` defaults to ``DLCOURSE_SEED`` or 42: a chapter's targets must hold with any seed.
    """
    _checks.one_of("profile", profile, profiles.CHOICES)
    if seed is None:
        seed = default_seed()
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic={deterministic!r} must be True or False")
    name = profiles.activate(profile)
    # Keras 3 warns on every fit(tf.data pipeline) because fit's shuffle defaults to True; the
    # course's pipelines shuffle themselves (dlcourse.data.load), so the warning is only noise.
    warnings.filterwarnings("ignore", message=SHUFFLE_WARNING, category=UserWarning)
    chosen, jit_compile = None, "auto"
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        import_tensorflow_quietly()
        chosen = devices.strategy()       # before any TensorFlow op: it may split the CPU
        # A TPU always compiles with XLA; DLCOURSE_XLA=1 does too, to meet the same limits.
        if devices.accelerator() == "TPU" or devices.xla_requested():
            jit_compile = True
    devices.activate(chosen)
    if jit_compile is True:
        # Keras silently drops XLA when op determinism is on (not every op has a deterministic
        # XLA kernel); a TPU compiles with XLA regardless, so the stand-in does too. A model that
        # XLA cannot compile is an error here rather than a warning: a TPU would reject it.
        deterministic = False
        warnings.filterwarnings("error", message=JIT_REFUSED_WARNING, category=UserWarning)
    seed_everything(seed, deterministic)
    session = Session(profile=name, device=devices.describe(), seed=seed,
                      deterministic=deterministic, versions=versions(), strategy=chosen,
                      jit_compile=jit_compile)
    if not quiet:
        print(session)
        if devices.accelerator() == "CPU" and name == "full":
            print("note: the full profile on a CPU takes hours; 'laptop' is sized for a CPU.")
    return session
