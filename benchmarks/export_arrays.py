"""Export a TFDS dataset to a uint8 ``.npz`` (x_train, y_train, x_test, y_test).

The GPU machine of the course has no TensorFlow; it trains ``dlcourse.models`` with Keras on
JAX from these arrays (see ``train_reference.py``). Example:

    python benchmarks/export_arrays.py mnist build/arrays/mnist.npz
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dlcourse import data


def export(name: str, output: Path, examples: int | None = None) -> Path:
    x_train, y_train = data.load_arrays(name, "train", examples=examples)
    x_test, y_test = data.load_arrays(name, "test", examples=examples)
    output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(output, x_train=x_train, y_train=y_train.astype(np.uint8),
                        x_test=x_test, y_test=y_test.astype(np.uint8))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[n for n, s in data.DATASETS.items() if s.kind == "image"])
    parser.add_argument("output", type=Path)
    parser.add_argument("--examples", type=int, default=None, help="per split (default: all)")
    args = parser.parse_args()
    path = export(args.name, args.output, args.examples)
    print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
