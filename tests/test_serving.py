import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from dlcourse import serving

IMAGES = np.arange(2 * 2 * 2 * 1, dtype=np.uint8).reshape(2, 2, 2, 1)
OUTPUTS = {"probabilities": np.array([[0.25, 0.75], [0.5, 0.5]], np.float32),
           "class": np.array([1, 0], np.int32),
           "class_name": np.array([b"b", b"a"], dtype=object)}


def test_row_request_names_each_input():
    body = serving.predict_request({"image": IMAGES})
    assert body["signature_name"] == "serving_default"
    assert body["instances"][1] == {"image": IMAGES[1].tolist()}
    assert serving.request_inputs(body) == {"image": IMAGES.tolist()}


def test_columnar_request_and_response():
    body = serving.predict_request({"image": IMAGES}, fmt="columnar", signature_name="s")
    assert body == {"signature_name": "s", "inputs": {"image": IMAGES.tolist()}}
    response = serving.predict_response(OUTPUTS, fmt="columnar")
    assert response["outputs"]["class_name"] == ["b", "a"]


def test_row_response_has_one_object_per_example():
    response = serving.predict_response(OUTPUTS)
    assert response["predictions"][0] == {"probabilities": [0.25, 0.75], "class": 1,
                                          "class_name": "b"}
    single = serving.predict_response({"y": np.array([[1.0], [2.0]])})
    assert single == {"predictions": [[1.0], [2.0]]}
    arrays = serving.response_arrays(response)
    assert arrays["class"].tolist() == [1, 0] and arrays["class_name"].tolist() == ["b", "a"]


def test_compare_tolerates_float_noise_but_not_other_changes():
    expected = serving.predict_response(OUTPUTS)
    noisy = dict(OUTPUTS, probabilities=OUTPUTS["probabilities"] + 5e-5)
    assert serving.compare(serving.predict_response(noisy), expected) == []
    far = dict(OUTPUTS, probabilities=OUTPUTS["probabilities"] + 1e-2)
    assert "largest difference" in serving.compare(serving.predict_response(far), expected)[0]
    wrong_class = dict(OUTPUTS, **{"class": np.array([1, 1], np.int32)})
    assert serving.compare(serving.predict_response(wrong_class), expected) == [
        "class: 1 of 2 values differ"]
    assert "outputs differ" in serving.compare({"predictions": [[1.0], [2.0]]}, expected)[0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: serving.predict_request([1, 2]), TypeError, "inputs="),
    (lambda: serving.predict_request({"x": 3}), ValueError, "scalar"),
    (lambda: serving.predict_request({"x": [1], "y": [1, 2]}), ValueError, "batch sizes"),
    (lambda: serving.predict_request({"x": [1]}, fmt="csv"), ValueError, "fmt='csv'"),
    (lambda: serving.request_inputs({"instances": [1], "inputs": {}}), ValueError, "exactly one"),
    (lambda: serving.request_inputs({"instances": [[1]]}), ValueError, "keyed by input name"),
    (lambda: serving.response_arrays({"error": "boom"}), ValueError, "boom"),
    (lambda: serving.compare({"predictions": [1]}, {"predictions": [1]}, atol=-1), ValueError,
     "atol=-1"),
    (lambda: serving.model_url("localhost:8501", "m"), ValueError, "base_url="),
    (lambda: serving.model_url("http://h", "a/b"), ValueError, "model='a/b'"),
    (lambda: serving.answer(object(), {}), TypeError, "saved_model="),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bundle_round_trip(tmp_path):
    request = serving.predict_request({"image": IMAGES})
    expected = serving.predict_response(OUTPUTS)
    serving.write_bundle(tmp_path, request, expected)
    assert serving.read_bundle(tmp_path) == (request, expected)
    with pytest.raises(FileNotFoundError, match="DLCOURSE_DEPLOY_DIR"):
        serving.read_bundle(tmp_path / "missing")


def test_deploy_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(serving.DEPLOY_DIR_ENV_VAR, raising=False)
    assert serving.deploy_dir() == serving.DEFAULT_DEPLOY_DIR
    monkeypatch.setenv(serving.DEPLOY_DIR_ENV_VAR, str(tmp_path))
    assert serving.deploy_dir() == tmp_path


