"""Profiles size every notebook: ``smoke`` (CI), ``laptop`` (a 2-core CPU), ``full`` (GPU/TPU).

All sizes live in the two tables below, so a notebook never carries ``if PROFILE == ...``.
``sizes(chapter)`` merges a chapter's overrides over the profile's defaults.
"""

from __future__ import annotations

import os
from types import MappingProxyType, SimpleNamespace

from dlcourse import _checks

PROFILES = ("smoke", "laptop", "full")
CHOICES = PROFILES + ("auto",)
ENV_VAR = "DLCOURSE_PROFILE"

# Defaults every chapter starts from. None means "the whole split".
DEFAULTS = MappingProxyType({
    "smoke": {"train_examples": 2_000, "test_examples": 1_000, "epochs": 1, "batch_size": 128},
    "laptop": {"train_examples": None, "test_examples": None, "epochs": 5, "batch_size": 128},
    "full": {"train_examples": None, "test_examples": None, "epochs": 15, "batch_size": 128},
})

# Per-chapter overrides, keyed by the notebook's slug (the file name without "NN_").
CHAPTERS: dict[str, dict[str, dict]] = {
    "setup": {},
    "tensorflow_fundamentals": {
        "smoke": {"graph_steps": 50},
        "laptop": {"graph_steps": 1000},    # the seed's range(1000)
        "full": {"graph_steps": 3000},
    },
    # Chapters 02-05: each helper tunes only its own entry.
    "training_math": {
        # MNIST subset for the hand-written loop and the initialisation study (784-64-10 nets).
        "smoke": {"train_examples": 2_000, "test_examples": 1_000, "epochs": 1, "batch_size": 64},
        "laptop": {"train_examples": 10_000, "test_examples": None, "epochs": 5, "batch_size": 64},
        "full": {"train_examples": None, "test_examples": None, "epochs": 10, "batch_size": 64},
    },
    "feedforward": {
        # Both MLPs (Keras fit and the GradientTape loop), all 60,000 images outside smoke.
        "smoke": {"epochs": 2},
        "laptop": {"epochs": 8},
        "full": {"epochs": 30},
    },
    "cnn": {
        # MNIST and Fashion-MNIST: train on train[:55000] (first `train_examples`), validate on
        # train[55000:] (first `val_examples`), test on the test split. deeper_cnn is sized per
        # dataset; laptop sizes measured on a 2-core CPU: about 140 s for the whole notebook.
        "smoke": {"train_examples": 2_000, "val_examples": 500, "test_examples": 1_000,
                  "seed_epochs": 1, "mnist_epochs": 1, "fashion_epochs": 1, "batch_size": 128,
                  "lr": 3e-3, "mnist_filters": (8, 16), "mnist_dense": 64,
                  "fashion_filters": (8, 16), "fashion_dense": 64, "dropout": 0.2,
                  "loop_steps": 20},
        "laptop": {"train_examples": 55_000, "val_examples": 5_000, "test_examples": None,
                   "seed_epochs": 2, "mnist_epochs": 3, "fashion_epochs": 2, "batch_size": 128,
                   "lr": 3e-3, "mnist_filters": (8, 16), "mnist_dense": 64,
                   "fashion_filters": (16, 32), "fashion_dense": 64, "dropout": 0.2,
                   "loop_steps": 100},
        "full": {"train_examples": 55_000, "val_examples": 5_000, "test_examples": None,
                 "seed_epochs": 10, "mnist_epochs": 15, "fashion_epochs": 20, "batch_size": 128,
                 "lr": 2e-3, "mnist_filters": (32, 64), "mnist_dense": 128,
                 "fashion_filters": (64, 128), "fashion_dense": 256, "dropout": 0.3,
                 "loop_steps": 500},
    },
    "rnn": {
        # MNIST rows as sequences; the 3-cell comparison is also the target run. Measured on a
        # shared 2-core CPU: LSTM(128) 9-16 s per epoch on 30,000 images, best 96.6 % after 3
        # epochs (laptop run 95-195 s). Full: LSTM(128), cosine decay over 8 epochs on 55,000
        # images reached 98.8 % test on the same CPU, so 15 epochs have room for the 98.5 % target.
        "smoke": {"train_examples": 2_000, "val_examples": 500, "test_examples": 1_000,
                  "epochs": 1, "units": 32, "fix_steps": 100},
        "laptop": {"train_examples": 30_000, "val_examples": 5_000, "test_examples": None,
                   "epochs": 3, "units": 128, "fix_steps": 300},
        "full": {"train_examples": None, "val_examples": 5_000, "test_examples": None,
                 "epochs": 15, "units": 128, "fix_steps": 1_000},
    },
    # Chapters 06-16: each chapter's author fills in only its own entry (smoke <= 60 s,
    # laptop <= 5 min on a 2-core CPU, measured with `make run`).
    "nlp": {},
    "image_recognition": {},
    "optimization": {},
    "evaluation": {
        # Fashion-MNIST MLPs (10-class, shirt detector, class-weighted), ten softmax regressions
        # for the selection game, k-fold CV of the chosen one.
        "smoke": {"train_examples": 6_000, "val_examples": 1_000, "test_examples": 1_000,
                  "epochs": 2, "candidates": 4, "selection_draws": 300,
                  "selection_examples": 200, "cv_examples": 1_500, "folds": 3, "cv_epochs": 1},
        "laptop": {"train_examples": 20_000, "val_examples": 5_000, "test_examples": None,
                   "epochs": 8, "candidates": 8, "selection_draws": 1_000,
                   "selection_examples": 300, "cv_examples": 6_000, "folds": 5, "cv_epochs": 2},
        "full": {"train_examples": None, "val_examples": 5_000, "test_examples": None,
                 "epochs": 15, "candidates": 8, "selection_draws": 1_000,
                 "selection_examples": 300, "cv_examples": 20_000, "folds": 5, "cv_epochs": 5},
    },
    "tuning": {},
    "performance": {},
    "distributed": {},
    "deployment": {},
    "explainability": {
        # MNIST, a two-block CNN (filters, dense) explained by saliency, SmoothGrad, integrated
        # gradients, Grad-CAM and KernelSHAP. `explained`: test images in the completeness check
        # and the randomisation test; `shap_samples`: KernelSHAP's model evaluations.
        "smoke": {"train_examples": 4_000, "test_examples": 1_000, "epochs": 1, "batch_size": 64,
                  "filters": (8, 16), "dense": 32, "explained": 4, "smoothgrad_samples": 16,
                  "shap_samples": 500},
        "laptop": {"train_examples": 20_000, "test_examples": None, "epochs": 2, "batch_size": 64,
                   "filters": (16, 32), "dense": 64, "explained": 16, "smoothgrad_samples": 32,
                   "shap_samples": 2_000},
        "full": {"train_examples": None, "test_examples": None, "epochs": 6, "batch_size": 128,
                 "filters": (32, 64), "dense": 128, "explained": 64, "smoothgrad_samples": 64,
                 "shap_samples": 8_000},
    },
    "mlops": {},
    "challenges": {},
    "seed_errata": {
        # Appendix A1: one small corrected model per seed code block, on MNIST, Fashion-MNIST
        # and IMDB subsets. build_applications builds VGG16/MobileNetV2/AlexNet in Keras to check
        # the parameter formulas (a few seconds and ~1 GB of memory: not in smoke).
        "smoke": {"train_examples": 2_000, "test_examples": 1_000, "epochs": 1, "batch_size": 128,
                  "graph_steps": 100, "rnn_units": 32, "imdb_train": 2_000, "imdb_test": 1_000,
                  "imdb_length": 100, "grad_steps": 20, "build_applications": False},
        "laptop": {"train_examples": 12_000, "test_examples": None, "epochs": 2,
                   "batch_size": 128, "graph_steps": 1_000, "rnn_units": 64,
                   "imdb_train": 10_000, "imdb_test": 5_000, "imdb_length": 200,
                   "grad_steps": 100, "build_applications": True},
        "full": {"train_examples": None, "test_examples": None, "epochs": 5, "batch_size": 128,
                 "graph_steps": 3_000, "rnn_units": 128, "imdb_train": None, "imdb_test": None,
                 "imdb_length": 300, "grad_steps": 300, "build_applications": True},
    },
}

