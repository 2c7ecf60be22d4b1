"""Chapter 06's text classifiers in dlcourse.models: shapes, masking, parameter counts, errors."""

import keras
import numpy as np
import pytest

from dlcourse import models

VOCAB, LENGTH = 50, 12


def token_batch(padding_from: int = 8) -> np.ndarray:
    ids = np.random.default_rng(0).integers(2, VOCAB, size=(3, LENGTH)).astype("int32")
    ids[:, padding_from:] = 0
    return ids


@pytest.mark.parametrize("build", [models.bag_of_embeddings, models.bilstm_classifier,
                                   models.transformer_classifier])
def test_text_models_give_class_distributions(build):
    model = build(VOCAB, LENGTH, dim=8)
    assert model.output_shape == (None, 2)
    probabilities = np.asarray(model(token_batch()))
    assert np.allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("build, table", [(models.bag_of_embeddings, "embedding"),
                                          (models.bilstm_classifier, "embedding"),
                                          (models.transformer_classifier, "token_embedding")])
def test_padding_is_masked(build, table):
    # Changing the padding token's vector (and the positions after the review) changes nothing.
    model = build(VOCAB, LENGTH, dim=8)
    ids = token_batch(padding_from=6)
    before = np.asarray(model(ids))
    layer = model.get_layer(table)
    vectors = layer.embeddings.numpy()
    vectors[0] += 5.0
    layer.embeddings.assign(vectors)
    if table == "token_embedding":
        positions = model.get_layer("position_embedding")
        rows = positions.embeddings.numpy()
        rows[6:] += 5.0
        positions.embeddings.assign(rows)
    assert np.allclose(np.asarray(model(ids)), before, atol=1e-5)


def test_bag_of_embeddings_is_the_mean_of_real_tokens():
    model = models.bag_of_embeddings(VOCAB, LENGTH, dim=4, logits=True)
    ids = token_batch()
    table = model.get_layer("embedding").embeddings.numpy()
    kernel, bias = model.get_layer("classes").get_weights()
    means = np.stack([table[row[row > 0]].mean(axis=0) for row in ids])
    assert np.allclose(np.asarray(model(ids)), means @ kernel + bias, atol=1e-5)


def test_bilstm_parameter_count():
    d, u = 8, 5
    model = models.bilstm_classifier(VOCAB, LENGTH, dim=d, units=u)
    assert models.count_params(model) == VOCAB * d + 2 * 4 * u * (d + u + 1) + 2 * u * 2 + 2


def test_transformer_parameter_count_and_attention_output():
    d, h, f = 8, 2, 16
    model = models.transformer_classifier(VOCAB, LENGTH, dim=d, heads=h, ff_dim=f)
    expected = (VOCAB * d + LENGTH * d + 4 * (d * d + d) + 4 * d + d * f + f + f * d + d
                + d * 2 + 2)
    assert models.count_params(model) == expected
    scores = keras.Model(model.input, model.get_layer("attention").output[1])
    weights = np.asarray(scores(token_batch(padding_from=8)))
    assert weights.shape == (3, h, LENGTH, LENGTH)
    assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(weights[..., 8:] == 0)          # no query attends to padding


def test_transformer_sees_word_order():
    model = models.transformer_classifier(VOCAB, LENGTH, dim=8, logits=True)
    bag = models.bag_of_embeddings(VOCAB, LENGTH, dim=8, logits=True)
    ids = token_batch(padding_from=LENGTH)
    reversed_ids = ids[:, ::-1].copy()
    assert not np.allclose(np.asarray(model(ids)), np.asarray(model(reversed_ids)), atol=1e-6)
    assert np.allclose(np.asarray(bag(ids)), np.asarray(bag(reversed_ids)), atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"vocab_size": 2}, "vocab_size"),
    ({"sequence_length": 0}, "sequence_length"),
    ({"dim": 7, "heads": 2}, "multiple of heads"),
    ({"dropout": 1.0}, "dropout"),
    ({"ff_dim": -1}, "ff_dim"),
])
def test_transformer_rejects_bad_arguments(kwargs, message):
    arguments = {"vocab_size": VOCAB, "sequence_length": LENGTH, **kwargs}
    with pytest.raises(ValueError, match=message):
        models.transformer_classifier(**arguments)


def test_bilstm_rejects_bad_units():
    with pytest.raises((ValueError, TypeError), match="units"):
        models.bilstm_classifier(VOCAB, LENGTH, units=0)
