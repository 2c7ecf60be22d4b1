"""A local MLflow tracking server that is always stopped: chapter 15's experiment tracking.

``MlflowServer`` runs the command a learner would type,

    python -m mlflow server --backend-store-uri sqlite:///DIR/mlflow.db \\
        --artifacts-destination DIR/artifacts --host 127.0.0.1 --port PORT --workers 1

on a free localhost port, in its own process group, waits (with a timeout) until its ``/health``
endpoint answers, and ends the whole group (the ``mlflow`` command, its uvicorn server and
anything they started) when the ``with`` block ends, when ``stop()`` is called, or when Python
exits, whichever comes first::

    with tracking.MlflowServer("build/mlflow") as server:
        mlflow.set_tracking_uri(server.url)
        ...

A notebook that needs the server across cells calls ``launch()`` early (the server boots while
other cells run), ``wait()`` before the first request and ``stop()`` in its clean-up cell; if a
cell fails first, the server still ends when the kernel exits (``atexit``), and on Linux also if
the kernel is killed (the parent-death signal).

``BackgroundServer`` is the same machinery for any command that serves HTTP on a port (the tests
use Python's ``http.server`` as a stand-in that starts in a fraction of a second).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dlcourse import _checks

HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 180.0     # seconds; a cold `mlflow server` took 35-50 s on a busy 2-core CPU
STOP_GRACE = 10.0           # seconds between SIGTERM and SIGKILL
LOG_TAIL = 2_000            # characters of the server's log quoted in an error
# The server's own background job runner starts seven more processes and is unused here; the
# client and server send no usage statistics (the course runs offline); downloads of artifacts
# draw no progress bars in a notebook's output.
QUIET_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true",
             "DO_NOT_TRACK": "true", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}

_running: set[BackgroundServer] = set()


class ServerError(RuntimeError):
    """The server exited, or did not answer its health check in time."""


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on now (the system picks it)."""
    _checks.non_empty_str("host", host)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could bind ``port`` on ``host`` now: nothing listens there.

    Binds as servers do (``SO_REUSEADDR``), so connections of a stopped server that the system
    still holds in TIME_WAIT for a minute do not count.
    """
    _check_port(port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def group_alive(pgid: int) -> list[int]:
    """The ids of the live processes in process group ``pgid`` (zombies, already dead, excluded).

    Reads ``/proc`` on Linux; elsewhere asks the group with signal 0 (then zombies count).
    """
    _checks.positive_int("pgid", pgid)
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue            # ended while we looked
        # pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] not in "ZX":
            members.append(int(entry.name))
    return members


def _check_port(port):
    port = _checks.positive_int("port", port)
    if port > 65_535:
        raise ValueError(f"port={port!r} must be between 1 and 65535")
    return port


def _parent_death_signal():
    """A function for the child to run before exec: on Linux, ask for SIGTERM when the thread
    that started it dies (PR_SET_PDEATHSIG), so a killed kernel takes the server with it.

    prctl is looked up here, in the parent: between fork and exec the child only calls it.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)       # 1 = PR_SET_PDEATHSIG


