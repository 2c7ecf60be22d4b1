"""TensorFlow Serving's REST predict API: build a request, answer it locally, check a server.

Chapter 13 exports a SavedModel, writes the request body and the predictions it expects with
``write_bundle``, and answers the same body with the reloaded SavedModel (``answer``). The serving
workflow (``.github/workflows/serving.yml``) then starts the ``tensorflow/serving`` container on
that export and runs

    python -m dlcourse.serving check --url http://localhost:8501 --model NAME --dir DIR

which waits until the server reports the model AVAILABLE, POSTs the request to
``/v1/models/NAME:predict`` and compares the answer with the expected predictions.

The JSON follows TF Serving's REST API: the *row* format (``{"instances": [...]}`` answered by
``{"predictions": [...]}``) and the *columnar* format (``{"inputs": ...}`` answered by
``{"outputs": ...}``). With several named outputs each prediction is an object keyed by name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from dlcourse import _checks

DEFAULT_SIGNATURE = "serving_default"
REQUEST_FILE, EXPECTED_FILE = "request.json", "expected.json"
DEPLOY_DIR_ENV_VAR = "DLCOURSE_DEPLOY_DIR"
DEFAULT_DEPLOY_DIR = Path("build") / "deployment"
FORMATS = ("row", "columnar")


def deploy_dir() -> Path:
    """Where chapter 13 writes its export: ``DLCOURSE_DEPLOY_DIR``, else ``build/deployment``."""
    return Path(os.environ.get(DEPLOY_DIR_ENV_VAR) or DEFAULT_DEPLOY_DIR)


def _named_arrays(name: str, arrays) -> dict[str, np.ndarray]:
    if not isinstance(arrays, Mapping) or not arrays:
        raise TypeError(f"{name}={arrays!r} must be a non-empty dict of name -> array")
    named = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} has the key {key!r}; names must be non-empty strings")
        value = np.asarray(value)
        if value.ndim == 0:
            raise ValueError(f"{name}[{key!r}] is a scalar; it needs a batch axis")
        named[key] = value
    lengths = {len(v) for v in named.values()}
    if len(lengths) != 1:
        raise ValueError(f"{name} arrays have different batch sizes {sorted(lengths)}")
    return named


def _jsonable(array: np.ndarray):
    if array.dtype.kind in "SO":       # TensorFlow strings arrive as bytes
        return np.vectorize(lambda b: b.decode() if isinstance(b, bytes) else str(b),
                            otypes=[object])(array).tolist()
    return array.tolist()


def _to_json(arrays: Mapping[str, np.ndarray], fmt: str, rows_key: str, columns_key: str):
    _checks.one_of("fmt", fmt, FORMATS)
    named = {key: _jsonable(value) for key, value in arrays.items()}
    if fmt == "columnar":
        return {columns_key: named if len(named) > 1 else next(iter(named.values()))}
    if len(named) == 1:
        return {rows_key: next(iter(named.values()))}
    count = len(next(iter(named.values())))
    return {rows_key: [{key: values[i] for key, values in named.items()} for i in range(count)]}


def predict_request(inputs: Mapping, *, signature_name: str = DEFAULT_SIGNATURE,
                    fmt: str = "row") -> dict:
    """The JSON body of a predict request for a batch of named inputs.

    Row format: ``{"signature_name": ..., "instances": [{"image": ...}, ...]}``, one object
    per example (always keyed by input name, so the request says which input it feeds).
    """
    named = _named_arrays("inputs", inputs)
    if not isinstance(signature_name, str) or not signature_name:
        raise ValueError(f"signature_name={signature_name!r} must be a non-empty string")
    _checks.one_of("fmt", fmt, FORMATS)
    body = {"signature_name": signature_name}
    if fmt == "columnar":
        body["inputs"] = {key: _jsonable(value) for key, value in named.items()}
    else:
        count = len(next(iter(named.values())))
        body["instances"] = [{key: _jsonable(value[i]) for key, value in named.items()}
                             for i in range(count)]
    return body


def predict_response(outputs: Mapping, *, fmt: str = "row") -> dict:
    """The JSON body TF Serving answers for these named output arrays (batch axis first)."""
    return _to_json(_named_arrays("outputs", outputs), fmt, "predictions", "outputs")


def request_inputs(request: Mapping) -> dict[str, list]:
    """The named inputs of a request body, column-wise: ``{"image": [example, ...]}``."""
    if not isinstance(request, Mapping):
        raise TypeError(f"request={request!r} must be a dict (a parsed JSON body)")
    if ("instances" in request) == ("inputs" in request):
        raise ValueError(f"request has keys {sorted(request)}; it needs exactly one of "
                         "'instances' (row format) or 'inputs' (columnar format)")
    if "inputs" in request:
        inputs = request["inputs"]
        if not isinstance(inputs, Mapping):
            raise ValueError("request['inputs'] must be an object of named inputs")
        return dict(inputs)
    instances = request["instances"]
    if not isinstance(instances, list) or not instances:
        raise ValueError("request['instances'] must be a non-empty list")
    if not all(isinstance(row, Mapping) for row in instances):
        raise ValueError("each instance must be an object keyed by input name")
    names = set(instances[0])
    if any(set(row) != names for row in instances):
        raise ValueError("every instance must name the same inputs")
    return {name: [row[name] for row in instances] for name in instances[0]}


def answer(saved_model, request: Mapping) -> dict:
    """Answer a predict request body with a loaded SavedModel, as TF Serving's REST API would.

    ``saved_model`` is what ``tf.saved_model.load`` returns; the request's ``signature_name``
    (default ``serving_default``) picks the signature, whose input specs give the dtypes.
    """
    import tensorflow as tf

    signatures = getattr(saved_model, "signatures", None)
    if signatures is None:
        raise TypeError(f"saved_model={saved_model!r} must be a loaded SavedModel "
                        "(tf.saved_model.load) with signatures")
    name = request.get("signature_name", DEFAULT_SIGNATURE) if isinstance(request, Mapping) \
        else DEFAULT_SIGNATURE
    if name not in signatures:
        raise ValueError(f"signature_name={name!r} is not in the SavedModel; it has "
                         f"{sorted(signatures)}")
    signature = signatures[name]
    specs = signature.structured_input_signature[1]
    given = request_inputs(request)
    if set(given) != set(specs):
        raise ValueError(f"the request names inputs {sorted(given)}; signature {name!r} "
                         f"takes {sorted(specs)}")
    tensors = {key: tf.constant(values, dtype=specs[key].dtype) for key, values in given.items()}
    outputs = {key: value.numpy() for key, value in signature(**tensors).items()}
    return predict_response(outputs, fmt="columnar" if "inputs" in request else "row")


def response_arrays(response: Mapping) -> dict[str, np.ndarray]:
    """The named outputs of a response body as arrays, column-wise (either format)."""
    if not isinstance(response, Mapping):
        raise TypeError(f"response={response!r} must be a dict (a parsed JSON body)")
    if "error" in response:
        raise ValueError(f"the server answered an error: {response['error']}")
    if "outputs" in response:
        outputs = response["outputs"]
        named = dict(outputs) if isinstance(outputs, Mapping) else {"output": outputs}
    elif "predictions" in response:
        rows = response["predictions"]
        if not isinstance(rows, list) or not rows:
            raise ValueError("response['predictions'] must be a non-empty list")
        if isinstance(rows[0], Mapping):
            named = {key: [row[key] for row in rows] for key in rows[0]}
        else:
            named = {"output": rows}
    else:
        raise ValueError(f"response has keys {sorted(response)}; expected 'predictions' "
                         "(row format) or 'outputs' (columnar format)")
    return {key: np.asarray(value) for key, value in named.items()}


def compare(response: Mapping, expected: Mapping, *, atol: float = 1e-4) -> list[str]:
    """What differs between two response bodies; an empty list when they agree.

    Floating-point outputs may differ by ``atol`` (another build of the kernels may round
    differently); integer and string outputs must be equal.
    """
    atol = _checks.real_number("atol", atol)
    if atol < 0:
        raise ValueError(f"atol={atol!r} must be non-negative")
    got, want = response_arrays(response), response_arrays(expected)
    if set(got) != set(want):
        return [f"outputs differ: got {sorted(got)}, expected {sorted(want)}"]
    problems = []
    for key, target in want.items():
        value = got[key]
        if value.shape != target.shape:
            problems.append(f"{key}: shape {value.shape}, expected {target.shape}")
        elif target.dtype.kind == "f":
            gap = float(np.max(np.abs(value.astype(float) - target))) if target.size else 0.0
            if not gap <= atol:
                problems.append(f"{key}: largest difference {gap:.3g} > atol {atol:g}")
        elif not np.array_equal(value, target):
            wrong = int(np.sum(value != target))
            problems.append(f"{key}: {wrong} of {target.size} values differ")
    return problems


def write_bundle(directory, request: Mapping, expected: Mapping) -> tuple[Path, Path]:
    """Write ``request.json`` and ``expected.json`` into ``directory``; return their paths."""
    directory = Path(directory)
    request_inputs(request)          # validate before writing
    response_arrays(expected)
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / REQUEST_FILE, directory / EXPECTED_FILE
    for path, body in zip(paths, (request, expected)):
        path.write_text(json.dumps(body) + "\n", encoding="utf-8")
    return paths


def read_bundle(directory) -> tuple[dict, dict]:
    """The request and the expected response that ``write_bundle`` wrote."""
    directory = Path(directory)
    paths = directory / REQUEST_FILE, directory / EXPECTED_FILE
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run chapter 13 with "
                                    f"{DEPLOY_DIR_ENV_VAR}={directory} first")
    request, expected = (json.loads(p.read_text(encoding="utf-8")) for p in paths)
    return request, expected


def model_url(base_url: str, model: str) -> str:
    """``http://host:8501/v1/models/NAME``: the model's status endpoint."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url={base_url!r} must start with http:// or https://")
    if not isinstance(model, str) or not model or "/" in model or ":" in model:
        raise ValueError(f"model={model!r} must be a model name without '/' or ':'")
    return f"{base_url.rstrip('/')}/v1/models/{model}"


