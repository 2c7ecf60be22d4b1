"""Classification and regression metrics written from their definitions (chapter 09).

Each function works on NumPy arrays and follows the definition a learner reads in the chapter;
the tests check every one against ``sklearn.metrics`` and ``keras.metrics`` on random inputs,
ties and one-class edge cases included.

Binary labels are 0/1 with 1 the positive class. ``scores`` are any real numbers where a larger
score means "more likely positive" (probabilities, logits).
"""

from __future__ import annotations

import numpy as np

AVERAGES = ("binary", "macro", "micro", "weighted")


def _labels(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of labels; got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.bool_)):
        if not np.issubdtype(array.dtype, np.floating) or np.any(array != np.round(array)):
            raise TypeError(f"{name} must hold integer class labels; got dtype {array.dtype}")
    if np.any(array < 0):
        raise ValueError(f"{name} must hold non-negative class labels; got {array.min()}")
    return array.astype(np.int64)


def _pair(y_true, y_pred, pred_name: str = "y_pred"):
    y_true = _labels("y_true", y_true)
    y_pred = _labels(pred_name, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but {pred_name} has {y_pred.size}")
    return y_true, y_pred


def _binary_scores(y_true, scores):
    y_true = _labels("y_true", y_true)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != y_true.shape:
        raise ValueError(f"scores has shape {scores.shape}, y_true {y_true.shape}: one score "
                         "per example is needed")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite numbers")
    if np.any(y_true > 1):
        raise ValueError(f"y_true must be binary (0/1) for a score curve; found label "
                         f"{y_true.max()}")
    return y_true, scores


def accuracy(y_true, y_pred) -> float:
    """Share of examples whose predicted label equals the true one."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` = number of examples of true class ``i`` predicted as class ``j``."""
    y_true, y_pred = _pair(y_true, y_pred)
    needed = int(max(y_true.max(), y_pred.max())) + 1
    if num_classes is None:
        num_classes = needed
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < needed:
        raise ValueError(f"num_classes={num_classes!r} must be an integer ≥ {needed} "
                         "(the largest label + 1)")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def _safe_divide(numerator, denominator):
    """numerator / denominator, with 0 where the denominator is 0 (sklearn's zero_division=0)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _per_class_counts(y_true, y_pred):
    """True positives, predicted positives and actual positives of every class."""
    matrix = confusion_matrix(y_true, y_pred)
    return np.diag(matrix), matrix.sum(axis=0), matrix.sum(axis=1)


def _average(per_class, support, tp, predicted, actual, average, kind, pos_label):
    if average == "binary":
        if pos_label >= len(per_class):
            return 0.0
        return float(per_class[pos_label])
    if average == "macro":
        return float(np.mean(per_class))
    if average == "weighted":
        return float(np.sum(per_class * support) / np.sum(support)) if np.sum(support) else 0.0
    # micro: pool the counts of all classes first
    tp_sum, predicted_sum, actual_sum = tp.sum(), predicted.sum(), actual.sum()
    if kind == "precision":
        return float(_safe_divide(tp_sum, predicted_sum))
    if kind == "recall":
        return float(_safe_divide(tp_sum, actual_sum))
    return float(_safe_divide(2 * tp_sum, predicted_sum + actual_sum))


def _score(kind, y_true, y_pred, average, pos_label):
    if average not in AVERAGES:
        raise ValueError(f"average={average!r} is not allowed; choose one of "
                         + ", ".join(repr(a) for a in AVERAGES))
    if isinstance(pos_label, bool) or not isinstance(pos_label, (int, np.integer)) \
            or pos_label < 0:
        raise ValueError(f"pos_label={pos_label!r} must be a non-negative integer label")
    y_true, y_pred = _pair(y_true, y_pred)
    if average == "binary" and max(y_true.max(), y_pred.max()) > 1:
        raise ValueError("average='binary' needs 0/1 labels; use 'macro', 'micro' or "
                         "'weighted' for several classes")
    tp, predicted, actual = _per_class_counts(y_true, y_pred)
    if average != "binary":        # only the classes that occur in y_true or y_pred
        present = (predicted + actual) > 0
        tp, predicted, actual = tp[present], predicted[present], actual[present]
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, actual)
    per_class = {"precision": precision, "recall": recall,
                 "f1": _safe_divide(2 * tp, predicted + actual)}[kind]
    return _average(per_class, actual, tp, predicted, actual, average, kind, pos_label)


def precision(y_true, y_pred, *, average: str = "binary", pos_label: int = 1) -> float:
    """Of the examples predicted positive, the share that are positive: TP / (TP + FP)."""
    return _score("precision", y_true, y_pred, average, pos_label)


def recall(y_true, y_pred, *, average: str = "binary", pos_label: int = 1) -> float:
    """Of the positive examples, the share predicted positive: TP / (TP + FN)."""
    return _score("recall", y_true, y_pred, average, pos_label)


def f1(y_true, y_pred, *, average: str = "binary", pos_label: int = 1) -> float:
    """Harmonic mean of precision and recall: 2TP / (2TP + FP + FN)."""
    return _score("f1", y_true, y_pred, average, pos_label)


def mse(y_true, y_pred) -> float:
    """Mean squared error of real-valued predictions."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} must have the same "
                         "non-empty shape")
    return float(np.mean((y_true - y_pred) ** 2))


