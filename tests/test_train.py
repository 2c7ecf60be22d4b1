import numpy as np
import pytest


@pytest.fixture
def separable():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(32)


def small_model():
    import keras

    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])


def test_custom_loop_learns_and_keeps_history(separable, capsys):
    import keras

    keras.utils.set_random_seed(0)
    from dlcourse import train

    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    history = train.fit_custom(small_model(), separable, epochs=5,
                               optimizer=keras.optimizers.Adam(0.05), loss_fn=loss,
                               val_ds=separable)
    assert len(history["loss"]) == 5 and history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert "epoch 5/5" in capsys.readouterr().out


def test_one_step_changes_the_weights(separable):
    import keras

    from dlcourse import train

    model = small_model()
    before = [w.numpy().copy() for w in model.trainable_variables]
    step = train.make_train_step(model, keras.optimizers.SGD(0.1),
                                 keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = next(iter(separable))
    assert np.isfinite(float(step(x, y)))
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, model.trainable_variables))


def test_accuracy_counts_argmax_hits():
    import tensorflow as tf

    from dlcourse import train

    class Fixed:
        def __call__(self, x, training=False):
            return tf.one_hot(tf.cast(x[:, 0], tf.int32), 2)

    ds = tf.data.Dataset.from_tensor_slices(([[0.0], [1.0], [1.0]], [0, 1, 0])).batch(2)
    assert train.accuracy(Fixed(), ds) == pytest.approx(2 / 3)


def test_bad_arguments_are_named(separable):
    import keras

    from dlcourse import train

    with pytest.raises(ValueError, match="epochs=0"):
        train.fit_custom(small_model(), separable, epochs=0, optimizer=keras.optimizers.SGD(),
                         loss_fn=keras.losses.MeanSquaredError())
    with pytest.raises(TypeError, match="loss_fn='mse'"):
        train.fit_custom(small_model(), separable, epochs=1, optimizer=keras.optimizers.SGD(),
                         loss_fn="mse")
    with pytest.raises(ValueError, match="empty"):
        train.accuracy(small_model(), separable.take(0))


def test_epoch_timer_records_every_epoch_in_the_history(separable):
    import keras

    from dlcourse.train import EpochTimer

    model = small_model()
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    timer = EpochTimer()
    with pytest.raises(ValueError, match="no epoch has been timed"):
        _ = timer.steady
    history = model.fit(separable, epochs=3, verbose=0, callbacks=[timer], shuffle=False)
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert history.history["seconds"] == timer.seconds
    assert timer.steady == pytest.approx(float(np.median(timer.seconds[1:])))


def nan_at(batch_index):
    """The separable problem with a NaN input in batch ``batch_index`` (batches of 32)."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    x[batch_index * 32 + 5, 0] = np.nan
    y = (np.nan_to_num(x[:, 0]) > 0).astype("int64")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(32)


def test_fit_stops_at_the_first_nan_loss_naming_epoch_and_step():
    import keras

    from dlcourse import train

    model = small_model()
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(train.NonFiniteLossError, match=r"epoch 1, step 3: training stopped"):
        model.fit(nan_at(2), epochs=2, verbose=0, callbacks=[train.StopOnNonFiniteLoss()])


def test_fit_custom_stops_at_the_first_nan_loss_naming_epoch_and_step():
    import keras

    from dlcourse import train

    with pytest.raises(train.NonFiniteLossError,
                       match=r"nan at epoch 1, step 4: .*learning rate"):
        train.fit_custom(small_model(), nan_at(3), epochs=2, verbose=False,
                         optimizer=keras.optimizers.SGD(0.1),
                         loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


def test_fit_custom_resumes_at_the_saved_step_with_the_same_weights(tmp_path):
    """Interrupted (an exception) at epoch 2, step 7 (saved after step 5), resumed: the weights
    and the history of an uninterrupted run, dropout masks and reshuffled batches included."""
    import keras
    import tensorflow as tf

    from dlcourse import train

    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 4)).astype("float32")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def run(directory, stop_after=None):
        keras.utils.set_random_seed(0)
        ds = tf.data.Dataset.from_tensor_slices((x, (x[:, 0] > 0).astype("int64")))
        ds = ds.shuffle(256, seed=3).batch(32)       # reshuffled every epoch: replayed on resume
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dropout(0.3), keras.layers.Dense(2)])
        optimizer = keras.optimizers.Adam(0.05)
        real_step, done = train.make_train_step, []

        def counting(*args):
            step = real_step(*args)

            def run_step(xb, yb):
                if stop_after is not None and len(done) == stop_after:
                    raise KeyboardInterrupt
                done.append(1)
                return step(xb, yb)
            return run_step
        train.make_train_step = counting
        try:
            history = train.fit_custom(model, ds, epochs=3, optimizer=optimizer, loss_fn=loss,
                                       verbose=False, checkpoint_dir=directory,
                                       checkpoint_every=5)
        finally:
            train.make_train_step = real_step
        return model, history, len(done)

    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "ckpt", stop_after=14)        # saved after global steps 5, 8 and 13
    resumed, history, steps = run(tmp_path / "ckpt")
    reference, expected, _ = run(None)
    assert steps == 24 - 13                          # step 14 was done again
    for a, b in zip(resumed.weights, reference.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    assert history["loss"] == pytest.approx(expected["loss"], abs=1e-6)
    assert not (tmp_path / "ckpt").exists()


def test_checkpoint_dir_is_per_profile_and_seed_outside_the_repository():
    import tempfile
    from pathlib import Path
    from types import SimpleNamespace

    from dlcourse import train

    path = train.checkpoint_dir("cnn", SimpleNamespace(profile="laptop", seed=1))
    assert path.parts[-2:] == ("laptop-seed1", "cnn")
    assert Path(tempfile.gettempdir()) in path.parents
    callbacks = train.resumable_callbacks(path)
    assert [type(c).__name__ for c in callbacks] == ["BackupAndRestore", "StopOnNonFiniteLoss"]


def _counting_model(counter):
    import keras

    class Counting(keras.Sequential):
        def train_step(self, data):            # runs once per trace of the training step
            counter.append(1)
            return super().train_step(data)

    keras.utils.set_random_seed(3)
    model = Counting([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                      keras.layers.Dropout(0.2), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_build_before_fit_traces_the_step_once_and_trains_the_same_numbers(separable):
    from dlcourse.train import build_before_fit

    histories, traces = {}, {}
    for built in (False, True):
        counter = []
        model = _counting_model(counter)
        if built:
            build_before_fit(model, separable)
        histories[built] = model.fit(separable, epochs=2, verbose=0).history
        traces[built] = len(counter)
    assert traces == {False: 2, True: 1}
    assert histories[True] == histories[False]


def test_build_before_fit_names_bad_arguments(separable):
    from dlcourse.train import build_before_fit

    with pytest.raises(TypeError, match="model=str must be a keras.Model"):
        build_before_fit("model", separable)
    with pytest.raises(ValueError, match="not compiled"):
        build_before_fit(small_model(), separable)
    compiled = small_model()
    compiled.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="dataset=ndarray"):
        build_before_fit(compiled, np.zeros((4, 4)))
