import random

import numpy as np
import pytest

import dlcourse
from dlcourse import devices, environment, profiles, tfimport


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

    with tfimport.native_stderr_silenced():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err and "shown" in err


def test_import_tensorflow_quietly_returns_the_module():
    assert tfimport.import_tensorflow_quietly().__name__ == "tensorflow"


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


def test_session_carries_the_strategy_and_scales_the_batch(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    monkeypatch.delenv(devices.REPLICAS_ENV_VAR, raising=False)
    monkeypatch.delenv(devices.XLA_ENV_VAR, raising=False)
    session = dlcourse.setup(quiet=True)
    assert session.replicas == session.strategy.num_replicas_in_sync == 1
    assert session.global_batch(64) == 64 and session.jit_compile == "auto"
    assert devices.active_replicas() == 1
    with pytest.raises(ValueError, match="per_replica=0"):
        session.global_batch(0)


class _TwoReplicas:
    num_replicas_in_sync = 2


def test_global_batch_multiplies_by_the_replicas():
    session = environment.Session("smoke", "cpu", 0, True, {}, strategy=_TwoReplicas())
    assert session.replicas == 2 and session.global_batch(32) == 64
    assert "2 replica(s)" in str(session)


def test_xla_stand_in_turns_determinism_off_and_makes_refusal_an_error(monkeypatch):
    import warnings

    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    monkeypatch.setenv(devices.XLA_ENV_VAR, "1")
    monkeypatch.delenv(devices.REPLICAS_ENV_VAR, raising=False)
    with warnings.catch_warnings():
        session = dlcourse.setup(quiet=True)
        assert session.jit_compile is True and session.deterministic is False
        with pytest.raises(UserWarning, match="jit_compile"):
            warnings.warn("Model doesn't support `jit_compile=True`. Proceeding with "
                          "`jit_compile=False`.", UserWarning, stacklevel=1)


def test_seed_comes_from_the_environment_when_not_given(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    monkeypatch.setenv(environment.SEED_ENV_VAR, "7")
    assert dlcourse.setup(quiet=True).seed == 7
    assert dlcourse.setup(seed=3, quiet=True).seed == 3
    monkeypatch.delenv(environment.SEED_ENV_VAR)
    assert dlcourse.setup(quiet=True).seed == 42
    monkeypatch.setenv(environment.SEED_ENV_VAR, "seven")
    with pytest.raises(ValueError, match="DLCOURSE_SEED='seven'"):
        dlcourse.setup(quiet=True)