def _counts_by_threshold(y_true, scores):
    """Cumulative TP and FP when the threshold drops through each distinct score, high to low."""
    order = np.argsort(-scores, kind="mergesort")
    scores, y_true = scores[order], y_true[order]
    last_of_each_score = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    tp = np.cumsum(y_true)[last_of_each_score]
    fp = (last_of_each_score + 1) - tp
    return tp, fp, scores[last_of_each_score]


def roc_curve(y_true, scores):
    """False-positive rate, true-positive rate and thresholds, from (0, 0) to (1, 1).

    Predicting positive when ``score >= threshold``: each distinct score is one threshold (tied
    scores move together), and a first threshold of +inf predicts nothing positive.
    """
    y_true, scores = _binary_scores(y_true, scores)
    positives, negatives = int(y_true.sum()), int((1 - y_true).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("the ROC curve needs both classes in y_true; found only "
                         f"{'negatives' if positives == 0 else 'positives'}")
    tp, fp, thresholds = _counts_by_threshold(y_true, scores)
    tpr = np.r_[0.0, tp / positives]
    fpr = np.r_[0.0, fp / negatives]
    return fpr, tpr, np.r_[np.inf, thresholds]


def auc(x, y) -> float:
    """Area under a curve given by its points, with the trapezoid rule (x must be monotonic)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x {x.shape} and y {y.shape} must be 1-D with at least two points")
    steps = np.diff(x)
    if not (np.all(steps >= 0) or np.all(steps <= 0)):
        raise ValueError("x must be monotonic (sorted) to integrate the curve")
    return float(abs(np.sum(steps * (y[1:] + y[:-1]) / 2)))


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve: the chance that a random positive outscores a random negative
    (ties count one half)."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc(fpr, tpr)


def precision_recall_curve(y_true, scores):
    """Precision, recall and thresholds, ordered by increasing threshold as sklearn does.

    One point per distinct score; the curve ends at (recall 0, precision 1) by convention.
    """
    y_true, scores = _binary_scores(y_true, scores)
    positives = int(y_true.sum())
    if positives == 0:
        raise ValueError("the precision-recall curve needs at least one positive in y_true")
    tp, fp, thresholds = _counts_by_threshold(y_true, scores)
    precision_values = tp / (tp + fp)
    recall_values = tp / positives
    return (np.r_[precision_values[::-1], 1.0], np.r_[recall_values[::-1], 0.0],
            thresholds[::-1])


def average_precision(y_true, scores) -> float:
    """Σ (Rₙ − Rₙ₋₁) Pₙ over the thresholds: precision averaged over the recall gained."""
    precision_values, recall_values, _ = precision_recall_curve(y_true, scores)
    return float(-np.sum(np.diff(recall_values) * precision_values[:-1]))
