"""Which accelerator is here, and the ``tf.distribute`` strategy that suits it.

A Colab TPU VM exposes its chips as ``/dev/accel*`` (older TPU nodes set ``COLAB_TPU_ADDR``);
TensorFlow reaches them only through ``TPUClusterResolver(tpu="local")``, since the argument-less
resolver looks for a remote TPU and fails there.

A stand-in for a TPU runs on any CPU, in two halves. ``DLCOURSE_REPLICAS=2`` splits the processor
into two logical devices and mirrors the model over them, so a chapter meets what several replicas
demand (variables created under the strategy's scope, static batch shapes). ``DLCOURSE_XLA=1``
compiles every Keras step with XLA, as a TPU does. The two cannot be combined on a CPU: XLA
compiles for one device and refuses variables mirrored on a second logical CPU ("Trying to access
resource ... located in device CPU:1 from device CPU:0").
"""

from __future__ import annotations

import glob
import os
import platform

from dlcourse import _checks
from dlcourse.tfimport import import_tensorflow_quietly, native_stderr_silenced

TPU_ENV_VARS = ("COLAB_TPU_ADDR", "TPU_NAME", "TPU_ACCELERATOR_TYPE")
REPLICAS_ENV_VAR = "DLCOURSE_REPLICAS"
XLA_ENV_VAR = "DLCOURSE_XLA"
_active = None            # the strategy setup() chose, read by data.load for its batch shapes


def tpu_present() -> bool:
    """True on a machine with TPU chips attached (Colab TPU VM or TPU node)."""
    if any(os.environ.get(var) for var in TPU_ENV_VARS):
        return True
    return bool(glob.glob("/dev/accel*"))


def gpu_count() -> int:
    """GPUs visible to the framework in use (TensorFlow, else JAX); 0 when there are none."""
    try:
        tf = import_tensorflow_quietly()
    except ImportError:
        try:
            import jax
        except ImportError:
            return 0
        return sum(d.platform == "gpu" for d in jax.devices())
    with native_stderr_silenced():      # a CPU-only machine logs a failed cuInit here
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


def requested_replicas() -> int:
    """The CPU replicas ``DLCOURSE_REPLICAS`` asks for (1 when unset): the TPU stand-in."""
    text = os.environ.get(REPLICAS_ENV_VAR, "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{REPLICAS_ENV_VAR}={text!r} must be a positive integer "
                         "(2 splits the CPU into two mirrored replicas)")
    return int(text)


def xla_requested() -> bool:
    """True when ``DLCOURSE_XLA`` asks for XLA-compiled Keras steps (the other TPU stand-in)."""
    text = os.environ.get(XLA_ENV_VAR, "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        if requested_replicas() > 1:
            raise ValueError(f"{XLA_ENV_VAR}=1 and {REPLICAS_ENV_VAR}>1 cannot be combined on a "
                             "CPU: XLA compiles for one device and refuses mirrored variables")
        return True
    raise ValueError(f"{XLA_ENV_VAR}={text!r} must be 1 or 0")


def split_cpu(replicas: int) -> list[str]:
    """Split the CPU into ``replicas`` logical devices; return their names.

    TensorFlow allows this only before it first uses a device, so ``setup`` does it at the top
    of a notebook. Asking again for the same split is harmless.
    """
    _checks.positive_int("replicas", replicas)
    tf = import_tensorflow_quietly()
    cpu = tf.config.list_physical_devices("CPU")[0]
    wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(replicas)]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != replicas:
        try:
            tf.config.set_logical_device_configuration(cpu, wanted)
        except RuntimeError as error:
            raise RuntimeError(
                f"cannot split the CPU into {replicas} devices: TensorFlow has already started "
                f"using it ({error}). Set {REPLICAS_ENV_VAR} before the first TensorFlow "
                "operation, e.g. restart the kernel and run dlcourse.setup first.") from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def strategy(kind: str | None = None, replicas: int | None = None):
    """A ``tf.distribute`` strategy: TPU on a TPU VM, Mirrored on several GPUs, else default.

    ``kind`` overrides detection (``"TPU"``, ``"GPU"``, ``"CPU"``); tests use it. On a CPU,
    ``replicas`` > 1 (default: ``DLCOURSE_REPLICAS``) mirrors over that many logical CPUs.
    """
    tf = import_tensorflow_quietly()
    kind = accelerator() if kind is None else _checks.one_of("kind", kind, ("TPU", "GPU", "CPU"))
    if kind == "TPU":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu="local")
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    if kind == "GPU" and len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    replicas = requested_replicas() if replicas is None else _checks.positive_int(
        "replicas", replicas)
    if kind == "CPU" and replicas > 1:
        names = split_cpu(replicas)[:replicas]
        return tf.distribute.MirroredStrategy(names)
    return tf.distribute.get_strategy()


def xla_strategy(chosen):
    """The strategy to compile a model with ``jit_compile=True`` in: ``chosen``, except when it
    mirrors over logical CPUs (the multi-replica stand-in), where XLA cannot place mirrored
    variables ("Trying to access resource ... located in device CPU:1 from device CPU:0"): there
    one CPU. On GPUs and TPUs XLA runs under the strategy itself.
    """
    if not hasattr(chosen, "num_replicas_in_sync"):
        raise TypeError(f"chosen={chosen!r} must be a tf.distribute strategy")
    if chosen.num_replicas_in_sync > 1 and accelerator() == "CPU":
        tf = import_tensorflow_quietly()
        return tf.distribute.OneDeviceStrategy("/cpu:0")
    return chosen


def activate(chosen) -> None:
    """Make ``chosen`` the session's strategy (``setup`` calls this)."""
    global _active
    if chosen is not None and not hasattr(chosen, "num_replicas_in_sync"):
        raise TypeError(f"chosen={chosen!r} must be a tf.distribute strategy or None")
    _active = chosen


def active_replicas() -> int:
    """Replicas of the session's strategy (1 before ``setup`` or without TensorFlow)."""
    return 1 if _active is None else int(_active.num_replicas_in_sync)
