"""Argument checks for the public functions: each error names the value and what is allowed."""

from __future__ import annotations

import numbers
from collections.abc import Iterable


def one_of(name: str, value, allowed: Iterable):
    allowed = tuple(allowed)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {choices}")
    return value


def positive_int(name: str, value, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "a positive integer or None" if allow_none else "a positive integer"
        raise TypeError(f"{name}={value!r} must be {kind}")
    if value <= 0:
        raise ValueError(f"{name}={value!r} must be a positive integer")
    return int(value)


def non_negative_int(name: str, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}={value!r} must be a non-negative integer")
    if value < 0:
        raise ValueError(f"{name}={value!r} must be a non-negative integer")
    return int(value)


def boolean(name: str, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be True or False")
    return value


def real_number(name: str, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={value!r} must be a real number")
    return float(value)


def non_empty_str(name: str, value):
    if not isinstance(value, str):
        raise TypeError(f"{name}={value!r} must be a string")
    if not value.strip():
        raise ValueError(f"{name}={value!r} must be a non-empty string")
    return value
