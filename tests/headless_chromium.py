"""A small client of a headless Chromium over the DevTools protocol, standard library only.

The browser is started with ``--remote-debugging-pipe``: it reads commands from its file
descriptor 3 and writes answers and events to descriptor 4, each message one JSON object ended
by a NUL byte. No port is opened, so tests running side by side cannot collide.
"""

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

# Debian's package installs ``chromium``; other systems name the same browser differently.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Console messages and log entries at this level are the page's errors.
ERROR_LEVEL = "error"


def find_browser() -> str | None:
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


class Browser:
    """One headless browser with one page; ``open(url)`` loads a page and collects its errors."""

    def __init__(self, executable: str, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def hand_over_pipes():
            # The protocol's fixed descriptors: 3 carries commands in, 4 carries answers out.
            # Copies above both first, so neither pipe end is overwritten by the other's move.
            commands, answers = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                                 for fd in (to_browser_read, from_browser_write))
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        arguments = [executable, "--headless", "--remote-debugging-pipe", "--disable-gpu",
                     "--no-first-run", "--no-default-browser-check", "--mute-audio",
                     f"--user-data-dir={self.profile.name}", "about:blank"]
        if os.geteuid() == 0:  # Chromium refuses to run its sandbox as root.
            arguments.insert(1, "--no-sandbox")
        # close_fds=False keeps descriptors 3 and 4, which do not exist before the hand-over.
        self.process = subprocess.Popen(arguments, preexec_fn=hand_over_pipes, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=self.session)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            self.process.kill()
        self.process.wait(timeout=self.timeout)
        os.close(self._to_browser)
        os.close(self._from_browser)
        self.profile.cleanup()

    # --- the protocol ------------------------------------------------------------------------

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            received = self._receive()
            if received.get("id") == self._next_id:
                if "error" in received:
                    raise RuntimeError(f"{method} failed: {received['error']}")
                return received.get("result", {})
            self.events.append(received)

    def wait_for_event(self, method: str) -> dict:
        while True:
            found = next((event for event in self.events if event.get("method") == method), None)
            if found:
                self.events.remove(found)
                return found
            self.events.append(self._receive())

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from the browser within {self.timeout:.0f} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    # --- what the tests ask ------------------------------------------------------------------

    def open(self, path: Path) -> None:
        """Load a local file and wait until it and its images have loaded."""
        self.call("Page.navigate", session=self.session, url=Path(path).resolve().as_uri())
        self.wait_for_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        answer = self.call("Runtime.evaluate", session=self.session, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"the page's JavaScript failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def errors(self) -> list[str]:
        """Every error the page reported: console errors, uncaught exceptions, failed loads."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] == ERROR_LEVEL:
                found.append(" ".join(str(arg.get("value", arg.get("description", "")))
                                      for arg in params["args"]))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description", details["text"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == ERROR_LEVEL:
                entry = params["entry"]
                found.append(f"{entry['text']} {entry.get('url', '')}".strip())
        return found
