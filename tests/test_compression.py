"""dlcourse.compression: sparsity, gzip sizes, LiteRT float32 and int8 files that predict."""

import gzip

import numpy as np
import pytest

from dlcourse import compression


def test_sparsity_counts_exact_zeros_over_all_arrays():
    arrays = [np.array([[0.0, 1.0], [0.0, -2.0]]), np.zeros(4), np.array([1e-30])]
    assert compression.sparsity(arrays) == pytest.approx(6 / 9)
    assert compression.sparsity([np.ones(3)]) == 0.0


def test_gzip_size_sees_zeros_and_not_random_floats():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=10_000).astype(np.float32)
    mostly_zero = noise * (rng.random(10_000) < 0.1)
    assert compression.gzip_size(noise.tobytes()) > 0.8 * noise.nbytes
    assert compression.gzip_size(mostly_zero.tobytes()) < 0.3 * noise.nbytes
    assert compression.gzip_size(b"abc") == len(gzip.compress(b"abc", 9, mtime=0))


@pytest.fixture(scope="module")
def tiny():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    inputs = np.random.default_rng(1).random((37, 6)).astype(np.float32)
    return model, inputs, model.predict(inputs, verbose=0)


def test_float32_litert_model_predicts_as_keras(tiny):
    model, inputs, expected = tiny
    flatbuffer = compression.litert_model(model)
    predicted = compression.litert_predict(flatbuffer, inputs, batch_size=10)   # ragged last batch
    assert predicted.shape == expected.shape
    np.testing.assert_allclose(predicted, expected, atol=1e-5)


def test_int8_litert_model_is_int8_and_close(tiny):
    model, inputs, expected = tiny
    flatbuffer = compression.litert_model(model, calibration=inputs)
    interpreter = compression._interpreter_class()(model_content=flatbuffer)
    assert interpreter.get_input_details()[0]["dtype"] == np.int8
    predicted = compression.litert_predict(flatbuffer, inputs)
    assert np.abs(predicted - expected).max() < 0.05      # 1/256 steps plus rounding inside


def test_litert_models_equal_the_separate_conversions(tiny):
    model, inputs, _ = tiny
    both = compression.litert_models(model, calibration=inputs)
    assert set(both) == {"float32", "int8"}
    for variant, calibration in (("float32", None), ("int8", inputs)):
        alone = compression.litert_model(model, calibration=calibration)
        np.testing.assert_array_equal(compression.litert_predict(both[variant], inputs),
                                      compression.litert_predict(alone, inputs))


@pytest.mark.parametrize("call, error, words", [
    (lambda: compression.sparsity("weights"), TypeError, "arrays='weights'"),
    (lambda: compression.sparsity([]), ValueError, "at least one"),
    (lambda: compression.sparsity([np.array(["a"])]), ValueError, "numeric"),
    (lambda: compression.gzip_size("text"), TypeError, "data=str"),
    (lambda: compression.litert_model("model"), TypeError, "model='model'"),
    (lambda: compression.litert_models("model", calibration=np.zeros((2, 6))), TypeError,
     "model='model'"),
    (lambda: compression.litert_predict("file", np.zeros((2, 2))), TypeError, "flatbuffer=str"),
    (lambda: compression.litert_predict(b"x", np.zeros((2, 2)), batch_size=0), ValueError,
     "batch_size=0"),
    (lambda: compression.litert_predict(b"x", np.zeros(3)), ValueError, "inputs has shape (3,)"),
])
def test_bad_inputs_name_the_argument_and_the_value(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


@pytest.mark.parametrize("convert", [compression.litert_model, compression.litert_models])
def test_calibration_must_be_a_batch(tiny, convert):
    with pytest.raises(ValueError, match=r"calibration has shape \(6,\)"):
        convert(tiny[0], calibration=np.zeros(6))