def _http_json(url: str, body=None, timeout_s: float = 30.0) -> dict:
    data = None if body is None else json.dumps(body).encode()
    http_request = urllib.request.Request(url, data=data,
                                          headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(http_request, timeout=timeout_s) as reply:
            return json.loads(reply.read().decode())
    except urllib.error.HTTPError as error:   # TF Serving puts the reason in a JSON body
        detail = error.read().decode(errors="replace")
        raise RuntimeError(f"{url} answered HTTP {error.code}: {detail}") from None


def wait_until_available(base_url: str, model: str, *, timeout_s: float = 120.0,
                         interval_s: float = 1.0) -> dict:
    """Poll the model status endpoint until a version is AVAILABLE; return that status."""
    url = model_url(base_url, model)
    for name, value in (("timeout_s", timeout_s), ("interval_s", interval_s)):
        if _checks.real_number(name, value) <= 0:
            raise ValueError(f"{name}={value!r} must be positive")
    deadline, last = time.monotonic() + timeout_s, "no answer yet"
    while True:
        try:
            status = _http_json(url, timeout_s=interval_s * 5)
            states = [v.get("state") for v in status.get("model_version_status", [])]
            if "AVAILABLE" in states:
                return status
            last = f"states {states}"
        except (OSError, RuntimeError, ValueError) as error:   # not up yet, or still loading
            last = f"{type(error).__name__}: {error}"
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} not AVAILABLE after {timeout_s:g} s ({last})")
        time.sleep(interval_s)


