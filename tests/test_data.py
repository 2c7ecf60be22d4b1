import time

import numpy as np
import pytest

from dlcourse import data


@pytest.fixture
def empty_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    return tmp_path


def fake_prepared(root, name):
    version = root / name / "1.0.0"
    version.mkdir(parents=True)
    (version / "dataset_info.json").write_text("{}")


def fake_mnist(n=10):
    import tensorflow as tf

    images = np.arange(n * 28 * 28, dtype=np.int64).reshape(n, 28, 28, 1) % 256
    labels = np.arange(n) % 10
    return tf.data.Dataset.from_tensor_slices((images.astype(np.uint8), labels))


def test_missing_dataset_fails_fast_naming_dataset_and_variable(empty_data_dir):
    start = time.perf_counter()
    with pytest.raises(data.DataUnavailableError) as error:
        data.raw("cifar10", "train")
    assert time.perf_counter() - start < 5
    message = str(error.value)
    assert "'cifar10'" in message and "TFDS_DATA_DIR" in message and str(empty_data_dir) in message


def test_is_prepared_looks_for_dataset_info(empty_data_dir):
    assert not data.is_prepared("mnist")
    fake_prepared(empty_data_dir, "mnist")
    assert data.is_prepared("mnist")


def test_prepared_dataset_is_read_without_download(empty_data_dir, monkeypatch):
    import tensorflow_datasets as tfds

    fake_prepared(empty_data_dir, "mnist")
    seen = {}

    def fake_load(name, **kwargs):
        seen.update(kwargs, name=name)
        return fake_mnist()

    monkeypatch.setattr(tfds, "load", fake_load)
    data.raw("mnist", "test")
    assert seen["name"] == "mnist" and seen["download"] is False
    assert seen["data_dir"] == str(empty_data_dir) and seen["as_supervised"] is True


def test_download_allowed_is_switched_off_by_the_offline_variable(monkeypatch):
    monkeypatch.setenv("DLCOURSE_OFFLINE", "1")
    assert not data.download_allowed()
    monkeypatch.setenv("DLCOURSE_OFFLINE", "")
    assert data.download_allowed()


def test_load_normalises_batches_and_takes(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(10))
    batches = list(data.load("mnist", "train", examples=7, batch_size=4, shuffle=False))
    assert [len(x) for x, _ in batches] == [4, 3]
    x, y = batches[0]
    assert x.dtype.name == "float32" and x.shape[1:] == (28, 28, 1)
    assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0
    assert y.numpy().tolist() == [0, 1, 2, 3]


def test_load_drops_the_ragged_batch_when_several_replicas_train(monkeypatch):
    from dlcourse import devices

    class TwoReplicas:
        num_replicas_in_sync = 2

    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(10))
    monkeypatch.setattr(devices, "_active", TwoReplicas())
    ds = data.load("mnist", "train", examples=7, batch_size=4, shuffle=False)
    assert [len(x) for x, _ in ds] == [4] and ds.element_spec[0].shape[0] == 4
    kept = data.load("mnist", "train", examples=7, batch_size=4, drop_remainder=False)
    assert [len(x) for x, _ in kept] == [4, 3]


def test_load_shuffles_train_reproducibly(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(10))

    def labels(seed):
        ds = data.load("mnist", "train", examples=None, batch_size=10, seed=seed)
        return next(iter(ds))[1].numpy().tolist()

    assert labels(1) == labels(1)
    assert sorted(labels(1)) == list(range(10)) and labels(1) != list(range(10))


def test_load_takes_the_profile_default(monkeypatch, profile):
    profile("smoke")
    assert data.default_examples("train") == 2_000
    assert data.default_examples("test[:50%]") == 1_000
    profile("laptop")
    assert data.default_examples("train") is None


def test_text_is_not_normalised(monkeypatch):
    import tensorflow as tf

    texts = tf.data.Dataset.from_tensor_slices((["good film", "bad film"], [1, 0]))
    monkeypatch.setattr(data, "raw", lambda name, split: texts)
    x, y = next(iter(data.load("imdb_reviews", "test", examples=None, batch_size=2)))
    assert x.dtype.name == "string" and y.numpy().tolist() == [1, 0]


