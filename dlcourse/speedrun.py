"""A CIFAR-10 speed-run network and its training recipe, in Keras 3 only (no TensorFlow import).

The recipe follows the published description of airbench94 (K. Jordan, "94% on CIFAR-10 in 3.29
seconds on a single GPU", 2024), re-written for Keras: a small VGG-like net of three
conv-pool-batch-norm groups, whose first layer is a fixed 2×2 convolution initialised from the
eigenvectors of the training images' patch covariance (patch whitening); label smoothing;
random flips and translations; Nesterov SGD with a short warm-up and decay; test-time flipping.
Because the code uses ``keras.layers``, ``keras.ops`` and ``keras.random`` only, the same network
trains on TensorFlow here and on JAX on a GPU machine without TensorFlow
(``benchmarks/speedrun_cifar10.py``).

What differs from the PyTorch original, and why:

* PyTorch parameter groups give batch-norm biases 64 times the learning rate. A Keras optimizer
  has one learning rate, so those biases are *reparametrised*: the layer adds ``8 · b``. Under
  SGD, multiplying a parameter's use by ``s`` multiplies its effective learning rate by ``s²``.
* The weight decay of the original is coupled (added to the gradient, amplified by momentum);
  Keras SGD decays decoupled (``w -= lr · wd · w``). :func:`recipe_optimizer` converts the rate
  so that the decay per step is the same as the original's in the steady state.
* The original's loss is the batch *sum*; here it is the batch mean, with the learning rate
  multiplied by the batch size instead.
* Left out: the Lookahead/EMA of the weights and freezing the whitening bias after 3 epochs
  (both change the training step mid-run, which a compiled Keras ``fit`` cannot do for free).
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Callable, Sequence

import keras
import numpy as np
from keras import layers, ops

from dlcourse import _checks

# The recipe's hyperparameters in batch-size-free form (airbench94's published values).
LR_PER_1024 = 11.5              # learning rate per 1024 examples of a summed loss
MOMENTUM = 0.85                 # Nesterov
WEIGHT_DECAY_PER_1024 = 0.0153  # per 1024 examples, decoupled from the learning rate
BIAS_LR_MULTIPLIER = 64.0       # batch-norm biases learn this many times faster
LABEL_SMOOTHING = 0.2
BN_MOMENTUM = 0.6               # Keras convention: moving = 0.6 · moving + 0.4 · batch
OUTPUT_SCALE = 1 / 9            # the logits are scaled down before the softmax
WIDTHS = (64, 256, 256)
TRANSLATE = 2                   # pixels of random translation (reflect padding)
WHITENING_SIZE = 2              # the whitening convolution's patch size
WHITENING_EPS = 5e-4
SCHEDULE = (0.2, 0.23, 0.07)    # lr factor at the start, where the peak (1.0) is, at the end

TTA_LEVELS = {0: "none", 1: "mirror", 2: "mirror + translate"}


# ----------------------------------------------------------------- layers and initialiser

class Standardize(layers.Layer):
    """Cast images (uint8 or float) to float32 and standardise each channel: ``(x - mean) / std``.

    ``mean`` and ``std`` are (non-trainable) weights, so :func:`prepare` can set them from the
    data after the model was compiled. Runs in float32 under a mixed-precision policy; the next
    layer casts to its compute dtype.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.initial_mean = [float(m) for m in mean]
        self.initial_std = [float(s) for s in std]
        if len(self.initial_mean) != len(self.initial_std) or not all(
                s > 0 for s in self.initial_std):
            raise ValueError(f"mean={mean!r} and std={std!r} must have one entry per channel "
                             "and std must be positive")

    def build(self, input_shape):
        if input_shape[-1] != len(self.initial_mean):
            raise ValueError(f"{input_shape[-1]} channels, but mean={self.initial_mean!r}")
        self.mean = self.add_weight(shape=(input_shape[-1],), trainable=False, name="mean",
                                    initializer=keras.initializers.Constant(self.initial_mean))
        self.std = self.add_weight(shape=(input_shape[-1],), trainable=False, name="std",
                                   initializer=keras.initializers.Constant(self.initial_std))

    def call(self, images):
        return (ops.cast(images, "float32") - self.mean) / self.std

    def get_config(self):
        return {**super().get_config(), "mean": self.initial_mean, "std": self.initial_std}


