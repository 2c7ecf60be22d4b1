"""Damaged prepared datasets and a half-imported TFDS fail with errors that say what to do."""

import shutil
import sys
import types

import pytest

from dlcourse import data, datacheck

SOURCE = data.data_dir() / "mnist" / "3.0.1"
SHARD = "mnist-test.tfrecord-00000-of-00001"
needs_mnist = pytest.mark.skipif(not (SOURCE / SHARD).is_file(),
                                 reason="needs mnist prepared in TFDS_DATA_DIR (copied, unchanged)")


@pytest.fixture
def mnist_copy(tmp_path, monkeypatch):
    """A copy of mnist's test split (info and one shard) in tmp_path, which TFDS_DATA_DIR names."""
    target = tmp_path / "mnist" / "3.0.1"
    target.mkdir(parents=True)
    for name in ("dataset_info.json", "features.json", SHARD):
        shutil.copyfile(SOURCE / name, target / name)
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(datacheck, "_verified", set())
    return target


@needs_mnist
def test_an_intact_copy_loads(mnist_copy):
    x, y = data.load_arrays("mnist", "test", examples=3)
    assert x.shape == (3, 28, 28, 1) and y.shape == (3,)


@needs_mnist
def test_a_truncated_file_is_named_with_how_to_rebuild(mnist_copy):
    shard = mnist_copy / SHARD
    shard.write_bytes(shard.read_bytes()[:-5000])
    with pytest.raises(datacheck.CorruptDatasetError) as error:
        data.raw("mnist", "test")
    message = str(error.value)
    assert "'mnist'" in message and str(shard) in message and "truncated" in message
    assert "download_and_prepare" in message and "TFDS_DATA_DIR" in message


@needs_mnist
def test_a_corrupted_record_is_named_with_how_to_rebuild(mnist_copy):
    shard = mnist_copy / SHARD
    content = bytearray(shard.read_bytes())
    content[len(content) // 2] ^= 0xFF            # one flipped byte: the size is unchanged
    shard.write_bytes(bytes(content))
    with pytest.raises(datacheck.CorruptDatasetError,
                       match=r"Dataset 'mnist', split 'test': the file .*mnist-test\.tfrecord.* "
                             r"is corrupted.*Rebuild it"):
        data.load("mnist", "test[:10]", examples=10)


@needs_mnist
def test_a_missing_shard_is_named(mnist_copy):
    (mnist_copy / SHARD).unlink()
    with pytest.raises(datacheck.CorruptDatasetError, match=r"mnist-test\.tfrecord.* is missing"):
        datacheck.verify("mnist", mnist_copy.parent.parent, "test")


def test_a_tfds_without_load_says_its_dependencies_mismatch(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", types.ModuleType("tensorflow_datasets"))
    with pytest.raises(datacheck.TFDSImportError,
                       match=r"imported only in part.*tensorflow-metadata.*protobuf.*mismatch"):
        datacheck.import_tfds()


def test_a_tfds_that_cannot_import_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)    # import raises ImportError
    with pytest.raises(datacheck.TFDSImportError, match=r"cannot be imported.*tensorflow-metadata"):
        datacheck.import_tfds()
