"""Clear failures for broken data installs: a damaged prepared dataset, a half-imported TFDS.

``verify(name, directory, split)`` checks the files TFDS prepared for a split against their
``dataset_info.json`` (every shard present, the size it must have, every record readable with
the count it must have) once per file and process, and raises ``CorruptDatasetError`` naming the
dataset, the file and how to rebuild it, instead of TensorFlow's ``DataLossError`` in the middle
of training. ``import_tfds()`` imports TensorFlow Datasets or says why it cannot.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from dlcourse import _checks

RECORD_FRAMING_BYTES = 16        # a TFRecord stores length (8), its CRC (4), data, data CRC (4)
_verified: set[tuple[str, int, int]] = set()     # (file, size, mtime) read whole in this process


class CorruptDatasetError(RuntimeError):
    """A prepared dataset's files are missing, truncated or corrupted."""


class TFDSImportError(ImportError):
    """TensorFlow Datasets is installed but cannot be used (its dependencies mismatch)."""


def rebuild_hint(name: str, version_dir: Path) -> str:
    """How to prepare ``name`` again in the folder that holds ``version_dir``."""
    data_dir = version_dir.parent
    while data_dir.name != name and data_dir != data_dir.parent:
        data_dir = data_dir.parent
    return (f"Rebuild it: delete {version_dir} and run python -c \"import tensorflow_datasets "
            f"as tfds; tfds.builder('{name}', data_dir='{data_dir.parent}')"
            ".download_and_prepare()\" (it needs the network), or point TFDS_DATA_DIR at an "
            "intact copy.")


def _version_dirs(name: str, directory: Path) -> list[Path]:
    return sorted(p.parent for p in (directory / name).glob("**/dataset_info.json"))


def _shards(version_dir: Path, name: str, split: str, count: int) -> list[Path]:
    return [version_dir / f"{name}-{split}.tfrecord-{i:05d}-of-{count:05d}" for i in range(count)]


def _count_records(path: Path) -> int:
    """Records in a TFRecord file, every checksum verified (raises DataLossError otherwise)."""
    import tensorflow as tf

    dataset = tf.data.TFRecordDataset(str(path), buffer_size=8 << 20)
    # Counted in batches: the reader checks every record's CRC either way, and one reduce step
    # per 4,096 records instead of per record reads CIFAR-10's training file 6 times faster.
    return int(dataset.batch(4096).reduce(
        tf.constant(0, tf.int64), lambda count, batch: count + tf.size(batch, out_type=tf.int64)))


def _verify_shard(name: str, split: str, path: Path, records: int, version_dir: Path) -> None:
    import tensorflow as tf

    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return
    try:
        found = _count_records(path)
    except tf.errors.DataLossError as error:
        raise CorruptDatasetError(
            f"Dataset {name!r}, split {split!r}: the file {path} is corrupted or truncated "
            f"({error.message.splitlines()[0]}). {rebuild_hint(name, version_dir)}") from None
    if found != records:
        raise CorruptDatasetError(
            f"Dataset {name!r}, split {split!r}: the file {path} holds {found} records, "
            f"{records} expected. {rebuild_hint(name, version_dir)}")
    _verified.add(key)


def verify(name: str, directory, split: str = "train") -> None:
    """Raise ``CorruptDatasetError`` unless the prepared files of ``split`` are intact.

    A shard missing or shorter than ``dataset_info.json`` says fails at once (file sizes); then
    each shard is read through once per process, checksums included. ``split`` may carry a
    TFDS slice (``"train[:90%]"``): the whole split is checked.
    """
    _checks.non_empty_str("name", name)
    _checks.non_empty_str("split", split)
    directory = Path(directory)
    base = split.split("[")[0]
    for version_dir in _version_dirs(name, directory):
        info = json.loads((version_dir / "dataset_info.json").read_text())
        if info.get("fileFormat", "tfrecord") != "tfrecord":
            continue
        for entry in info.get("splits", []):
            if entry.get("name") == base:
                _verify_split(name, base, entry, version_dir)


def _verify_split(name: str, split: str, entry: dict, version_dir: Path) -> None:
    lengths = [int(n) for n in entry.get("shardLengths", [])]
    shards = _shards(version_dir, name, split, len(lengths))
    missing = [p for p in shards if not p.is_file()]
    if missing:
        raise CorruptDatasetError(f"Dataset {name!r}, split {split!r}: the file {missing[0]} is "
                                  f"missing. {rebuild_hint(name, version_dir)}")
    expected = int(entry.get("numBytes", 0)) + RECORD_FRAMING_BYTES * sum(lengths)
    found = sum(p.stat().st_size for p in shards)
    if found < expected:
        files = ", ".join(str(p) for p in shards)
        raise CorruptDatasetError(
            f"Dataset {name!r}, split {split!r}: the file {files} is truncated ({found} bytes, "
            f"{expected} expected). {rebuild_hint(name, version_dir)}")
    for path, records in zip(shards, lengths):
        _verify_shard(name, split, path, records, version_dir)


def _installed(*packages: str) -> str:
    found = []
    for package in packages:
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} not installed")
    return ", ".join(found)


def import_tfds():
    """``tensorflow_datasets``, or ``TFDSImportError`` saying why it is unusable and what to do.

    With mismatched dependencies (tensorflow-metadata 1.21 needs protobuf >= 6, which TensorFlow
    2.19 forbids) TFDS imports half-way and has no ``load``.
    """
    versions = _installed("tensorflow-datasets", "tensorflow-metadata", "protobuf",
                          "tensorflow")
    fix = ("Its dependencies mismatch: install versions that fit together, e.g. "
           "pip install \"tensorflow-metadata>=1.17.3,<1.21\" with TensorFlow 2.19 "
           "(or pip install -e . in the course repository, whose bounds do that).")
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise TFDSImportError(f"TensorFlow Datasets cannot be imported ({error}; {versions}). "
                              f"{fix}") from error
    if not callable(getattr(tfds, "load", None)):
        raise TFDSImportError(f"TensorFlow Datasets imported only in part: it has no 'load' "
                              f"({versions}). {fix}")
    return tfds
