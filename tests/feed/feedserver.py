#!/usr/bin/env python3
"""feedserver.py - the HTTP server of the feed tests and the feed benchmark.

Serves feeds the tests write, and misbehaves on purpose, on 127.0.0.1 only
(nothing of the tests reaches the internet). HTTP/1.1 with keep-alive, one
thread per connection.

    feedserver.py --root DIR --port-file FILE [--log FILE] [--tls-cert PEM --tls-key PEM]

With --tls-cert it speaks HTTPS only (the tests' own self-signed certificate).

Paths:
  /f/NAME                  DIR/NAME, with an ETag and a Last-Modified; a
                           conditional GET that matches gets 304. Query:
                           ct=TYPE (Content-Type), gzip=1 or deflate=1
                           (compressed when the client accepts it),
                           nocache=1 (no validators),
                           maxage=S (Cache-Control), truncate=N (first N bytes)
  /fail/N/NAME             the first N requests of this path get 500, then /f/NAME
  /status/CODE/NAME        the first request gets CODE (retry=S: with Retry-After
                           S; retrydate=S: with Retry-After the date S seconds
                           ahead; times=N: the first N), then /f/NAME
  /loop/N                  302 to /loop/N+1, forever
  /slow/S/NAME             sleeps S seconds, then /f/NAME
  /huge/MB                 MB megabytes of feed, chunked, no Content-Length
                           (cl=1: with a Content-Length; gzip=1: gzipped
                           whole, a few hundred kB on the wire)
  /gen/ID                  a generated RSS feed of items=N items (default 20)
                           numbered from start=K, each linking /page/ID/k; its
                           ETag depends only on the query, so a re-poll gets 304
  /grow/ID                 a feed that grows: item k appears k*R seconds after
                           the server started (rate=R; k = 0, 1, ... up to
                           max=M items in all); the newest items=N are listed;
                           delay=S: answer after S seconds
  /page/ID/K               an HTML article page
  /redirect/NAME           301 to /f/NAME

The log (--log) gets one JSON object per line: {"ev": "open"|"close",
"conns": open connections} for connections, and {"ev": "req", "t0" (when
the request came), "t" (when it was answered), "path",
"status", "inm" (If-None-Match), "ims" (If-Modified-Since), "ae"
(Accept-Encoding), "ua", "conns", "inflight"} for requests, so a test can
prove conditional GETs and count connections at once.
"""
import argparse
import email.utils
import gzip
import hashlib
import json
import os
import ssl
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TYPES = {".xml": "application/rss+xml", ".rss": "application/rss+xml",
         ".atom": "application/atom+xml", ".json": "application/feed+json",
         ".html": "text/html; charset=utf-8"}
BODY = ("Armenia accused Azerbaijan of violating the ceasefire near the border village, "
        "the defence ministry said on Wednesday, adding that two soldiers were wounded. ")
# Generated feeds carry news of nothing: thousands of items naming one clash
# would measure truced's incident grouping, not the collector.
GEN_BODY = ("Markets were calm and the weather mild across the region, the statistics "
            "office said in its weekly summary of prices, harvests and road works. ")