def test_answer_runs_the_named_signature_of_a_saved_model(tmp_path):
    import tensorflow as tf

    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 2, 2, 1], tf.uint8, name="image")])
        def serve(self, image):
            total = tf.reduce_sum(tf.cast(image, tf.float32), axis=[1, 2, 3])
            return {"total": total, "label": tf.where(total > 10, "big", "small")}

    module = Doubler()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    loaded = tf.saved_model.load(str(tmp_path))
    response = serving.answer(loaded, serving.predict_request({"image": IMAGES}))
    assert response == {"predictions": [{"total": 6.0, "label": "small"},
                                         {"total": 22.0, "label": "big"}]}
    columnar = serving.answer(loaded, serving.predict_request({"image": IMAGES}, fmt="columnar"))
    assert columnar == {"outputs": {"total": [6.0, 22.0], "label": ["small", "big"]}}
    with pytest.raises(ValueError, match="signature_name='nope'"):
        serving.answer(loaded, serving.predict_request({"image": IMAGES}, signature_name="nope"))
    with pytest.raises(ValueError, match="takes \\['image'\\]"):
        serving.answer(loaded, serving.predict_request({"pixels": IMAGES}))


class FakeServing(BaseHTTPRequestHandler):
    """TF Serving's two REST endpoints: loading for the first status calls, then AVAILABLE."""

    status_calls = 0
    answer = None

    def _reply(self, code, body):
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (the http.server API)
        type(self).status_calls += 1
        state = "LOADING" if self.status_calls < 3 else "AVAILABLE"
        self._reply(200, {"model_version_status": [{"version": "1", "state": state}]})

    def do_POST(self):  # noqa: N802
        if not self.path.endswith("/v1/models/fashion:predict"):
            self._reply(404, {"error": f"no such path {self.path}"})
            return
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert "instances" in request
        self._reply(200, type(self).answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server():
    FakeServing.status_calls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeServing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_check_server_waits_then_compares(fake_server, tmp_path, capsys):
    expected = serving.predict_response(OUTPUTS)
    serving.write_bundle(tmp_path, serving.predict_request({"image": IMAGES}), expected)
    FakeServing.answer = expected
    assert serving.main(["check", "--url", fake_server, "--model", "fashion",
                         "--dir", str(tmp_path), "--timeout", "10"]) == 0
    assert FakeServing.status_calls >= 3
    assert "answered 2 examples as the notebook predicted" in capsys.readouterr().out
    FakeServing.answer = serving.predict_response(dict(OUTPUTS, **{"class": np.array([0, 0])}))
    assert serving.main(["check", "--url", fake_server, "--model", "fashion",
                         "--dir", str(tmp_path), "--timeout", "10"]) == 1
    assert "class: 1 of 2 values differ" in capsys.readouterr().out


def test_http_errors_and_timeouts_are_reported(fake_server):
    with pytest.raises(RuntimeError, match="HTTP 404"):
        serving.post_predict(fake_server, "other", serving.predict_request({"image": IMAGES}))
    with pytest.raises(TimeoutError, match="not AVAILABLE"):
        serving.wait_until_available("http://127.0.0.1:9", "m", timeout_s=0.3, interval_s=0.1)


def test_the_serving_workflow_matches_the_chapter():
    """The workflow serves the notebook's model name from the folder the notebook writes."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent
    workflow = yaml.safe_load((root / ".github/workflows/serving.yml").read_text())
    notebook = json.loads((root / "notebooks/13_deployment.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    model_name = workflow["env"]["MODEL_NAME"]
    assert f'MODEL_NAME = "{model_name}"' in source
    job = workflow["jobs"]["tf-serving"]
    assert job["env"]["DLCOURSE_DEPLOY_DIR"].endswith("/" + str(serving.DEFAULT_DEPLOY_DIR))
    runs = [step.get("run", "") for step in job["steps"]]
    assert any("notebooks/13_deployment.ipynb" in run for run in runs)
    assert any("/models/$MODEL_NAME" in run and "docker run" in run for run in runs)
    assert any("-m dlcourse.serving check" in run for run in runs)
    stop = next(step for step in job["steps"] if "docker rm -f" in step.get("run", ""))
    assert stop["if"] == "always()"
