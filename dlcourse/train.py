"""A training loop written out, for learners to read next to ``model.fit``.

One step is: forward pass inside ``tf.GradientTape``, the loss computed *inside* the tape
(seed 000 §4.1 computes it outside, so the tape records nothing), gradients, one optimizer
update. ``fit_custom`` repeats it over epochs and keeps a Keras-style history.
"""

from __future__ import annotations

import statistics
import time

import keras

from dlcourse import _checks


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every epoch of ``fit`` (training plus validation).

    Kept in ``timer.seconds`` and added to the logs, so ``history.history["seconds"]`` has them.
    The first epoch also pays for tracing the graph: ``steady`` is the median of the others.
    """

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
        if logs is not None:
            logs["seconds"] = self.seconds[-1]

    @property
    def steady(self) -> float:
        """Median seconds per epoch after the first (the only one, if just one ran)."""
        if not getattr(self, "seconds", None):
            raise ValueError("no epoch has been timed yet: pass the timer to fit(callbacks=...)")
        return statistics.median(self.seconds[1:] or self.seconds)


def make_train_step(model, optimizer, loss_fn):
    """A compiled function ``step(x, y) -> loss`` that updates ``model`` once."""
    import tensorflow as tf

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
            if model.losses:                      # weight penalties added by layers
                loss += tf.add_n(model.losses)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    return step


def accuracy(model, dataset) -> float:
    """Share of examples whose arg-max prediction equals the integer label."""
    import numpy as np

    correct = total = 0
    for x, y in dataset:
        predicted = np.argmax(model(x, training=False), axis=-1)
        correct += int(np.sum(predicted == np.asarray(y)))
        total += len(predicted)
    if total == 0:
        raise ValueError("dataset is empty: nothing to measure accuracy on")
    return correct / total


def fit_custom(model, train_ds, *, epochs: int, optimizer, loss_fn, val_ds=None,
               verbose: bool = True) -> dict:
    """Train with the written-out loop; return ``{"loss": [...], "accuracy": [...], ...}``."""
    import numpy as np

    _checks.positive_int("epochs", epochs)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn={loss_fn!r} must be callable (y_true, y_pred) -> loss")
    step = make_train_step(model, optimizer, loss_fn)
    history = {"loss": [], "accuracy": []}
    if val_ds is not None:
        history["val_accuracy"] = []
    for epoch in range(1, epochs + 1):
        losses = [float(step(x, y)) for x, y in train_ds]
        if not losses:
            raise ValueError("train_ds is empty: no batches to train on")
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(accuracy(model, train_ds))
        line = f"epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}"
        if val_ds is not None:
            history["val_accuracy"].append(accuracy(model, val_ds))
            line += f", val accuracy {history['val_accuracy'][-1]:.4f}"
        if verbose:
            print(line)
    return history
