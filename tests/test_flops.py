import keras
import pytest
from keras import layers

from dlcourse import flops


def _model(input_shape, *stack):
    return keras.Sequential([keras.Input(input_shape), *stack])


def test_dense_counts_two_flops_per_multiply_add():
    model = _model((20,), layers.Dense(7), layers.Dense(3))
    assert flops.per_layer(model) == {model.layers[0].name: 2 * 20 * 7,
                                      model.layers[1].name: 2 * 7 * 3}
    assert flops.count(model) == 2 * (20 * 7 + 7 * 3)


def test_dense_on_a_sequence_counts_every_position():
    model = _model((5, 4), layers.Dense(6))
    assert flops.count(model) == 2 * 5 * 4 * 6


@pytest.mark.parametrize("padding, stride, out", [("same", 1, 8), ("valid", 1, 6), ("same", 2, 4)])
def test_conv2d_counts_output_positions_times_kernel(padding, stride, out):
    model = _model((8, 8, 3), layers.Conv2D(5, 3, strides=stride, padding=padding))
    assert flops.count(model) == 2 * out * out * 3 * 3 * 3 * 5


def test_grouped_conv_divides_the_input_channels():
    model = _model((6, 6, 4), layers.Conv2D(8, 3, padding="same", groups=2))
    assert flops.count(model) == 2 * 6 * 6 * 3 * 3 * 2 * 8


def test_conv1d():
    model = _model((10, 2), layers.Conv1D(4, 3))
    assert flops.count(model) == 2 * 8 * 3 * 2 * 4


def test_depthwise_and_separable():
    depthwise = _model((8, 8, 6), layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2))
    assert flops.count(depthwise) == 2 * 8 * 8 * 3 * 3 * 6 * 2
    separable = _model((8, 8, 6), layers.SeparableConv2D(10, 3, strides=2, padding="same"))
    assert flops.count(separable) == 2 * (4 * 4 * 3 * 3 * 6 + 4 * 4 * 6 * 10)
    spelled_out = _model((8, 8, 6), layers.DepthwiseConv2D(3, strides=2, padding="same"),
                         layers.Conv2D(10, 1))
    assert flops.count(spelled_out) == flops.count(separable)


def test_ignored_layers_count_zero_and_nested_models_are_walked():
    inner = _model((8, 8, 3), layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(),
                   layers.ReLU())
    outer = _model((8, 8, 3), inner, layers.MaxPooling2D(), layers.GlobalAveragePooling2D(),
                   layers.Dense(2))
    assert flops.count(outer) == 2 * 8 * 8 * 3 * 3 * 3 * 4 + 2 * 4 * 2
    assert len(flops.per_layer(outer)) == 2


def test_functional_model_with_a_skip_connection():
    inputs = keras.Input((4, 4, 2))
    branch = layers.Conv2D(2, 1)(inputs)
    outputs = layers.Add()([inputs, branch])
    assert flops.count(keras.Model(inputs, outputs)) == 2 * 4 * 4 * 2 * 2


@pytest.mark.parametrize("call, error, message", [
    (lambda: flops.count("resnet"), TypeError, "model='resnet'"),
    (lambda: flops.layer_flops(3), TypeError, "layer=3"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
