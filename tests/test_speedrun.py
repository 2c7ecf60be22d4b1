"""dlcourse.speedrun: the speed-run network's parts compute what their docstrings say."""

import math

import keras
import numpy as np
import pytest

from dlcourse import speedrun


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (40, 12, 12, 3), dtype=np.uint8)


@pytest.fixture(autouse=True)
def float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_the_network_has_the_recipe_layers_and_returns_float32_logits():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = speedrun.speedrun_net((32, 32, 3), 10)
    assert model.output.dtype == "float32" and model.get_layer("group1_conv1").compute_dtype \
        == "bfloat16"
    assert model.get_layer("whiten").trainable is False
    assert model.get_layer("whiten").kernel.shape == (2, 2, 3, 24)
    assert [model.get_layer(f"group{g}_conv2").filters for g in (1, 2, 3)] == [64, 256, 256]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == 1_971_352      # airbench94's net has about 1.97 M parameters too
    out = model(np.zeros((2, 32, 32, 3), np.uint8))
    assert tuple(out.shape) == (2, 10)


def test_prepare_standardises_and_whitens_the_patches(images):
    model = speedrun.speedrun_net((12, 12, 3), 4, widths=(4, 4, 4))
    mean, std = speedrun.prepare(model, images)
    np.testing.assert_allclose(mean, images.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(std, images.std(axis=(0, 1, 2)), rtol=1e-4)
    standardised = keras.ops.convert_to_numpy(model.get_layer("standardize")(images))
    whitened = keras.ops.convert_to_numpy(model.get_layer("whiten")(standardised))
    flat = whitened.reshape(-1, 24)
    moments = flat[:, :12].T @ flat[:, :12] / len(flat)
    np.testing.assert_allclose(moments, np.eye(12), atol=2e-2)     # eps keeps it just under 1
    np.testing.assert_allclose(flat[:, 12:], -flat[:, :12], atol=1e-5)


def test_whitening_orders_eigenvectors_by_variance():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 6, 6, 1)).astype("float32") * 0.1
    x += rng.normal(size=(30, 1, 1, 1)).astype("float32") * 3.0   # one strong shared direction
    kernel = speedrun.patch_whitening_kernel(x, size=2, eps=0.0)
    first = kernel[..., 0].ravel()
    assert np.allclose(np.abs(first) / np.abs(first).max(), 1.0, atol=0.05)   # the mean filter
    assert np.abs(first).max() < np.abs(kernel[..., 1]).max()   # larger variance, smaller weights


def test_random_translate_shifts_each_image_within_the_padding_and_is_identity_at_inference():
    x = np.arange(3 * 8 * 8, dtype="float32").reshape(3, 8, 8, 1)
    layer = speedrun.RandomTranslate(2, seed=0)
    assert np.array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    seen = set()
    for _ in range(8):
        out = keras.ops.convert_to_numpy(layer(x, training=True))
        for i in range(3):
            matches = [(dy, dx) for dy in range(5) for dx in range(5)
                       if np.array_equal(out[i], padded[i, dy:dy + 8, dx:dx + 8])]
            assert len(matches) == 1
            seen.add(matches[0])
    assert len(seen) > 5            # the offsets vary between images and calls


def test_shift_select_takes_each_examples_window():
    padded = np.arange(2 * 5 * 1 * 1, dtype="float32").reshape(2, 5, 1, 1)
    out = speedrun.shift_select(padded, np.array([0, 2]), axis=1, size=3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out)[:, :, 0, 0],
                                  [[0, 1, 2], [7, 8, 9]])


def test_partial_identity_passes_the_input_through_its_first_filters():
    kernel = keras.ops.convert_to_numpy(speedrun.PartialIdentity(seed=0)((3, 3, 2, 5)))
    for j in range(2):
        expected = np.zeros((3, 3, 2))
        expected[1, 1, j] = 1.0
        np.testing.assert_array_equal(kernel[..., j], expected)
    assert np.abs(kernel[..., 2:]).max() <= 1 / math.sqrt(3 * 3 * 2)
    assert np.abs(kernel[..., 2:]).min() > 0


def test_scaled_bias_adds_scale_times_its_weight():
    layer = speedrun.ScaledBias(8.0)
    layer.build((None, 3))
    layer.set_weights([np.array([1.0, 0.0, -0.5], "float32")])
    out = keras.ops.convert_to_numpy(layer(np.zeros((2, 3), "float32")))
    np.testing.assert_allclose(out, [[8.0, 0.0, -4.0]] * 2)


def test_triangle_schedule_rises_to_the_peak_and_decays_to_the_end():
    schedule = speedrun.TriangleSchedule(2.0, total_steps=100, start=0.2, peak=0.25, end=0.1)
    lr = [float(schedule(step)) for step in (0, 25, 100, 200)]
    np.testing.assert_allclose(lr, [0.4, 2.0, 0.2, 0.2], rtol=1e-6)
    assert float(schedule(10)) == pytest.approx(0.4 + 1.6 * 10 / 25)


