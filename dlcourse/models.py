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


# Text classifiers (chapter 06). Input: token ids from TextVectorization, 0 = padding, 1 = OOV.

def _text_input(keras, vocab_size: int, sequence_length: int, dim: int):
    _checks.positive_int("vocab_size", vocab_size)
    _checks.positive_int("sequence_length", sequence_length)
    _checks.positive_int("dim", dim)
    if vocab_size < 3:
        raise ValueError(f"vocab_size={vocab_size!r} must be at least 3 (padding, OOV, a word)")
    return keras.Input((sequence_length,), dtype="int32", name="token_ids")


def _dropout_rate(dropout: float) -> float:
    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dropout={dropout!r} must be in [0, 1)")
    return float(dropout)


def bag_of_embeddings(vocab_size: int, sequence_length: int, *, dim: int = 64,
                      dropout: float = 0.3, num_classes: int = 2, logits: bool = False):
    """Embedding → mean over the review's tokens (padding masked) → dropout → classes."""
    import keras
    from keras import layers

    tokens = _text_input(keras, vocab_size, sequence_length, dim)
    x = layers.Embedding(vocab_size, dim, mask_zero=True, name="embedding")(tokens)
    x = layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)
    x = layers.Dropout(_dropout_rate(dropout))(x)
    return keras.Model(tokens, _head(layers, num_classes, logits)(x), name="bag_of_embeddings")


def bilstm_classifier(vocab_size: int, sequence_length: int, *, dim: int = 64, units: int = 32,
                      dropout: float = 0.3, num_classes: int = 2, logits: bool = False):
    """Embedding (padding masked) → Bidirectional(LSTM): both last states → dropout → classes."""
    import keras
    from keras import layers

    _checks.positive_int("units", units)
    tokens = _text_input(keras, vocab_size, sequence_length, dim)
    x = layers.Embedding(vocab_size, dim, mask_zero=True, name="embedding")(tokens)
    x = layers.Bidirectional(layers.LSTM(units), name="bilstm")(x)
    x = layers.Dropout(_dropout_rate(dropout))(x)
    return keras.Model(tokens, _head(layers, num_classes, logits)(x), name="bilstm_classifier")


def transformer_classifier(vocab_size: int, sequence_length: int, *, dim: int = 64,
                           heads: int = 2, ff_dim: int = 128, dropout: float = 0.1,
                           num_classes: int = 2, logits: bool = False):
    """One Transformer encoder block over token + position embeddings, masked mean → classes.

    Post-norm block as in "Attention is all you need": x + MHA(x) → LayerNorm → x + FFN(x) →
    LayerNorm. Padding (id 0) is masked out of the attention keys and of the mean. The attention
    layer is named ``attention`` and returns its scores as a second output, so
    ``keras.Model(model.input, model.get_layer("attention").output[1])`` reads them.
    """
    import keras
    from keras import layers, ops

    for name, value in (("heads", heads), ("ff_dim", ff_dim)):
        _checks.positive_int(name, value)
    if dim % heads:
        raise ValueError(f"dim={dim!r} must be a multiple of heads={heads!r}")
    rate = _dropout_rate(dropout)
    tokens = _text_input(keras, vocab_size, sequence_length, dim)
    keep = ops.not_equal(tokens, 0)                                  # (batch, length): not padding
    positions = ops.zeros_like(tokens) + ops.arange(sequence_length, dtype="int32")
    x = (layers.Embedding(vocab_size, dim, name="token_embedding")(tokens)
         + layers.Embedding(sequence_length, dim, name="position_embedding")(positions))
    # No dropout on the attention weights themselves: on a CPU it nearly doubles the step time.
    attended, _ = layers.MultiHeadAttention(heads, dim // heads, name="attention")(
        x, x, attention_mask=ops.expand_dims(keep, 1), return_attention_scores=True)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm_1")(x + layers.Dropout(rate)(attended))
    h = layers.Dense(ff_dim, activation="relu", name="ffn_1")(x)
    h = layers.Dense(dim, name="ffn_2")(h)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm_2")(x + layers.Dropout(rate)(h))
    x = layers.GlobalAveragePooling1D(name="mean_over_tokens")(x, mask=keep)
    x = layers.Dropout(rate)(x)
    return keras.Model(tokens, _head(layers, num_classes, logits)(x),
                       name="transformer_classifier")
