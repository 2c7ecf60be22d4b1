import keras
import numpy as np
import pytest

from dlcourse import flops, models


def _block(shape, filters, **options):
    inputs = keras.Input(shape)
    return keras.Model(inputs, models.residual_block(inputs, filters, **options))


def test_residual_block_keeps_shape_and_adds_the_input():
    block = _block((8, 8, 4), 4)
    assert block.output_shape == (None, 8, 8, 4)
    assert any(isinstance(layer, keras.layers.Add) for layer in block.layers)
    block.get_layer("block_bn2").gamma.assign(np.zeros(4, "float32"))
    x = np.random.default_rng(0).uniform(0, 1, (2, 8, 8, 4)).astype("float32")
    assert np.allclose(block(x, training=False), x, atol=1e-6)   # F = 0: the identity


def test_strided_block_projects_the_shortcut():
    block = _block((8, 8, 4), 6, stride=2)
    assert block.output_shape == (None, 4, 4, 6)
    assert block.get_layer("block_proj").kernel.shape == (1, 1, 4, 6)


def test_plain_block_has_no_addition_and_the_same_convolutions():
    plain, residual = _block((8, 8, 4), 4, shortcut=False), _block((8, 8, 4), 4)
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert models.count_params(plain) == models.count_params(residual)


def test_resnet_shapes_depth_and_twin():
    net = models.resnet((32, 32, 3), 10, widths=(8, 16, 32), blocks_per_stage=2)
    assert net.name == "resnet_14"
    assert net.output_shape == (None, 10)
    assert net.get_layer("stage3_block1_conv1").output.shape[1:] == (4, 4, 32)
    out = net(np.zeros((2, 32, 32, 3), "float32"))
    assert np.allclose(np.sum(out, axis=-1), 1.0, atol=1e-5)
    plain = models.resnet((32, 32, 3), 10, widths=(8, 16, 32), blocks_per_stage=2,
                          shortcut=False)
    assert plain.name == "plain_14"
    # The plain twin keeps the projections' absence only: same convolutions on the main path.
    assert flops.count(plain) < flops.count(net)


def test_resnet_without_stem_pooling_keeps_full_resolution():
    net = models.resnet((16, 16, 3), 4, widths=(8,), stem_width=8, stem_pools=0, logits=True)
    assert net.get_layer("stage1_block1_conv1").output.shape[1:] == (16, 16, 8)
    assert not np.allclose(np.sum(net(np.ones((1, 16, 16, 3), "float32"))), 1.0)


def test_mobilenet_style_uses_depthwise_separable_blocks():
    net = models.mobilenet_style((32, 32, 3), 10, widths=(8, 16), blocks_per_stage=1)
    kinds = {type(layer).__name__ for layer in net.layers}
    assert {"DepthwiseConv2D", "Conv2D"} <= kinds
    assert net.output_shape == (None, 10)
    resnet = models.resnet((32, 32, 3), 10, widths=(8, 16), blocks_per_stage=1)
    assert flops.count(net) < flops.count(resnet)


@pytest.mark.parametrize("call, error, message", [
    (lambda: models.resnet(widths=()), ValueError, "widths=()"),
    (lambda: models.resnet(widths=(16, 0)), ValueError, "widths entry=0"),
    (lambda: models.resnet(blocks_per_stage=0), ValueError, "blocks_per_stage=0"),
    (lambda: models.resnet(stem_pools=-1), ValueError, "stem_pools=-1"),
    (lambda: models.resnet(stem_width=0), ValueError, "stem_width=0"),
    (lambda: models.mobilenet_style(widths="64"), ValueError, "widths='64'"),
    (lambda: _block((8, 8, 4), 4, stride=3), ValueError, "stride=3"),
    (lambda: _block((8, 8, 4), 4, shortcut="yes"), TypeError, "shortcut='yes'"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
