"""Which accelerator is here, and the ``tf.distribute`` strategy that suits it.

A Colab TPU VM exposes its chips as ``/dev/accel*`` (older TPU nodes set ``COLAB_TPU_ADDR``);
TensorFlow reaches them only through ``TPUClusterResolver(tpu="local")``, since the argument-less
resolver looks for a remote TPU and fails there.
"""

from __future__ import annotations

import glob
import os
import platform

TPU_ENV_VARS = ("COLAB_TPU_ADDR", "TPU_NAME", "TPU_ACCELERATOR_TYPE")


def tpu_present() -> bool:
    """True on a machine with TPU chips attached (Colab TPU VM or TPU node)."""
    if any(os.environ.get(var) for var in TPU_ENV_VARS):
        return True
    return bool(glob.glob("/dev/accel*"))


def gpu_count() -> int:
    """GPUs visible to the framework in use (TensorFlow, else JAX); 0 when there are none."""
    try:
        from dlcourse.environment import import_tensorflow_quietly

        tf = import_tensorflow_quietly()
    except ImportError:
        try:
            import jax
        except ImportError:
            return 0
        return sum(d.platform == "gpu" for d in jax.devices())
    from dlcourse.environment import _native_stderr_silenced

    with _native_stderr_silenced():      # a CPU-only machine logs a failed cuInit here
        return len(tf.config.list_physical_devices("GPU"))


def accelerator() -> str:
    """``"TPU"``, ``"GPU"`` or ``"CPU"``."""
    if tpu_present():
        return "TPU"
    return "GPU" if gpu_count() > 0 else "CPU"


def describe() -> str:
    """One line naming the accelerator and the processor, for set-up reports."""
    kind = accelerator()
    cores = os.cpu_count() or 1
    cpu = f"{platform.machine()} CPU, {cores} core{'s' if cores != 1 else ''}"
    if kind == "GPU":
        return f"{gpu_count()} GPU(s) + {cpu}"
    if kind == "TPU":
        return f"TPU + {cpu}"
    return cpu


def strategy(kind: str | None = None):
    """A ``tf.distribute`` strategy: TPU on a TPU VM, Mirrored on several GPUs, else default.

    ``kind`` overrides detection (``"TPU"``, ``"GPU"``, ``"CPU"``); tests use it.
    """
    import tensorflow as tf

    from dlcourse import _checks

    kind = accelerator() if kind is None else _checks.one_of("kind", kind, ("TPU", "GPU", "CPU"))
    if kind == "TPU":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu="local")
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    if kind == "GPU" and len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
