"""Headless Chromium over the DevTools protocol, through a pipe (no websocket, no extra package).

Used by the site's test: open a page, wait for it to load, evaluate JavaScript, take a
screenshot, and collect what the console reported as an error::

    with Chromium() as browser:
        page = browser.open("http://127.0.0.1:8000/index.html")
        page.evaluate("document.title")
        page.screenshot(Path("build/site-shots/index.png"))
        assert not browser.errors

Chromium reads commands from its file descriptor 3 and writes replies and events to 4
(``--remote-debugging-pipe``), each a JSON message ended by a NUL byte.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

EXECUTABLES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    """Chromium did not answer, answered with an error, or exited."""


def executable() -> str | None:
    """The Chromium binary of this machine (Debian's ``chromium``), or None."""
    return next((path for path in EXECUTABLES if os.access(path, os.X_OK)), None)


def encode(message: dict) -> bytes:
    """A DevTools message as the pipe carries it: JSON, then a NUL byte."""
    if not isinstance(message, dict):
        raise TypeError(f"message must be a dict, got {type(message).__name__}")
    return json.dumps(message).encode() + b"\0"


def decode(buffer: bytes) -> tuple[list[dict], bytes]:
    """The complete messages at the start of ``buffer`` and the incomplete rest."""
    if not isinstance(buffer, (bytes, bytearray)):
        raise TypeError(f"buffer must be bytes, got {type(buffer).__name__}")
    *complete, rest = bytes(buffer).split(b"\0")
    return [json.loads(part) for part in complete if part], rest


def is_error(event: dict) -> str | None:
    """The text of a console error, an uncaught exception or a failed load; None otherwise."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        return " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        return details.get("exception", {}).get("description") or details.get("text", "")
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        return f"{entry.get('text', '')} {entry.get('url', '')}".strip()
    return None


class Page:
    """One tab, attached through a flat DevTools session."""

    def __init__(self, browser: Chromium, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None, timeout: float | None = None):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float | None = None):
        """The value of a JavaScript expression (promises awaited); raises on an exception."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                               "returnByValue": True}, timeout=timeout)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} raised: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the viewport at ``path``."""
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


class Chromium:
    """A headless Chromium with a fresh profile; always ended by ``close`` (or ``with``)."""

    def __init__(self, binary: str | None = None, *, timeout: float = 30.0,
                 size: tuple[int, int] = (1280, 900)):
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.binary = binary or executable()
        if self.binary is None:
            raise FileNotFoundError(f"no Chromium at {' or '.join(EXECUTABLES)} "
                                    "(Debian: apt-get install chromium)")
        self.timeout, self.size = timeout, size
        self.errors: list[str] = []
        self._events: list[dict] = []
        self._next_id, self._buffer, self._process = 0, b"", None

    def __enter__(self) -> Chromium:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="dlcourse-chromium-")
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def wire_pipes():  # in the child, before exec: its fd 3 reads commands, fd 4 replies
            high_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        width, height = self.size
        command = [self.binary, *FLAGS, f"--user-data-dir={self._profile}",
                   f"--window-size={width},{height}", "about:blank"]
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, close_fds=False,
                                             preexec_fn=wire_pipes)
        finally:
            os.close(commands_read)
            os.close(replies_write)
        self.send("Browser.getVersion")

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                if process.poll() is None:
                    os.write(self._commands, encode({"id": -1, "method": "Browser.close"}))
                    process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait(timeout=5)
            finally:
                for fd in (self._commands, self._replies):
                    os.close(fd)
        if getattr(self, "_profile", None):
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def send(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float | None = None) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        if self._process is None:
            raise BrowserError("the browser is not running")
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, encode(message))
        reply = self._wait(lambda m: m.get("id") == message["id"], timeout, method)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        """The first event named ``method`` (one that already arrived counts)."""
        for event in self._events:
            if event.get("method") == method:
                self._events.remove(event)
                return event
        return self._wait(lambda m: m.get("method") == method, timeout, method)

    def _wait(self, wanted, timeout: float | None, what: str) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            messages, self._buffer = decode(self._buffer)
            found = None
            for number, message in enumerate(messages):
                if wanted(message):
                    found = message
                    self._buffer = b"".join(encode(m) for m in messages[number + 1:]) + \
                        self._buffer
                    break
                self._keep(message)
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer to {what} within {timeout or self.timeout} s")
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited while waiting for {what}")
                self._buffer += chunk

    def _keep(self, event: dict) -> None:
        if "method" not in event:
            return
        error = is_error(event)
        if error is not None:
            self.errors.append(error)
        self._events.append(event)

    def open(self, url: str, timeout: float | None = None) -> Page:
        """A new tab at ``url``, returned once its load event fired."""
        if not isinstance(url, str) or "://" not in url:
            raise ValueError(f"url must be an absolute URL, got {url!r}")
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        self._events = [e for e in self._events if e.get("method") != "Page.loadEventFired"]
        page.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", timeout)
        return page