def post_predict(base_url: str, model: str, request: Mapping, *,
                 timeout_s: float = 30.0) -> dict:
    """POST a request body to ``/v1/models/NAME:predict``; return the parsed answer."""
    request_inputs(request)
    return _http_json(model_url(base_url, model) + ":predict", request, timeout_s)


def check_server(base_url: str, model: str, directory, *, atol: float = 1e-4,
                 timeout_s: float = 120.0) -> list[str]:
    """Wait for the server, send the bundle's request, compare with its expected answer."""
    request, expected = read_bundle(directory)
    wait_until_available(base_url, model, timeout_s=timeout_s)
    return compare(post_predict(base_url, model, request), expected, atol=atol)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlcourse.serving", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="query a running TF Serving and compare")
    check.add_argument("--url", default="http://localhost:8501")
    check.add_argument("--model", required=True)
    check.add_argument("--dir", type=Path, default=None,
                       help=f"the bundle's folder (default: {DEPLOY_DIR_ENV_VAR} or "
                            f"{DEFAULT_DEPLOY_DIR})")
    check.add_argument("--atol", type=float, default=1e-4)
    check.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    directory = args.dir or deploy_dir()
    problems = check_server(args.url, args.model, directory, atol=args.atol,
                            timeout_s=args.timeout)
    request, _ = read_bundle(directory)
    count = len(next(iter(request_inputs(request).values())))
    if problems:
        print(f"TF Serving's answer differs from {directory / EXPECTED_FILE}:")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print(f"TF Serving answered {count} examples as the notebook predicted (atol {args.atol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
