"""One worker of chapter 12's two-process ``MultiWorkerMirroredStrategy`` run.

``python -m dlcourse.cluster_worker JOB.json``, started by ``dlcourse.cluster.run_workers``
(which sets ``TF_CONFIG``). The job names a saved Keras model (its initial weights), an ``.npz``
of training arrays ``x`` and ``y``, the global batch, the epochs, the learning rate and the
checkpoint folder. The worker

1. creates the strategy first (it reads ``TF_CONFIG`` and connects to the other workers);
2. loads the model and builds plain SGD under the strategy's scope;
3. trains with a custom loop: ``strategy.run`` computes each replica's loss, scaled by the
   *global* batch with ``tf.nn.compute_average_loss``, the optimizer all-reduces (sums) the
   gradients, and ``strategy.reduce`` sums the replicas' losses into the global batch's mean;
4. saves a checkpoint on every worker, because saving may need all of them (variables kept in
   sync on read are all-reduced when saved), but only the chief keeps it: the others write to a
   temporary folder and delete it;
5. times the all-reduce of tensors of ``allreduce_floats`` float32 values between the workers
   (best of ``repeat`` calls), the communication cost of a step across processes;
6. tries Keras's ``fit`` under the same strategy and reports what happened;
7. writes its losses, step times, all-reduce times and final weights for the notebook.

The model must output logits (the loss is ``SparseCategoricalCrossentropy(from_logits=True)``).
The worker hides GPUs: two processes sharing one GPU would each try to reserve all its memory,
and the chapter's point (the mechanics of the cluster) needs no accelerator.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from dlcourse import _checks, cluster

JOB_KEYS = ("model", "data", "checkpoint_dir", "global_batch", "epochs", "learning_rate",
            "allreduce_floats", "repeat")


def check_job(job) -> dict:
    """The job with its types checked: every key of ``JOB_KEYS``, nothing else."""
    if not isinstance(job, Mapping):
        raise TypeError(f"job={job!r} must be a mapping (read from the job's JSON file)")
    missing, unknown = set(JOB_KEYS) - set(job), set(job) - set(JOB_KEYS)
    if missing or unknown:
        raise ValueError(f"job keys: missing {sorted(missing)}, unknown {sorted(unknown)}; "
                         f"expected exactly {sorted(JOB_KEYS)}")
    for key in ("model", "data", "checkpoint_dir"):
        _checks.non_empty_str(key, job[key])
    for key in ("global_batch", "epochs", "repeat"):
        _checks.positive_int(key, job[key])
    if _checks.real_number("learning_rate", job["learning_rate"]) <= 0:
        raise ValueError(f"learning_rate={job['learning_rate']!r} must be positive")
    sizes = job["allreduce_floats"]
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (list, tuple)):
        raise TypeError(f"allreduce_floats={sizes!r} must be a list of tensor sizes (may be [])")
    for size in sizes:
        _checks.positive_int("allreduce_floats entry", size)
    return {**job, "allreduce_floats": list(sizes)}


def write_job(path, **job) -> Path:
    """Check ``job`` and write it as JSON to ``path`` (the worker's only argument)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path={path!r} must be a file path")
    path = Path(path)
    path.write_text(json.dumps(check_job(job)))
    return path


def read_job(path) -> dict:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path={path!r} must be a file path")
    return check_job(json.loads(Path(path).read_text()))


def checkpoint_folder(checkpoint_dir: str, chief: bool) -> str:
    """Where a worker writes its checkpoint: the real folder on the chief, a fresh temporary one
    elsewhere (deleted right after)."""
    _checks.non_empty_str("checkpoint_dir", checkpoint_dir)
    _checks.boolean("chief", chief)
    if chief:
        os.makedirs(checkpoint_dir, exist_ok=True)
        return checkpoint_dir
    return tempfile.mkdtemp(prefix="dlcourse-worker-checkpoint-")


def distributed_train_step(strategy, model, optimizer, loss_fn, global_batch: int):
    """One synchronous step over all replicas of all workers; returns the global mean loss."""
    import tensorflow as tf

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            per_example = loss_fn(y, model(x, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))   # all-reduces
        return loss

    @tf.function
    def step(batch):
        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return step


def all_reduce_seconds(strategy, floats: int, repeat: int) -> float:
    """Best time of ``repeat`` all-reduces (sums) of ``floats`` float32 values per replica."""
    import tensorflow as tf

    def replica_sum():
        return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM,
                                                               tf.ones([floats]))

    @tf.function
    def all_reduce():
        return strategy.run(replica_sum)

    all_reduce()                         # traced once, outside the timing
    best = float("inf")
    for _ in range(repeat):
        tick = time.perf_counter()
        all_reduce()
        best = min(best, time.perf_counter() - tick)
    return best


def _try_fit(model, dataset, loss_fn) -> str:
    """What Keras's ``fit`` does under this strategy: "ran", or the error it raised."""
    import keras

    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=loss_fn)
    try:
        model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    except Exception as error:           # reported to the notebook, not hidden
        return f"{type(error).__name__}: {shorten(str(error))}"
    return "ran"


def shorten(message: str, keep: int = 90) -> str:
    """A long error message on one line: its first and last ``keep`` characters."""
    text = " ".join(str(message).split())
    return text if len(text) <= 2 * keep + 5 else f"{text[:keep]} ... {text[-keep:]}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m dlcourse.cluster_worker JOB.json")
    job = read_job(argv[0])
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    started = time.perf_counter()
    import keras
    import numpy as np
    import tensorflow as tf

    imported = time.perf_counter()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()      # first: it joins the cluster
    connected = time.perf_counter()
    arrays = np.load(job["data"])
    with strategy.scope():
        model = keras.models.load_model(job["model"], compile=False)
        optimizer = keras.optimizers.SGD(job["learning_rate"])
        optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = (tf.data.Dataset.from_tensor_slices((arrays["x"], arrays["y"]))
               .batch(job["global_batch"], drop_remainder=True).with_options(options))
    step = distributed_train_step(strategy, model, optimizer, loss_fn, job["global_batch"])
    losses, step_seconds = [], []
    for _ in range(job["epochs"]):
        for batch in strategy.experimental_distribute_dataset(dataset):
            tick = time.perf_counter()
            losses.append(float(step(batch)))
            step_seconds.append(time.perf_counter() - tick)

    chief = cluster.is_chief()
    folder = checkpoint_folder(job["checkpoint_dir"], chief)
    saved = tf.train.Checkpoint(model=model).write(os.path.join(folder, "ckpt"))
    if not chief:
        shutil.rmtree(folder)
    weights_path = Path(os.environ[cluster.RESULT_ENV_VAR]).with_suffix(".weights.npz")
    np.savez(weights_path, *model.get_weights())
    all_reduce = {str(floats): all_reduce_seconds(strategy, floats, job["repeat"])
                  for floats in job["allreduce_floats"]}
    fit = _try_fit(model, dataset, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cluster.write_result({
        "task": cluster.task_index(), "chief": chief,
        "replicas": int(strategy.num_replicas_in_sync), "losses": losses,
        "step_seconds": step_seconds, "checkpoint": saved, "checkpoint_kept": chief,
        "checkpoint_exists": os.path.exists(saved + ".index"),
        "weights": str(weights_path), "fit": fit, "all_reduce_seconds": all_reduce,
        "seconds": {"import": imported - started, "connect": connected - imported,
                    "total": time.perf_counter() - started}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
