"""Train a ``dlcourse.models`` network from a ``.npz`` with any Keras backend; print figures.

Runs where TensorFlow is absent (``KERAS_BACKEND=jax`` on the GPU machine). Prints the backend,
the device, test accuracy and images per second after the first (compiling) epoch.

    KERAS_BACKEND=jax python benchmarks/train_reference.py build/arrays/mnist.npz --model mlp
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

MODELS = ("mlp", "seed_cnn", "deeper_cnn", "lstm", "gru", "simple_rnn", "resnet",
          "mobilenet_style")


def build(name: str, input_shape, num_classes: int):
    from dlcourse import models

    if name in ("lstm", "gru", "simple_rnn"):
        return models.rnn_classifier(name, input_shape=input_shape[:2], num_classes=num_classes)
    if name in ("resnet", "mobilenet_style"):   # chapter 07's full-profile sizes
        from dlcourse import profiles

        full = profiles.sizes("image_recognition", "full")
        blocks = full.resnet_blocks if name == "resnet" else full.mobile_blocks
        options = {"widths": full.resnet_widths, "blocks_per_stage": blocks,
                   "stem_width": full.stem_width, "stem_pools": full.stem_pools}
        return getattr(models, name)(input_shape, num_classes, **options)
    return getattr(models, name)(input_shape, num_classes=num_classes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("arrays", type=Path)
    parser.add_argument("--model", choices=MODELS, default="mlp")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    import keras

    keras.utils.set_random_seed(0)
    arrays = np.load(args.arrays)
    x_train = arrays["x_train"].astype("float32") / 255.0
    x_test = arrays["x_test"].astype("float32") / 255.0
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    if args.model in ("lstm", "gru", "simple_rnn"):
        x_train, x_test = x_train[..., 0], x_test[..., 0]
    classes = int(arrays["y_train"].max()) + 1
    model = build(args.model, x_train.shape[1:], classes)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    epoch_times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        model.fit(x_train, arrays["y_train"], batch_size=args.batch_size, epochs=1, verbose=0)
        epoch_times.append(time.perf_counter() - start)
    _, accuracy = model.evaluate(x_test, arrays["y_test"], verbose=0)
    steady = np.median(epoch_times[1:]) if len(epoch_times) > 1 else epoch_times[0]
    print(f"backend {keras.backend.backend()} | model {args.model} | epochs {args.epochs} | "
          f"test accuracy {accuracy:.4f} | {len(x_train) / steady:,.0f} images/s after epoch 1")


if __name__ == "__main__":
    main()
