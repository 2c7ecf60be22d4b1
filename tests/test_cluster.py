"""dlcourse.cluster: a local cluster of worker processes, always stopped, failures named.

The workers here are tiny Python programs (no TensorFlow), so every test takes a second or two;
chapter 12 runs the real TensorFlow workers (dlcourse.cluster_worker).
"""

import json
import os
import sys
import textwrap
import time

import pytest

from dlcourse import cluster, cluster_worker

pytestmark = pytest.mark.timeout(60)


def worker(code: str) -> list[str]:
    """A worker command running ``code`` (with json, os, sys, time and cluster imported)."""
    prelude = "import json, os, subprocess, sys, time\nfrom dlcourse import cluster\n"
    return [sys.executable, "-c", prelude + textwrap.dedent(code)]


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, ended but not yet reaped, counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for_pids(path, count, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) >= count:
            return [int(pid) for pid in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError(f"the workers never wrote {count} pids to {path}")


def test_each_worker_gets_its_own_task_in_one_cluster(tmp_path):
    results = cluster.run_workers(worker("""
        config = json.loads(os.environ["TF_CONFIG"])
        cluster.write_result({"config": config, "index": cluster.task_index(),
                              "chief": cluster.is_chief()})
    """), 3, timeout_s=30, workdir=tmp_path)
    assert [r.index for r in results] == [0, 1, 2]
    addresses = results[0].result["config"]["cluster"]["worker"]
    assert len(set(addresses)) == 3 and all(a.startswith("localhost:") for a in addresses)
    for r in results:
        assert r.result["config"]["cluster"]["worker"] == addresses
        assert r.result["index"] == r.index
        assert r.result["chief"] is (r.index == 0)
        assert r.seconds > 0
    assert (tmp_path / "worker-0.log").exists()


def test_a_failed_worker_is_named_and_the_hanging_one_stopped(tmp_path):
    pids = tmp_path / "pids"
    command = worker(f"""
        with open({str(pids)!r}, "a") as out:
            if cluster.task_index() == 1:    # a child of its own too: the whole group must end
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
                out.write(f"{{os.getpid()}} {{child.pid}} ")
            else:
                out.write(f"{{os.getpid()}} ")
        if cluster.task_index() == 0:
            while len(open({str(pids)!r}).read().split()) < 3:
                time.sleep(0.05)
            print("worker 0 gives up: no data", flush=True)
            sys.exit(3)
        time.sleep(120)                       # what a worker waiting for a collective does
    """)
    started = time.monotonic()
    with pytest.raises(cluster.WorkerError, match=r"worker 0 exited with code 3") as error:
        cluster.run_workers(command, 2, timeout_s=50, workdir=tmp_path)
    assert time.monotonic() - started < 20
    assert error.value.index == 0
    assert "worker 0 gives up: no data" in str(error.value)
    for pid in wait_for_pids(pids, 3):
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), f"process {pid} outlived run_workers"


def test_hanging_workers_are_stopped_at_the_timeout(tmp_path):
    pids = tmp_path / "pids"
    command = worker(f"""
        with open({str(pids)!r}, "a") as out:
            out.write(f"{{os.getpid()}} ")
        signal_ignored = __import__("signal")
        signal_ignored.signal(signal_ignored.SIGTERM, signal_ignored.SIG_IGN)  # needs SIGKILL
        time.sleep(120)
    """)
    started = time.monotonic()
    with pytest.raises(cluster.WorkerError, match=r"still running after 2 s") as error:
        cluster.run_workers(command, 2, timeout_s=2, workdir=tmp_path)
    assert time.monotonic() - started < 15
    assert error.value.index is None
    assert not any(alive(pid) for pid in wait_for_pids(pids, 2))


def test_a_worker_without_a_result_is_an_error():
    with pytest.raises(cluster.WorkerError, match=r"worker 0 exited without writing a result"):
        cluster.run_workers(worker("print('done')"), 1, timeout_s=30)


def test_results_are_read_from_the_temporary_folder_before_it_goes():
    results = cluster.run_workers(worker("cluster.write_result({'x': [1, 2]})"), 2, timeout_s=30)
    assert [r.result for r in results] == [{"x": [1, 2]}, {"x": [1, 2]}]


def test_free_ports_are_distinct():
    ports = cluster.free_ports(4)
    assert len(set(ports)) == 4 and all(0 < p < 65536 for p in ports)


def test_tf_config_and_chief():
    config = cluster.tf_config(["localhost:1", "localhost:2"], 1)
    assert config == {"cluster": {"worker": ["localhost:1", "localhost:2"]},
                      "task": {"type": "worker", "index": 1}}
    assert cluster.task_index(config) == 1 and not cluster.is_chief(config)
    assert cluster.is_chief(cluster.tf_config(["localhost:1"], 0))
    with_chief = {"cluster": {"chief": ["h:1"], "worker": ["h:2"]},
                  "task": {"type": "worker", "index": 0}}
    assert not cluster.is_chief(with_chief)
    assert cluster.is_chief({**with_chief, "task": {"type": "chief", "index": 0}})


