"""The tracking server helper: it starts, answers, and always ends with every process it started.

Most tests use Python's ``http.server`` as a stand-in (it starts in a fraction of a second); one
starts the real ``mlflow server``. No network beyond 127.0.0.1, every wait bounded.
"""

import importlib.util
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from dlcourse import tracking

PY = sys.executable


def stand_in(tmp_path, port, *, grandchild=False):
    """A command serving tmp_path/www over HTTP on ``port``; /health answers 200.

    With ``grandchild`` the command starts the HTTP server as its own child and waits, as
    ``mlflow server`` starts uvicorn, so only killing the process group ends both.
    """
    www = tmp_path / "www"
    www.mkdir(exist_ok=True)
    (www / "health").write_text("OK")
    serve = [PY, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)]
    if not grandchild:
        return serve
    script = f"import subprocess, time; subprocess.Popen({serve!r}); time.sleep(600)"
    return [PY, "-c", script]


def server(tmp_path, command=None, *, timeout=30.0, grandchild=False):
    port = tracking.free_port()
    command = command or stand_in(tmp_path, port, grandchild=grandchild)
    return tracking.BackgroundServer(command, port=port, log_path=tmp_path / "server.log",
                                     timeout=timeout)


def get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read().decode()


def test_free_port_is_free_and_in_range():
    port = tracking.free_port()
    assert 1 <= port <= 65_535
    assert tracking.port_is_free(port)


def test_the_server_answers_inside_the_block_and_is_gone_after_an_exception(tmp_path):
    background = server(tmp_path, grandchild=True)
    with pytest.raises(RuntimeError, match="inside the block"):
        with background as running:
            assert get(running.url + "/health") == (200, "OK")
            pgid = running.pid
            assert len(tracking.group_alive(pgid)) == 2        # the command and its child
            raise RuntimeError("inside the block")
    assert tracking.group_alive(pgid) == []
    assert not background.running
    assert tracking.port_is_free(background.port)


def test_a_server_that_never_answers_fails_within_the_timeout_and_leaves_nothing(tmp_path):
    background = server(tmp_path, [PY, "-c", "import time; print('booting', flush=True); "
                                              "time.sleep(600)"], timeout=1.5)
    started = time.monotonic()
    with pytest.raises(tracking.ServerError) as raised:
        background.start()
    assert time.monotonic() - started < 15
    message = str(raised.value)
    assert "timeout=1.5" in message and "/health" in message and "booting" in message
    assert tracking.group_alive(background.pid) == []


def test_an_interrupted_wait_stops_the_server(tmp_path, monkeypatch):
    background = server(tmp_path, [PY, "-c", "import time; time.sleep(600)"]).launch()

    def interrupt():
        raise KeyboardInterrupt
    monkeypatch.setattr(background, "_healthy", interrupt)
    with pytest.raises(KeyboardInterrupt):
        background.wait()
    assert tracking.group_alive(background.pid) == []


def test_a_server_that_exits_reports_its_status_and_log(tmp_path):
    background = server(tmp_path, [PY, "-c", "import sys; print('port in use'); sys.exit(3)"])
    with pytest.raises(tracking.ServerError, match=r"status 3(.|\n)*port in use"):
        background.start()
    assert not background.running


def test_a_server_that_ignores_sigterm_is_killed(tmp_path):
    port = tracking.free_port()
    stubborn = textwrap.dedent(f"""
        import signal, subprocess, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        subprocess.Popen({stand_in(tmp_path, port)!r})
        time.sleep(600)
    """)
    background = tracking.BackgroundServer([PY, "-c", stubborn], port=port,
                                           log_path=tmp_path / "server.log", timeout=30)
    background.start()
    started = time.monotonic()
    background.stop(grace=0.5)
    assert time.monotonic() - started < 10
    assert tracking.group_alive(background.pid) == []
    assert tracking.port_is_free(port)


def test_stop_is_idempotent_and_safe_before_launch(tmp_path):
    background = server(tmp_path)
    background.stop()
    background.start()
    background.stop()
    background.stop()
    assert not background.running
    with pytest.raises(tracking.ServerError, match="launched already"):
        background.launch()


def test_servers_left_running_stop_when_python_exits(tmp_path):
    background = server(tmp_path).start()
    tracking._stop_all()           # what atexit runs
    assert not background.running and tracking.port_is_free(background.port)


