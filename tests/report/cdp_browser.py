"""A real headless Chromium driven over the DevTools protocol on a pipe.

`--remote-debugging-pipe` speaks CDP as NUL-terminated JSON on file
descriptors 3 (commands in) and 4 (replies and events out), so the standard
library is enough: no websocket client, no chromedriver. The page is opened
from disk; every request the browser issues is recorded, the page's images
are inspected after decoding, and a screenshot is saved.
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
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--window-size=1100,900",
    "--remote-debugging-pipe",
)

IMAGES_SCRIPT = """JSON.stringify(Array.from(document.images).map(i => ({
  alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight})))"""


@dataclass
class PageVisit:
    """What the browser saw while loading one page."""

    requested_urls: list[str] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)
    text: str = ""
    images: list[dict] = field(default_factory=list)

    def network_requests(self) -> list[str]:
        """Requests that went out: not file or data URIs, not stopped by the page's policy."""
        return [
            url
            for url in self.requested_urls
            if not url.startswith(("file:", "data:")) and url not in self.blocked
        ]


class Chromium:
    """One browser process; use as a context manager."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []

    def __enter__(self) -> Chromium:
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        if executable is None:
            raise RuntimeError("chromium is not installed: run scripts/ensure_chromium.sh")
        self._profile = tempfile.mkdtemp(prefix="onlinesim-chromium-")
        to_browser_read, self._to_browser = _high_pipe()
        self._from_browser, from_browser_write = _high_pipe()

        def wire_pipes() -> None:
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            # Open fds are all non-inheritable (Python's default); only 3 and 4 pass.
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._send("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def visit(self, page: Path, screenshot: Path | None = None) -> PageVisit:
        """Open a file in a fresh tab, wait for load, report requests, text and images."""
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Network", "Page", "Runtime"):
            self._send(f"{domain}.enable", session=session)
        self._events.clear()
        self._send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        self._wait_event("Page.loadEventFired", session)
        visit = PageVisit()
        visit.text = self._evaluate("document.body.innerText", session)
        visit.images = json.loads(self._evaluate(IMAGES_SCRIPT, session))
        if screenshot is not None:
            shot = self._send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True},
                session=session,
            )
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        urls_by_request: dict[str, str] = {}
        for event in self._drain_events(session):
            params = event["params"]
            if event["method"] == "Network.requestWillBeSent":
                urls_by_request[params["requestId"]] = params["request"]["url"]
                visit.requested_urls.append(params["request"]["url"])
            if event["method"] == "Network.loadingFailed" and params.get("blockedReason"):
                visit.blocked[urls_by_request[params["requestId"]]] = params["blockedReason"]
        self._send("Target.closeTarget", {"targetId": target})
        return visit

    def _evaluate(self, expression: str, session: str) -> str:
        result = self._send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
        )
        return result["result"]["value"]

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_event(self, method: str, session: str) -> None:
        while not any(
            e["method"] == method and e.get("sessionId") == session for e in self._events
        ):
            self._events.append(self._read_message())

    def _drain_events(self, session: str) -> list[dict]:
        """Events so far, after a short quiet spell so late requests are caught too."""
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._from_browser], [], [], 0.1)
            if ready:
                self._events.append(self._read_message())
        return [e for e in self._events if e.get("sessionId") == session]

    def _read_message(self) -> dict:
        deadline = time.monotonic() + self.timeout_s
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium sent nothing in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)


def _high_pipe() -> tuple[int, int]:
    """A pipe whose ends sit above fd 10, so wiring them onto 3 and 4 clobbers neither."""
    read_end, write_end = os.pipe()
    high = (
        fcntl.fcntl(read_end, fcntl.F_DUPFD_CLOEXEC, 10),
        fcntl.fcntl(write_end, fcntl.F_DUPFD_CLOEXEC, 10),
    )
    os.close(read_end)
    os.close(write_end)
    return high