class BackgroundServer:
    """A command that serves HTTP on ``port``, run in its own process group and always ended.

    ``health_path`` is the URL path that answers 200 once the server is ready. The command's
    output goes to ``log_path`` (quoted when it fails to start).
    """

    def __init__(self, command, *, port: int, log_path, health_path: str = "/health",
                 host: str = HOST, timeout: float = DEFAULT_TIMEOUT, env=None):
        if isinstance(command, (str, bytes)) or not isinstance(command, (list, tuple)):
            raise TypeError(f"command={command!r} must be a list of strings (program first)")
        if not command or not all(isinstance(part, str) and part for part in command):
            raise ValueError(f"command={command!r} must be a non-empty list of non-empty strings")
        if not isinstance(log_path, (str, os.PathLike)):
            raise TypeError(f"log_path={log_path!r} must be a path (str or Path)")
        if not isinstance(health_path, str) or not health_path.startswith("/"):
            raise ValueError(f"health_path={health_path!r} must be a URL path starting with '/'")
        timeout = _checks.real_number("timeout", timeout)
        if not 0 < timeout < float("inf"):
            raise ValueError(f"timeout={timeout!r} must be a positive number of seconds")
        if env is not None and not (isinstance(env, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in env.items())):
            raise TypeError(f"env={env!r} must be a dict of str -> str or None")
        self.command = [str(part) for part in command]
        self.host = _checks.non_empty_str("host", host)
        self.port = _check_port(port)
        self.health_path = health_path
        self.timeout = timeout
        self.log_path = Path(log_path)
        self.env = dict(env or {})
        self._process: subprocess.Popen | None = None
        self._launched = 0.0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id of the command (also its process group's id), None before launch."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """Whether any process of the server's group is alive."""
        return self._process is not None and bool(group_alive(self._process.pid))

    def launch(self) -> BackgroundServer:
        """Start the command without waiting for it to be ready; returns the server."""
        if self._process is not None:
            raise ServerError(f"the server {self.command[:4]} was launched already")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **self.env}, start_new_session=True,
                preexec_fn=_parent_death_signal())
        self._launched = time.monotonic()
        _running.add(self)
        return self

    def wait(self) -> BackgroundServer:
        """Block until ``health_path`` answers 200, at most ``timeout`` seconds after launch.

        If the server exits first, does not answer in time, or the wait is interrupted
        (Ctrl-C included), the server is stopped and the error raised.
        """
        if self._process is None:
            raise ServerError("launch() the server before wait()")
        try:
            return self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> BackgroundServer:
        deadline = self._launched + self.timeout
        while True:
            if self._process.poll() is not None:
                code = self._process.returncode
                raise ServerError(f"the server exited with status {code} before answering "
                                  f"{self.url}{self.health_path}; its log ends:\n{self.log_tail()}")
            if self._healthy():
                return self
            if time.monotonic() > deadline:
                raise ServerError(f"the server did not answer {self.url}{self.health_path} within "
                                  f"timeout={self.timeout:g} s of its launch (stopped); its log "
                                  f"ends:\n"
                                  f"{self.log_tail()}")
            time.sleep(0.25)

    def start(self) -> BackgroundServer:
        """``launch()`` then ``wait()``."""
        return self.launch().wait()

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + self.health_path, timeout=2) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self) -> str:
        """The last characters of the server's output."""
        try:
            return self.log_path.read_text(errors="replace")[-LOG_TAIL:]
        except OSError:
            return "(no log)"

    def stop(self, grace: float = STOP_GRACE) -> None:
        """End every process of the group: SIGTERM, then SIGKILL after ``grace`` seconds.

        Safe to call more than once, and before ``launch()``.
        """
        grace = _checks.real_number("grace", grace)
        if grace < 0:
            raise ValueError(f"grace={grace!r} must be a non-negative number of seconds")
        _running.discard(self)
        process = self._process
        if process is None:
            return
        for signum, patience in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, signum)
            except (ProcessLookupError, PermissionError):
                break
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:
                process.poll()                  # reap the leader so it does not linger
                if not group_alive(process.pid):
                    break
                time.sleep(0.1)
            if not group_alive(process.pid):
                break
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if group_alive(process.pid):
            raise ServerError(f"process group {process.pid} survived SIGKILL")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def __repr__(self):
        state = "running" if self.running else "stopped"
        return f"{type(self).__name__}({self.url}, {state})"


class MlflowServer(BackgroundServer):
    """``mlflow server`` with a SQLite store and an artifact folder under ``directory``.

    ``directory`` is created if missing and kept afterwards (delete it, or pass a temporary
    folder, to start from an empty server). ``port`` None picks a free one.
    """

    def __init__(self, directory, *, port: int | None = None, host: str = HOST,
                 timeout: float = DEFAULT_TIMEOUT, python: str = sys.executable):
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory={directory!r} must be a path (str or Path)")
        _checks.non_empty_str("python", python)
        self.directory = Path(directory).resolve()
        _checks.non_empty_str("host", host)
        port = free_port(host) if port is None else _check_port(port)
        self.backend_store_uri = f"sqlite:///{self.directory / 'mlflow.db'}"
        self.artifacts = self.directory / "artifacts"
        command = [python, "-m", "mlflow", "server",
                   "--backend-store-uri", self.backend_store_uri,
                   "--artifacts-destination", str(self.artifacts),
                   "--host", host, "--port", str(port), "--workers", "1"]
        super().__init__(command, port=port, log_path=self.directory / "server.log",
                         health_path="/health", host=host, timeout=timeout, env=QUIET_ENV)

    def launch(self) -> MlflowServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        return super().launch()


@atexit.register
def _stop_all() -> None:
    """Stop every server this Python started and did not stop (a failed cell, an exception)."""
    for server in list(_running):
        try:
            server.stop(grace=2.0)
        except ServerError:
            pass
