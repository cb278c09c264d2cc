#!/usr/bin/env python3
"""A subscriber of your own, in Python: truced's live events over ZeroMQ,
decoded with the protobuf contract, with no event missed or repeated.

Needs Debian's python3-zmq and python3-protobuf, and the Python module of
the contract, made once with protoc (Debian's protobuf-compiler):

    protoc --python_out=. -I proto proto/truce.proto     # writes truce_pb2.py
    python3 examples/subscriber.py --since 0 --topic claim.new.

This is the Clone pattern `truce watch` uses (tools/client/subscribe.c):
subscribe first, so live events queue up; then ask the query socket for the
stored events after the last one handled; then take live events, skipping
any the catch-up already gave, and fill a jump in seq (events dropped at a
high-water mark) from the query socket before going on.
"""
import argparse
import sys

import zmq

try:
    import truce_pb2 as pb
except ImportError:
    sys.exit("subscriber.py: no truce_pb2 module; run "
             "`protoc --python_out=. -I proto proto/truce.proto` first")


class Subscriber:
    def __init__(self, publish, query, since=None, topics=()):
        self.ctx = zmq.Context()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        # Every topic: a jump in seq must mean a loss, not a filtered topic.
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.connect(publish)
        self.query_ep = query
        self.q = None
        self.topics = tuple(topics)
        self.last = since  # the last seq handled; None: from the first live event

    def _query(self, after):
        """One chunk of stored events after `after` (REQ-like DEALER)."""
        if self.q is None:
            self.q = self.ctx.socket(zmq.DEALER)
            self.q.setsockopt(zmq.LINGER, 0)
            self.q.connect(self.query_ep)
        rq = pb.QueryRequest(kind=pb.QueryRequest.EVENTS_AFTER, after=after, limit=1000)
        self.q.send_multipart([b"", rq.SerializeToString()])
        if not self.q.poll(5000):
            self.q.close()  # a late reply must not answer the next request
            self.q = None
            raise TimeoutError("truced's query socket did not answer")
        reply = pb.QueryReply()
        reply.ParseFromString(self.q.recv_multipart()[-1])
        if not reply.ok:
            raise RuntimeError("query failed: " + reply.error)
        return reply

    def _catch_up(self, upto=None):
        """Stored events after self.last (up to upto), in order."""
        while True:
            reply = self._query(self.last)
            for ev in reply.events:
                if upto is not None and ev.seq > upto:
                    return
                yield ev
            if not reply.more or not reply.events:
                return

    def _accept(self, ev):
        if self.last is not None and ev.seq <= self.last:
            return False  # already handled
        self.last = ev.seq
        return not self.topics or ev.topic.startswith(self.topics)

    def events(self):
        if self.last is not None:
            for ev in self._catch_up():
                if self._accept(ev):
                    yield ev
        while True:
            if not self.sub.poll(2000):
                # A quiet feed: the tail of a burst may have been dropped.
                if self.last is not None:
                    for ev in self._catch_up():
                        if self._accept(ev):
                            yield ev
                continue
            frames = self.sub.recv_multipart()
            if len(frames) != 2:
                continue
            ev = pb.Event()
            ev.ParseFromString(frames[1])
            if self.last is not None and ev.seq > self.last + 1:
                # A hole: fill it from the store before this event.
                for old in self._catch_up(upto=ev.seq - 1):
                    if self._accept(old):
                        yield old
            if self._accept(ev):
                yield ev


def describe(ev):
    name = pb.EventType.Name(ev.type).replace("EVENT_", "").lower()
    if ev.type in (pb.EVENT_CLAIM_NEW, pb.EVENT_CLAIM_CORROBORATED):
        c = ev.claim
        what = "%s accuses %s | %s | %s" % (c.claimant, c.accused or "nobody",
                                          c.event_date or "date unknown", c.source or "unknown source")
    else:
        what = "incident %d %s" % (ev.incident.id, ev.incident.key)
    return "#%d %-20s %s" % (ev.seq, name, what)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connect", default="tcp://127.0.0.1:7702", help="truced's PUB endpoint")
    ap.add_argument("--query", default="tcp://127.0.0.1:7703", help="truced's query endpoint")
    ap.add_argument("--since", type=int, help="start after this event seq (0: from the first)")
    ap.add_argument("--topic", action="append", default=[], help="topic prefix (repeatable)")
    ap.add_argument("--count", type=int, default=0, help="exit after this many events")
    args = ap.parse_args()
    n = 0
    for ev in Subscriber(args.connect, args.query, args.since, args.topic).events():
        print(describe(ev), flush=True)
        n += 1
        if args.count and n >= args.count:
            break


if __name__ == "__main__":
    main()
