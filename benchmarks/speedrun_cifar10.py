"""CIFAR-10 speed run in Keras 3: 94 % test accuracy in as little training time as possible.

Trains ``dlcourse.speedrun.speedrun_net`` (the airbench94 recipe re-written for Keras) from the
uint8 arrays of a ``.npz`` (x_train, y_train, x_test, y_test, as ``export_arrays.py`` writes
them). The training path uses ``keras`` only, so it runs on any Keras backend; on the course's
GPU machine, which has no TensorFlow, run it with ``KERAS_BACKEND=jax``:

    KERAS_BACKEND=jax python benchmarks/speedrun_cifar10.py build/arrays/cifar10.npz

Without an accelerator it runs a short version (``--size quick``: a narrower net, a subset,
fewer epochs) and prints what that reached in how long. The training time counts the data
preparation (statistics, whitening, flips), every training epoch and the final test-time-
augmented evaluation; it excludes the compilation (done in a warm-up on two batches, after which
weights and optimizer state are reset) and the per-epoch test evaluations.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from _cli import positive_int, positive_number  # benchmarks/, the script's folder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # dlcourse without installing

TARGET = 0.94
SIZES = {   # --size presets; any option given on the command line overrides its entry
    "full": {"epochs": 9.9, "batch_size": 1024, "widths": (64, 256, 256), "train_examples": None,
             "test_examples": None, "tta": 2, "precision": "mixed_bfloat16"},
    "quick": {"epochs": 4.0, "batch_size": 256, "widths": (16, 64, 64), "train_examples": 10_000,
              "test_examples": 2_000, "tta": 2, "precision": "float32"},
}
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
WHITENING_IMAGES = 5_000      # the first training images give the statistics and the whitening
EVAL_BATCH = 2_000




def widths(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r} must be three widths, e.g. 64,256,256")
    return tuple(positive_int(part) for part in parts)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("arrays", type=Path, help=".npz with uint8 x_train, y_train, x_test, "
                        "y_test (benchmarks/export_arrays.py cifar10 ...)")
    parser.add_argument("--size", choices=("auto", "full", "quick"), default="auto",
                        help="presets: full (the GPU run), quick (a short CPU run); auto: full "
                        "on a GPU or TPU, quick otherwise")
    parser.add_argument("--quick", action="store_const", const="quick", dest="size",
                        help="the same as --size quick")
    parser.add_argument("--epochs", type=positive_number, help="may be fractional (9.9)")
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--widths", type=widths, help="channels of the three groups: 64,256,256")
    parser.add_argument("--train-examples", type=positive_int, help="use the first N")
    parser.add_argument("--test-examples", type=positive_int, help="use the first N")
    parser.add_argument("--tta", type=int, choices=(0, 1, 2),
                        help="test-time augmentation: 0 none, 1 mirror, 2 mirror + translate")
    parser.add_argument("--precision", choices=PRECISIONS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.arrays.is_file():
        parser.error(f"arrays file {str(args.arrays)!r} does not exist (write it with "
                     "benchmarks/export_arrays.py cifar10 build/arrays/cifar10.npz)")
    return args


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The four arrays, checked: uint8 images (N, H, W, C) and integer labels (N,)."""
    try:
        stored = np.load(path)
    except (OSError, ValueError) as error:
        raise SystemExit(f"error: cannot read {path} as a .npz: {error}") from None
    with stored:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(stored.files)
        if missing:
            raise SystemExit(f"error: {path} lacks {sorted(missing)} (it holds {stored.files})")
        arrays = {name: stored[name] for name in ("x_train", "y_train", "x_test", "y_test")}
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"].reshape(-1)
        if x.ndim == 3:
            x = x[..., None]
        if x.dtype != np.uint8 or x.ndim != 4 or len(x) != len(y) or not len(y):
            raise SystemExit(f"error: x_{split} {x.dtype}{x.shape} and y_{split} {y.shape} must "
                             "be uint8 images (N, H, W, C) and N labels, N > 0")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise SystemExit(f"error: y_{split} must hold non-negative integer labels")
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y.astype("int32")
    return arrays


def settings(args, accelerated: bool) -> dict:
    size = args.size if args.size != "auto" else ("full" if accelerated else "quick")
    chosen = dict(SIZES[size], size=size)
    for key in ("epochs", "batch_size", "widths", "train_examples", "test_examples", "tta",
                "precision"):
        if getattr(args, key) is not None:
            chosen[key] = getattr(args, key)
    return chosen


def one_hot(labels, classes: int) -> np.ndarray:
    return np.eye(classes, dtype="float32")[labels]


