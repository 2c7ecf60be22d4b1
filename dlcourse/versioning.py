"""A throw-away Git + DVC repository for chapter 15: real commands, always removed.

``TemporaryRepo`` makes a folder under the system's temporary directory, runs ``git init`` in
it, and removes the folder (with DVC's cache inside it) when the ``with`` block ends, when
``cleanup()`` is called, or when Python exits::

    with versioning.TemporaryRepo() as repo:
        repo.git("status")
        repo.dvc("init")

``repo.git(...)`` and ``repo.dvc(...)`` run the real command line (DVC as ``python -m dvc`` with
this Python, so it is the DVC installed beside the notebook), print it as a learner would type it
(``$ dvc add data.npz``) with its output, and raise ``CommandError`` with that output when it
fails. Commits are made as a fixed course author, whatever the machine's Git configuration.
DVC runs offline: no usage report, no update check, no background daemon, and its per-machine
cache of file hashes lives inside the temporary folder instead of ``/var/tmp/dvc``.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dlcourse import _checks

COMMAND_TIMEOUT = 120.0     # seconds for one git or dvc command
AUTHOR = ("dlcourse", "dlcourse@example.invalid")

# What a terminal would animate and a notebook shows as debris: escape sequences, spinner lines.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SPINNER = re.compile(r"^\s*[\u2800-\u28ff].*$\n?", re.MULTILINE)

_open: set[TemporaryRepo] = set()


def readable(output: str) -> str:
    """Command output without terminal escape sequences, spinner lines and blank runs."""
    if not isinstance(output, str):
        raise TypeError(f"output={output!r} must be a string")
    text = _SPINNER.sub("", _ESCAPES.sub("", output))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class CommandError(RuntimeError):
    """A git or dvc command exited with a non-zero status (its output is in the message)."""


def file_digest(path, algorithm: str = "md5") -> str:
    """The hex digest of a file's bytes (``md5``, DVC's default, or ``sha256``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path={path!r} must be a path (str or Path)")
    _checks.one_of("algorithm", algorithm, ("md5", "sha256"))
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _arguments(name: str, args) -> list[str]:
    if not args:
        raise ValueError(f"{name}() needs at least one argument, e.g. {name}('status')")
    bad = [a for a in args if not isinstance(a, (str, os.PathLike))]
    if bad:
        raise TypeError(f"{name} arguments must be strings or paths; got {bad[0]!r}")
    return [os.fspath(a) for a in args]


class TemporaryRepo:
    """A Git repository in a fresh temporary folder, removed by ``cleanup()`` (always safe)."""

    def __init__(self, *, prefix: str = "dlcourse-repo-", echo: bool = True,
                 timeout: float = COMMAND_TIMEOUT, python: str = sys.executable):
        _checks.non_empty_str("prefix", prefix)
        if os.sep in prefix or (os.altsep and os.altsep in prefix):
            raise ValueError(f"prefix={prefix!r} must be a name, not a path")
        self.echo = _checks.boolean("echo", echo)
        timeout = _checks.real_number("timeout", timeout)
        if not 0 < timeout < float("inf"):
            raise ValueError(f"timeout={timeout!r} must be a positive number of seconds")
        self.timeout = timeout
        self.python = _checks.non_empty_str("python", python)
        self._base = Path(tempfile.mkdtemp(prefix=prefix))
        self.path = self._base / "project"
        self.path.mkdir()
        _open.add(self)
        name, email = AUTHOR
        self.env = {
            **os.environ,
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
            "DVC_NO_ANALYTICS": "1", "DVC_DAEMON": "1",   # "1": we are the daemon, spawn none
            "DVC_SITE_CACHE_DIR": str(self._base / "dvc-site-cache"),
        }
        try:
            self.git("init", "-q", "-b", "main", echo=False)
            self.git("config", "commit.gpgsign", "false", echo=False)
        except BaseException:
            self.cleanup()
            raise

    @property
    def exists(self) -> bool:
        return self._base.exists()

    def run(self, command, *, shown: str | None = None, echo: bool | None = None) -> str:
        """Run ``command`` (a list) in the repository; print it and its output; return stdout."""
        if isinstance(command, (str, bytes)) or not isinstance(command, (list, tuple)):
            raise TypeError(f"command={command!r} must be a list of strings (program first)")
        command = _arguments("run", command)
        if not self.exists:
            raise CommandError(f"the repository {self.path} was removed already")
        echo = self.echo if echo is None else _checks.boolean("echo", echo)
        shown = shown or shlex.join(command)
        try:
            done = subprocess.run(command, cwd=self.path, env=self.env, capture_output=True,
                                  text=True, timeout=self.timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as error:
            raise CommandError(f"$ {shown}\ndid not finish within timeout={self.timeout:g} s") \
                from error
        output = readable(done.stdout + done.stderr)
        if echo:
            print(f"$ {shown}" + (f"\n{output}" if output else ""))
        if done.returncode != 0:
            raise CommandError(f"$ {shown}\nexited with status {done.returncode}:\n{output}")
        return done.stdout

    def git(self, *args, echo: bool | None = None) -> str:
        """``git ARGS`` in the repository; returns its standard output."""
        args = _arguments("git", args)
        return self.run(["git", *args], shown=shlex.join(["git", *args]), echo=echo)

    def dvc(self, *args, echo: bool | None = None) -> str:
        """``dvc ARGS`` in the repository, run as ``python -m dvc ARGS``; returns its output."""
        args = _arguments("dvc", args)
        return self.run([self.python, "-m", "dvc", *args], shown=shlex.join(["dvc", *args]),
                        echo=echo)

    def file(self, name) -> Path:
        """The path of ``name`` inside the repository (which must stay inside it)."""
        if not isinstance(name, (str, os.PathLike)) or not os.fspath(name):
            raise TypeError(f"name={name!r} must be a non-empty relative path")
        path = (self.path / name).resolve()
        if self.path.resolve() not in path.parents:
            raise ValueError(f"name={name!r} points outside the repository")
        return path

    def cleanup(self) -> None:
        """Remove the repository, its DVC cache and everything else in its folder."""
        _open.discard(self)
        shutil.rmtree(self._base, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.cleanup()
        return False

    def __repr__(self):
        return f"TemporaryRepo({self.path}, {'exists' if self.exists else 'removed'})"


@atexit.register
def _remove_all() -> None:
    """Remove every repository this Python made and did not remove (a failed cell)."""
    for repo in list(_open):
        repo.cleanup()
