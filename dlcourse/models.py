"""Reference models used by several chapters, built from ``keras.layers`` only.

No TensorFlow import here: the same code trains in the notebooks (TensorFlow backend) and in
``benchmarks/`` on a GPU machine through JAX (``KERAS_BACKEND=jax``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dlcourse import _checks

RECURRENT_CELLS = ("simple_rnn", "lstm", "gru")


def _shape(name: str, shape) -> tuple[int, ...]:
    if not isinstance(shape, Sequence) or not shape or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(f"{name}={shape!r} must be a non-empty tuple of positive integers")
    return tuple(shape)


def _head(layers, num_classes: int, logits: bool):
    _checks.positive_int("num_classes", num_classes)
    return layers.Dense(num_classes, activation=None if logits else "softmax", name="classes")


def mlp(input_shape=(28, 28, 1), hidden: Sequence[int] = (128, 64), num_classes: int = 10, *,
        logits: bool = False, name: str = "mlp"):
    """Seed 001 §4's network: Flatten → Dense 128 ReLU → Dense 64 ReLU → Dense 10 (softmax)."""
    import keras
    from keras import layers

    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden={hidden!r} must be a sequence of layer widths")
    for width in hidden:
        _checks.positive_int("hidden width", width)
    stack = [keras.Input(_shape("input_shape", input_shape)), layers.Flatten()]
    stack += [layers.Dense(w, activation="relu", name=f"hidden_{i + 1}")
              for i, w in enumerate(hidden)]
    return keras.Sequential(stack + [_head(layers, num_classes, logits)], name=name)


def seed_cnn(input_shape=(28, 28, 1), num_classes: int = 10, *, logits: bool = False):
    """Seed 002 §3.3.2's CNN: Conv2D(32, 3×3, ReLU) → Flatten → Dense 10 (softmax)."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(_shape("input_shape", input_shape)),
        layers.Conv2D(32, (3, 3), activation="relu", name="conv"),
        layers.Flatten(),
        _head(layers, num_classes, logits),
    ], name="seed_cnn")


def deeper_cnn(input_shape=(28, 28, 1), num_classes: int = 10, *,
               filters: Sequence[int] = (32, 64), dense: int = 128, dropout: float = 0.3,
               logits: bool = False):
    """Blocks of two 3×3 convolutions with batch norm and max-pooling, then a dropout head."""
    import keras
    from keras import layers

    if not filters:
        raise ValueError(f"filters={filters!r} must name at least one block width")
    if not 0.0 <= _checks.real_number("dropout", dropout) < 1.0:
        raise ValueError(f"dropout={dropout!r} must be in [0, 1)")
    _checks.positive_int("dense", dense)
    stack = [keras.Input(_shape("input_shape", input_shape))]
    for block, width in enumerate(filters, start=1):
        _checks.positive_int("filters", width)
        for conv in (1, 2):
            stack += [layers.Conv2D(width, 3, padding="same", use_bias=False,
                                    name=f"block{block}_conv{conv}"),
                      layers.BatchNormalization(), layers.ReLU()]
        stack.append(layers.MaxPooling2D(2, name=f"block{block}_pool"))
    stack += [layers.Flatten(), layers.Dropout(dropout), layers.Dense(dense, activation="relu"),
              layers.Dropout(dropout), _head(layers, num_classes, logits)]
    return keras.Sequential(stack, name="deeper_cnn")


def rnn_classifier(cell: str = "lstm", units: int = 128, input_shape=(28, 28),
                   num_classes: int = 10, *, logits: bool = False):
    """A recurrent layer over a sequence of feature vectors, its last state → classes."""
    import keras
    from keras import layers

    _checks.one_of("cell", cell, RECURRENT_CELLS)
    _checks.positive_int("units", units)
    shape = _shape("input_shape", input_shape)
    if len(shape) != 2:
        raise ValueError(f"input_shape={input_shape!r} must be (timesteps, features)")
    recurrent = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}[cell]
    return keras.Sequential([
        keras.Input(shape),
        recurrent(units, name=cell),
        _head(layers, num_classes, logits),
    ], name=f"{cell}_classifier")


def count_params(model) -> int:
    """Trainable and non-trainable parameters of a built model."""
    if not hasattr(model, "count_params"):
        raise TypeError(f"model={model!r} must be a Keras model")
    return int(model.count_params())
