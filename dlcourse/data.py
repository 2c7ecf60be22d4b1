"""TensorFlow Datasets loaders: batched, prefetched ``tf.data`` pipelines sized by the profile.

Offline use: point ``TFDS_DATA_DIR`` at a folder that TFDS has prepared. A dataset that is not
there and may not be downloaded fails at once with ``DataUnavailableError``, never a hang.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from dlcourse import _checks, datacheck, profiles

DEFAULT_DATA_DIR = "~/tensorflow_datasets"
OFFLINE_ENV_VAR = "DLCOURSE_OFFLINE"


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    kind: str                       # "image" or "text"
    class_names: tuple[str, ...]
    shape: tuple[int, ...] = ()     # per example, after normalisation


DATASETS = {
    "mnist": DatasetSpec("mnist", "image", tuple(str(d) for d in range(10)), (28, 28, 1)),
    "fashion_mnist": DatasetSpec("fashion_mnist", "image", (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), (28, 28, 1)),
    "cifar10": DatasetSpec("cifar10", "image", (
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck"), (32, 32, 3)),
    "imdb_reviews": DatasetSpec("imdb_reviews", "text", ("negative", "positive")),
}
SPLITS = ("train", "test")
_SPLIT_RE = re.compile(r"^(train|test)(\[[0-9:%\-]*\])?$")


class DataUnavailableError(RuntimeError):
    """The dataset is neither prepared locally nor allowed to be downloaded."""


def spec(name: str) -> DatasetSpec:
    """The course's description of dataset ``name`` (classes, example shape)."""
    return DATASETS[_checks.one_of("name", name, DATASETS)]


