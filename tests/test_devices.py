import pytest

from dlcourse import devices


def test_cpu_only_machine(monkeypatch):
    monkeypatch.setattr(devices, "tpu_present", lambda: False)
    monkeypatch.setattr(devices, "gpu_count", lambda: 0)
    assert devices.accelerator() == "CPU"
    assert "CPU" in devices.describe()


def test_gpu_machine(monkeypatch):
    monkeypatch.setattr(devices, "tpu_present", lambda: False)
    monkeypatch.setattr(devices, "gpu_count", lambda: 2)
    assert devices.accelerator() == "GPU"
    assert devices.describe().startswith("2 GPU(s)")


def test_tpu_detected_from_colab_variable(monkeypatch):
    for var in devices.TPU_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(devices.glob, "glob", lambda pattern: [])
    assert not devices.tpu_present()
    monkeypatch.setenv("COLAB_TPU_ADDR", "10.0.0.2:8470")
    assert devices.tpu_present() and devices.accelerator() == "TPU"


def test_tpu_detected_from_accel_devices(monkeypatch):
    for var in devices.TPU_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(devices.glob, "glob", lambda pattern: ["/dev/accel0"])
    assert devices.tpu_present()


def test_default_strategy_on_cpu():
    import tensorflow as tf

    strategy = devices.strategy("CPU")
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1


def test_single_gpu_gets_the_default_strategy():
    import tensorflow as tf

    assert devices.strategy("GPU") is tf.distribute.get_strategy()  # no GPU here: one device


def test_tpu_strategy_uses_the_local_resolver(monkeypatch):
    import tensorflow as tf

    calls = {}

    class FakeResolver:
        def __init__(self, tpu=None):
            calls["tpu"] = tpu

    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver", FakeResolver)
    monkeypatch.setattr(tf.config, "experimental_connect_to_cluster", lambda r: None)
    monkeypatch.setattr(tf.tpu.experimental, "initialize_tpu_system", lambda r: None)
    monkeypatch.setattr(tf.distribute, "TPUStrategy", lambda r: ("TPUStrategy", r))
    kind, resolver = devices.strategy("TPU")
    assert kind == "TPUStrategy" and isinstance(resolver, FakeResolver)
    assert calls["tpu"] == "local"


def test_strategy_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind='NPU'"):
        devices.strategy("NPU")