class State:
    def __init__(self, root, log):
        self.root = root
        self.log = open(log, "a", buffering=1) if log else None
        self.lock = threading.Lock()
        self.conns = 0
        self.inflight = 0
        self.counts = {}
        self.bombs = {}
        self.start = time.time()

    def write(self, obj):
        if self.log is not None:
            with self.lock:
                self.log.write(json.dumps(obj) + "\n")

    def bump(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


def gen_feed(fid, start, n, host):
    items = []
    for k in range(start + n - 1, start - 1, -1):
        day = 1 + k % 28
        items.append(
            "<item><title>Item %d of feed %s</title>"
            "<link>http://%s/page/%s/%d</link><guid isPermaLink=\"false\">gen-%s-%d</guid>"
            "<pubDate>Wed, %02d Aug 2022 10:15:00 +0400</pubDate>"
            "<description>Item %d of feed %s. %s</description></item>\n"
            % (k, fid, host, fid, k, fid, k, day, k, fid, GEN_BODY))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Generated feed %s</title><link>http://%s/</link>\n%s</channel></rss>\n"
            % (fid, host, "".join(items))).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedserver/1"
    disable_nagle_algorithm = True  # no 40 ms stalls between headers and body

    def setup(self):
        super().setup()
        st = self.server.state
        with st.lock:
            st.conns += 1
            n = st.conns
        st.write({"ev": "open", "t": time.time(), "conns": n})

    def finish(self):
        st = self.server.state
        with st.lock:
            st.conns -= 1
            n = st.conns
        st.write({"ev": "close", "conns": n})
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, body, ctype="text/plain", headers=None, q=None):
        headers = dict(headers or {})
        q = q or {}
        accept = self.headers.get("Accept-Encoding", "")
        if q.get("gzip") == "1" and "gzip" in accept:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
            self.ce = "gzip"
        elif q.get("deflate") == "1" and "deflate" in accept:
            body = zlib.compress(body)  # HTTP's "deflate" is the zlib format
            headers["Content-Encoding"] = "deflate"
            self.ce = "deflate"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.status = status

    def serve_doc(self, body, ctype, mtime, q):
        headers = {}
        if "truncate" in q:
            body = body[: int(q["truncate"])]
        if "maxage" in q:
            headers["Cache-Control"] = "max-age=%s" % q["maxage"]
        if q.get("nocache") != "1":
            enc = (q.get("gzip", "") + q.get("deflate", "")).encode()
            etag = '"%s"' % hashlib.sha1(body + enc).hexdigest()[:16]
            lm = email.utils.formatdate(mtime, usegmt=True)
            headers["ETag"] = etag
            headers["Last-Modified"] = lm
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm is not None and inm == etag) or (inm is None and ims == lm):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", lm)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.status = 304
                return
        self.send_body(200, body, q.get("ct", ctype), headers, q)

    def serve_file(self, name, q):
        path = os.path.join(self.server.state.root, os.path.basename(name))
        try:
            with open(path, "rb") as f:
                body = f.read()
            mtime = os.path.getmtime(path)
        except OSError:
            self.send_body(404, b"not found\n")
            return
        ext = os.path.splitext(name)[1]
        self.serve_doc(body, TYPES.get(ext, "application/xml"), mtime, q)

    def huge(self, mb, q):
        total = mb << 20
        head = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>huge</title>\n'
        item = (b"<item><title>x</title><link>http://h.example/x</link><description>"
                + b"y" * 900 + b"</description></item>\n")
        if q.get("gzip") == "1":  # a gzip bomb: small on the wire, MB megabytes inflated
            st = self.server.state
            with st.lock:
                if mb not in st.bombs:
                    z = zlib.compressobj(1, zlib.DEFLATED, 31)
                    raw = head + item * ((total - len(head)) // len(item) + 1)
                    st.bombs[mb] = z.compress(raw[:total]) + z.flush()
                bomb = st.bombs[mb]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.status = 200
            self.ce = "gzip"
            try:
                self.wfile.write(bomb)
            except OSError:
                self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if q.get("cl") == "1":
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.status = 200
        sent = 0
        chunk = head + item * 1000
        try:
            while sent < total:
                part = chunk[: total - sent]
                if q.get("cl") == "1":
                    self.wfile.write(part)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
            if q.get("cl") != "1":
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client stopped reading: as it should

    def do_GET(self):
        st = self.server.state
        with st.lock:
            st.inflight += 1
            inflight = st.inflight
        self.status = 0
        self.ce = None
        t0 = time.time()
        try:
            self.route()
        finally:
            with st.lock:
                st.inflight -= 1
                conns = st.conns
            st.write({"ev": "req", "t0": t0, "t": time.time(), "path": self.path,
                      "status": self.status,
                      "inm": self.headers.get("If-None-Match"),
                      "ims": self.headers.get("If-Modified-Since"),
                      "ae": self.headers.get("Accept-Encoding"),
                      "ua": self.headers.get("User-Agent"), "ce": self.ce,
                      "conns": conns, "inflight": inflight})

    def route(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        parts = u.path.strip("/").split("/")
        kind = parts[0]
        host = self.headers.get("Host", "127.0.0.1")
        st = self.server.state
        if kind == "f" and len(parts) == 2:
            self.serve_file(parts[1], q)
        elif kind == "fail" and len(parts) == 3:
            if st.bump(self.path) <= int(parts[1]):
                self.send_body(500, b"internal error\n")
            else:
                self.serve_file(parts[2], q)
        elif kind == "status" and len(parts) == 3:
            if st.bump(self.path) <= int(q.get("times", "1")):
                hdr = {"Retry-After": q["retry"]} if "retry" in q else {}
                if "retrydate" in q:  # Retry-After as an HTTP date, S seconds ahead
                    hdr["Retry-After"] = email.utils.formatdate(
                        time.time() + float(q["retrydate"]), usegmt=True)
                self.send_body(int(parts[1]), b"slow down\n", headers=hdr)
            else:
                self.serve_file(parts[2], q)
        elif kind == "loop" and len(parts) == 2:
            self.send_body(302, b"", headers={"Location": "/loop/%d" % (int(parts[1]) + 1)})
        elif kind == "redirect" and len(parts) == 2:
            self.send_body(301, b"", headers={"Location": "/f/" + parts[1]})
        elif kind == "slow" and len(parts) == 3:
            time.sleep(float(parts[1]))
            self.serve_file(parts[2], q)
        elif kind == "huge" and len(parts) == 2:
            self.huge(int(parts[1]), q)
        elif kind == "gen" and len(parts) == 2:
            body = gen_feed(parts[1], int(q.get("start", "0")), int(q.get("items", "20")), host)
            self.serve_doc(body, "application/rss+xml", st.start, q)
        elif kind == "grow" and len(parts) == 2:
            rate = float(q.get("rate", "1"))
            have = int((time.time() - st.start) / rate) + 1
            have = min(have, int(q.get("max", "1000000000")))
            time.sleep(float(q.get("delay", "0")))
            n = min(int(q.get("items", "20")), have)
            self.serve_doc(gen_feed(parts[1], have - n, n, host), "application/rss+xml",
                           st.start, q)
        elif kind == "page" and len(parts) == 3:
            body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Page %s/%s"
                    "</title></head><body><nav>Home | World | Contact</nav><article>"
                    "<h1>Full article %s of feed %s</h1><p>%s</p><p>The full page of item %s "
                    "says more than the feed did.</p></article></body></html>"
                    % (parts[1], parts[2], parts[2], parts[1], BODY, parts[2])).encode()
            self.send_body(200, body, "text/html; charset=utf-8")
        else:
            self.send_body(404, b"not found\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        # the handshake in the connection's thread, not in accept()
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    srv.state = State(a.root, a.log)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
