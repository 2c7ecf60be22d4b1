"""dlcourse.browser: the DevTools pipe framing and error detection (no browser needed)."""

import pytest

from dlcourse import browser


def test_messages_are_json_ended_by_nul_and_split_back():
    wire = browser.encode({"id": 1, "method": "A"}) + browser.encode({"id": 2}) + b'{"id"'
    messages, rest = browser.decode(wire)
    assert messages == [{"id": 1, "method": "A"}, {"id": 2}] and rest == b'{"id"'
    with pytest.raises(TypeError, match="message must be a dict"):
        browser.encode("x")
    with pytest.raises(TypeError, match="buffer must be bytes"):
        browser.decode("x")


@pytest.mark.parametrize("event, expected", [
    ({"method": "Runtime.consoleAPICalled",
      "params": {"type": "error", "args": [{"value": "boom"}]}}, "boom"),
    ({"method": "Runtime.exceptionThrown",
      "params": {"exceptionDetails": {"exception": {"description": "TypeError: x"}}}},
     "TypeError: x"),
    ({"method": "Log.entryAdded",
      "params": {"entry": {"level": "error", "text": "Failed to load resource", "url": "u"}}},
     "Failed to load resource u"),
    ({"method": "Runtime.consoleAPICalled",
      "params": {"type": "log", "args": [{"value": "fine"}]}}, None),
    ({"method": "Log.entryAdded", "params": {"entry": {"level": "warning", "text": "w"}}}, None),
])
def test_console_errors_exceptions_and_failed_loads_count_as_errors(event, expected):
    assert browser.is_error(event) == expected


def test_chromium_needs_a_binary_and_a_positive_timeout(monkeypatch):
    monkeypatch.setattr(browser, "EXECUTABLES", ())
    with pytest.raises(FileNotFoundError, match="no Chromium"):
        browser.Chromium()
    with pytest.raises(ValueError, match="timeout must be positive"):
        browser.Chromium("/bin/true", timeout=0)
