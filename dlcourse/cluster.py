"""A local cluster of worker processes for ``MultiWorkerMirroredStrategy`` (chapter 12).

``run_workers(command, count)`` picks free ports on localhost, gives each worker process its own
``TF_CONFIG`` (the same cluster, its own task index), starts them all, waits with a timeout and
returns what each one wrote with ``write_result``. Every process it started is ended before it
returns or raises, also when a worker fails or hangs: a worker that exits with an error leaves the
others waiting forever in their next collective operation, so they are stopped, and the error
names the failed worker and shows the end of its output.

The worker side needs no TensorFlow from here: ``task_index()`` and ``is_chief()`` read
``TF_CONFIG``, and ``write_result`` writes a JSON file where the launcher will look for it.
``dlcourse.cluster_worker`` is the worker the chapter runs (``python -m dlcourse.cluster_worker``).
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dlcourse import _checks

RESULT_ENV_VAR = "DLCOURSE_WORKER_RESULT"    # where a worker writes its JSON result
TF_CONFIG_VAR = "TF_CONFIG"
LOG_TAIL_CHARS = 3_000                        # how much of a failed worker's output an error shows
STOP_GRACE_S = 3.0                            # SIGTERM, then this long, then SIGKILL


class WorkerError(RuntimeError):
    """A worker failed, hung or wrote no result; ``index`` names it (None: several timed out)."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class WorkerResult:
    index: int          # the worker's task index in TF_CONFIG (0 is the chief)
    seconds: float      # wall-clock time from the start of all workers to this one's exit
    result: dict        # what the worker passed to write_result
    log: str            # the end of its standard output and error


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on localhost that were free a moment ago.

    All sockets are held open until every port is chosen, so the ports differ. Another program
    could still take one before a worker binds it; the workers would then fail to start, and
    ``run_workers`` reports that as an error rather than hanging.
    """
    _checks.positive_int("count", count)
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("localhost", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(workers: Sequence[str], index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of ``workers`` ("host:port" each)."""
    if isinstance(workers, str) or not isinstance(workers, Sequence) or not workers:
        raise TypeError(f"workers={workers!r} must be a non-empty list of 'host:port' strings")
    for address in workers:
        host, _, port = str(address).rpartition(":")
        if not isinstance(address, str) or not host or not port.isdigit():
            raise ValueError(f"workers contains {address!r}; each must be 'host:port'")
    if len(set(workers)) != len(workers):
        raise ValueError(f"workers={list(workers)!r} repeats an address; each needs its own")
    _checks.non_negative_int("index", index)
    if index >= len(workers):
        raise ValueError(f"index={index!r} must be below the number of workers ({len(workers)})")
    return {"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}}


def _read_config(config) -> dict:
    if config is None:
        text = os.environ.get(TF_CONFIG_VAR, "")
        if not text:
            raise ValueError(f"{TF_CONFIG_VAR} is not set: this process is not a cluster worker")
        try:
            config = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{TF_CONFIG_VAR}={text!r} is not JSON ({error})") from None
    if not isinstance(config, Mapping) or not isinstance(config.get("task"), Mapping):
        raise ValueError(f"config={config!r} must hold a 'task' with 'type' and 'index'")
    return dict(config)


def task_index(config: Mapping | None = None) -> int:
    """This process's task index (``TF_CONFIG`` when ``config`` is None)."""
    task = _read_config(config)["task"]
    return _checks.non_negative_int("task index", task.get("index"))


def is_chief(config: Mapping | None = None) -> bool:
    """True for the task that writes checkpoints: the "chief", or worker 0 when there is none."""
    config = _read_config(config)
    task_type = config["task"].get("type")
    if task_type == "chief":
        return True
    has_chief = bool(config.get("cluster", {}).get("chief"))
    return task_type == "worker" and not has_chief and task_index(config) == 0


def write_result(result: Mapping) -> Path:
    """Write a worker's ``result`` (JSON-serialisable) where ``run_workers`` reads it."""
    if not isinstance(result, Mapping):
        raise TypeError(f"result={result!r} must be a mapping (a dict)")
    target = os.environ.get(RESULT_ENV_VAR, "")
    if not target:
        raise ValueError(f"{RESULT_ENV_VAR} is not set: this process was not started by "
                         "dlcourse.cluster.run_workers")
    path = Path(target)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(dict(result)))
    partial.replace(path)               # the launcher never reads a half-written file
    return path


def python_module(module: str, *args: str) -> list[str]:
    """The command that runs ``python -m module args...`` with this interpreter."""
    _checks.non_empty_str("module", module)
    for arg in args:
        if not isinstance(arg, str):
            raise TypeError(f"argument {arg!r} to {module} must be a string")
    return [sys.executable, "-m", module, *args]