class RandomTranslate(layers.Layer):
    """In training only: shift each image by its own random offset of up to ``pixels`` pixels in
    each direction, filling the border by reflection. At inference: the identity."""

    def __init__(self, pixels: int = TRANSLATE, seed: int | None = None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.pixels = _checks.non_negative_int("pixels", pixels)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training or self.pixels == 0:
            return images
        r = self.pixels
        padded = ops.pad(images, ((0, 0), (r, r), (r, r), (0, 0)), mode="reflect")
        offsets = keras.random.randint((ops.shape(images)[0], 2), 0, 2 * r + 1,
                                       seed=self.seed_generator)
        rows = shift_select(padded, offsets[:, 0], axis=1, size=images.shape[1])
        return shift_select(rows, offsets[:, 1], axis=2, size=images.shape[2])

    def get_config(self):
        return {**super().get_config(), "pixels": self.pixels, "seed": self.seed}


def shift_select(padded, offsets, *, axis: int, size: int):
    """Per example ``i``: ``padded`` cut to ``size`` along ``axis`` starting at ``offsets[i]``.

    Written as a chain of element-wise selections among the few possible windows (no gather),
    which XLA can fuse into one pass over the batch.
    """
    _checks.one_of("axis", axis, (1, 2))
    _checks.positive_int("size", size)
    choices = padded.shape[axis] - size + 1
    if choices < 1:
        raise ValueError(f"size={size!r} is larger than the padded axis ({padded.shape[axis]})")
    out = None
    for start in range(choices):
        window = padded[:, start:start + size] if axis == 1 else padded[:, :, start:start + size]
        if out is None:
            out = window
            continue
        chosen = ops.reshape(ops.equal(offsets, start), (-1, 1, 1, 1))
        out = ops.where(chosen, window, out)
    return out


class ScaledBias(layers.Layer):
    """Add a learned per-channel bias ``scale · b`` (b starts at 0).

    Under SGD the effective learning rate of ``b``'s contribution is ``scale²`` times the
    optimizer's: ``ScaledBias(scale=8)`` learns 64 times faster than the other weights.
    """

    def __init__(self, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _checks.real_number("scale", scale)
        if self.scale <= 0:
            raise ValueError(f"scale={scale!r} must be positive")

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="bias")

    def call(self, x):
        return x + ops.cast(self.bias * self.scale, x.dtype)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class PartialIdentity(keras.initializers.Initializer):
    """A conv kernel ``(kh, kw, in, out)`` drawn like PyTorch's default (uniform ±1/√fan_in),
    whose first ``min(in, out)`` filters are replaced by the identity (a centred 1 on their own
    input channel), so that a fresh net passes its input through (an implicit shortcut)."""

    def __init__(self, seed: int | None = None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        if len(shape) != 4:
            raise ValueError(f"shape={shape!r} must be a conv kernel shape (kh, kw, in, out)")
        kh, kw, c_in, c_out = shape
        base = keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform", seed=self.seed)
        identity = np.zeros(shape, "float32")
        keep = np.ones(shape, "float32")
        n = min(c_in, c_out)
        keep[..., :n] = 0.0
        identity[kh // 2, kw // 2, np.arange(n), np.arange(n)] = 1.0
        return ops.cast(base(shape, "float32") * keep + identity, dtype or "float32")

    def get_config(self):
        return {"seed": self.seed}


# ----------------------------------------------------------------- the network

def speedrun_net(input_shape=(32, 32, 3), num_classes: int = 10, *,
                 mean: Sequence[float] = (125.3, 123.0, 113.9),
                 std: Sequence[float] = (63.0, 62.1, 66.7),
                 widths: Sequence[int] = WIDTHS, translate: int = TRANSLATE,
                 whitening_size: int = WHITENING_SIZE, seed: int | None = None):
    """The speed-run network; outputs float32 logits.

    Standardise → (training only) random translation → fixed ``whitening_size``² patch-whitening
    convolution (``2 · whitening_size² · channels`` filters, set by :func:`set_whitening`) + bias
    + GELU → three groups of [3×3 conv → 2×2 max-pool → batch norm → GELU → 3×3 conv → batch norm
    → GELU] of ``widths`` channels → global max-pool → linear (no bias) → × 1/9.
    Batch norms have no scale and a bias that learns 64× faster (:class:`ScaledBias`).
    ``mean``/``std`` are per-channel statistics of the raw training pixels (0–255).
    """
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
    if (not isinstance(shape, tuple) or len(shape) != 3
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)):
        raise ValueError(f"input_shape={input_shape!r} must be (height, width, channels)")
    _checks.positive_int("num_classes", num_classes)
    _checks.positive_int("whitening_size", whitening_size)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) or len(widths) != 3:
        raise ValueError(f"widths={widths!r} must be three channel counts, one per group")
    for width in widths:
        _checks.positive_int("widths entry", width)
    side = min(shape[:2]) - whitening_size + 1
    if side < 8:
        raise ValueError(f"input_shape={input_shape!r} is too small: three 2×2 poolings need "
                         "at least 8 pixels after the whitening convolution")
    channels = shape[2]
    inputs = keras.Input(shape, name="images")
    x = Standardize(mean[:channels], std[:channels], name="standardize")(inputs)
    x = RandomTranslate(translate, seed=seed, name="translate")(x)
    x = layers.Conv2D(2 * whitening_size ** 2 * channels, whitening_size, padding="valid",
                      use_bias=False, trainable=False, name="whiten")(x)
    x = ScaledBias(1.0, name="whiten_bias")(x)
    x = layers.Activation("gelu", name="whiten_gelu")(x)
    bias_scale = math.sqrt(BIAS_LR_MULTIPLIER)
    for group, width in enumerate(widths, start=1):
        for conv in (1, 2):
            name = f"group{group}_conv{conv}"
            x = layers.Conv2D(width, 3, padding="same", use_bias=False,
                              kernel_initializer=PartialIdentity(seed), name=name)(x)
            if conv == 1:
                x = layers.MaxPooling2D(2, name=f"group{group}_pool")(x)
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=1e-12, center=False,
                                          scale=False, name=f"{name}_bn")(x)
            x = ScaledBias(bias_scale, name=f"{name}_bias")(x)
            x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.GlobalMaxPooling2D(name="pool")(x)
    x = layers.Dense(num_classes, use_bias=False, name="classes")(x)
    x = layers.Rescaling(OUTPUT_SCALE, name="scale")(x)
    logits = layers.Activation("linear", dtype="float32", name="logits")(x)
    return keras.Model(inputs, logits, name="speedrun_net")