def test_worker_side_reads_tf_config_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_CONFIG", json.dumps(cluster.tf_config(["a:1", "b:2"], 0)))
    assert cluster.task_index() == 0 and cluster.is_chief()
    monkeypatch.setenv(cluster.RESULT_ENV_VAR, str(tmp_path / "r.json"))
    path = cluster.write_result({"loss": 0.5})
    assert json.loads(path.read_text()) == {"loss": 0.5}


def test_python_module_command():
    assert cluster.python_module("dlcourse.cluster_worker", "job.json") == [
        sys.executable, "-m", "dlcourse.cluster_worker", "job.json"]


@pytest.mark.parametrize("call, error, words", [
    (lambda: cluster.run_workers("python worker.py"), TypeError, "command='python worker.py'"),
    (lambda: cluster.run_workers([]), TypeError, "command=[]"),
    (lambda: cluster.run_workers(["python", 3]), TypeError, "only strings"),
    (lambda: cluster.run_workers(["true"], 0), ValueError, "count=0"),
    (lambda: cluster.run_workers(["true"], "2"), TypeError, "count='2'"),
    (lambda: cluster.run_workers(["true"], timeout_s=-1), ValueError, "timeout_s=-1"),
    (lambda: cluster.run_workers(["true"], timeout_s="10"), TypeError, "timeout_s='10'"),
    (lambda: cluster.run_workers(["true"], env={"A": 1}), TypeError, "env={'A': 1}"),
    (lambda: cluster.run_workers(["true"], workdir=3), TypeError, "workdir=3"),
    (lambda: cluster.free_ports(0), ValueError, "count=0"),
    (lambda: cluster.tf_config("localhost:1", 0), TypeError, "workers='localhost:1'"),
    (lambda: cluster.tf_config(["localhost"], 0), ValueError, "'localhost'"),
    (lambda: cluster.tf_config(["h:1", "h:1"], 0), ValueError, "repeats an address"),
    (lambda: cluster.tf_config(["h:1"], 1), ValueError, "index=1"),
    (lambda: cluster.tf_config(["h:1"], -1), ValueError, "index=-1"),
    (lambda: cluster.task_index({"cluster": {}}), ValueError, "'task'"),
    (lambda: cluster.write_result([1]), TypeError, "result=[1]"),
    (lambda: cluster.python_module(""), ValueError, "module=''"),
    (lambda: cluster.python_module("m", 3), TypeError, "argument 3"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


def test_outside_a_cluster_the_worker_side_says_so(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv(cluster.RESULT_ENV_VAR, raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG is not set"):
        cluster.task_index()
    with pytest.raises(ValueError, match=f"{cluster.RESULT_ENV_VAR} is not set"):
        cluster.write_result({})
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="is not JSON"):
        cluster.is_chief()


# The worker program's plumbing (its TensorFlow part runs in chapter 12).

JOB = {"model": "m.keras", "data": "d.npz", "checkpoint_dir": "ckpt", "global_batch": 64,
       "epochs": 1, "learning_rate": 0.1, "allreduce_floats": [1_000, 10_000], "repeat": 3}


def test_a_job_round_trips_through_its_file(tmp_path):
    path = cluster_worker.write_job(tmp_path / "job.json", **JOB)
    assert cluster_worker.read_job(path) == JOB


@pytest.mark.parametrize("change, error, words", [
    ({"epochs": 0}, ValueError, "epochs=0"),
    ({"global_batch": "64"}, TypeError, "global_batch='64'"),
    ({"learning_rate": 0}, ValueError, "learning_rate=0"),
    ({"model": ""}, ValueError, "model=''"),
    ({"steps": 3}, ValueError, "unknown ['steps']"),
    ({"repeat": 0}, ValueError, "repeat=0"),
    ({"allreduce_floats": "1000"}, TypeError, "allreduce_floats='1000'"),
    ({"allreduce_floats": [1000, -1]}, ValueError, "allreduce_floats entry=-1"),
])
def test_bad_jobs_are_rejected(change, error, words):
    with pytest.raises(error) as raised:
        cluster_worker.check_job({**JOB, **change})
    assert words in str(raised.value)


def test_a_job_without_a_key_is_rejected():
    with pytest.raises(ValueError, match=r"missing \['data'\]"):
        cluster_worker.check_job({k: v for k, v in JOB.items() if k != "data"})
    with pytest.raises(TypeError, match="job=3"):
        cluster_worker.check_job(3)


def test_only_the_chief_writes_into_the_checkpoint_folder(tmp_path):
    target = tmp_path / "checkpoints"
    assert cluster_worker.checkpoint_folder(str(target), True) == str(target)
    assert target.is_dir()
    scratch = cluster_worker.checkpoint_folder(str(target), False)
    try:
        assert os.path.isdir(scratch) and not scratch.startswith(str(target))
    finally:
        os.rmdir(scratch)
    with pytest.raises(TypeError, match="chief='yes'"):
        cluster_worker.checkpoint_folder(str(target), "yes")


def test_long_errors_are_shortened_to_one_line():
    text = "Attempt to convert\n" + "x" * 500 + "\n to a Tensor."
    short = cluster_worker.shorten(text)
    assert "\n" not in short and short.startswith("Attempt") and short.endswith("to a Tensor.")
    assert len(short) < 200


def test_the_worker_wants_exactly_one_argument():
    with pytest.raises(SystemExit, match="usage"):
        cluster_worker.main([])