_active: str | None = None


def resolve(profile: str = "auto") -> str:
    """Turn ``auto`` into a concrete profile: ``DLCOURSE_PROFILE``, else by hardware."""
    _checks.one_of("profile", profile, CHOICES)
    if profile != "auto":
        return profile
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return _checks.one_of(ENV_VAR, from_env, PROFILES)
    from dlcourse import devices

    return "full" if devices.accelerator() != "CPU" else "laptop"


def activate(profile: str) -> str:
    """Make ``profile`` (resolved) the active one for sizes and outcome targets."""
    global _active
    _active = resolve(profile)
    return _active


def active() -> str:
    """The active profile: the one set by ``setup``/``activate``, else ``resolve("auto")``."""
    return _active if _active is not None else resolve("auto")


def sizes(chapter: str, profile: str | None = None) -> SimpleNamespace:
    """The sizes a chapter uses in ``profile`` (default: the active one), as attributes."""
    if chapter not in CHAPTERS:
        known = ", ".join(sorted(CHAPTERS))
        raise ValueError(f"chapter={chapter!r} has no sizes; known chapters: {known}")
    name = active() if profile is None else resolve(profile)
    merged = dict(DEFAULTS[name])
    merged.update(CHAPTERS[chapter].get(name, {}))
    return SimpleNamespace(profile=name, **merged)
