import time

import numpy as np
import pytest

from dlcourse import throughput, timing


def batches(n_batches=3, size=4):
    return [(np.zeros((size, 2)), np.zeros(size)) for _ in range(n_batches)]


def test_examples_per_second_counts_every_example_of_each_run():
    result = throughput.examples_per_second(batches(3, 4), warmup=1, repeat=2)
    assert result.examples == 12 and len(result.timing.runs) == 2
    assert result.best >= result.median > 0
    assert "examples/s" in str(result)


def test_examples_per_second_takes_only_the_first_batches():
    assert throughput.examples_per_second(batches(5, 4), batches=2, repeat=1).examples == 8


def test_examples_per_second_calls_a_factory_once_per_run():
    calls = []

    def factory():
        calls.append(1)
        return iter(batches(2, 3))

    result = throughput.examples_per_second(factory, warmup=2, repeat=3)
    assert result.examples == 6 and len(calls) == 5


def test_examples_per_second_reads_a_tf_data_pipeline():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices(np.arange(10.0)).batch(4)
    assert throughput.examples_per_second(ds, repeat=2).examples == 10


def test_examples_per_second_rejects_a_one_shot_iterator():
    with pytest.raises(ValueError, match="same number"):
        throughput.examples_per_second(iter(batches(2)), warmup=1, repeat=2)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"source": 3}, TypeError, "source=3"),
    ({"source": [], "batches": 0}, ValueError, "batches=0"),
    ({"source": [(np.zeros(3),)], "repeat": 0}, ValueError, "repeat=0"),
])
def test_examples_per_second_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        throughput.examples_per_second(**kwargs)


def test_batch_size_of_finds_the_leading_dimension():
    assert throughput.batch_size_of((np.zeros((5, 3)), np.zeros(5))) == 5
    assert throughput.batch_size_of({"image": np.zeros((2, 1))}) == 2
    with pytest.raises(TypeError, match="leading"):
        throughput.batch_size_of(3.0)
    with pytest.raises(ValueError, match="empty"):
        throughput.batch_size_of(())


def test_step_seconds_times_the_steady_steps_only():
    fits = []

    class FakeModel:
        # Slow set-up, then batches 10 ms apart: only the batches may count.
        def fit(self, dataset, *, callbacks, **kwargs):
            fits.append(kwargs)
            time.sleep(0.05)
            clock, = callbacks
            clock.on_train_begin()
            for batch in range(kwargs["steps_per_epoch"]):
                time.sleep(0.01)
                clock.on_train_batch_end(batch)

    result = throughput.step_seconds(FakeModel(), None, steps=3, warmup=1, repeat=2)
    assert len(result.runs) == 2 and len(fits) == 3
    assert fits[0] == {"steps_per_epoch": 4, "epochs": 1, "verbose": 0}
    assert all(0.009 < run < 0.03 for run in result.runs)   # the 50 ms set-up is left out


def test_step_seconds_says_when_the_dataset_runs_out():
    class ShortModel:
        def fit(self, dataset, *, callbacks, **kwargs):
            callbacks[0].on_train_begin()
            callbacks[0].on_train_batch_end(0)

    with pytest.raises(RuntimeError, match="repeat"):
        throughput.step_seconds(ShortModel(), None, steps=2, warmup=0, repeat=1)


def test_step_seconds_trains_a_keras_model():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    ds = tf.data.Dataset.from_tensors((np.ones((4, 2)), np.ones((4, 1)))).repeat()
    result = throughput.step_seconds(model, ds, steps=2, repeat=1)
    assert result.best > 0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": 3, "dataset": None, "steps": 1}, TypeError, "model=3"),
    ({"model": type("M", (), {"fit": print})(), "dataset": None, "steps": 0}, ValueError,
     "steps=0"),
])
def test_step_seconds_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        throughput.step_seconds(**kwargs)


def test_ratio_table_divides_by_the_baseline():
    slow = throughput.Throughput(10, timing.Timing((1.0, 2.0)))
    fast = throughput.Throughput(10, timing.Timing((0.25, 0.5)))
    table = throughput.ratio_table({"generator": slow, "tf.data": fast}, "generator")
    lines = table.splitlines()
    assert len(lines) == 3 and lines[1].endswith("1.00") and lines[2].endswith("4.00")


@pytest.mark.parametrize("results, baseline, error, message", [
    ({}, "a", ValueError, "non-empty"),
    ({"a": 1.0}, "a", TypeError, "Throughput"),
    ({"a": throughput.Throughput(1, timing.Timing((1.0,)))}, "b", ValueError, "baseline='b'"),
])
def test_ratio_table_rejects_bad_arguments(results, baseline, error, message):
    with pytest.raises(error, match=message):
        throughput.ratio_table(results, baseline)
