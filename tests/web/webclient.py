"""HTTP helpers for the truce web tests: plain urllib/http.client, no
third-party package.

    status, body = get_json(base + "/api/stats")
    with SSE(base + "/api/events?since=0") as s:
        for seq, data in s.events(timeout=10): ...
"""
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib


def get(url, headers=None, method="GET", data=None, timeout=30):
    """(status, headers, body bytes) of one request; HTTP errors are answers."""
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_json(url, headers=None, method="GET"):
    status, hdr, body = get(url, headers, method)
    ctype = hdr.get("Content-Type", "")
    if not ctype.startswith("application/json"):
        raise AssertionError("%s: %d with Content-Type %r: %r" % (url, status, ctype, body[:200]))
    return status, json.loads(body)


class SSE:
    """A Server-Sent Events stream read with http.client; events() yields
    (id, data) for each event (comments and retry: lines are skipped).
    gzip=True asks for Content-Encoding: gzip (as browsers do) and, when
    the answer has it, inflates the stream as it comes."""

    def __init__(self, url, last_event_id=None, headers=None, gzip=False):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        h = dict(headers or {})
        h["Accept"] = "text/event-stream"
        if gzip:
            h["Accept-Encoding"] = "gzip, deflate, br"
        if last_event_id is not None:
            h["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", u.path + ("?" + u.query if u.query else ""), headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.gzip = self.headers.get("Content-Encoding") == "gzip"
        self.inflate = zlib.decompressobj(wbits=31) if self.gzip else None
        self.pending = b""
        self.comments = 0

    def _readline(self):
        """One line (b"" at the end of the stream), inflated if gzip."""
        if not self.gzip:
            return self.resp.readline()
        while b"\n" not in self.pending:
            raw = self.resp.read1(65536)
            if not raw:
                return b""
            self.pending += self.inflate.decompress(raw)
        line, self.pending = self.pending.split(b"\n", 1)
        return line + b"\n"

    def events(self, timeout=30):
        """Events until timeout seconds pass with none."""
        self.conn.sock.settimeout(timeout)
        ev_id, data = None, []
        while True:
            try:
                line = self._readline()
            except (TimeoutError, OSError):
                return
            if not line:
                return
            line = line.decode("utf-8").rstrip("\n")
            if line == "":
                if data:
                    yield ev_id, "\n".join(data)
                ev_id, data = None, []
            elif line.startswith(":"):
                self.comments += 1
            elif line.startswith("id:"):
                ev_id = int(line[3:].strip())
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_until(pred, timeout=30, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return False
