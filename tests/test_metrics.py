"""dlcourse.metrics against sklearn.metrics and keras.metrics on random inputs and edge cases."""

import numpy as np
import pytest
from sklearn import metrics as sk

from dlcourse import metrics

SEEDS = range(12)


def random_binary(seed, n=200, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    scores = rng.random(n) + 0.3 * y
    if ties:
        scores = np.round(scores, 1)          # many examples share a score
    return y, scores


def random_multiclass(seed, n=300, classes=5):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    noisy = np.where(rng.random(n) < 0.6, y, rng.integers(0, classes, n))
    return y, noisy


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_and_confusion_matrix_match_sklearn(seed):
    y, p = random_multiclass(seed)
    assert metrics.accuracy(y, p) == pytest.approx(sk.accuracy_score(y, p))
    assert np.array_equal(metrics.confusion_matrix(y, p), sk.confusion_matrix(y, p))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_multiclass_scores_match_sklearn(seed, average):
    y, p = random_multiclass(seed)
    for ours, theirs in ((metrics.precision, sk.precision_score), (metrics.recall, sk.recall_score),
                         (metrics.f1, sk.f1_score)):
        expected = theirs(y, p, average=average, zero_division=0)
        assert ours(y, p, average=average) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_scores_match_sklearn(seed):
    y, scores = random_binary(seed)
    p = (scores > 0.6).astype(int)
    for ours, theirs in ((metrics.precision, sk.precision_score), (metrics.recall, sk.recall_score),
                         (metrics.f1, sk.f1_score)):
        assert ours(y, p) == pytest.approx(theirs(y, p, zero_division=0), abs=1e-12)
        assert ours(y, p, pos_label=0) == pytest.approx(
            theirs(y, p, pos_label=0, zero_division=0), abs=1e-12)


def test_a_class_never_predicted_scores_zero_precision_like_sklearn():
    y, p = np.array([0, 1, 2, 2]), np.array([0, 0, 2, 2])    # class 1 never predicted
    assert metrics.precision(y, p, average="macro") == pytest.approx(
        sk.precision_score(y, p, average="macro", zero_division=0))
    assert metrics.precision([0, 0], [0, 0]) == 0.0           # no positive predicted at all


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_roc_and_pr_curves_match_sklearn(seed, ties):
    y, scores = random_binary(seed, ties=ties)
    fpr, tpr, thresholds = metrics.roc_curve(y, scores)
    sk_fpr, sk_tpr, sk_thr = sk.roc_curve(y, scores, drop_intermediate=False)
    assert np.allclose(fpr, sk_fpr) and np.allclose(tpr, sk_tpr)
    assert np.array_equal(thresholds[1:], sk_thr[1:])
    assert metrics.roc_auc(y, scores) == pytest.approx(sk.roc_auc_score(y, scores), abs=1e-12)
    precision, recall, pr_thr = metrics.precision_recall_curve(y, scores)
    sk_p, sk_r, sk_pt = sk.precision_recall_curve(y, scores)
    assert np.allclose(precision, sk_p) and np.allclose(recall, sk_r)
    assert np.allclose(pr_thr, sk_pt)
    assert metrics.average_precision(y, scores) == pytest.approx(
        sk.average_precision_score(y, scores), abs=1e-12)


def test_roc_auc_is_the_chance_a_positive_outscores_a_negative():
    y, scores = random_binary(3, n=60, ties=True)
    pos, neg = scores[y == 1], scores[y == 0]
    pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    assert metrics.roc_auc(y, scores) == pytest.approx(pairs.mean())


@pytest.mark.parametrize("seed", range(4))
def test_scores_match_keras_metrics(seed):
    import keras

    y, scores = random_binary(seed)
    probabilities = scores / scores.max()
    p = (probabilities > 0.5).astype(int)
    for ours, metric in ((metrics.precision, keras.metrics.Precision()),
                         (metrics.recall, keras.metrics.Recall())):
        metric.update_state(y, p)
        assert ours(y, p) == pytest.approx(float(metric.result()), abs=1e-6)
    keras_auc = keras.metrics.AUC(num_thresholds=10_000)
    keras_auc.update_state(y, probabilities)
    assert metrics.roc_auc(y, probabilities) == pytest.approx(float(keras_auc.result()), abs=2e-3)
    accuracy = keras.metrics.Accuracy()
    accuracy.update_state(y, p)
    assert metrics.accuracy(y, p) == pytest.approx(float(accuracy.result()), abs=1e-6)


def test_mse_matches_sklearn_and_keras():
    import keras

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert metrics.mse(a, b) == pytest.approx(sk.mean_squared_error(a, b))
    keras_mse = keras.metrics.MeanSquaredError()
    keras_mse.update_state(a, b)
    assert metrics.mse(a, b) == pytest.approx(float(keras_mse.result()), rel=1e-6)


def test_single_class_edge_cases():
    only_negatives, scores = np.zeros(5, int), np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="only negatives"):
        metrics.roc_auc(only_negatives, scores)
    with pytest.raises(ValueError, match="at least one positive"):
        metrics.average_precision(only_negatives, scores)
    only_positives = np.ones(5, int)
    assert metrics.average_precision(only_positives, scores) == pytest.approx(
        sk.average_precision_score(only_positives, scores))
    assert metrics.recall(only_negatives, only_negatives) == 0.0
    assert metrics.f1(only_positives, only_positives) == 1.0


def test_auc_integrates_a_known_area():
    assert metrics.auc([0, 0.5, 1], [0, 1, 1]) == pytest.approx(0.75)
    assert metrics.auc([1, 0], [1, 1]) == pytest.approx(1.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: metrics.accuracy([0, 1], [0]), ValueError, "y_true has 2 labels but y_pred has 1"),
    (lambda: metrics.accuracy([], []), ValueError, "y_true must be a non-empty"),
    (lambda: metrics.accuracy([0.5, 1], [0, 1]), TypeError, "integer class labels"),
    (lambda: metrics.accuracy(["a"], ["a"]), TypeError, "integer class labels"),
    (lambda: metrics.accuracy([-1, 0], [0, 0]), ValueError, "non-negative"),
    (lambda: metrics.precision([0, 2], [0, 1]), ValueError, "average='binary' needs 0/1"),
    (lambda: metrics.f1([0, 1], [0, 1], average="mean"), ValueError, "average='mean'"),
    (lambda: metrics.recall([0, 1], [0, 1], pos_label="1"), ValueError, "pos_label='1'"),
    (lambda: metrics.confusion_matrix([0, 3], [0, 1], num_classes=2), ValueError,
     "num_classes=2"),
    (lambda: metrics.roc_curve([0, 1], [0.1]), ValueError, "one score per example"),
    (lambda: metrics.roc_curve([0, 2], [0.1, 0.2]), ValueError, "binary"),
    (lambda: metrics.roc_curve([0, 1], [0.1, np.nan]), ValueError, "finite"),
    (lambda: metrics.auc([0, 1, 0.5], [0, 1, 1]), ValueError, "monotonic"),
    (lambda: metrics.mse([1.0], [1.0, 2.0]), ValueError, "same non-empty shape"),
])
def test_bad_inputs_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