def test_the_server_ends_when_the_python_that_started_it_is_killed(tmp_path):
    port = tracking.free_port()
    script = textwrap.dedent(f"""
        import os
        from dlcourse import tracking
        s = tracking.BackgroundServer({stand_in(tmp_path, port)!r}, port={port},
                                      log_path={str(tmp_path / 'server.log')!r}).start()
        print(s.pid, flush=True)
        os._exit(0)                # no atexit: as if the kernel were killed
    """)
    done = subprocess.run([PY, "-c", script], capture_output=True, text=True, timeout=60)
    pgid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while tracking.group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tracking.group_alive(pgid) == []


def test_the_mlflow_command_stores_everything_in_its_directory(tmp_path):
    mlflow_server = tracking.MlflowServer(tmp_path / "mlflow", port=5999)
    command = " ".join(mlflow_server.command)
    assert mlflow_server.command[:4] == [sys.executable, "-m", "mlflow", "server"]
    assert f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}" in command
    assert f"--artifacts-destination {tmp_path / 'mlflow' / 'artifacts'}" in command
    assert "--host 127.0.0.1 --port 5999" in command
    assert mlflow_server.url == "http://127.0.0.1:5999"
    assert mlflow_server.env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"


def test_a_real_mlflow_server_starts_answers_and_is_gone_after_an_exception(tmp_path):
    if importlib.util.find_spec("mlflow") is None:    # (importing it would start its telemetry)
        pytest.skip("mlflow is not installed")
    mlflow_server = tracking.MlflowServer(tmp_path / "mlflow", timeout=300)
    with pytest.raises(KeyError):
        with mlflow_server:
            assert get(mlflow_server.url + "/health") == (200, "OK")
            assert (tmp_path / "mlflow" / "mlflow.db").exists()
            pgid = mlflow_server.pid
            raise KeyError("inside the block")
    assert tracking.group_alive(pgid) == []
    assert tracking.port_is_free(mlflow_server.port)


BAD = {
    "command as a string": (lambda p: tracking.BackgroundServer("mlflow server", port=5000,
                                                                log_path=p), TypeError,
                            "command", "'mlflow server'"),
    "empty command": (lambda p: tracking.BackgroundServer([], port=5000, log_path=p), ValueError,
                      "command", "[]"),
    "port as a string": (lambda p: tracking.BackgroundServer(["x"], port="5000", log_path=p),
                         TypeError, "port", "'5000'"),
    "port 70000": (lambda p: tracking.BackgroundServer(["x"], port=70_000, log_path=p),
                   ValueError, "port", "70000"),
    "timeout 0": (lambda p: tracking.BackgroundServer(["x"], port=5000, log_path=p, timeout=0),
                  ValueError, "timeout", "0"),
    "timeout as a string": (lambda p: tracking.BackgroundServer(["x"], port=5000, log_path=p,
                                                                timeout="10"),
                            TypeError, "timeout", "'10'"),
    "health_path without /": (lambda p: tracking.BackgroundServer(["x"], port=5000, log_path=p,
                                                                  health_path="health"),
                              ValueError, "health_path", "'health'"),
    "log_path None": (lambda p: tracking.BackgroundServer(["x"], port=5000, log_path=None),
                      TypeError, "log_path", "None"),
    "env with a number": (lambda p: tracking.BackgroundServer(["x"], port=5000, log_path=p,
                                                              env={"A": 1}),
                          TypeError, "env", "{'A': 1}"),
    "mlflow directory None": (lambda p: tracking.MlflowServer(None), TypeError, "directory",
                              "None"),
    "mlflow port 0": (lambda p: tracking.MlflowServer(p, port=0), ValueError, "port", "0"),
    "mlflow timeout -1": (lambda p: tracking.MlflowServer(p, timeout=-1), ValueError, "timeout",
                          "-1"),
    "port_is_free: port as a string": (lambda p: tracking.port_is_free("80"), TypeError, "port",
                                       "'80'"),
    "free_port: empty host": (lambda p: tracking.free_port(""), ValueError, "host", "''"),
    "group_alive: pgid 0": (lambda p: tracking.group_alive(0), ValueError, "pgid", "0"),
    "stop: grace -1": (lambda p: tracking.BackgroundServer(["x"], port=5000,
                                                           log_path=p).stop(grace=-1),
                       ValueError, "grace", "-1"),
}


@pytest.mark.parametrize("call, error, argument, value", BAD.values(), ids=BAD)
def test_a_bad_argument_is_rejected_naming_it_and_its_value(tmp_path, call, error, argument,
                                                             value):
    with pytest.raises(error) as raised:
        call(tmp_path / "server.log")
    message = str(raised.value)
    assert argument in message and value in message, message
