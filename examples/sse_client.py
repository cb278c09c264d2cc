#!/usr/bin/env python3
"""truce's live events over HTTP: a Server-Sent Events client of `truce
web`'s /api/events, with the standard library only.

    python3 examples/sse_client.py --url http://127.0.0.1:7780 --since 0

Each event comes as "id: <seq>" and "data: <JSON>". When the connection
drops (truce web restarted, the network went away) the client connects
again and sends Last-Event-ID: the seq of the last event it handled, and the
server goes on right after it: nothing missed, nothing twice.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def stream(url, since=None, topics=(), token=None):
    """Yields each event (a dict), reconnecting after a drop."""
    last = since
    while True:
        q = [("topic", t) for t in topics]
        if last is not None:
            q.append(("since", str(last)))
        req = urllib.request.Request(url.rstrip("/") + "/api/events?" +
                                     urllib.parse.urlencode(q))
        req.add_header("Accept", "text/event-stream")
        if last is not None:
            req.add_header("Last-Event-ID", str(last))
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                data = []
                for raw in r:
                    line = raw.decode("utf-8").rstrip("\n")
                    if line.startswith("data:"):
                        data.append(line[5:].lstrip(" "))
                    elif line == "" and data:
                        ev = json.loads("\n".join(data))
                        data = []
                        last = ev["seq"]
                        yield ev
                    # "id:", "retry:" and ": keepalive" lines need nothing here.
        except urllib.error.HTTPError as e:
            sys.exit("sse_client.py: %s: HTTP %d %s" % (url, e.code, e.read().decode()))
        except OSError as e:
            print("sse_client.py: %s; reconnecting after %s" % (e, last), file=sys.stderr)
            time.sleep(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:7780")
    ap.add_argument("--since", type=int, help="start after this event seq (0: from the first)")
    ap.add_argument("--topic", action="append", default=[], help="topic prefix (repeatable)")
    ap.add_argument("--token-file", help="the token of a truce web started with --token-file")
    ap.add_argument("--count", type=int, default=0, help="exit after this many events")
    args = ap.parse_args()
    token = open(args.token_file).readline().strip() if args.token_file else None
    n = 0
    for ev in stream(args.url, args.since, args.topic, token):
        c = ev.get("claim") or {}
        print("#%d %-20s %s" % (ev["seq"], ev["type"],
                                "%s accuses %s" % (c.get("claimant"), c.get("accused") or "nobody")
                                if ev["type"].startswith("claim") else
                                "incident %s" % (ev.get("incident") or {}).get("id", c.get("incident"))),
              flush=True)
        n += 1
        if args.count and n >= args.count:
            break


if __name__ == "__main__":
    main()
