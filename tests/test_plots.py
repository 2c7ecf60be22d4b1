import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse import plots  # noqa: E402


def test_training_curves_one_panel_per_metric_with_validation_dashed():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = plots.training_curves(history)
    loss_axis, accuracy_axis = fig.axes
    assert [line.get_linestyle() for line in loss_axis.lines] == ["-", "--"]
    assert accuracy_axis.get_ylabel() == "accuracy" and loss_axis.get_xlabel() == "epoch"


def test_training_curves_compare_labelled_runs():
    runs = {"keras": {"loss": [1, 0.5]}, "custom loop": {"loss": [1, 0.6]}}
    fig = plots.training_curves(runs, metrics=["loss"])
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["keras train", "custom loop train"]


def test_training_curves_accept_a_keras_history():
    class History:
        history = {"loss": [2.0, 1.0]}

    assert len(plots.training_curves(History(), metrics=("loss",)).axes) == 1


@pytest.mark.parametrize("history, metrics, error, message", [
    ([1, 2], ("loss",), TypeError, "history="),
    ({"loss": [1]}, ("accuracy",), ValueError, "metric 'accuracy' is not in the history"),
    ({"loss": [1]}, "loss", ValueError, "metrics='loss'"),
])
def test_training_curves_reject_bad_input(history, metrics, error, message):
    with pytest.raises(error, match=message):
        plots.training_curves(history, metrics=metrics)


def test_image_grid_marks_wrong_predictions_red():
    images = np.zeros((3, 28, 28, 1))
    fig = plots.image_grid(images, [1, 2, 3], predictions=[1, 0, 3], ncols=2,
                           class_names=[str(i) for i in range(10)])
    titles = [(ax.get_title(), ax.title.get_color()) for ax in fig.axes if ax.get_title()]
    assert titles == [("1 → 1", "black"), ("2 → 0", "red"), ("3 → 3", "black")]
    assert len(fig.axes) == 4  # 2 × 2, the last empty


@pytest.mark.parametrize("kwargs, message", [
    ({"images": np.zeros((2, 3))}, "shape"),
    ({"images": np.zeros((2, 8, 8)), "labels": [1]}, "labels has 1 entries for 2 images"),
    ({"images": np.zeros((2, 8, 8)), "ncols": 0}, "ncols=0"),
])
def test_image_grid_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.image_grid(**kwargs)


def test_confusion_counts():
    counts = plots.confusion_counts([0, 0, 1, 2], [0, 1, 1, 2], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_confusion_matrix_labels_axes():
    fig = plots.confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"], normalize=True)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog"]


def test_confusion_counts_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="y_true has 2 labels but y_pred has 3"):
        plots.confusion_counts([0, 1], [0, 1, 1])


def test_a_run_keeps_one_colour_for_train_and_validation():
    fig = plots.training_curves({"a": {"loss": [1, 0.5], "val_loss": [1, 0.7]},
                                 "b": {"loss": [1, 0.4], "val_loss": [1, 0.6]}}, metrics=["loss"])
    colours = [line.get_color() for line in fig.axes[0].lines]
    assert colours[0] == colours[1] != colours[2] == colours[3]