def patch_whitening_kernel(images, size: int = WHITENING_SIZE, eps: float = WHITENING_EPS):
    """The whitening convolution's kernel ``(size, size, C, 2 · size² · C)`` for ``images``.

    ``images`` (N, H, W, C), already standardised. Every ``size×size×C`` patch is a vector; the
    kernel's first half are the eigenvectors of their second-moment matrix, largest eigenvalue
    first, each divided by √(eigenvalue + eps), so the convolution's outputs have (nearly) unit
    variance and are uncorrelated; the second half is the first negated (for the GELU after it).
    The patch statistics are computed with ``keras.ops`` (on the accelerator), the 12×12
    eigendecomposition in NumPy.
    """
    _checks.positive_int("size", size)
    if _checks.real_number("eps", eps) < 0:
        raise ValueError(f"eps={eps!r} must be non-negative")
    x = ops.convert_to_tensor(images, "float32")
    if len(x.shape) != 4 or min(x.shape[1:3]) < size:
        raise ValueError(f"images of shape {tuple(x.shape)} must be (N, H, W, C) with H and W "
                         f"at least size={size}")
    _, height, width, channels = x.shape
    rows, cols = height - size + 1, width - size + 1
    patches = ops.concatenate([x[:, dy:dy + rows, dx:dx + cols, :]
                               for dy in range(size) for dx in range(size)], axis=-1)
    flat = ops.reshape(patches, (-1, size * size * channels))
    moments = ops.convert_to_numpy(ops.matmul(ops.transpose(flat), flat)).astype("float64")
    eigenvalues, eigenvectors = np.linalg.eigh(moments / flat.shape[0])
    order = np.argsort(eigenvalues)[::-1]
    scaled = eigenvectors[:, order] / np.sqrt(np.maximum(eigenvalues[order], 0.0) + eps)
    kernel = scaled.reshape(size, size, channels, size * size * channels)
    return np.concatenate([kernel, -kernel], axis=-1).astype("float32")


