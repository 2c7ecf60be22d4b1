import ast
from pathlib import Path

import numpy as np
import pytest

from dlcourse import models


def test_models_module_never_imports_tensorflow():
    tree = ast.parse(Path(models.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in getattr(node, "names", [])}
    modules = {node.module.split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module}
    assert "tensorflow" not in imported | modules


def test_mlp_is_seed_001s_network():
    model = models.mlp()
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [128, 64, 10]
    assert models.count_params(model) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    out = model(np.zeros((2, 28, 28, 1), "float32"))
    assert np.allclose(np.sum(out, axis=-1), 1.0, atol=1e-5)


def test_logits_head_has_no_softmax():
    out = models.mlp(logits=True)(np.ones((1, 28, 28, 1), "float32"))
    assert not np.isclose(float(np.sum(out)), 1.0)


def test_seed_cnn_shapes():
    model = models.seed_cnn()
    assert model.output_shape == (None, 10)
    assert models.count_params(model) == 3 * 3 * 32 + 32 + 26 * 26 * 32 * 10 + 10


def test_deeper_cnn_on_colour_images():
    model = models.deeper_cnn((32, 32, 3), 10, filters=(8, 16), dense=32)
    assert model.output_shape == (None, 10)
    assert model(np.zeros((1, 32, 32, 3), "float32")).shape == (1, 10)


@pytest.mark.parametrize("cell", models.RECURRENT_CELLS)
def test_rnn_classifier_cells(cell):
    model = models.rnn_classifier(cell, units=8)
    assert model.output_shape == (None, 10)
    assert model.get_layer(cell) is not None


@pytest.mark.parametrize("call, error, message", [
    (lambda: models.mlp(hidden=(128, 0)), ValueError, "hidden width=0"),
    (lambda: models.mlp(hidden="128"), TypeError, "hidden='128'"),
    (lambda: models.mlp(input_shape=(28, -1)), ValueError, "input_shape="),
    (lambda: models.seed_cnn(num_classes=0), ValueError, "num_classes=0"),
    (lambda: models.deeper_cnn(dropout=1.5), ValueError, "dropout=1.5"),
    (lambda: models.deeper_cnn(filters=()), ValueError, "filters=()"),
    (lambda: models.rnn_classifier("transformer"), ValueError, "cell='transformer'"),
    (lambda: models.rnn_classifier(input_shape=(28,)), ValueError, "timesteps, features"),
    (lambda: models.count_params("model"), TypeError, "model='model'"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
