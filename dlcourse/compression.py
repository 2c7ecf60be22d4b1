"""What a compressed model weighs and predicts: sparsity, gzip size, LiteRT files (chapter 16).

``sparsity`` counts exact zeros in weight arrays; ``gzip_size`` is the size of bytes after gzip,
which is what a pruned model saves in a download (a file of float32 zeros is as long as one of
random floats, but compresses to almost nothing). ``litert_model`` converts a Keras model to a
LiteRT (TensorFlow Lite) flatbuffer, float32 or full-integer int8 calibrated on a representative
set, as chapter 13 does (``litert_models`` makes both from one export); ``litert_predict`` runs
one on a batch of float inputs. TensorFlow is imported only inside the LiteRT functions.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from dlcourse import _checks


def _arrays(name: str, arrays) -> list[np.ndarray]:
    if isinstance(arrays, (str, bytes)) or not isinstance(arrays, (Sequence, np.ndarray)):
        raise TypeError(f"{name}={arrays!r} must be a list of weight arrays")
    found = [np.asarray(a) for a in arrays]
    if not found or any(a.size == 0 or not np.issubdtype(a.dtype, np.number) for a in found):
        raise ValueError(f"{name} must hold at least one non-empty numeric array")
    return found


def sparsity(arrays) -> float:
    """The fraction of entries that are exactly zero, over all of ``arrays`` together."""
    found = _arrays("arrays", arrays)
    zeros = sum(int(np.count_nonzero(a == 0)) for a in found)
    return zeros / sum(a.size for a in found)


def gzip_size(data) -> int:
    """Bytes after gzip at its highest level: how much of ``data`` is not redundancy."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data={type(data).__name__} must be bytes (a file's content)")
    return len(gzip.compress(bytes(data), compresslevel=9, mtime=0))


def _interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:           # no ai-edge-litert wheel here: TensorFlow's older copy
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    return Interpreter


def _calibration_batch(calibration) -> np.ndarray:
    calibration = np.asarray(calibration, dtype=np.float32)
    if calibration.ndim < 2 or len(calibration) == 0:
        raise ValueError(f"calibration has shape {calibration.shape}: it must be a non-empty "
                         "batch of model inputs (examples on the first axis)")
    return calibration


def _convert(saved_model: str, calibration) -> bytes:
    import tensorflow as tf

    def representative_dataset():
        for example in calibration:
            yield [example[np.newaxis]]

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
    if calibration is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


@contextmanager
def _exported(model):
    """A temporary SavedModel of the Keras ``model`` (its path), deleted afterwards."""
    if not hasattr(model, "export"):
        raise TypeError(f"model={model!r} must be a Keras model")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "saved_model")
        model.export(path, verbose=False)
        yield path


def litert_model(model, *, calibration=None) -> bytes:
    """A LiteRT flatbuffer of the Keras ``model``: float32, or full int8 given ``calibration``.

    ``calibration``: a few hundred training inputs (an array, first axis = examples) from which
    the converter measures every activation's range. With it, weights, activations, input and
    output are int8 (scale and zero point per tensor), as chapter 13's int8 variant.
    """
    if calibration is not None:
        calibration = _calibration_batch(calibration)
    with _exported(model) as saved_model:
        return _convert(saved_model, calibration)


def litert_models(model, *, calibration) -> dict[str, bytes]:
    """Both variants of ``litert_model`` from one export: ``{"float32": ..., "int8": ...}``."""
    calibration = _calibration_batch(calibration)
    with _exported(model) as saved_model:
        return {"float32": _convert(saved_model, None), "int8": _convert(saved_model, calibration)}


def _to_stored(values: np.ndarray, detail: dict) -> np.ndarray:
    if not np.issubdtype(detail["dtype"], np.integer):
        return values.astype(detail["dtype"])
    scale, zero_point = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    integers = np.round(values / scale + zero_point)
    return np.clip(integers, info.min, info.max).astype(detail["dtype"])


def _from_stored(values: np.ndarray, detail: dict) -> np.ndarray:
    if not np.issubdtype(detail["dtype"], np.integer):
        return values.astype(np.float32)
    scale, zero_point = detail["quantization"]
    return (scale * (values.astype(np.float32) - zero_point)).astype(np.float32)


def litert_predict(flatbuffer, inputs, *, batch_size: int = 500) -> np.ndarray:
    """The outputs of a one-input, one-output LiteRT model on float ``inputs``, batch by batch.

    Quantised (int8) inputs and outputs are converted with the file's own scale and zero point,
    so every variant takes and returns real values.
    """
    if not isinstance(flatbuffer, (bytes, bytearray)):
        raise TypeError(f"flatbuffer={type(flatbuffer).__name__} must be the bytes of a .tflite "
                        "model")
    _checks.positive_int("batch_size", batch_size)
    inputs = np.asarray(inputs, dtype=np.float32)
    if inputs.ndim < 2 or len(inputs) == 0:
        raise ValueError(f"inputs has shape {inputs.shape}: it must be a non-empty batch")
    interpreter = _interpreter_class()(model_content=bytes(flatbuffer))
    source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    outputs, allocated = [], None
    for start in range(0, len(inputs), batch_size):
        chunk = inputs[start:start + batch_size]
        if allocated != len(chunk):
            interpreter.resize_tensor_input(source["index"], [len(chunk), *chunk.shape[1:]])
            interpreter.allocate_tensors()
            allocated = len(chunk)
        interpreter.set_tensor(source["index"], _to_stored(chunk, source))
        interpreter.invoke()
        outputs.append(_from_stored(interpreter.get_tensor(target["index"]), target))
    return np.concatenate(outputs)