def set_whitening(model, images, eps: float = WHITENING_EPS):
    """Set ``model``'s whitening layer from standardised ``images``; return the kernel."""
    layer = model.get_layer("whiten")
    kernel = patch_whitening_kernel(images, layer.kernel_size[0], eps)
    if kernel.shape != tuple(layer.kernel.shape):
        raise ValueError(f"images give a kernel of shape {kernel.shape}, the model's whitening "
                         f"layer has {tuple(layer.kernel.shape)}: wrong number of channels?")
    layer.set_weights([kernel])
    return kernel


def prepare(model, images):
    """Fit the data-dependent layers to raw training ``images`` (N, H, W, C), on the device:
    the per-channel mean and standard deviation of :class:`Standardize`, then the whitening
    kernel (:func:`set_whitening`) from the standardised images. Returns (mean, std)."""
    x = ops.cast(ops.convert_to_tensor(images), "float32")
    if len(x.shape) != 4:
        raise ValueError(f"images of shape {tuple(x.shape)} must be (N, H, W, C)")
    mean, std = ops.mean(x, axis=(0, 1, 2)), ops.std(x, axis=(0, 1, 2))
    std = ops.maximum(std, 1e-3)
    statistics = [ops.convert_to_numpy(mean), ops.convert_to_numpy(std)]
    model.get_layer("standardize").set_weights(statistics)
    set_whitening(model, (x - mean) / std)
    return tuple(statistics)


# ----------------------------------------------------------------- optimisation

class TriangleSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """``peak_lr`` times a factor that runs linearly from ``start`` (step 0) to 1 (at
    ``peak`` · total_steps) and down to ``end`` (at ``total_steps``; it stays there after)."""

    def __init__(self, peak_lr: float, total_steps: int, start: float = SCHEDULE[0],
                 peak: float = SCHEDULE[1], end: float = SCHEDULE[2]):
        self.peak_lr = _checks.real_number("peak_lr", peak_lr)
        self.total_steps = _checks.positive_int("total_steps", total_steps)
        self.start, self.peak, self.end = (_checks.real_number(n, v) for n, v in
                                           (("start", start), ("peak", peak), ("end", end)))
        if not 0.0 < self.peak < 1.0:
            raise ValueError(f"peak={peak!r} must lie strictly between 0 and 1")
        self.peak_step = min(max(1, round(self.peak * self.total_steps)), self.total_steps)

    def factor(self, step):
        t = ops.minimum(ops.cast(step, "float32"), float(self.total_steps))
        up = self.start + (1.0 - self.start) * t / self.peak_step
        down_steps = max(self.total_steps - self.peak_step, 1)
        down = 1.0 + (self.end - 1.0) * (t - self.peak_step) / down_steps
        return ops.where(t < self.peak_step, up, down)

    def __call__(self, step):
        return self.peak_lr * self.factor(step)

    def get_config(self):
        return {"peak_lr": self.peak_lr, "total_steps": self.total_steps, "start": self.start,
                "peak": self.peak, "end": self.end}


def recipe_learning_rate(batch_size: int) -> float:
    """Keras's peak learning rate (mean loss, Nesterov SGD) equal to the recipe's step size."""
    _checks.positive_int("batch_size", batch_size)
    # A constant gradient makes Nesterov steps 1 + 1/(1 - momentum) times larger; the recipe's
    # rate is per 1024 examples of a summed loss, Keras averages over the batch.
    return LR_PER_1024 * (batch_size / 1024) / (1 + 1 / (1 - MOMENTUM))


def recipe_weight_decay() -> float:
    """Keras's decoupled decay (``w -= lr · wd · w``) matching the recipe's coupled decay, which
    momentum amplifies 1/(1 - momentum) times in the steady state."""
    return WEIGHT_DECAY_PER_1024 / (LR_PER_1024 * (1 - MOMENTUM))


