#!/usr/bin/env python3
"""/api/events across a truced restart: no event missed, none repeated.

    sse_test.py BASE_URL DIR

Four streams from seq 0 on a store of the seeds: A stays connected and
reconnects by itself with Last-Event-ID when the stream drops (as
EventSource does); G does the same with Accept-Encoding: gzip (as browsers
do), and must get the very same events as A; B reads up to event 10 and
leaves; C asks for two topics only, with gzip. The test writes DIR/phase1 and waits for DIR/phase2, while the shell
restarts truced and collects more articles; then B comes back with
Last-Event-ID: 10, with gzip. Every stream must end with exactly the events it should
have, in seq order, once each. The web side runs with a tiny ring
(--buffer-events 8), so the older events come through the query socket
and the newer ones from the ring.
"""
import json
import os
import sys
import threading
import time

from webclient import SSE, get_json, wait_until

BASE, DIR = sys.argv[1], sys.argv[2]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    os._exit(1)


class Reader(threading.Thread):
    """Reads a stream, reconnecting with Last-Event-ID until stopped."""

    def __init__(self, query, gzip=False):
        super().__init__(daemon=True)
        self.query = query
        self.gzip = gzip
        self.got = []  # (seq, event)
        self.connects = 0
        self.stop = False

    def run(self):
        while not self.stop:
            last = self.got[-1][0] if self.got else None
            try:
                with SSE(BASE + "/api/events?" + self.query, last_event_id=last,
                         gzip=self.gzip) as s:
                    if s.status != 200:
                        fail("stream %s: HTTP %d" % (self.query, s.status))
                    check_encoding(s, self.gzip)
                    if s.headers.get("Content-Type", "").split(";")[0] != "text/event-stream":
                        fail("stream content type %r" % s.headers.get("Content-Type"))
                    self.connects += 1
                    for seq, data in s.events(timeout=5):
                        ev = json.loads(data)
                        if ev["seq"] != seq:
                            fail("id: %d but data seq %d" % (seq, ev["seq"]))
                        self.got.append((seq, ev))
                        if self.stop:
                            return
            except OSError:
                time.sleep(0.2)  # the web side is away: try again


def check_encoding(s, gzip):
    """gzip when asked for, identity otherwise; Vary says it depends."""
    if s.gzip != gzip:
        fail("asked %s, got Content-Encoding %r" % ("gzip" if gzip else "identity",
                                                   s.headers.get("Content-Encoding")))
    if s.headers.get("Vary") != "Accept-Encoding":
        fail("stream without Vary: Accept-Encoding")


def check_run(name, seqs, want):
    if seqs != want:
        dup = len(seqs) - len(set(seqs))
        missing = sorted(set(want) - set(seqs))[:10]
        extra = sorted(set(seqs) - set(want))[:10]
        fail("%s: %d events, %d repeated, missing %s, unexpected %s" %
             (name, len(seqs), dup, missing, extra))


_, stats = get_json(BASE + "/api/stats")
E1 = stats["last_event_seq"]
if E1 < 20:
    fail("the seeds made only %d events" % E1)

a = Reader("since=0")
g = Reader("since=0", gzip=True)
c = Reader("since=0&topic=incident.new.&topic=claim.corroborated.", gzip=True)
a.start()
g.start()
c.start()

# B: up to event 10, then away.
b_first = []
with SSE(BASE + "/api/events?since=0") as s:
    for seq, data in s.events(timeout=5):
        b_first.append(seq)
        if seq == 10:
            break
check_run("B before it left", b_first, list(range(1, 11)))

if not wait_until(lambda: len(a.got) >= E1, 30):
    fail("A has %d of %d events before the restart" % (len(a.got), E1))
open(os.path.join(DIR, "phase1"), "w").close()
print("ok: four streams from seq 0; A has 1..%d; truced restarts now" % E1)

if not wait_until(lambda: os.path.exists(os.path.join(DIR, "phase2")), 120):
    fail("the shell did not restart truced")
_, stats = get_json(BASE + "/api/stats")
E2 = stats["last_event_seq"]
if E2 <= E1:
    fail("no new events after the restart (%d)" % E2)

# B comes back as a browser would: Last-Event-ID of the last event it saw.
b_second = []
with SSE(BASE + "/api/events", last_event_id=10, gzip=True) as s:
    check_encoding(s, True)
    for seq, data in s.events(timeout=5):
        b_second.append(seq)
        if seq == E2:
            break
check_run("B after Last-Event-ID: 10", b_first + b_second, list(range(1, E2 + 1)))
print("ok: B left at 10 and resumed with Last-Event-ID: 10: 11..%d, none missed or repeated" % E2)

if not wait_until(lambda: a.got and a.got[-1][0] >= E2, 30):
    fail("A stalled at %s of %d" % (a.got[-1][0] if a.got else None, E2))
a.stop = True
check_run("A across the restart", [s for s, _ in a.got], list(range(1, E2 + 1)))
print("ok: A read on across the truced restart (%d connection(s), keepalives between): 1..%d once each"
      % (a.connects, E2))

if not wait_until(lambda: g.got and g.got[-1][0] >= E2, 30):
    fail("G (gzip) stalled at %s of %d" % (g.got[-1][0] if g.got else None, E2))
g.stop = True
check_run("G (gzip) across the restart", [s for s, _ in g.got], list(range(1, E2 + 1)))
if [ev for _, ev in g.got] != [ev for _, ev in a.got]:
    fail("G (gzip) and A (identity) got different events")
print("ok: G with Content-Encoding: gzip got the same %d events as A, in order, once each"
      % len(g.got))

want_c = [s for s, ev in a.got
          if ev["topic"].startswith("incident.new.") or ev["topic"].startswith("claim.corroborated.")]
if not want_c:
    fail("no incident.new or claim.corroborated events to filter")
wait_until(lambda: c.got and c.got[-1][0] >= want_c[-1], 30)
c.stop = True
check_run("C (two topics)", [s for s, _ in c.got], want_c)
print("ok: C (gzip) with topic=incident.new.&topic=claim.corroborated.: its %d events, no other"
      % len(want_c))

# ?since past the end waits; a bad Last-Event-ID is a 400.
_, hdr = None, None
from webclient import get
status, _, body = get(BASE + "/api/events?since=x")
if status != 400:
    fail("since=x: %d" % status)
with SSE(BASE + "/api/events", last_event_id="abc") as s:
    if s.status != 400:
        fail("Last-Event-ID: abc gave %d" % s.status)
print("ok: a bad since or Last-Event-ID is a 400")
