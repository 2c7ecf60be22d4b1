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