def test_load_arrays_stacks_examples(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(5))
    x, y = data.load_arrays("mnist", "train", examples=3)
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.uint8 and y.tolist() == [0, 1, 2]


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.load("imagenet"), ValueError, "name='imagenet'"),
    (lambda: data.load("mnist", "validation"), ValueError, "split='validation'"),
    (lambda: data.load("mnist", examples=0), ValueError, "examples=0"),
    (lambda: data.load("mnist", examples=2.5), TypeError, "examples=2.5"),
    (lambda: data.load("mnist", batch_size=-1), ValueError, "batch_size=-1"),
    (lambda: data.spec("svhn"), ValueError, "name='svhn'"),
    (lambda: data.load("mnist", drop_remainder="yes"), TypeError, "drop_remainder='yes'"),
])
def test_bad_arguments_are_named(call, error, message, monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(3))
    with pytest.raises(error, match=message):
        call()


def test_sliced_splits_are_accepted():
    for split in ("train", "test", "train[:90%]", "train[50000:]", "test[:100]"):
        assert data._check_split(split) == split


def test_to_numpy_concatenates_the_batches(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(10))
    x, y = data.to_numpy(data.load("mnist", "test", examples=None, batch_size=4))
    assert x.shape == (10, 28, 28, 1) and x.dtype == np.float32
    assert y.tolist() == list(range(10))


def test_to_numpy_rejects_non_datasets_and_empty_ones(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(3))
    with pytest.raises(TypeError, match="dataset=\\[1, 2\\]"):
        data.to_numpy([1, 2])
    with pytest.raises(ValueError, match="empty"):
        data.to_numpy(data.load("mnist", "test", examples=None).take(0))


def test_load_arrays_of_an_empty_split_names_it(monkeypatch):
    monkeypatch.setattr(data, "raw", lambda name, split: fake_mnist(3).take(0))
    with pytest.raises(ValueError, match="split='test' of 'mnist' holds no examples"):
        data.load_arrays("mnist", "test")


def test_from_arrays_batches_and_shuffles_reproducibly(monkeypatch):
    from dlcourse import devices

    monkeypatch.setattr(devices, "_active", None)
    x, y = np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10)
    batches = [b.numpy().tolist() for _, b in data.from_arrays(x, y, batch_size=4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    first = [b.numpy().tolist() for _, b in data.from_arrays(x, y, batch_size=10, shuffle=True,
                                                             seed=3)]
    again = [b.numpy().tolist() for _, b in data.from_arrays(x, y, batch_size=10, shuffle=True,
                                                             seed=3)]
    assert first == again and first[0] != list(range(10)) and sorted(first[0]) == list(range(10))


def test_from_arrays_drops_the_ragged_batch_under_replicas(monkeypatch):
    from dlcourse import devices

    class TwoReplicas:
        num_replicas_in_sync = 2

    monkeypatch.setattr(devices, "_active", TwoReplicas())
    ds = data.from_arrays(np.zeros((10, 2)), np.zeros(10), batch_size=4)
    assert [len(b) for _, b in ds] == [4, 4]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"x": np.zeros((3, 1)), "y": np.zeros(2), "batch_size": 2}, ValueError, "x has 3"),
    ({"x": np.zeros((0, 1)), "y": np.zeros(0), "batch_size": 2}, ValueError, "must match"),
    ({"x": np.zeros((3, 1)), "y": np.zeros(3), "batch_size": "8"}, TypeError, "batch_size='8'"),
])
def test_from_arrays_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.from_arrays(**kwargs)


def test_from_arrays_takes_a_tuple_of_targets():
    x, labels, logits = np.zeros((6, 2)), np.arange(6), np.ones((6, 10))
    _, (y_labels, y_logits) = next(iter(data.from_arrays(x, (labels, logits), batch_size=4)))
    assert y_labels.shape == (4,) and y_logits.shape == (4, 10)
    with pytest.raises(ValueError, match="x has 6 examples and y 5"):
        data.from_arrays(x, (labels, logits[:5]), batch_size=4)
