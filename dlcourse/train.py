"""A training loop written out, for learners to read next to ``model.fit``.

One step is: forward pass inside ``tf.GradientTape``, the loss computed *inside* the tape
(seed 000 §4.1 computes it outside, so the tape records nothing), gradients, one optimizer
update. ``fit_custom`` repeats it over epochs and keeps a Keras-style history.

Long runs survive an interrupted session: ``resumable_callbacks`` (for ``fit``) and
``fit_custom(..., checkpoint_dir=...)`` save the training state, and the same call started again
continues from the last checkpoint. Both stop at the first NaN or infinite loss with
``NonFiniteLossError``, naming the epoch and the step.
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

import keras

from dlcourse import _checks

CHECKPOINT_ROOT_NAME = "dlcourse-checkpoints"
_STATE_FILE = "fit_custom_state.json"


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite: continuing would only spread it."""


def non_finite_message(loss, epoch: int, step: int) -> str:
    """What to say when the loss of ``step`` (1-based) in ``epoch`` (1-based) is not finite."""
    return (f"The training loss became {loss} at epoch {epoch}, step {step}: training stopped. "
            "Check the learning rate (too high diverges: try 10 times smaller), the inputs "
            "(NaN or unscaled values: look at x.min() and x.max()), the labels (within the "
            "range the loss expects) and any log or division in a hand-written loss "
            "(add a small epsilon, or use from_logits=True).")


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop ``fit`` at the first batch whose loss is NaN or infinite, with where and why.

    Keras's ``TerminateOnNaN`` only sets ``stop_training`` and prints a line; this raises
    ``NonFiniteLossError`` so that a notebook cell, a script and a test all fail at once.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True
            raise NonFiniteLossError(non_finite_message(float(loss), getattr(self, "_epoch", 1),
                                                        batch + 1))


def checkpoint_dir(run: str, session=None) -> Path:
    """A folder for the checkpoints of ``run``, outside the repository (the temporary folder).

    With a ``session`` (from ``dlcourse.setup``) the profile and the seed are part of the path,
    so that a laptop run never resumes from a smoke run's weights. It survives a Colab
    disconnect as long as the runtime does; a finished run deletes its checkpoints.
    """
    if not isinstance(run, str) or not run.strip() or any(c in run for c in "/\\:"):
        raise ValueError(f"run={run!r} must be a non-empty name without '/', '\\' or ':'")
    root = Path(tempfile.gettempdir()) / CHECKPOINT_ROOT_NAME
    if session is not None:
        root = root / f"{session.profile}-seed{session.seed}"
    return root / run


class BackupAndRestore(keras.callbacks.BackupAndRestore):
    """Keras's ``BackupAndRestore`` that also keeps the layers' random-number state.

    Keras saves the weights and the optimizer but not the ``SeedGenerator`` states that draw
    dropout masks, so a resumed run would draw other masks than an uninterrupted one; this saves
    them beside the weights (``random_state.npz``) and puts them back when training resumes.
    """

    def _random_state_path(self) -> Path:
        return Path(self.backup_dir) / "random_state.npz"

    def _random_state(self) -> list:
        weights = {id(w) for w in self.model.weights}
        return [v for v in self.model.variables if id(v) not in weights]

    def on_train_begin(self, logs=None):
        import numpy as np

        super().on_train_begin(logs)
        path = self._random_state_path()
        if path.exists():
            with np.load(path) as saved:
                for i, variable in enumerate(self._random_state()):
                    variable.assign(saved[f"arr_{i}"])

    def _save_model(self):
        import numpy as np

        super()._save_model()
        path = self._random_state_path()
        partial = path.with_name("random_state.partial.npz")
        np.savez(partial, *[v.numpy() for v in self._random_state()])
        partial.replace(path)          # atomic: a kill never leaves half a file