def test_recipe_rates_match_the_published_step_sizes():
    # 11.5 per 1024 examples of a summed loss, Nesterov 0.85 → 1.5 on the mean of 1024 examples
    assert speedrun.recipe_learning_rate(1024) == pytest.approx(1.5)
    assert speedrun.recipe_learning_rate(256) == pytest.approx(0.375)
    decay_per_step = speedrun.recipe_learning_rate(1024) * speedrun.recipe_weight_decay()
    assert decay_per_step == pytest.approx(0.0153 * 1024 / (1024 * (1 + 1 / 0.15)) / 0.15)
    optimizer = speedrun.recipe_optimizer(1024, total_steps=476)
    assert optimizer.nesterov and optimizer.momentum == pytest.approx(0.85)


def test_a_compiled_network_takes_training_steps(images):
    model = speedrun.speedrun_net((12, 12, 3), 4, widths=(4, 8, 8))
    model.compile(optimizer=speedrun.recipe_optimizer(8, total_steps=5),
                  loss=speedrun.recipe_loss())
    speedrun.prepare(model, images)
    labels = np.eye(4, dtype="float32")[np.arange(40) % 4]
    history = model.fit(images, labels, batch_size=8, epochs=1, steps_per_epoch=5, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert int(model.optimizer.iterations) == 5


def test_flip_random_half_mirrors_about_half_of_the_images(images):
    out = speedrun.flip_random_half(images, np.random.default_rng(0))
    same = [np.array_equal(o, i) for o, i in zip(out, images)]
    mirrored = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, images)]
    assert all(s or m for s, m in zip(same, mirrored))
    assert 10 <= sum(mirrored) <= 30


def test_tta_views_weights_sum_to_one_and_levels_add_views(images):
    counts = {level: len(speedrun.tta_views(images, level)) for level in (0, 1, 2)}
    assert counts == {0: 1, 1: 2, 2: 6}
    assert sum(w for w, _ in speedrun.tta_views(images, 2)) == pytest.approx(1.0)
    assert all(view.shape == images.shape for _, view in speedrun.tta_views(images, 2))


def test_tta_logits_average_the_predictions_over_the_views(images):
    def predict(batch):       # logits that see the left-right orientation of each image
        return np.stack([batch[:, :, :6].mean(axis=(1, 2, 3)),
                         batch[:, :, 6:].mean(axis=(1, 2, 3))], axis=1)

    mirrored = speedrun.tta_logits(predict, images, 1)
    np.testing.assert_allclose(mirrored[:, 0], mirrored[:, 1], rtol=1e-5)   # symmetric now
    assert speedrun.accuracy(np.array([[0.1, 0.9], [2.0, 1.0]]), [1, 1]) == 0.5


def test_keras_device_names_this_cpu():
    kind, name = speedrun.keras_device()
    assert kind in ("CPU", "GPU", "TPU") and name


@pytest.mark.parametrize("call, error, text", [
    (lambda: speedrun.speedrun_net((32, 32), 10), ValueError, "input_shape=(32, 32)"),
    (lambda: speedrun.speedrun_net((8, 8, 3), 10), ValueError, "too small"),
    (lambda: speedrun.speedrun_net(widths=(64, 256)), ValueError, "widths=(64, 256)"),
    (lambda: speedrun.speedrun_net(num_classes="10"), TypeError, "num_classes='10'"),
    (lambda: speedrun.RandomTranslate(-1), ValueError, "pixels=-1"),
    (lambda: speedrun.ScaledBias(0), ValueError, "scale=0"),
    (lambda: speedrun.Standardize([1.0], [0.0]), ValueError, "std=[0.0]"),
    (lambda: speedrun.patch_whitening_kernel(np.zeros((2, 8, 8)), 2), ValueError, "(N, H, W, C)"),
    (lambda: speedrun.patch_whitening_kernel(np.zeros((2, 8, 8, 3)), 2, eps=-1.0), ValueError,
     "eps=-1.0"),
    (lambda: speedrun.TriangleSchedule(1.0, 0), ValueError, "total_steps=0"),
    (lambda: speedrun.TriangleSchedule(1.0, 10, peak=1.0), ValueError, "peak=1.0"),
    (lambda: speedrun.recipe_learning_rate(0), ValueError, "batch_size=0"),
    (lambda: speedrun.flip_random_half(np.zeros((2, 4, 4, 1)), 0), TypeError, "rng=0"),
    (lambda: speedrun.flip_random_half([1, 2], np.random.default_rng()), ValueError, "images"),
    (lambda: speedrun.tta_views(np.zeros((2, 4, 4, 1)), 3), ValueError, "level=3"),
    (lambda: speedrun.tta_logits("model", np.zeros((2, 4, 4, 1)), 0), TypeError,
     "predict='model'"),
    (lambda: speedrun.accuracy(np.zeros((3, 2)), [0, 1]), ValueError, "labels of shape (2,)"),
    (lambda: speedrun.shift_select(np.zeros((1, 4, 4, 1)), np.zeros(1), axis=3, size=2),
     ValueError, "axis=3"),
    (lambda: speedrun.PartialIdentity()((3, 3)), ValueError, "shape=(3, 3)"),
])
def test_bad_inputs_name_the_argument(call, error, text):
    with pytest.raises(error, match=None) as raised:
        call()
    assert text in str(raised.value)
