"""Import TensorFlow without its native start-up log lines (used by ``setup`` and ``devices``)."""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """Hide what C++ code writes to file descriptor 2 (TensorFlow's start-up log lines).

    Those lines are written before TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL``, so the variable
    alone cannot hide them. Python exceptions are unaffected: they surface after the block.
    """
    try:
        saved = os.dup(2)
    except OSError:          # no real descriptor 2 (some embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow_quietly():
    """Import TensorFlow (and Keras with it) without its start-up log lines; return it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" not in sys.modules:
        with native_stderr_silenced():
            import tensorflow  # noqa: F401
    return sys.modules["tensorflow"]