def resumable_callbacks(directory, *, save_freq="epoch") -> list:
    """Callbacks for ``fit`` that make a run resumable and stop it at a NaN or infinite loss.

    ``BackupAndRestore`` saves the weights, the optimizer state, the random-number state and the
    epoch into
    ``directory`` at the end of every epoch; ``fit`` called again with the same callbacks
    continues after the last saved epoch and, with op determinism and a pipeline whose order does
    not depend on the run (``shuffle=False``, or a shuffle seeded per epoch), ends with the same
    weights as an uninterrupted run. An interruption loses at most one epoch. Keras resumes
    from the start of the saved epoch, so an integer ``save_freq`` (every N batches) would replay
    part of an epoch: use it only where losing an epoch costs too much and exactness does not
    matter.
    """
    if not isinstance(directory, (str, Path)) or not str(directory).strip():
        raise TypeError(f"directory={directory!r} must be a folder path (str or pathlib.Path)")
    if save_freq != "epoch":
        _checks.positive_int("save_freq", save_freq)
    return [BackupAndRestore(str(directory), save_freq=save_freq), StopOnNonFiniteLoss()]


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


def build_before_fit(model, dataset) -> None:
    """Create a compiled ``model``'s optimizer, loss and metric variables before ``fit``.

    On a single device Keras creates them inside the first traced training step, and a
    ``tf.function`` that creates variables is traced twice: about a second more per model on a
    CPU. Under a distribution strategy Keras builds them first itself; this does the same from
    ``dataset.element_spec`` (no batch is read). Nothing trained changes: these variables start at
    zero. A no-op when the Keras version lacks the hook, or when all is built already.
    """
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise TypeError(f"model={type(model).__name__} must be a keras.Model")
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"model {model.name!r} is not compiled: call model.compile(...) first")
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(f"dataset={type(dataset).__name__} must be a tf.data.Dataset of "
                        "(x, y) batches")
    symbolic_build = getattr(model, "_symbolic_build", None)      # Keras 3's own pre-build
    if symbolic_build is not None:
        with model.distribute_strategy.scope():      # variables belong to the model's strategy
            symbolic_build(data_batch=dataset.element_spec)


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


class _Checkpointer:
    """The state of ``fit_custom`` in a ``tf.train.CheckpointManager``: the model, the optimizer
    and, as JSON, the position in training and the history so far."""

    def __init__(self, directory, model, optimizer, every: int):
        import tensorflow as tf

        self.directory, self.every, self.model = Path(directory), every, model
        if not model.built:
            raise ValueError("model must be built before fit_custom can checkpoint it: start it "
                             "with keras.Input(shape) or call it once on a batch")
        if not optimizer.built:
            optimizer.build(model.trainable_variables)   # so that a restore fills its slots
        self.state = tf.Variable("{}", dtype=tf.string, trainable=False)
        self.checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, state=self.state)
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory),
                                                  max_to_keep=2)

    def restore(self) -> dict | None:
        """The state saved last (None when there is no checkpoint); the weights are restored."""
        import numpy as np

        if self.manager.latest_checkpoint is None:
            return None
        self.checkpoint.restore(self.manager.latest_checkpoint).assert_existing_objects_matched()
        state = json.loads(self.state.numpy().decode())
        for variable, value in zip(self._random_state(), state.pop("random_state")):
            variable.assign(np.asarray(value, dtype=variable.dtype))
        return state

    def save(self, state: dict) -> None:
        random_state = [v.numpy().tolist() for v in self._random_state()]
        self.state.assign(json.dumps({**state, "random_state": random_state}))
        self.manager.save()

    def _random_state(self) -> list:
        """The layers' SeedGenerator states (dropout masks), which the checkpoint lacks."""
        weights = {id(w) for w in self.model.weights}
        return [v for v in self.model.variables if id(v) not in weights]

    def remove(self) -> None:
        """Delete this run's checkpoint files (only those), then the folder if left empty."""
        for prefix in self.manager.checkpoints:
            for path in self.directory.glob(Path(prefix).name + ".*"):
                path.unlink()
        (self.directory / "checkpoint").unlink(missing_ok=True)
        try:
            self.directory.rmdir()
        except OSError:
            pass                      # the folder holds other files: leave them


