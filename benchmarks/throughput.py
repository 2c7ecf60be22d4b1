"""Training throughput (examples/s) of the reference models across input pipelines, precision, XLA.

For each model (``dlcourse.models``: the seed MLP, the batch-norm CNN, the small ResNet), each
precision policy and XLA setting, and each input pipeline, one run is one ``fit`` epoch over the
same examples; the table gives the best and the median of ``--repeat`` runs after a warm-up run
(``dlcourse.timing``), and each row's best against the model's first row. It prints figures
only; nothing is asserted. The header names the device and the Keras backend.

    python benchmarks/throughput.py --quick
    KERAS_BACKEND=jax python benchmarks/throughput.py --models cnn,resnet --xla on

Pipelines: ``numpy`` (``fit`` on NumPy arrays), ``tf.data`` (``from_tensor_slices`` → cache →
shuffle → batch → prefetch; needs TensorFlow, skipped with a note without it) and ``generator``
(a Python generator of shuffled NumPy batches). ``--xla off`` is skipped on JAX, which always
compiles with XLA (``jit_compile=False`` would run op by op).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
from _cli import positive_int  # benchmarks/, the script's folder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # dlcourse without installing

MODELS = ("mlp", "cnn", "resnet")
PIPELINES = ("numpy", "tf.data", "generator")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
XLA = ("off", "on")
SIZES = {"default": {"examples": 4_096, "batch_size": 128, "repeat": 3},
         "quick": {"examples": 512, "batch_size": 64, "repeat": 2}}


def choices(allowed: tuple[str, ...]):
    """An argparse type: a comma-separated subset of ``allowed`` (``all`` for every one)."""
    def parse(text: str) -> tuple[str, ...]:
        picked = allowed if text == "all" else tuple(p.strip() for p in text.split(","))
        unknown = [p for p in picked if p not in allowed]
        if unknown or not picked:
            raise argparse.ArgumentTypeError(
                f"{text!r}: unknown {unknown}; choose from {', '.join(allowed)} (comma-separated) "
                "or all")
        return tuple(dict.fromkeys(picked))
    return parse



def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=choices(MODELS), default=MODELS,
                        help=f"comma-separated: {', '.join(MODELS)} (default: all)")
    parser.add_argument("--pipelines", type=choices(PIPELINES), default=PIPELINES,
                        help=f"comma-separated: {', '.join(PIPELINES)} (default: all)")
    parser.add_argument("--precisions", type=choices(PRECISIONS), default=PRECISIONS,
                        help=f"comma-separated: {', '.join(PRECISIONS)} (default: all)")
    parser.add_argument("--xla", type=choices(XLA), default=XLA,
                        help="comma-separated: off, on (default: both)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: {examples} examples, batch {batch_size}, "
                        "{repeat} runs".format(**SIZES["quick"]))
    parser.add_argument("--examples", type=positive_int, help="examples per timed run")
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--repeat", type=positive_int, help="timed runs (after one warm-up)")
    parser.add_argument("--arrays", type=Path, help="read images from this .npz (x_train, "
                        "y_train; export_arrays.py) instead of random CIFAR-10-shaped ones")
    args = parser.parse_args(argv)
    for key, value in SIZES["quick" if args.quick else "default"].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.examples < args.batch_size:
        parser.error(f"--examples {args.examples} must be at least --batch-size "
                     f"{args.batch_size}")
    args.examples -= args.examples % args.batch_size      # full batches only: one step shape
    if args.arrays is not None and not args.arrays.is_file():
        parser.error(f"--arrays {str(args.arrays)!r} does not exist")
    return args


def load_examples(args) -> tuple[np.ndarray, np.ndarray]:
    """``args.examples`` float32 images in [0, 1] and int32 labels (random unless --arrays)."""
    if args.arrays is None:
        rng = np.random.default_rng(0)
        return (rng.random((args.examples, 32, 32, 3), dtype=np.float32),
                rng.integers(0, 10, args.examples).astype("int32"))
    with np.load(args.arrays) as stored:
        x, y = stored["x_train"][:args.examples], stored["y_train"][:args.examples]
    if len(x) < args.examples:
        raise SystemExit(f"error: {args.arrays} holds {len(x)} training images, fewer than "
                         f"--examples {args.examples}")
    x = x.astype("float32") / 255.0
    return (x[..., None] if x.ndim == 3 else x), y.reshape(-1).astype("int32")


def build(name: str, input_shape, classes: int):
    """The reference model ``name`` with float32 logits (so mixed precision keeps a float32
    output)."""
    import keras

    from dlcourse import models

    builder = {"mlp": models.mlp, "cnn": models.deeper_cnn, "resnet": models.resnet}[name]
    body = builder(input_shape, num_classes=classes, logits=True)
    logits = keras.layers.Activation("linear", dtype="float32", name="float32_logits")
    return keras.Sequential([body, logits], name=name)


def pipeline(name: str, x, y, batch_size: int, seed: int):
    """What ``fit`` is given for one epoch: keyword arguments for ``model.fit``."""
    if name == "numpy":
        return lambda: {"x": x, "y": y, "batch_size": batch_size, "shuffle": True}
    if name == "tf.data":
        import tensorflow as tf

        dataset = (tf.data.Dataset.from_tensor_slices((x, y)).cache()
                   .shuffle(len(x), seed=seed).batch(batch_size, drop_remainder=True)
                   .prefetch(tf.data.AUTOTUNE))
        return lambda: {"x": dataset, "shuffle": False, "steps_per_epoch": len(x) // batch_size}
    rng = np.random.default_rng(seed)

    def batches():
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            yield x[index], y[index]

    return lambda: {"x": batches(), "shuffle": False, "steps_per_epoch": len(x) // batch_size}


def skipped(backend: str, args) -> list[str]:
    notes = []
    if "tf.data" in args.pipelines and importlib.util.find_spec("tensorflow") is None:
        notes.append("skipped: the tf.data pipeline (TensorFlow is not installed)")
    if backend == "jax" and "off" in args.xla:
        notes.append("skipped: xla off (JAX always compiles with XLA; jit_compile=False would "
                     "run op by op)")
    if backend == "torch" and "on" in args.xla:
        notes.append("skipped: xla on (the torch backend does not compile with XLA)")
    return notes


def measure(model, feed, examples: int, repeat: int):
    """examples/s of one fit epoch per run: best and median of ``repeat`` after one warm-up."""
    from dlcourse import throughput, timing

    def one_epoch():
        model.fit(**feed(), epochs=1, verbose=0)      # returns after the last step has run

    return throughput.Throughput(examples, timing.measure(one_epoch, warmup=1, repeat=repeat))


def main(argv=None) -> int:
    args = parse_args(argv)
    import keras

    from dlcourse import speedrun

    backend = keras.backend.backend()
    kind, device = speedrun.keras_device()
    x, y = load_examples(args)
    notes = skipped(backend, args)
    pipelines = [p for p in args.pipelines
                 if not (p == "tf.data" and any("tf.data" in n for n in notes))]
    xla = [s for s in args.xla if not any(f"xla {s}" in n for n in notes)]
    print(f"backend {backend} | device {device} ({kind}) | {args.examples:,} examples "
          f"{x.shape[1:]} per run, batch {args.batch_size}, best of {args.repeat} runs after "
          "1 warm-up", flush=True)
    for note in notes:
        print(note)
    header = (f"{'model':6}  {'pipeline':9}  {'precision':14}  {'xla':3}  {'best ex/s':>10}  "
              f"{'median ex/s':>11}  {'x first':>7}")
    print(header, flush=True)
    failures = 0
    for name in args.models:
        first = None
        for precision in args.precisions:
            for jit in xla:
                keras.utils.set_random_seed(0)
                keras.mixed_precision.set_global_policy(precision)
                try:
                    model = build(name, x.shape[1:], int(y.max()) + 1)
                    model.compile(optimizer="adam", jit_compile=jit == "on",
                                  loss=keras.losses.SparseCategoricalCrossentropy(
                                      from_logits=True))
                finally:
                    keras.mixed_precision.set_global_policy("float32")
                for source in pipelines:
                    row = f"{name:6}  {source:9}  {precision:14}  {jit:3}"
                    try:
                        feed = pipeline(source, x, y, args.batch_size, seed=0)
                        result = measure(model, feed, args.examples, args.repeat)
                    except Exception as error:     # a benchmark reports a failure and goes on
                        failures += 1
                        print(f"{row}  failed: {type(error).__name__}: "
                              f"{str(error).splitlines()[0][:120]}", flush=True)
                        continue
                    first = first or result.best
                    print(f"{row}  {result.best:10,.0f}  {result.median:11,.0f}  "
                          f"{result.best / first:7.2f}", flush=True)
    if failures:
        print(f"{failures} configuration(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
