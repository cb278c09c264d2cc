#!/usr/bin/env python3
"""A small Chrome DevTools Protocol client for the browser tests.

Debian's chromium runs headless with --remote-debugging-pipe: commands go to
its fd 3 and replies and events come from its fd 4, one JSON message each,
ended by a NUL byte. No WebSocket library is needed, and no port is opened.

    with Browser() as b:
        page = b.open("http://127.0.0.1:7780/")
        page.wait_for("document.body.dataset.ready === '1'")
        page.eval("document.title")
        page.screenshot("out.png")

Also a command: cdp.py screenshot URL OUT.png [WIDTH HEIGHT] [WAIT_EXPR]
"""
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CHROMIUM = os.environ.get("TRUCE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe"]


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, width=1280, height=1600):
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="truce-chromium.")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()

        def child_fds():
            # Move the pipe ends to 3 and 4 by way of fds above both.
            a = fcntl.fcntl(to_r, fcntl.F_DUPFD, 20)
            b = fcntl.fcntl(from_w, fcntl.F_DUPFD, 20)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM] + FLAGS + ["--user-data-dir=" + self.profile,
                                  "--window-size=%d,%d" % (width, height), "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            close_fds=False, preexec_fn=child_fds)
        os.close(to_r)
        os.close(from_w)
        self.out = os.fdopen(to_w, "wb", buffering=0)
        self.inp = os.fdopen(from_r, "rb", buffering=0)
        self.next_id = 0
        self.lock = threading.Lock()
        self.replies = {}
        self.cond = threading.Condition(self.lock)
        self.events = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        buf = b""
        while True:
            chunk = self.inp.read(65536)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self.cond:
                        self.replies[msg["id"]] = msg
                        self.cond.notify_all()
                else:
                    self.events.put(msg)
        with self.cond:
            self.replies[-1] = {"error": {"message": "chromium exited"}}
            self.cond.notify_all()

    def send(self, method, params=None, session=None, timeout=30):
        with self.lock:
            self.next_id += 1
            mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.out.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        with self.cond:
            while mid not in self.replies and -1 not in self.replies:
                left = deadline - time.time()
                if left <= 0:
                    raise CDPError("no reply to %s in %d s" % (method, timeout))
                self.cond.wait(left)
            reply = self.replies.pop(mid, None) or self.replies[-1]
        if "error" in reply:
            raise CDPError("%s: %s" % (method, reply["error"].get("message")))
        return reply.get("result", {})

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False}, session=session)
        page.navigate(url)
        return page

    def drain_events(self):
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session
        self.seen = []  # events of this page: console, exceptions, dialogs, log entries

    def send(self, method, params=None, timeout=30):
        return self.b.send(method, params, session=self.session, timeout=timeout)

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})

    def eval(self, expr, timeout=30):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in r:
            raise CDPError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def collect(self):
        for ev in self.b.drain_events():
            if ev.get("sessionId") == self.session:
                self.seen.append(ev)
        return self.seen

    def wait_event(self, method, timeout=30):
        """The next event of this page named method (earlier ones are kept)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                ev = self.b.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if ev.get("sessionId") != self.session:
                continue
            self.seen.append(ev)
            if ev.get("method") == method:
                return ev["params"]
        raise CDPError("no %s within %d s" % (method, timeout))

    def wait_for(self, expr, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.eval(expr):
                    return True
            except CDPError:
                pass
            time.sleep(0.2)
        raise CDPError("timed out waiting for %s" % expr)

    def screenshot(self, path):
        r = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


def main(argv):
    if len(argv) < 4 or argv[1] != "screenshot":
        sys.exit("usage: cdp.py screenshot URL OUT.png [WIDTH HEIGHT] [WAIT_EXPR]")
    width = int(argv[4]) if len(argv) > 4 else 1280
    height = int(argv[5]) if len(argv) > 5 else 1600
    wait = argv[6] if len(argv) > 6 else "document.body.dataset.ready === '1'"
    with Browser(width, height) as b:
        page = b.open(argv[2])
        page.wait_for(wait)
        time.sleep(0.5)
        page.screenshot(argv[3])


if __name__ == "__main__":
    main(sys.argv)