class _Epochs:
    """Iterators over ``train_ds``, counted: a resumed run first opens (and drops) as many as the
    interrupted run had opened, so that a pipeline that reshuffles at every iteration yields the
    same order again; then it skips the batches already trained on."""

    def __init__(self, train_ds, opened: int = 0):
        self.train_ds, self.opened = train_ds, 0
        for _ in range(opened):
            self.iterate()

    def iterate(self, skip: int = 0):
        self.opened += 1
        return itertools.islice(iter(self.train_ds), skip, None)


def fit_custom(model, train_ds, *, epochs: int, optimizer, loss_fn, val_ds=None,
               verbose: bool = True, checkpoint_dir=None, checkpoint_every: int = 100) -> dict:
    """Train with the written-out loop; return ``{"loss": [...], "accuracy": [...], ...}``.

    With ``checkpoint_dir`` the state is saved every ``checkpoint_every`` steps and at the end
    of every epoch (``tf.train.CheckpointManager``); the same call started again after an
    interruption resumes at the saved step and, with op determinism, ends with the same weights
    as an uninterrupted run. A finished run deletes its checkpoints. A NaN or infinite loss
    raises ``NonFiniteLossError`` naming the epoch and the step.
    """
    import numpy as np

    _checks.positive_int("epochs", epochs)
    _checks.positive_int("checkpoint_every", checkpoint_every)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn={loss_fn!r} must be callable (y_true, y_pred) -> loss")
    if not hasattr(optimizer, "apply_gradients"):
        raise TypeError(f"optimizer={optimizer!r} must be a Keras optimizer "
                        "(e.g. keras.optimizers.Adam(1e-3))")
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose={verbose!r} must be True or False")
    if checkpoint_dir is not None and not isinstance(checkpoint_dir, (str, Path)):
        raise TypeError(f"checkpoint_dir={checkpoint_dir!r} must be a folder path or None")
    step = make_train_step(model, optimizer, loss_fn)
    history = {"loss": [], "accuracy": []}
    if val_ds is not None:
        history["val_accuracy"] = []
    state = {"epoch": 0, "step": 0, "losses": [], "opened": 0, "history": history}
    saver = None
    if checkpoint_dir is not None:
        saver = _Checkpointer(checkpoint_dir, model, optimizer, checkpoint_every)
        state = saver.restore() or state
        if verbose and state["opened"]:
            print(f"resumed from the checkpoint in {checkpoint_dir}: epoch {state['epoch'] + 1}, "
                  f"step {state['step'] + 1}")
    history, epochs_seen = state["history"], _Epochs(train_ds, state["opened"])
    for epoch in range(state["epoch"] + 1, epochs + 1):
        losses, skip = state["losses"], state["step"]
        for number, (x, y) in enumerate(epochs_seen.iterate(skip), start=skip + 1):
            loss = float(step(x, y))
            if not math.isfinite(loss):
                raise NonFiniteLossError(non_finite_message(loss, epoch, number))
            losses.append(loss)
            if saver is not None and number % checkpoint_every == 0:
                saver.save({"epoch": epoch - 1, "step": number, "losses": losses,
                            "opened": epochs_seen.opened - 1, "history": history})
        if not losses:
            raise ValueError("train_ds is empty: no batches to train on")
        history["loss"].append(float(np.mean(losses)))
        epochs_seen.opened += 1                     # accuracy() below iterates train_ds too
        history["accuracy"].append(accuracy(model, train_ds))
        line = f"epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}"
        if val_ds is not None:
            history["val_accuracy"].append(accuracy(model, val_ds))
            line += f", val accuracy {history['val_accuracy'][-1]:.4f}"
        if verbose:
            print(line)
        state = {"epoch": epoch, "step": 0, "losses": [], "opened": epochs_seen.opened,
                 "history": history}
        if saver is not None:
            saver.save(state)
    if saver is not None:
        saver.remove()
    return history
