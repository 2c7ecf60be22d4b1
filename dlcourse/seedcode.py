"""Run a seed article's code block verbatim and report how it ends.

The blocks live once, verbatim, in ``dlcourse.seed_blocks``; ``show`` prints one with its line
numbers and returns its text, and ``run`` executes a block in a fresh namespace: the first
exception is caught and reported as ``TypeName: message`` with the seed line where it stopped,
and the warnings it raised are collected. A notebook can then assert what happened with
``outcomes.check``, and "Run all" in JupyterLab does not stop at the seed's error.
"""

from __future__ import annotations

import re
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

MESSAGE_CHARS = 300


@dataclass
class SeedRun:
    """How a seed block ended: its error (None if it ran through), where, and its warnings."""

    label: str
    error: BaseException | None
    line: int | None = None
    line_text: str = ""
    warnings: list[str] = field(default_factory=list)
    namespace: dict = field(default_factory=dict, repr=False)

    @property
    def raised(self) -> bool:
        return self.error is not None

    @property
    def error_name(self) -> str:
        return "" if self.error is None else type(self.error).__name__

    def is_a(self, *types: type) -> bool:
        """True when the block raised an instance of one of ``types``."""
        return self.error is not None and isinstance(self.error, types)

    def __str__(self) -> str:
        if self.error is None:
            return f"{self.label}: ran to the end without an error"
        return (f"{self.label} stops at line {self.line}: {self.line_text}\n"
                f"{self.error_name}: {short_message(self.error)}")


def short_message(error: BaseException, limit: int = MESSAGE_CHARS) -> str:
    """The first line of an exception's message, cut to ``limit`` characters."""
    if not isinstance(error, BaseException):
        raise TypeError(f"error={error!r} must be an exception")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 10:
        raise ValueError(f"limit={limit!r} must be an integer >= 10")
    text = getattr(error, "message", None) or str(error)
    text = re.sub(r"^\{\{[^}]*\}\}\s*", "", str(text))   # TensorFlow's "{{function_node ...}}"
    lines = [line for line in str(text).splitlines() if line.strip()]
    first = lines[0].strip() if lines else ""
    return first if len(first) <= limit else first[:limit - 1] + "…"


def _failing_line(error: BaseException, filename: str) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return frames[-1].lineno if frames else None


def block(name: str) -> str:
    """The seed code block ``name`` (e.g. ``"000 §4.4"``), verbatim."""
    from dlcourse.seed_blocks import BLOCKS

    if name not in BLOCKS:
        raise ValueError(f"name={name!r} is not a seed code block; choose one of {sorted(BLOCKS)}")
    return BLOCKS[name]


def show(name: str) -> str:
    """Print the seed block ``name`` with line numbers (errors name them) and return its text."""
    source = block(name)
    print(f"seed {name}, verbatim:")
    for number, line in enumerate(source.splitlines(), start=1):
        print(f"{number:3d} | {line}")
    return source


def run(source: str, label: str, *, given: Mapping | None = None, show: bool = True) -> SeedRun:
    """Execute ``source`` (a seed block, verbatim) in a fresh namespace and report its end.

    ``given`` pre-defines names the seed assumes but never defines (its data, say); they are
    copied into the namespace first. Any ``Exception`` is caught and returned; warnings are
    collected as ``Category: message``. With ``show`` the outcome is printed.
    """
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"source={source!r} must be a non-empty string of Python code")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label={label!r} must be a non-empty string naming the seed block")
    if given is not None and not isinstance(given, Mapping):
        raise TypeError(f"given={given!r} must be a mapping of name -> value, or None")
    filename = f"<{label}>"
    lines = source.splitlines()
    namespace = {"__name__": "__seed__", **(dict(given) if given else {})}
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the seed's code
        except Exception as raised:  # noqa: BLE001 - whatever the seed raises is the lesson
            error = raised
    line = None if error is None else _failing_line(error, filename)
    if error is not None and line is None and isinstance(error, SyntaxError):
        line = error.lineno
    text = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
    found = [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught]
    result = SeedRun(label=label, error=error, line=line, line_text=text,
                     warnings=list(dict.fromkeys(found)), namespace=namespace)
    if show:
        for warning in result.warnings:
            print(f"warning: {warning}")
        print(result)
    return result
