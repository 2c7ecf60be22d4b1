"""The plots that recur across chapters: training curves, labelled image grids, confusion matrix.

Each function returns the matplotlib ``Figure`` so a notebook can save or restyle it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlcourse import _checks


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _history_dict(history) -> dict:
    if hasattr(history, "history"):      # keras.callbacks.History
        history = history.history
    if not isinstance(history, Mapping) or not history:
        raise TypeError(f"history={history!r} must be a Keras History or a non-empty dict "
                        "of metric name -> list of values per epoch")
    return dict(history)


def training_curves(histories, metrics: Sequence[str] = ("loss", "accuracy"), *,
                    title: str | None = None, xlabel: str = "epoch"):
    """One panel per metric; ``histories`` is one History/dict or a dict of label -> History.

    Validation series (``val_<metric>``) are drawn dashed beside their training series.
    """
    if isinstance(histories, Mapping) and histories and all(
            hasattr(h, "history") or isinstance(h, Mapping) for h in histories.values()):
        runs = {label: _history_dict(h) for label, h in histories.items()}
    else:
        runs = {"": _history_dict(histories)}
    if isinstance(metrics, str) or not metrics:
        raise ValueError(f"metrics={metrics!r} must be a non-empty sequence of metric names")
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        drawn = False
        for number, (label, run) in enumerate(runs.items()):
            colour = colours[number % len(colours)]   # a run's train and validation share it
            for key, style in ((metric, "-"), (f"val_{metric}", "--")):
                if key in run:
                    values = np.asarray(run[key], dtype=float)
                    epochs = np.arange(1, len(values) + 1)
                    name = "validation" if key.startswith("val_") else "train"
                    ax.plot(epochs, values, style, marker="o", ms=3, color=colour,
                            label=f"{label} {name}".strip())
                    drawn = True
        if not drawn:
            available = sorted({k for run in runs.values() for k in run})
            raise ValueError(f"metric {metric!r} is not in the history; available: {available}")
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, *, class_names: Sequence[str] | None = None,
               predictions=None, ncols: int = 8, title: str | None = None):
    """Images in a grid, each titled with its label (and prediction, red when wrong)."""
    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(f"images must be a non-empty batch of shape (n, h, w[, c]); "
                         f"got shape {images.shape}")
    _checks.positive_int("ncols", ncols)
    for what, seq in (("labels", labels), ("predictions", predictions)):
        if seq is not None and len(seq) != len(images):
            raise ValueError(f"{what} has {len(seq)} entries for {len(images)} images")

    def name(i):
        return class_names[int(i)] if class_names is not None else str(int(i))

    plt = _pyplot()
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, 1.9 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        image = images[k]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        caption, color = "", "black"
        if labels is not None:
            caption = name(labels[k])
        if predictions is not None:
            caption = f"{caption} → {name(predictions[k])}" if caption else name(predictions[k])
            if labels is not None and int(predictions[k]) != int(labels[k]):
                color = "red"
        ax.set_title(caption, fontsize=8, color=color)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_counts(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class i predicted as j."""
    _checks.positive_int("num_classes", num_classes, allow_none=True)
    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if y_true.size and min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("labels must be non-negative class indices")
    k = num_classes or (int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def confusion_matrix(y_true, y_pred, *, class_names: Sequence[str] | None = None,
                     normalize: bool = False, title: str | None = None):
    """A confusion-matrix heat map; rows are true classes, columns predictions."""
    k = len(class_names) if class_names is not None else None
    counts = confusion_counts(y_true, y_pred, k)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(counts))]
    plt = _pyplot()
    size = max(4.0, 0.5 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    im = ax.imshow(shown, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                 label="fraction of the true class" if normalize else "examples")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = shown.max() / 2 if shown.size else 0
    for i in range(len(names)):
        for j in range(len(names)):
            text = f"{shown[i, j]:.2f}" if normalize else str(shown[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > threshold else "black")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
