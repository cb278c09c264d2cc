#!/usr/bin/env python3
"""A webhook receiver that misbehaves on purpose, for the webhook test.

    hook_receiver.py DIR [--fail N] [--down S] [--delay S] [--hold FILE]

Listens on a free loopback port (written to DIR/port). The first N POSTs get
HTTP 500; then it stops listening for S seconds (connections are refused),
then listens on the same port again and answers 200, each after --delay
seconds. With --hold, every POST is held unanswered until FILE exists (its
arrival logged at once, as {"arrived": seq}): a receiver that hangs. Every
answered request is logged to DIR/requests.jsonl: the headers that carry
the event seq, the seq inside the JSON body, and the status given.
Runs until killed.
"""
import argparse
import http.server
import json
import os
import time

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--fail", type=int, default=3)
ap.add_argument("--down", type=float, default=3)
ap.add_argument("--delay", type=float, default=0)
ap.add_argument("--hold")
args = ap.parse_args()

log = open(os.path.join(args.dir, "requests.jsonl"), "a", buffering=1)
state = {"requests": 0, "go_down": False}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if args.hold:
            log.write(json.dumps({"arrived": self.headers.get("X-Truce-Seq"),
                                  "t": time.time()}) + "\n")
            while not os.path.exists(args.hold):
                time.sleep(0.05)
        state["requests"] += 1
        failing = state["requests"] <= args.fail
        status = 500 if failing else 200
        if not failing and args.delay:
            time.sleep(args.delay)
        try:
            body_seq = json.loads(body)["seq"]
        except (ValueError, KeyError):
            body_seq = None
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        log.write(json.dumps({"seq": self.headers.get("X-Truce-Seq"),
                              "key": self.headers.get("Idempotency-Key"),
                              "topic": self.headers.get("X-Truce-Topic"),
                              "type": self.headers.get("Content-Type"),
                              "body_seq": body_seq, "status": status,
                              "t": time.time()}) + "\n")
        if state["requests"] == args.fail:
            state["go_down"] = True

    def log_message(self, *a):
        pass


def serve(port):
    http.server.HTTPServer.allow_reuse_address = True
    return http.server.HTTPServer(("127.0.0.1", port), Handler)


srv = serve(0)
port = srv.server_address[1]
with open(os.path.join(args.dir, "port.tmp"), "w") as f:
    f.write(str(port))
os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
while True:
    srv.handle_request()
    if state["go_down"]:
        state["go_down"] = False
        srv.server_close()
        log.write(json.dumps({"down": args.down, "t": time.time()}) + "\n")
        time.sleep(args.down)
        srv = serve(port)
        log.write(json.dumps({"up": True, "t": time.time()}) + "\n")
