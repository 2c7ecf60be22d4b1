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


# Chapter 07 (image recognition): residual blocks, a small ResNet, a MobileNet-style net.

# Batch norm's moving statistics follow the batches faster than Keras's default (0.99), so that
# short laptop runs (a few hundred steps) evaluate with statistics that have converged.
BN_MOMENTUM = 0.9


def _widths(widths) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) or not widths:
        raise ValueError(f"widths={widths!r} must be a non-empty sequence of channel counts")
    for width in widths:
        _checks.positive_int("widths entry", width)
    return tuple(int(w) for w in widths)


def _bn_relu(layers, x, bn_name: str, relu_name: str):
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=bn_name)(x)
    return layers.ReLU(name=relu_name)(x)


def _stem(layers, inputs, width: int, pools: int):
    """3×3 convolution, batch norm, ReLU, then ``pools`` 2×2 max-poolings (each halves the map)."""
    _checks.positive_int("stem_width", width)
    if isinstance(pools, bool) or not isinstance(pools, int) or pools < 0:
        raise ValueError(f"stem_pools={pools!r} must be a non-negative integer")
    x = layers.Conv2D(width, 3, padding="same", use_bias=False, kernel_initializer="he_normal",
                      name="stem_conv")(inputs)
    x = _bn_relu(layers, x, "stem_bn", "stem_relu")
    for i in range(pools):
        x = layers.MaxPooling2D(2, name=f"stem_pool{i + 1}")(x)
    return x


def residual_block(x, filters: int, *, stride: int = 1, shortcut: bool = True,
                   name: str = "block"):
    """``ReLU(shortcut(x) + F(x))`` with F = conv3×3-BN-ReLU-conv3×3-BN (He et al., 2016).

    The shortcut is ``x`` itself, or a strided 1×1 convolution with batch norm when the block
    changes the width or the resolution. ``shortcut=False`` gives the *plain* twin,
    ``ReLU(F(x))``: the same layers without the skip connection.
    """
    from keras import layers

    _checks.positive_int("filters", filters)
    _checks.one_of("stride", stride, (1, 2))
    if not isinstance(shortcut, bool):
        raise TypeError(f"shortcut={shortcut!r} must be True or False")
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                      kernel_initializer="he_normal", name=f"{name}_conv1")(x)
    y = _bn_relu(layers, y, f"{name}_bn1", f"{name}_relu1")
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer="he_normal",
                      name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn2")(y)
    if shortcut:
        skip = x
        if stride != 1 or x.shape[-1] != filters:
            skip = layers.Conv2D(filters, 1, strides=stride, use_bias=False,
                                 kernel_initializer="he_normal", name=f"{name}_proj")(x)
            skip = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_proj_bn")(skip)
        y = layers.Add(name=f"{name}_add")([skip, y])
    return layers.ReLU(name=f"{name}_out")(y)


def resnet(input_shape=(32, 32, 3), num_classes: int = 10, *, widths: Sequence[int] = (32, 64, 128),
           blocks_per_stage: int = 1, stem_width: int = 24, stem_pools: int = 1,
           shortcut: bool = True, logits: bool = False):
    """A ResNet for small images: stem, stages of residual blocks, global average pooling.

    Stage ``i`` has ``blocks_per_stage`` blocks of ``widths[i]`` channels; every stage after the
    first halves the resolution in its first block (stride 2). ``stem_pools`` max-poolings after
    the stem trade resolution for speed (1 on a laptop CPU, 0 for the best accuracy).
    """
    import keras
    from keras import layers

    widths = _widths(widths)
    _checks.positive_int("blocks_per_stage", blocks_per_stage)
    inputs = keras.Input(_shape("input_shape", input_shape))
    x = _stem(layers, inputs, stem_width, stem_pools)
    for stage, width in enumerate(widths, start=1):
        for block in range(1, blocks_per_stage + 1):
            x = residual_block(x, width, stride=2 if stage > 1 and block == 1 else 1,
                               shortcut=shortcut, name=f"stage{stage}_block{block}")
    x = layers.GlobalAveragePooling2D(name="average")(x)
    depth = 2 + 2 * blocks_per_stage * len(widths)       # weighted layers on the longest path
    kind = "resnet" if shortcut else "plain"
    return keras.Model(inputs, _head(layers, num_classes, logits)(x), name=f"{kind}_{depth}")


def mobilenet_style(input_shape=(32, 32, 3), num_classes: int = 10, *,
                    widths: Sequence[int] = (32, 64, 128), blocks_per_stage: int = 2,
                    stem_width: int = 24, stem_pools: int = 1, logits: bool = False):
    """Depthwise-separable blocks (MobileNet v1): depthwise 3×3-BN-ReLU, pointwise 1×1-BN-ReLU.

    A depthwise 3×3 filters each channel on its own; the 1×1 convolution then mixes channels.
    Together they cost about ``1/9 + 1/C_out`` of a full 3×3 convolution's multiply-adds.
    """
    import keras
    from keras import layers

    widths = _widths(widths)
    _checks.positive_int("blocks_per_stage", blocks_per_stage)
    inputs = keras.Input(_shape("input_shape", input_shape))
    x = _stem(layers, inputs, stem_width, stem_pools)
    for stage, width in enumerate(widths, start=1):
        for block in range(1, blocks_per_stage + 1):
            name = f"stage{stage}_block{block}"
            x = layers.DepthwiseConv2D(3, strides=2 if stage > 1 and block == 1 else 1,
                                       padding="same", use_bias=False, name=f"{name}_depthwise")(x)
            x = _bn_relu(layers, x, f"{name}_bn1", f"{name}_relu1")
            x = layers.Conv2D(width, 1, use_bias=False, name=f"{name}_pointwise")(x)
            x = _bn_relu(layers, x, f"{name}_bn2", f"{name}_relu2")
    x = layers.GlobalAveragePooling2D(name="average")(x)
    return keras.Model(inputs, _head(layers, num_classes, logits)(x), name="mobilenet_style")
