"""Floating-point operations of a Keras model's forward pass, counted from its layer shapes.

One multiply-add counts as **two** FLOPs (the convention of most papers and of TensorFlow's
profiler). Counted: ``Dense``, ``Conv1D``/``Conv2D``/``Conv3D`` (``groups`` included),
``DepthwiseConv2D`` and ``SeparableConv2D``; nested models are counted layer by layer.
Ignored, because they cost little next to those: biases, batch normalisation, activations,
pooling, the additions of residual connections and every other layer. The count is per example
(the batch axis is left out). No TensorFlow import: the count reads shapes only.
"""

from __future__ import annotations

import math

COUNTED = ("Dense", "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D")


def _spatial(shape) -> int:
    """Positions of one example: the product of every axis but the batch and the channels."""
    return math.prod(int(d) for d in shape[1:-1])


def layer_flops(layer) -> int:
    """FLOPs (2 × multiply-adds) of one call of ``layer`` on one example; 0 if not counted."""
    if not hasattr(layer, "output") or not hasattr(layer, "input"):
        raise TypeError(f"layer={layer!r} must be a built Keras layer")
    kind = type(layer).__name__
    if kind not in COUNTED:
        return 0
    in_shape, out_shape = layer.input.shape, layer.output.shape
    channels_in = int(in_shape[-1])
    if kind == "Dense":
        # A Dense layer on (batch, ..., features) applies the same matrix at every leading position.
        return 2 * _spatial(out_shape) * channels_in * layer.units
    if kind == "DepthwiseConv2D":
        kernel = math.prod(layer.kernel_size)
        return 2 * _spatial(out_shape) * kernel * channels_in * layer.depth_multiplier
    if kind == "SeparableConv2D":
        depthwise = _spatial(out_shape) * math.prod(layer.kernel_size) * channels_in
        pointwise = _spatial(out_shape) * channels_in * layer.depth_multiplier * layer.filters
        return 2 * (depthwise * layer.depth_multiplier + pointwise)
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ValueError(f"layer {layer.name!r} has data_format={layer.data_format!r}; "
                         "only 'channels_last' is counted")
    kernel = math.prod(layer.kernel_size)
    per_position = kernel * (channels_in // layer.groups) * layer.filters
    return 2 * _spatial(out_shape) * per_position


def _walk(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:   # a nested model: count inside it
            yield from _walk(layer)
        else:
            yield layer


def per_layer(model) -> dict[str, int]:
    """FLOPs of every counted layer of a built model, by layer name, in model order."""
    if not hasattr(model, "layers"):
        raise TypeError(f"model={model!r} must be a built Keras model")
    return {layer.name: flops for layer in _walk(model) if (flops := layer_flops(layer))}


def count(model) -> int:
    """Total forward-pass FLOPs of a built Keras model for one example."""
    return sum(per_layer(model).values())
