#!/usr/bin/env python3
"""/metrics: a strict parser of the Prometheus text format (0.0.4), and the
counters' movement between two scrapes.

    metrics_test.py parse FILE            exit 1 unless FILE is well-formed
    metrics_test.py delta BEFORE AFTER STATS_JSON
        checks what 5 articles stored, 5 duplicates and 2 rejected messages
        (one of a single frame, one with a body that is not UTF-8) moved
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse(text):
    """{(name, (sorted labels)): value}, asserting the format's rules."""
    types, helps, series = {}, set(), {}
    order = []
    assert text.endswith("\n"), "the exposition ends with a newline"
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d: %r" % (n, line)
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert NAME.match(name) and name not in helps, where
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            assert NAME.match(name) and typ in TYPES and name not in types, where
            assert name.startswith("truce_"), "a truce_ prefix: " + where
            if typ == "counter":
                assert name.endswith("_total"), "a counter ends in _total: " + where
            types[name] = typ
            order.append(name)
            continue
        assert not line.startswith("#") and line.strip(), where
        m = SAMPLE.match(line)
        assert m, where
        name, labels, value = m.group(1), m.group(2), m.group(3)
        fam = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert fam in types and fam == order[-1], "sample after its # TYPE: " + where
        if types[fam] == "histogram":
            assert name != fam, "a histogram has only _bucket, _sum, _count: " + where
        lab = []
        if labels:
            body = labels[1:-1]
            pos = 0
            while pos < len(body):
                lm = LABEL.match(body, pos)
                assert lm, "labels: " + where
                lab.append((lm.group(1), lm.group(2)))
                pos = lm.end()
        v = float(value)
        assert not math.isnan(v), where
        key = (name, tuple(sorted(lab)))
        assert key not in series, "a series twice: " + where
        series[key] = v
    for fam, typ in types.items():
        assert fam in helps, "no # HELP for " + fam
        if typ == "histogram":
            buckets = [(float(dict(k[1])["le"]), v) for k, v in series.items()
                       if k[0] == fam + "_bucket"]
            les = [b[0] for b in buckets]
            assert les == sorted(les) and les[-1] == math.inf, fam + ": le in order, +Inf last"
            counts = [b[1] for b in buckets]
            assert counts == sorted(counts), fam + ": buckets are cumulative"
            assert series[(fam + "_count", ())] == counts[-1], fam + ": _count is the +Inf bucket"
            assert (fam + "_sum", ()) in series, fam + ": _sum"
    return series


def val(s, name, **labels):
    return s[(name, tuple(sorted(labels.items())))]


def delta(a, b, name, **labels):
    """How far a series moved; one that first appears in b started at 0."""
    return val(b, name, **labels) - a.get((name, tuple(sorted(labels.items()))), 0)


def main():
    if sys.argv[1] == "parse":
        series = parse(open(sys.argv[2]).read())
        print("ok: %s: %d series, well-formed" % (sys.argv[2], len(series)))
        return
    a = parse(open(sys.argv[2]).read())
    b = parse(open(sys.argv[3]).read())
    stats = json.load(open(sys.argv[4]))
    checks = [
        (delta(a, b, "truce_articles_received_total"), 12, "received"),
        (delta(a, b, "truce_articles_stored_total"), 5, "stored"),
        (delta(a, b, "truce_articles_duplicate_total"), 5, "duplicate"),
        (delta(a, b, "truce_articles_rejected_total", reason="frames"), 1, "rejected: frames"),
        (delta(a, b, "truce_articles_rejected_total", reason="bad_utf8"), 1, "rejected: bad_utf8"),
        (delta(a, b, "truce_articles_rejected_total", reason="too_large"), 0, "rejected: too_large"),
        (delta(a, b, "truce_claims_extracted_total"), stats["claims"], "claims"),
        (sum(delta(a, b, "truce_events_published_total", type=t) for t in
             ("claim.new", "claim.corroborated", "incident.new", "incident.update")),
         stats["events"], "events published"),
        (delta(a, b, "truce_events_published_total", type="incident.new"), stats["incidents"],
         "incident.new events = incidents"),
        (delta(a, b, "truce_batch_messages_sum"), 12, "messages in batches"),
        (delta(a, b, "truce_batch_messages_count"), delta(a, b, "truce_batches_total"),
         "one batch-size observation per batch"),
        (delta(a, b, "truce_commit_duration_seconds_count"), delta(a, b, "truce_batches_total"),
         "one commit time per batch"),
        (delta(a, b, "truce_extract_duration_seconds_count"), delta(a, b, "truce_batches_total"),
         "one extraction time per batch"),
        (delta(a, b, "truce_ack_latency_seconds_count"), 12, "one ack latency per message"),
        (delta(a, b, "truce_collector_articles_total", collector="truce-collect", status="stored"),
         5, "collector truce-collect stored"),
        (delta(a, b, "truce_collector_articles_total", collector="truce-collect",
               status="duplicate"), 5, "collector truce-collect duplicate"),
        (val(b, "truce_store_articles"), stats["articles"], "store articles"),
        (val(b, "truce_store_claims"), stats["claims"], "store claims"),
        (val(b, "truce_store_incidents"), stats["incidents"], "store incidents"),
        (val(b, "truce_quarantine_messages"), stats["quarantined"], "quarantine"),
        (val(b, "truce_last_event_seq"), stats["last_event_seq"], "last event seq"),
        (val(b, "truce_up"), 1, "up"),
    ]
    rejected_unknown = [k for k in b if k[0] == "truce_collector_articles_total" and
                        dict(k[1]).get("status") == "rejected" and dict(k[1])["collector"] == ""]
    assert rejected_unknown and b[rejected_unknown[0]] - a.get(rejected_unknown[0], 0) == 2, \
        "two rejected messages with no collector_id"
    assert val(b, "truce_subscribers") >= 1, "the web side's subscriber is counted"
    assert delta(a, b, "truce_batches_total") >= 3, "at least one batch per send"
    assert delta(a, b, "truce_commit_duration_seconds_sum") > 0, "commit time measured"
    assert delta(a, b, "truce_query_requests_total", kind="metrics") >= 1, "metrics queries"
    assert 0 < val(b, "truce_store_map_used_ratio") < 1, "map use"
    bad = [(what, got, want) for got, want, what in checks if got != want]
    assert not bad, "counters moved wrongly: %r" % bad
    print("ok: %d counters moved by the right amounts after 5 stored, 5 duplicate, "
          "2 rejected" % (len(checks) + 8))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        sys.exit("FAIL: %s" % e)
