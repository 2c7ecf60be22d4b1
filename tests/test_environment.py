import random

import numpy as np
import pytest

import dlcourse
from dlcourse import environment, profiles


def test_setup_resolves_seeds_and_reports(monkeypatch, capsys):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    session = dlcourse.setup("auto", seed=7)
    first = (random.random(), np.random.rand())
    dlcourse.setup("auto", seed=7)
    assert (random.random(), np.random.rand()) == first
    out = capsys.readouterr().out
    assert session.profile == "smoke" and profiles.active() == "smoke"
    assert "profile: smoke" in out and "tensorflow" in out and "device:" in out


def test_setup_seeds_tensorflow(monkeypatch):
    import tensorflow as tf

    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    dlcourse.setup(seed=3, quiet=True)
    a = tf.random.uniform((3,)).numpy()
    dlcourse.setup(seed=3, quiet=True)
    assert np.array_equal(a, tf.random.uniform((3,)).numpy())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"profile": "medium"}, ValueError, "profile='medium'"),
    ({"seed": -1}, ValueError, "seed=-1"),
    ({"seed": 1.5}, ValueError, "seed=1.5"),
    ({"deterministic": "yes"}, TypeError, "deterministic='yes'"),
])
def test_setup_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        dlcourse.setup(**kwargs)


def test_versions_names_python_and_tensorflow():
    found = environment.versions()
    assert found["python"].count(".") == 2
    assert "tensorflow" in found and "numpy" in found


def test_native_stderr_is_restored_after_silencing(capfd):
    import os

    with environment._native_stderr_silenced():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err and "shown" in err


def test_import_tensorflow_quietly_returns_the_module():
    assert environment.import_tensorflow_quietly().__name__ == "tensorflow"


def test_setup_silences_only_the_tf_data_shuffle_warning(monkeypatch):
    import warnings

    import keras
    import tensorflow as tf

    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dlcourse.setup(quiet=True)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        ds = tf.data.Dataset.from_tensor_slices((np.ones((4, 2)), np.ones((4, 1)))).batch(2)
        model.fit(ds, epochs=1, verbose=0)
        warnings.warn("another warning", UserWarning, stacklevel=1)
    messages = [str(w.message) for w in caught]
    assert not any("shuffle=True" in m for m in messages)
    assert "another warning" in messages
