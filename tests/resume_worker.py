"""Worker of test_resume.py: trains two tiny models, resumably, in a process the test kills.

``python resume_worker.py WORKDIR`` trains with ``fit`` + ``train.resumable_callbacks`` (variant
"fit"), then with ``train.fit_custom(checkpoint_dir=...)`` (variant "custom"), each on random
arrays with op determinism, and saves the final weights of each variant it completes. A variant
already completed by an earlier process is skipped; an interrupted one resumes from its
checkpoint. After every training step it appends "<pid> <variant> <optimizer iterations>" to
WORKDIR/progress and sleeps a little, so that the test can kill it mid-epoch. Once both variants
are done it trains both again without interruption (the reference) and saves those weights too.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from dlcourse import train  # noqa: E402

EPOCHS, BATCH, EXAMPLES = 3, 8, 64          # 8 steps per epoch
CUSTOM_CHECKPOINT_EVERY = 3
STEP_PAUSE_S = 0.15
WORKDIR = Path(sys.argv[1])


def arrays():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(EXAMPLES, 6)).astype("float32")
    return x, (x[:, 0] - x[:, 1] > 0).astype("int64")


def model_and_optimizer():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(2)])
    return model, keras.optimizers.Adam(0.01)


LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def log_step(variant, optimizer):
    with open(WORKDIR / "progress", "a") as progress:
        progress.write(f"{os.getpid()} {variant} {int(optimizer.iterations.numpy())}\n")
    time.sleep(STEP_PAUSE_S)


class LogSteps(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        log_step("fit", self.model.optimizer)


def train_fit(resumable: bool):
    model, optimizer = model_and_optimizer()
    model.compile(optimizer=optimizer, loss=LOSS)
    callbacks = []
    if resumable:
        callbacks = [*train.resumable_callbacks(WORKDIR / "fit-checkpoints"), LogSteps()]
    x, y = arrays()
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
              callbacks=callbacks)
    return model


def train_custom(resumable: bool):
    model, optimizer = model_and_optimizer()
    x, y = arrays()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(EXAMPLES, seed=1).batch(BATCH)
    real_step = train.make_train_step
    if resumable:
        def logged_step(*args):
            step = real_step(*args)

            def run(xb, yb):
                loss = step(xb, yb)
                log_step("custom", optimizer)
                return loss
            return run
        train.make_train_step = logged_step
    try:
        train.fit_custom(model, ds, epochs=EPOCHS, optimizer=optimizer, loss_fn=LOSS,
                         verbose=False, checkpoint_every=CUSTOM_CHECKPOINT_EVERY,
                         checkpoint_dir=WORKDIR / "custom-checkpoints" if resumable else None)
    finally:
        train.make_train_step = real_step
    return model


def save(model, name):
    np.savez(WORKDIR / f"{name}.npz", *[w.numpy() for w in model.weights])


def main():
    tf.config.experimental.enable_op_determinism()
    for variant, run in (("fit", train_fit), ("custom", train_custom)):
        if not (WORKDIR / f"{variant}-resumed.npz").exists():
            save(run(resumable=True), f"{variant}-resumed")
    for variant, run in (("fit", train_fit), ("custom", train_custom)):
        save(run(resumable=False), f"{variant}-reference")


if __name__ == "__main__":
    main()
