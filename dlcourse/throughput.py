"""Throughput of input pipelines and training steps: examples per second, best of several runs.

Speed on a shared machine varies from run to run, so every figure here is measured with
``dlcourse.timing.measure`` (warm-up + repeats) and reported as the best and the median run;
compare pipelines by ratios measured in the same cell, never by absolute times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

from dlcourse import _checks, timing


@dataclass(frozen=True)
class Throughput:
    examples: int               # examples read in one run
    timing: timing.Timing       # seconds per run

    @property
    def best(self) -> float:
        """Examples per second in the fastest run."""
        return self.examples / self.timing.best

    @property
    def median(self) -> float:
        """Examples per second in the median run."""
        return self.examples / self.timing.median

    def __str__(self) -> str:
        return (f"{self.best:,.0f} examples/s best, {self.median:,.0f} median "
                f"({self.examples:,} examples, {len(self.timing.runs)} runs)")


def batch_size_of(batch) -> int:
    """How many examples a batch holds: the leading size of its first component."""
    first = batch
    while isinstance(first, (tuple, list)) or isinstance(first, Mapping):
        if not first:
            raise ValueError(f"batch={batch!r} has an empty component")
        first = next(iter(first.values())) if isinstance(first, Mapping) else first[0]
    shape = getattr(first, "shape", None)
    if shape is None or len(shape) == 0:
        raise TypeError(f"batch component of type {type(first).__name__} has no leading "
                        "(batch) dimension; pass batched data")
    return int(shape[0])


def _iterable(source) -> Callable[[], Iterable]:
    if callable(source) and not hasattr(source, "__iter__"):
        return source               # a factory: a fresh iterable per run (e.g. a generator fn)
    if hasattr(source, "__iter__"):
        return lambda: source
    raise TypeError(f"source={source!r} must be an iterable of batches (a tf.data.Dataset) or a "
                    "callable returning one")


def examples_per_second(source, *, batches: int | None = None, warmup: int = 1,
                        repeat: int = 3) -> Throughput:
    """Read ``batches`` batches (None: all) from ``source`` per run; examples per second.

    ``source`` is a ``tf.data.Dataset`` (or any re-iterable of batches) or a callable returning
    a fresh iterable. The warm-up runs fill caches and trace functions; every timed run must read
    the same number of examples, else ``ValueError`` (an exhausted one-shot iterator, say).
    """
    make = _iterable(source)
    _checks.positive_int("batches", batches, allow_none=True)
    counts: list[int] = []

    def read_all():
        counts.append(sum(batch_size_of(b) for b in islice(make(), batches)))

    result = timing.measure(read_all, warmup=warmup, repeat=repeat)
    timed = counts[warmup:]
    if timed[0] == 0 or len(set(timed)) != 1:
        raise ValueError(f"the timed runs read {timed} examples: each run must read the same "
                         "number, > 0 (is source a one-shot iterator? pass a dataset or factory)")
    return Throughput(examples=timed[0], timing=result)


def step_seconds(model, dataset, *, steps: int, warmup: int = 1, repeat: int = 3) -> timing.Timing:
    """Seconds per training step of a compiled Keras ``model`` fed ``steps`` batches of ``dataset``.

    Each run is one ``model.fit(dataset, steps_per_epoch=steps + 1, epochs=1)``, timed from the
    end of its first batch to the end of its last: neither the set-up of ``fit`` (large under a
    distribution strategy) nor the first batch's wait for the pipeline counts, only the steady
    steps. The warm-up runs trace the step. ``dataset`` must hold ``steps + 1`` batches per run
    (``repeat()`` it).
    """
    if not hasattr(model, "fit") or not callable(model.fit):
        raise TypeError(f"model={model!r} must be a compiled Keras model")
    _checks.positive_int("steps", steps)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup={warmup!r} must be a non-negative integer")
    _checks.positive_int("repeat", repeat)
    clock = _batch_clock()

    def one_run() -> float:
        model.fit(dataset, steps_per_epoch=steps + 1, epochs=1, verbose=0, callbacks=[clock])
        if len(clock.ends) != steps + 1:
            raise RuntimeError(f"fit ran {len(clock.ends)} batches, not {steps + 1}: "
                               "the dataset ran out (repeat() it)")
        return (clock.ends[-1] - clock.ends[0]) / steps

    for _ in range(warmup):
        one_run()
    return timing.Timing(tuple(one_run() for _ in range(repeat)))


def _batch_clock():
    """A Keras callback that notes the wall-clock time at the end of every training batch."""
    import time

    import keras

    class BatchClock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    return BatchClock()


def ratio_table(results: Mapping[str, Throughput], baseline: str) -> str:
    """A text table of examples/s (best, median) and each row's best-run ratio to ``baseline``."""
    if not isinstance(results, Mapping) or not results:
        raise ValueError(f"results={results!r} must be a non-empty mapping name -> Throughput")
    for name, value in results.items():
        if not isinstance(value, Throughput):
            raise TypeError(f"results[{name!r}]={value!r} must be a Throughput")
    _checks.one_of("baseline", baseline, results)
    width = max(len("pipeline"), *(len(name) for name in results))
    lines = [f"{'pipeline':{width}}  {'best ex/s':>10}  {'median ex/s':>11}  "
             f"{'x ' + baseline[:20]:>10}"]
    base = results[baseline].best
    for name, value in results.items():
        lines.append(f"{name:{width}}  {value.best:10,.0f}  {value.median:11,.0f}  "
                     f"{value.best / base:10.2f}")
    return "\n".join(lines)