def data_dir() -> Path:
    """Where TFDS reads prepared datasets: ``TFDS_DATA_DIR``, else ``~/tensorflow_datasets``."""
    return Path(os.environ.get("TFDS_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()


def is_prepared(name: str, directory: Path | None = None) -> bool:
    """True when TFDS has prepared ``name`` under ``directory`` (a ``dataset_info.json`` exists)."""
    spec(name)
    root = (directory or data_dir()) / name
    return root.is_dir() and any(root.glob("**/dataset_info.json"))


def download_allowed() -> bool:
    """False when ``DLCOURSE_OFFLINE`` is set to a true value (tests and offline CI set it)."""
    return os.environ.get(OFFLINE_ENV_VAR, "").strip().lower() not in ("1", "true", "yes")


def _unavailable_message(name: str, directory: Path) -> str:
    return (f"Dataset {name!r} is not prepared in {directory} and downloading is switched off "
            f"({OFFLINE_ENV_VAR} is set). Set TFDS_DATA_DIR to a folder where TFDS has prepared "
            f"{name!r}, or run once with network access: "
            f"python -c \"import tensorflow_datasets as tfds; tfds.load('{name}')\"")


def _check_split(split: str) -> str:
    if not isinstance(split, str) or not _SPLIT_RE.match(split):
        raise ValueError(f"split={split!r} is not allowed; use 'train' or 'test', optionally "
                         "sliced as TFDS does ('train[:90%]', 'train[50000:]')")
    return split


def raw(name: str, split: str = "train"):
    """The TFDS ``(example, label)`` dataset, unbatched and not normalised."""
    spec(name)
    _check_split(split)
    directory = data_dir()
    prepared = is_prepared(name, directory)
    if not prepared and not download_allowed():
        raise DataUnavailableError(_unavailable_message(name, directory))
    tfds = datacheck.import_tfds()      # a clear error, not "module has no attribute 'load'"
    if prepared:
        datacheck.verify(name, directory, split)    # a damaged file, named, before training
    try:
        return tfds.load(name, split=split, as_supervised=True, data_dir=str(directory),
                         download=not prepared, shuffle_files=False)
    except Exception as error:  # TFDS raises many kinds; the learner needs to know which dataset
        if prepared:
            raise
        raise DataUnavailableError(
            f"Could not download {name!r} into {directory}: {error}. "
            "Set TFDS_DATA_DIR to a folder where TFDS has prepared it.") from error


def normalise(image, label):
    """uint8 pixels in [0, 255] → float32 in [0, 1]; labels stay integers."""
    import tensorflow as tf

    return tf.cast(image, tf.float32) / 255.0, label


def default_examples(split: str, profile: str | None = None) -> int | None:
    """How many examples a profile takes from ``split`` (None: the whole split)."""
    sizes = profiles.DEFAULTS[profile or profiles.active()]
    base = _check_split(split).split("[")[0]
    return sizes["train_examples"] if base == "train" else sizes["test_examples"]


def load(name: str, split: str = "train", *, examples: int | None | str = "profile",
         batch_size: int = 128, shuffle: bool | None = None, seed: int = 0, cache: bool = True,
         drop_remainder: bool | None = None):
    """A batched, prefetched ``tf.data`` pipeline of ``(x, y)``.

    Images become float32 in [0, 1] with a channel axis; IMDB yields ``(text, label)``.
    ``examples="profile"`` takes the active profile's default count (all of a split except in
    smoke); pass an int to take that many, or None for the whole split. ``shuffle`` defaults to
    True on train splits. ``drop_remainder`` defaults to True when the session trains on several
    replicas (a TPU needs every batch the same shape): choose a ``batch_size`` that divides the
    split, as the chapters do for test sets, so that no example is dropped.
    """
    import tensorflow as tf

    from dlcourse import devices

    if examples == "profile":
        examples = default_examples(split)
    _checks.positive_int("examples", examples, allow_none=True)
    _checks.positive_int("batch_size", batch_size)
    if drop_remainder is None:
        drop_remainder = devices.active_replicas() > 1
    if not isinstance(drop_remainder, bool):
        raise TypeError(f"drop_remainder={drop_remainder!r} must be True, False or None")
    if shuffle is not None and not isinstance(shuffle, bool):
        raise TypeError(f"shuffle={shuffle!r} must be True, False or None")
    if not isinstance(cache, bool):
        raise TypeError(f"cache={cache!r} must be True or False")
    _checks.non_negative_int("seed", seed)
    kind = spec(name).kind
    ds = raw(name, split)
    if examples is not None:
        ds = ds.take(examples)
    if kind == "image":
        ds = ds.map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    if shuffle is None:
        shuffle = split.startswith("train")
    if shuffle:
        ds = ds.shuffle(min(examples or 10_000, 10_000), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def from_arrays(x, y, *, batch_size: int, shuffle: bool = False, seed: int = 0,
                drop_remainder: bool | None = None):
    """A batched, prefetched ``tf.data`` pipeline over arrays already in memory.

    For experiments that re-batch the same examples many ways (batch-size studies, k folds).
    ``y`` is an array or a tuple of arrays (several targets per example, e.g. labels and a
    teacher's logits). Like ``load``, it drops the ragged last batch under several replicas.
    """
    import numpy as np
    import tensorflow as tf

    from dlcourse import devices

    _checks.positive_int("batch_size", batch_size)
    targets = tuple(np.asarray(t) for t in y) if isinstance(y, tuple) else (np.asarray(y),)
    for target in targets:
        if len(x) != len(target) or len(x) == 0:
            raise ValueError(f"x has {len(x)} examples and y {len(target)}: they must match "
                             "and be > 0")
    if drop_remainder is None:
        drop_remainder = devices.active_replicas() > 1
    y = targets if isinstance(y, tuple) else targets[0]
    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x), y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def to_numpy(dataset):
    """All batches of a finite ``(x, y)`` pipeline, concatenated into two NumPy arrays."""
    import numpy as np

    if not hasattr(dataset, "as_numpy_iterator"):
        raise TypeError(f"dataset={dataset!r} must be a batched tf.data.Dataset of (x, y)")
    batches = list(dataset.as_numpy_iterator())
    if not batches:
        raise ValueError("dataset is empty: no batches to collect")
    return np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches])


def load_arrays(name: str, split: str = "train", *, examples: int | None = None):
    """``(x, y)`` NumPy arrays as stored (uint8 images / UTF-8 texts, int labels), for exports."""
    _checks.positive_int("examples", examples, allow_none=True)
    ds = raw(name, split)
    if examples is not None:
        ds = ds.take(examples)
    try:
        return to_numpy(ds.batch(4096))    # batched: far faster than one example at a time
    except ValueError:
        raise ValueError(f"split={split!r} of {name!r} holds no examples") from None
