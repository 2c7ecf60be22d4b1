"""dlcourse.fewshot: class subsets renumbered, class-balanced few-label samples."""

import numpy as np
import pytest

from dlcourse import fewshot

Y = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 5)
X = np.arange(len(Y) * 4, dtype=np.uint8).reshape(len(Y), 2, 2)


def test_class_subset_keeps_only_those_classes_renumbered_by_position():
    x, y = fewshot.class_subset(X, Y, [7, 5])
    assert len(x) == len(y) == 10
    assert set(y.tolist()) == {0, 1}
    assert x.dtype == X.dtype
    # every kept example is the original one, with label 7 -> 0 and 5 -> 1
    original = {tuple(X[i].ravel()): Y[i] for i in range(len(Y))}
    assert all({7: 0, 5: 1}[original[tuple(a.ravel())]] == b for a, b in zip(x, y))


def test_per_class_sample_is_balanced_distinct_and_reproducible():
    first = fewshot.per_class_sample(Y, 3, seed=4)
    assert len(first) == 30 and len(set(first.tolist())) == 30
    assert np.bincount(Y[first]).tolist() == [3] * 10
    assert np.array_equal(first, fewshot.per_class_sample(Y, 3, seed=4))
    assert not np.array_equal(first, fewshot.per_class_sample(Y, 3, seed=5))


def test_per_class_sample_can_take_every_example():
    assert sorted(fewshot.per_class_sample(Y, 5, seed=0).tolist()) == list(range(len(Y)))


@pytest.mark.parametrize("call, error, words", [
    (lambda: fewshot.class_subset(X, Y, "57"), TypeError, "classes='57'"),
    (lambda: fewshot.class_subset(X, Y, []), ValueError, "classes=[]"),
    (lambda: fewshot.class_subset(X, Y, [5, 5]), ValueError, "must not repeat"),
    (lambda: fewshot.class_subset(X, Y, [5, 11]), ValueError, "labels [11]"),
    (lambda: fewshot.class_subset(X[:3], Y, [5]), ValueError, "x has 3 examples"),
    (lambda: fewshot.class_subset(X, Y.astype(float), [5]), ValueError, "integer labels"),
    (lambda: fewshot.per_class_sample(Y, 6, seed=0), ValueError, "per_class=6"),
    (lambda: fewshot.per_class_sample(Y, 0, seed=0), ValueError, "per_class=0"),
    (lambda: fewshot.per_class_sample(Y, "3", seed=0), TypeError, "per_class='3'"),
    (lambda: fewshot.per_class_sample(Y, 3, seed=-1), ValueError, "seed=-1"),
    (lambda: fewshot.per_class_sample([], 3, seed=0), ValueError, "labels=[]"),
])
def test_bad_inputs_name_the_argument_and_the_value(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)
