"""Every public function rejects a wrong type or value with an error naming the argument, the value
and what is allowed: one row per bad input (a string where a number belongs included)."""

import numpy as np
import pytest

from dlcourse import (
    data,
    datacheck,
    devices,
    environment,
    models,
    outcomes,
    plots,
    profiles,
    timing,
    train,
)


def tiny_model():
    import keras

    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])


def tiny_dataset():
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((np.zeros((4, 2), "float32"), [0, 1, 0, 1])).batch(2)


def fit_custom(**overrides):
    import keras

    arguments = {"epochs": 1, "optimizer": keras.optimizers.SGD(),
                 "loss_fn": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 "verbose": False, **overrides}
    return train.fit_custom(tiny_model(), tiny_dataset(), **arguments)


def session():
    return environment.Session(profile="smoke", device="CPU", seed=0, deterministic=True,
                               versions={})


X, Y = np.zeros((4, 2)), np.array([0, 1, 0, 1])

# (call, error, argument, value as the message must show it)
BAD_INPUTS = {
    # data
    "spec: unknown dataset": (lambda: data.spec("mnits"), ValueError, "name", "'mnits'"),
    "spec: a number": (lambda: data.spec(10), ValueError, "name", "10"),
    "load: batch_size as a string": (lambda: data.load("mnist", batch_size="128"), TypeError,
                                     "batch_size", "'128'"),
    "load: batch_size 0": (lambda: data.load("mnist", batch_size=0), ValueError, "batch_size",
                           "0"),
    "load: examples as a string": (lambda: data.load("mnist", examples="1000"), TypeError,
                                   "examples", "'1000'"),
    "load: unknown split": (lambda: data.load("mnist", "validation"), ValueError, "split",
                            "'validation'"),
    "load: drop_remainder as a string": (lambda: data.load("mnist", drop_remainder="yes"),
                                         TypeError, "drop_remainder", "'yes'"),
    "load: shuffle as a string": (lambda: data.load("mnist", shuffle="no"), TypeError, "shuffle",
                                  "'no'"),
    "load: seed as a string": (lambda: data.load("mnist", seed="0"), TypeError, "seed", "'0'"),
    "from_arrays: batch_size 2.5": (lambda: data.from_arrays(X, Y, batch_size=2.5), TypeError,
                                    "batch_size", "2.5"),
    "load_arrays: examples -1": (lambda: data.load_arrays("mnist", examples=-1), ValueError,
                                 "examples", "-1"),
    "default_examples: split 'val'": (lambda: data.default_examples("val", "smoke"), ValueError,
                                      "split", "'val'"),
    "to_numpy: a list": (lambda: data.to_numpy([1, 2]), TypeError, "dataset", "[1, 2]"),
    "verify: name as a number": (lambda: datacheck.verify(3, "."), TypeError, "name", "3"),
    # outcomes
    "record: value as a string": (lambda: outcomes.record("accuracy", "0.9"), TypeError, "value",
                                  "'0.9'"),
    "record: empty name": (lambda: outcomes.record("", 0.5), ValueError, "name", "''"),
    "record: target as a string": (lambda: outcomes.record("a", 0.5, target="0.9"), TypeError,
                                   "target", "'0.9'"),
    "record: unknown profile in target": (lambda: outcomes.record("a", 0.5, target={"labtop": 1}),
                                          ValueError, "target", "'labtop'"),
    "record: higher_is_better as a string": (
        lambda: outcomes.record("a", 0.5, higher_is_better="yes"), TypeError,
        "higher_is_better", "'yes'"),
    "record: unit as a number": (lambda: outcomes.record("a", 0.5, unit=1), TypeError, "unit",
                                 "1"),
    "check: name None": (lambda: outcomes.check(None, True), ValueError, "name", "None"),
    "check: detail as a number": (lambda: outcomes.check("c", True, 3), TypeError, "detail", "3"),
    "loss_fell: a string": (lambda: outcomes.loss_fell("l", "abc"), TypeError, "losses",
                            "'abc'"),
    "loss_fell: below as a string": (lambda: outcomes.loss_fell("l", [1.0, 0.5], below="1"),
                                     TypeError, "below", "'1'"),
    "loss_fell: no loss key": (lambda: outcomes.loss_fell("l", {"acc": [1, 2]}), ValueError,
                               "losses", "'acc'"),
    # timing
    "measure: fn as a string": (lambda: timing.measure("f"), TypeError, "fn", "'f'"),
    "measure: repeat as a string": (lambda: timing.measure(lambda: 0, repeat="5"), TypeError,
                                    "repeat", "'5'"),
    "measure: warmup -1": (lambda: timing.measure(lambda: 0, warmup=-1), ValueError, "warmup",
                           "-1"),
    # profiles and environment
    "resolve: unknown profile": (lambda: profiles.resolve("fast"), ValueError, "profile",
                                 "'fast'"),
    "sizes: unknown chapter": (lambda: profiles.sizes("nope", "smoke"), ValueError, "chapter",
                               "'nope'"),
    "sizes: unknown profile": (lambda: profiles.sizes("feedforward", "huge"), ValueError,
                               "profile", "'huge'"),
    "setup: unknown profile": (lambda: environment.setup("turbo"), ValueError, "profile",
                               "'turbo'"),
    "setup: seed as a string": (lambda: environment.setup("smoke", seed="42"), ValueError, "seed",
                                "'42'"),
    "setup: deterministic as a string": (lambda: environment.setup("smoke", deterministic="no"),
                                         TypeError, "deterministic", "'no'"),
    "global_batch: a string": (lambda: session().global_batch("32"), TypeError, "per_replica",
                               "'32'"),
    "split_cpu: 0 replicas": (lambda: devices.split_cpu(0), ValueError, "replicas", "0"),
    "strategy: unknown kind": (lambda: devices.strategy(kind="FPGA"), ValueError, "kind",
                               "'FPGA'"),
    # models
    "mlp: hidden as a string": (lambda: models.mlp(hidden="128"), TypeError, "hidden", "'128'"),
    "mlp: num_classes as a string": (lambda: models.mlp(num_classes="10"), TypeError,
                                     "num_classes", "'10'"),
    "deeper_cnn: dropout as a string": (lambda: models.deeper_cnn(dropout="0.3"), TypeError,
                                        "dropout", "'0.3'"),
    "deeper_cnn: dropout 1.5": (lambda: models.deeper_cnn(dropout=1.5), ValueError, "dropout",
                                "1.5"),
    "deeper_cnn: no filters": (lambda: models.deeper_cnn(filters=()), ValueError, "filters",
                               "()"),
    "rnn_classifier: unknown cell": (lambda: models.rnn_classifier("transformer"), ValueError,
                                     "cell", "'transformer'"),
    "rnn_classifier: units as a string": (lambda: models.rnn_classifier(units="64"), TypeError,
                                          "units", "'64'"),
    "rnn_classifier: 1-D input_shape": (lambda: models.rnn_classifier(input_shape=(28,)),
                                        ValueError, "input_shape", "(28,)"),
    "count_params: a string": (lambda: models.count_params("model"), TypeError, "model",
                               "'model'"),
    # plots
    "image_grid: ncols as a string": (lambda: plots.image_grid(np.zeros((2, 4, 4)), ncols="4"),
                                      TypeError, "ncols", "'4'"),
    "training_curves: metrics as a string": (
        lambda: plots.training_curves({"loss": [1, 2]}, metrics="loss"), ValueError, "metrics",
        "'loss'"),
    "confusion_counts: num_classes as a string": (
        lambda: plots.confusion_counts([0, 1], [0, 1], num_classes="2"), TypeError,
        "num_classes", "'2'"),
    # train
    "fit_custom: epochs as a string": (lambda: fit_custom(epochs="3"), TypeError, "epochs",
                                       "'3'"),
    "fit_custom: loss_fn as a string": (lambda: fit_custom(loss_fn="mse"), TypeError, "loss_fn",
                                        "'mse'"),
    "fit_custom: optimizer as a string": (lambda: fit_custom(optimizer="adam"), TypeError,
                                          "optimizer", "'adam'"),
    "fit_custom: checkpoint_every 0": (lambda: fit_custom(checkpoint_every=0), ValueError,
                                       "checkpoint_every", "0"),
    "fit_custom: checkpoint_dir as a number": (lambda: fit_custom(checkpoint_dir=5), TypeError,
                                               "checkpoint_dir", "5"),
    "checkpoint_dir: a path as the run": (lambda: train.checkpoint_dir("a/b"), ValueError, "run",
                                          "'a/b'"),
    "resumable_callbacks: no directory": (lambda: train.resumable_callbacks(None), TypeError,
                                          "directory", "None"),
    "resumable_callbacks: save_freq as a string": (
        lambda: train.resumable_callbacks("ckpt", save_freq="10"), TypeError, "save_freq",
        "'10'"),
}


def test_the_table_is_large_enough():
    assert len(BAD_INPUTS) >= 30


@pytest.mark.parametrize("call, error, argument, value", BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_a_bad_input_names_the_argument_and_the_value(call, error, argument, value, profile):
    profile("smoke")
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert argument in message, f"the message does not name {argument!r}: {message}"
    assert value in message, f"the message does not show the value {value}: {message}"