def recipe_optimizer(batch_size: int, total_steps: int):
    """Nesterov SGD with the recipe's triangle schedule and weight decay."""
    schedule = TriangleSchedule(recipe_learning_rate(batch_size), total_steps)
    return keras.optimizers.SGD(learning_rate=schedule, momentum=MOMENTUM, nesterov=True,
                                weight_decay=recipe_weight_decay())


def recipe_loss():
    """Cross-entropy on logits with the recipe's label smoothing (labels one-hot)."""
    return keras.losses.CategoricalCrossentropy(from_logits=True,
                                                label_smoothing=LABEL_SMOOTHING)


# ----------------------------------------------------------------- data on the host (NumPy)

def _images(name: str, images) -> np.ndarray:
    if not isinstance(images, np.ndarray) or images.ndim != 4:
        raise ValueError(f"{name} of shape {getattr(images, 'shape', None)!r} must be a NumPy "
                         "array (N, H, W, C)")
    return images


def flip_random_half(images, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``images`` (N, H, W, C) with a random half of them mirrored left-right.

    Training then alternates: even epochs use this array, odd epochs its mirror image
    (``images[:, :, ::-1]``), so every image is seen both ways every two epochs.
    """
    images = _images("images", images)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng={rng!r} must be a numpy.random.Generator")
    flipped = images.copy()
    chosen = np.flatnonzero(rng.random(len(images)) < 0.5)
    flipped[chosen] = images[chosen, :, ::-1]        # a copy + half: faster than np.where
    return flipped


def tta_views(images, level: int) -> list[tuple[float, np.ndarray]]:
    """(weight, images) pairs whose weighted sum of logits is the test-time-augmented output.

    Level 0: the images. 1: the images and their mirror images. 2: level 1, half-weighted, plus
    the same for the images translated one pixel up-left and one down-right (reflect padding).
    """
    images = _images("images", images)
    _checks.one_of("level", level, TTA_LEVELS)
    if level == 0:
        return [(1.0, images)]
    mirror = [(0.5, images), (0.5, images[:, :, ::-1])]
    if level == 1:
        return mirror
    h, w = images.shape[1:3]
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    shifted = [padded[:, :h, :w], padded[:, 2:2 + h, 2:2 + w]]
    views = [(0.5 * weight, view) for weight, view in mirror]
    for image in shifted:
        views += [(0.125, image), (0.125, image[:, :, ::-1])]
    return views


def tta_logits(predict: Callable, images, level: int) -> np.ndarray:
    """The weighted sum of ``predict(view)`` over :func:`tta_views`."""
    if not callable(predict):
        raise TypeError(f"predict={predict!r} must be callable (images -> logits)")
    views = tta_views(images, level)
    return sum(weight * np.asarray(predict(np.ascontiguousarray(view)), "float32")
               for weight, view in views)


def accuracy(logits, labels) -> float:
    """The fraction of rows of ``logits`` whose arg-max equals ``labels``."""
    logits, labels = np.asarray(logits), np.asarray(labels).reshape(-1)
    if logits.ndim != 2 or len(logits) != len(labels) or not len(labels):
        raise ValueError(f"logits of shape {logits.shape} and labels of shape {labels.shape} "
                         "must be (N, classes) and (N,) with N > 0")
    return float(np.mean(np.argmax(logits, axis=1) == labels))


# ----------------------------------------------------------------- where Keras computes

def _cpu_name() -> str:
    name = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            name = next((line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name")), "")
    cores = os.cpu_count() or 1
    return f"{name or platform.processor() or platform.machine()} CPU, {cores} cores"


def keras_device() -> tuple[str, str]:
    """(kind, name) of the device Keras's backend computes on: kind is "GPU", "TPU" or "CPU"."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        kind = {"gpu": "GPU", "cuda": "GPU", "rocm": "GPU", "tpu": "TPU"}.get(device.platform,
                                                                           "CPU")
        if kind == "CPU":
            return kind, _cpu_name()
        return kind, f"{jax.device_count()} × {device.device_kind}"
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return "GPU", f"{len(gpus)} × {details.get('device_name', 'GPU')}"
        return "CPU", _cpu_name()
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return "GPU", f"{torch.cuda.device_count()} × {torch.cuda.get_device_name(0)}"
    return "CPU", _cpu_name()
