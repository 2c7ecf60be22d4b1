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


@pytest.mark.parametrize("value, expected", [("", 1), ("1", 1), ("2", 2)])
def test_requested_replicas_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(devices.REPLICAS_ENV_VAR, value)
    assert devices.requested_replicas() == expected


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_requested_replicas_rejects_bad_values(monkeypatch, value):
    monkeypatch.setenv(devices.REPLICAS_ENV_VAR, value)
    with pytest.raises(ValueError, match=f"DLCOURSE_REPLICAS='{value}'"):
        devices.requested_replicas()


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("1", True),
                                             ("true", True)])
def test_xla_requested_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.delenv(devices.REPLICAS_ENV_VAR, raising=False)
    monkeypatch.setenv(devices.XLA_ENV_VAR, value)
    assert devices.xla_requested() is expected


def test_xla_and_replicas_cannot_be_combined(monkeypatch):
    monkeypatch.setenv(devices.XLA_ENV_VAR, "1")
    monkeypatch.setenv(devices.REPLICAS_ENV_VAR, "2")
    with pytest.raises(ValueError, match="cannot be combined"):
        devices.xla_requested()
    monkeypatch.setenv(devices.XLA_ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="DLCOURSE_XLA='maybe'"):
        devices.xla_requested()


def test_split_cpu_after_start_explains_itself():
    import tensorflow as tf

    tf.constant(1.0) + 1.0        # TensorFlow has now initialised its devices
    if len(tf.config.list_logical_devices("CPU")) == 3:
        pytest.skip("the CPU is already split three ways in this process")
    with pytest.raises(RuntimeError, match="DLCOURSE_REPLICAS before the first TensorFlow"):
        devices.split_cpu(3)


def test_split_cpu_rejects_bad_counts():
    with pytest.raises(ValueError, match="replicas=0"):
        devices.split_cpu(0)


def test_mirrored_strategy_over_two_logical_cpus_in_a_fresh_process():
    import subprocess
    import sys

    code = ("from dlcourse import devices; s = devices.strategy('CPU', replicas=2); "
            "print(type(s).__name__, s.num_replicas_in_sync)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["MirroredStrategy", "2"], result.stderr[-2000:]


def test_activate_sets_the_replicas_data_uses(monkeypatch):
    class Four:
        num_replicas_in_sync = 4

    monkeypatch.setattr(devices, "_active", None)
    assert devices.active_replicas() == 1
    devices.activate(Four())
    assert devices.active_replicas() == 4
    with pytest.raises(TypeError, match="chosen='mirrored'"):
        devices.activate("mirrored")


class _Replicated:
    num_replicas_in_sync = 2


def test_xla_strategy_is_one_cpu_for_mirrored_logical_cpus(monkeypatch):
    monkeypatch.setattr(devices, "accelerator", lambda: "CPU")
    one = devices.xla_strategy(_Replicated())
    assert type(one).__name__ == "OneDeviceStrategy" and one.num_replicas_in_sync == 1


def test_xla_strategy_keeps_accelerator_strategies(monkeypatch):
    replicated = _Replicated()
    for kind in ("GPU", "TPU"):
        monkeypatch.setattr(devices, "accelerator", lambda kind=kind: kind)
        assert devices.xla_strategy(replicated) is replicated
    default = devices.strategy("CPU", replicas=1)
    assert devices.xla_strategy(default) is default


def test_xla_strategy_rejects_non_strategies():
    with pytest.raises(TypeError, match="chosen=3"):
        devices.xla_strategy(3)
