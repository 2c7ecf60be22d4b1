"""Measured figures and their targets, per profile.

``record`` checks the figure against the active profile's target and raises ``OutcomeError``
when it misses, so a notebook that misses fails everywhere it runs. Each record is also
displayed as a ``application/vnd.dlcourse.outcome+json`` output, which the runner reads back
from the executed notebook.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from dlcourse import _checks, profiles

MIMETYPE = "application/vnd.dlcourse.outcome+json"
_records: list[dict] = []


class OutcomeError(AssertionError):
    """A measured figure missed the active profile's target."""


def _target_for(target, profile: str):
    if target is None or isinstance(target, numbers.Real) and not isinstance(target, bool):
        return target
    if isinstance(target, Mapping):
        unknown = set(target) - set(profiles.PROFILES)
        if unknown:
            raise ValueError(f"target has unknown profiles {sorted(unknown)}; "
                             f"allowed: {', '.join(profiles.PROFILES)}")
        return target.get(profile)
    raise TypeError(f"target={target!r} must be a number, a dict of profile -> number, or None")


def passes(value: float, target: float | None, higher_is_better: bool = True) -> bool | None:
    """Whether ``value`` meets ``target`` (None when there is no target)."""
    if target is None:
        return None
    return value >= target if higher_is_better else value <= target


def record(name: str, value, target=None, *, higher_is_better: bool = True,
           unit: str = "") -> None:
    """Record a measured figure and assert the active profile's target.

    ``target`` is a number (the same in every profile, e.g. an exactness tolerance), a dict
    ``{"laptop": 0.97, "full": 0.98}`` (profiles not named are not checked), or None. A value
    must always be finite. Returns nothing (a notebook cell ending in ``record`` shows only the
    record); ``records()`` holds every entry.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name={name!r} must be a non-empty string")
    if isinstance(value, (str, bytes)):     # float("0.9") would hide a string among numbers
        raise TypeError(f"value={value!r} for {name!r} must be a real number, not "
                        f"{type(value).__name__}")
    _checks.boolean("higher_is_better", higher_is_better)
    if not isinstance(unit, str):
        raise TypeError(f"unit={unit!r} must be a string such as '%', 's' or ''")
    if not isinstance(value, numbers.Real):
        try:
            value = float(value)  # NumPy and TensorFlow scalars
        except (TypeError, ValueError):
            raise TypeError(f"value={value!r} for {name!r} must be a real number") from None
    value = float(value)
    profile = profiles.active()
    goal = _target_for(target, profile)
    entry = {"name": name, "value": value, "target": goal, "profile": profile,
             "higher_is_better": higher_is_better, "unit": unit,
             "passed": passes(value, goal, higher_is_better)}
    if not math.isfinite(value):
        entry["passed"] = False
    _records.append(entry)
    _display(entry)
    if entry["passed"] is False:
        raise OutcomeError(f"{describe(entry)} — missed in the {profile} profile")


def check(name: str, condition: bool, detail: str = "") -> None:
    """Record a yes/no outcome (an ordering, "the loss fell"); fail when it is False."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name={name!r} must be a non-empty string")
    if not isinstance(detail, str):
        raise TypeError(f"detail={detail!r} must be a string")
    ok = bool(condition)
    entry = {"name": name, "value": float(ok), "target": 1.0, "profile": profiles.active(),
             "higher_is_better": True, "unit": "check", "passed": ok, "detail": detail}
    _records.append(entry)
    _display(entry)
    if not ok:
        raise OutcomeError(f"check failed: {name}" + (f" ({detail})" if detail else ""))


def loss_fell(name: str, losses, *, below: float | None = None) -> None:
    """Check that a training loss is finite throughout and ended lower than it started.

    ``losses`` is a sequence of values (per epoch or step), a Keras ``History`` or its dict.
    With ``below``, the last value must also be under that bound (``ln 10`` is what a uniform
    guess over ten classes scores). The smallest outcome a smoke run can assert.
    """
    if below is not None:
        _checks.real_number("below", below)
    if hasattr(losses, "history"):
        losses = losses.history
    if isinstance(losses, Mapping):
        if "loss" not in losses:
            raise ValueError(f"losses has no 'loss' entry; keys: {sorted(losses)}")
        losses = losses["loss"]
    try:
        values = [float(v) for v in losses]
    except (TypeError, ValueError):
        raise TypeError(f"losses={losses!r} must be a sequence of numbers or a History") from None
    if len(values) < 2 and below is None:
        raise ValueError(f"losses={values!r} needs at least two values to show a fall")
    first, last = values[0], values[-1]
    fell = all(math.isfinite(v) for v in values) and (len(values) < 2 or last < first)
    detail = f"{first:.4g} -> {last:.4g}"
    if below is not None:
        fell = fell and last < below
        detail += f", bound {below:.4g}"
    check(name, fell, detail)


def describe(entry: Mapping) -> str:
    """A one-line human reading of a record."""
    unit = entry.get("unit", "")
    if unit == "check":
        return f"{'✔' if entry['passed'] else '✘'} {entry['name']}"
    value = f"{entry['value']:.6g}{' ' + unit if unit else ''}"
    if entry["target"] is None:
        return f"{entry['name']} = {value}"
    sign = "≥" if entry["higher_is_better"] else "≤"
    mark = "✔" if entry["passed"] else "✘"
    return f"{mark} {entry['name']} = {value} (target {sign} {entry['target']:.6g})"


def records() -> list[dict]:
    """Everything recorded in this process, in order."""
    return list(_records)


def reset() -> None:
    _records.clear()


def _display(entry: dict) -> None:
    text = describe(entry)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display({MIMETYPE: entry, "text/plain": text}, raw=True)


def from_notebook(notebook) -> list[dict]:
    """The records displayed in an executed notebook (an ``nbformat`` node), in order."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIMETYPE in data:
                found.append(dict(data[MIMETYPE]))
    return found