def main(argv=None) -> None:
    args = parse_args(argv)
    data = load_arrays(args.arrays)          # bad files fail here, before Keras is imported
    import keras

    from dlcourse import speedrun

    kind, device = speedrun.keras_device()
    run = settings(args, accelerated=kind != "CPU")
    n_train, n_test = run["train_examples"], run["test_examples"]
    x_train, y_train = data["x_train"][:n_train], data["y_train"][:n_train]
    x_test, y_test = data["x_test"][:n_test], data["y_test"][:n_test]
    batch = run["batch_size"]
    if batch > len(x_train):
        raise SystemExit(f"error: --batch-size {batch} is larger than the {len(x_train)} "
                         "training examples; pass a smaller --batch-size")
    classes = max(int(y_train.max()), int(y_test.max())) + 1
    steps_per_epoch = len(x_train) // batch          # full batches only: one compiled shape
    total_steps = math.ceil(steps_per_epoch * run["epochs"])
    print(f"backend {keras.backend.backend()} | device {device} ({kind}) | size {run['size']} | "
          f"precision {run['precision']} | widths {'-'.join(map(str, run['widths']))} | "
          f"batch {batch} | epochs {run['epochs']:g} ({total_steps} steps) | "
          f"train {len(x_train):,} test {len(x_test):,} images", flush=True)

    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy(run["precision"])
    y_train_hot = one_hot(y_train, classes)

    # ---- untimed: build, compile, and run every compiled function once (the warm-up)
    start = time.perf_counter()
    model = speedrun.speedrun_net(x_train.shape[1:], classes, widths=run["widths"],
                                  seed=args.seed)
    model.compile(optimizer=speedrun.recipe_optimizer(batch, total_steps),
                  loss=speedrun.recipe_loss())
    model.optimizer.build(model.trainable_variables)
    initial_weights = model.get_weights()
    initial_optimizer = [v.numpy() for v in model.optimizer.variables]
    warm = min(2, steps_per_epoch) * batch
    model.fit(x_train[:warm], y_train_hot[:warm], batch_size=batch, epochs=1, verbose=0)
    model.predict(x_test, batch_size=EVAL_BATCH, verbose=0)
    speedrun.prepare(model, x_train[:WHITENING_IMAGES])      # its eager ops compile too
    model.set_weights(initial_weights)
    for variable, value in zip(model.optimizer.variables, initial_optimizer):
        variable.assign(value)
    compile_seconds = time.perf_counter() - start
    print(f"compilation and warm-up on {warm} images: {compile_seconds:.1f} s (not counted; "
          "weights and optimizer state reset afterwards)", flush=True)

    # ---- timed from here: data preparation
    clock, cpu = time.perf_counter(), time.process_time()
    speedrun.prepare(model, x_train[:WHITENING_IMAGES])
    x_epoch = speedrun.flip_random_half(x_train, np.random.default_rng(args.seed))
    prepare_seconds = time.perf_counter() - clock

    print(f"{'epoch':>5}  {'steps':>5}  {'epoch_s':>8}  {'train_s':>8}  {'test_acc':>8}")
    train_seconds, done, epoch, reached = prepare_seconds, 0, 0, None
    while done < total_steps:
        steps = min(steps_per_epoch, total_steps - done)
        images = x_epoch if epoch % 2 == 0 else x_epoch[:, :, ::-1]   # alternating flip
        clock = time.perf_counter()
        model.fit(images, y_train_hot, batch_size=batch, epochs=1, steps_per_epoch=steps,
                  shuffle=True, verbose=0)
        epoch_seconds = time.perf_counter() - clock       # fit returns after the last step
        train_seconds += epoch_seconds
        done, epoch = done + steps, epoch + 1
        accuracy = speedrun.accuracy(model.predict(x_test, batch_size=EVAL_BATCH, verbose=0),
                                     y_test)
        if reached is None and accuracy >= TARGET:
            reached = (epoch, train_seconds)
        print(f"{epoch:5d}  {steps:5d}  {epoch_seconds:8.2f}  {train_seconds:8.2f}  "
              f"{accuracy:8.4f}", flush=True)

    clock = time.perf_counter()
    logits = speedrun.tta_logits(
        lambda images: model.predict(images, batch_size=EVAL_BATCH, verbose=0), x_test,
        run["tta"])
    final = speedrun.accuracy(logits, y_test)
    tta_seconds = time.perf_counter() - clock
    total = train_seconds + tta_seconds
    if reached is None and final >= TARGET:
        reached = ("final", total)
    print(f"final test accuracy {final:.4f} (TTA: {speedrun.TTA_LEVELS[run['tta']]}) | "
          f"training time {total:.2f} s = data preparation {prepare_seconds:.2f} s + "
          f"{epoch} epochs {train_seconds - prepare_seconds:.2f} s + TTA evaluation "
          f"{tta_seconds:.2f} s | compilation {compile_seconds:.1f} s excluded")
    print(f"process CPU time since the clock started (per-epoch evaluations included): "
          f"{time.process_time() - cpu:.1f} s")
    if reached is None:
        print(f"{TARGET:.0%} not reached (final: {final:.4f} after {total:.2f} s)")
    else:
        where = "with TTA at the end" if reached[0] == "final" else f"at epoch {reached[0]}"
        print(f"{TARGET:.0%} reached {where}, after {reached[1]:.2f} s of training")


if __name__ == "__main__":
    main()
