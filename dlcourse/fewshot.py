"""Few-label subsets of an image data set, for the limited-data experiments (chapter 16).

``class_subset`` keeps the examples of some classes and renumbers them 0..k-1 (a network trained
on the first five Fashion-MNIST classes, another on the last five); ``per_class_sample`` draws a
class-balanced handful of each class (1 % of a split, 60 labels per class). Both work on NumPy
arrays and never import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcourse import _checks


def _labels(labels) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"labels={labels!r} must be a non-empty 1-D array of integer labels")
    return array


def _classes(classes) -> np.ndarray:
    if isinstance(classes, (str, bytes)) or not isinstance(classes, (Sequence, np.ndarray)):
        raise TypeError(f"classes={classes!r} must be a sequence of integer labels")
    array = np.asarray(classes)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"classes={classes!r} must be a non-empty sequence of integer labels")
    if len(set(array.tolist())) != array.size:
        raise ValueError(f"classes={classes!r} must not repeat a label")
    return array


def class_subset(x, y, classes):
    """The examples of ``x, y`` whose label is in ``classes``, labels renumbered by position.

    ``class_subset(x, y, [5, 6, 7, 8, 9])`` keeps the last five classes and labels them 0..4,
    in the order of ``classes``. Returns ``(x_kept, y_renumbered)``; ``x`` keeps its dtype.
    """
    labels = _labels(y)
    kept_classes = _classes(classes)
    if len(x) != len(labels):
        raise ValueError(f"x has {len(x)} examples and y {len(labels)}: they must match")
    missing = sorted(set(kept_classes.tolist()) - set(labels.tolist()))
    if missing:
        raise ValueError(f"classes={classes!r}: labels {missing} do not occur in y")
    keep = np.isin(labels, kept_classes)
    position = {int(c): i for i, c in enumerate(kept_classes)}
    renumbered = np.array([position[int(c)] for c in labels[keep]], dtype=np.int64)
    return np.asarray(x)[keep], renumbered


def per_class_sample(labels, per_class: int, *, seed: int) -> np.ndarray:
    """Indices of ``per_class`` examples of every label in ``labels``, drawn without replacement.

    The indices come class after class, each class's in random order (shuffle the pipeline, not
    this list). The same ``seed`` draws the same subset.
    """
    array = _labels(labels)
    _checks.positive_int("per_class", per_class)
    _checks.non_negative_int("seed", seed)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(array):
        members = np.flatnonzero(array == label)
        if len(members) < per_class:
            raise ValueError(f"per_class={per_class!r} is more than the {len(members)} "
                             f"examples of label {int(label)}")
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.concatenate(chosen)