def _check_command(command) -> list[str]:
    if isinstance(command, str) or not isinstance(command, Sequence) or not command:
        raise TypeError(f"command={command!r} must be a non-empty list of strings "
                        "(e.g. cluster.python_module('dlcourse.cluster_worker', job))")
    if not all(isinstance(part, str) for part in command):
        raise TypeError(f"command={command!r} must hold only strings")
    return list(command)


def _check_timeout(timeout_s) -> float:
    value = _checks.real_number("timeout_s", timeout_s)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"timeout_s={timeout_s!r} must be a positive number of seconds")
    return value


class _Workers:
    """The started processes; ``stop`` ends every one still running (its whole process group)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.exits: dict[int, float] = {}
        self.started = time.monotonic()

    def log_path(self, index: int) -> Path:
        return self.folder / f"worker-{index}.log"

    def result_path(self, index: int) -> Path:
        return self.folder / f"worker-{index}.json"

    def start(self, command: list[str], env: dict, index: int) -> None:
        with open(self.log_path(index), "wb") as log:
            self.processes.append(subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))

    def log_tail(self, index: int) -> str:
        try:
            text = self.log_path(index).read_text(errors="replace")
        except OSError:
            return ""
        return text[-LOG_TAIL_CHARS:]

    def wait(self, timeout_s: float, poll_s: float = 0.05) -> None:
        deadline = self.started + timeout_s
        while True:
            for index, process in enumerate(self.processes):
                code = process.poll()
                if code is not None:
                    self.exits.setdefault(index, time.monotonic() - self.started)
                if code not in (None, 0):
                    raise WorkerError(f"worker {index} exited with code {code}; the other "
                                      f"workers were stopped. End of its output:\n"
                                      f"{self.log_tail(index)}", index=index)
            running = [i for i, p in enumerate(self.processes) if p.poll() is None]
            if not running:
                return
            if time.monotonic() > deadline:
                raise WorkerError(f"worker(s) {running} still running after {timeout_s:g} s "
                                  "(waiting for a worker that never came?); all were stopped. "
                                  f"End of worker {running[0]}'s output:\n"
                                  f"{self.log_tail(running[0])}",
                                  index=running[0] if len(running) == 1 else None)
            time.sleep(poll_s)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)    # any children it left behind

    def results(self) -> list[WorkerResult]:
        collected = []
        for index in range(len(self.processes)):
            path = self.result_path(index)
            if not path.exists():
                raise WorkerError(f"worker {index} exited without writing a result (did it call "
                                  f"cluster.write_result?). End of its output:\n"
                                  f"{self.log_tail(index)}", index=index)
            collected.append(WorkerResult(index=index, seconds=self.exits.get(index, math.nan),
                                          result=json.loads(path.read_text()),
                                          log=self.log_tail(index)))
        return collected


def _signal_group(process: subprocess.Popen, sig) -> None:
    """Send ``sig`` to the process group the worker leads (it and any children it started)."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_workers(command: Sequence[str], count: int = 2, *, timeout_s: float = 120.0,
                env: Mapping[str, str] | None = None, workdir=None) -> list[WorkerResult]:
    """Run ``count`` copies of ``command`` as one cluster on localhost; their results, by index.

    Each copy gets ``TF_CONFIG`` (free ports, its own index) and ``DLCOURSE_WORKER_RESULT`` (the
    file ``write_result`` fills) on top of this process's environment and ``env``. Output goes
    to ``worker-<index>.log`` in ``workdir`` (a temporary folder, deleted afterwards, when None).
    Raises ``WorkerError`` naming the worker when one exits with an error, when ``timeout_s``
    passes first, or when one wrote no result; every process started is ended in all cases.
    """
    command = _check_command(command)
    _checks.positive_int("count", count)
    timeout_s = _check_timeout(timeout_s)
    if env is not None and (not isinstance(env, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items())):
        raise TypeError(f"env={env!r} must map variable names to string values")
    if workdir is not None and not isinstance(workdir, (str, os.PathLike)):
        raise TypeError(f"workdir={workdir!r} must be a folder path or None")
    with tempfile.TemporaryDirectory(prefix="dlcourse-cluster-") as scratch:
        folder = Path(workdir) if workdir is not None else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        addresses = [f"localhost:{port}" for port in free_ports(count)]
        workers = _Workers(folder)
        try:
            for index in range(count):
                worker_env = {**os.environ, **(env or {}),
                              TF_CONFIG_VAR: json.dumps(tf_config(addresses, index)),
                              RESULT_ENV_VAR: str(workers.result_path(index))}
                workers.result_path(index).unlink(missing_ok=True)   # no stale result counts
                workers.start(command, worker_env, index)
            workers.wait(timeout_s)
        finally:
            workers.stop()
        return workers.results()
