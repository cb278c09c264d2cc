#!/usr/bin/env python3
"""verify.py - the chaos test's checks, on files the tools wrote.

    verify.py --all ALL.jsonl --report R.json [--report ...] --replay REPLAY.jsonl
              --claims CLAIMS.jsonl --events EVENTS.jsonl --stats STATS.json
              [--reextract EXTRACT.jsonl]

ALL.jsonl: every article generated, once. R.json: a `truce collect --json`
report. REPLAY.jsonl: `truce replay --data`. CLAIMS.jsonl: `truce export
--data --claims --format jsonl`. EVENTS.jsonl: `truce watch --since 0 --json`
(backfilled from the query socket). STATS.json: `truce stats --json`.
EXTRACT.jsonl: `truce extract --jsonl ALL.jsonl` (the claims the extractor
finds in each article offline, to compare with what the daemon derived).

Prints the counts and every violated property; exits 1 when one is.
"""
import argparse
import collections
import json
import sys

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", required=True)
    ap.add_argument("--report", action="append", required=True)
    ap.add_argument("--replay", required=True)
    ap.add_argument("--claims", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--reextract")
    ap.add_argument("--incidents", help="truce export --data --incidents --format jsonl")
    ap.add_argument("--min-largest", type=int, default=0,
                    help="the largest incident must hold at least this many claims")
    a = ap.parse_args()

    every = {r["id"]: r for r in load(a.all)}
    stored = load(a.replay)
    stats = json.load(open(a.stats))

    # 1. The article log: seqs 1..M, one hash chain, each article once and
    #    byte for byte as generated.
    seqs = [r["seq"] for r in stored]
    check(seqs == list(range(1, len(seqs) + 1)), "article seqs are not 1..M")
    check(not stored or stored[0]["prev_hash"] == "0" * 64, "chain does not start at zero")
    breaks = sum(1 for i in range(1, len(stored)) if stored[i]["prev_hash"] != stored[i - 1]["hash"])
    check(breaks == 0, f"hash chain broken at {breaks} places")
    ids = collections.Counter(r["article"]["id"] for r in stored)
    twice = [i for i, n in ids.items() if n > 1]
    check(not twice, f"{len(twice)} articles stored more than once, e.g. {twice[:5]}")
    missing = sorted(set(every) - set(ids))
    check(not missing, f"{len(missing)} generated articles not in the store, e.g. {missing[:5]}")
    extra = sorted(set(ids) - set(every))
    check(not extra, f"{len(extra)} unknown articles in the store, e.g. {extra[:5]}")
    changed = sum(1 for r in stored if r["article"]["id"] in every
                  and r["article"]["body"] != every[r["article"]["id"]]["body"])
    check(changed == 0, f"{changed} stored bodies differ from what was sent")
    by_seq = {r["seq"]: r["article"]["id"] for r in stored}

    # 2. The acks: every article acked STORED or DUPLICATE, with the seq it
    #    is stored under; at most one STORED ack per article over all
    #    collectors (a second one would mean it was stored twice).
    acked, stored_acks = 0, collections.Counter()
    status_count = collections.Counter()
    for path in a.report:
        for r in load(path):
            status_count[r["status"]] += 1
            if not check(r["status"] in ("STORED", "DUPLICATE"),
                         f"{path}: {r['id']} acked {r['status']}"):
                continue
            acked += 1
            check(by_seq.get(r["seq"]) == r["id"],
                  f"{r['id']} acked with seq {r['seq']}, which holds {by_seq.get(r['seq'])}")
            if r["status"] == "STORED":
                stored_acks[r["id"]] += 1
    twice_stored = [i for i, n in stored_acks.items() if n > 1]
    check(not twice_stored, f"{len(twice_stored)} articles acked STORED twice")

    # 3. Claims: ids 1..C, each on a stored article, never derived twice.
    claims = load(a.claims)
    cids = sorted(c["id"] for c in claims)
    check(cids == list(range(1, len(cids) + 1)), "claim ids are not 1..C")
    check(all(c["article_seq"] in by_seq for c in claims), "a claim of an unknown article")
    keys = collections.Counter((c["article_seq"], c["claimant"], c["accused"],
                                c["evidence_start"], c["evidence_end"]) for c in claims)
    dup = [k for k, n in keys.items() if n > 1]
    check(not dup, f"{len(dup)} claims derived twice, e.g. {dup[:3]}")
    per_article = collections.Counter(by_seq[c["article_seq"]] for c in claims
                                      if c["article_seq"] in by_seq)
    reextracted = None
    if a.reextract:
        offline = {r["id"]: r["claims"] for r in load(a.reextract)}
        reextracted = sum(len(v) for v in offline.values())
        wrong = [i for i in every if len(offline.get(i, [])) != per_article.get(i, 0)]
        check(not wrong, f"{len(wrong)} articles whose stored claims differ in number from a "
              f"re-extraction, e.g. {[(i, per_article.get(i, 0), len(offline.get(i, []))) for i in wrong[:3]]}")

    # 3b. Incidents: each claim in exactly one incident, the one it names.
    n_incidents = None
    if a.incidents:
        incidents = load(a.incidents)
        n_incidents = len(incidents)
        owner = collections.Counter()
        named = {c["id"]: c["incident"] for c in claims}
        for inc in incidents:
            for cid in inc["claims"]:
                owner[cid] += 1
                check(named.get(cid) == inc["id"],
                      f"claim {cid} is in incident {inc['id']} but names {named.get(cid)}")
        check(set(owner) == set(cids), "claims outside any incident, or unknown claims in one")
        check(all(n == 1 for n in owner.values()), "a claim in two incidents")
        iids = sorted(i["id"] for i in incidents)
        check(iids == list(range(1, len(iids) + 1)), "incident ids are not 1..I")
        largest = max((len(i["claims"]) for i in incidents), default=0)
        check(largest >= a.min_largest,
              f"the largest incident holds {largest} claims, fewer than {a.min_largest}")

    # 4. Events: seqs 1..E with no gap; each claim announced by exactly one
    #    claim.new / claim.corroborated event.
    events = load(a.events)
    eseqs = [e["seq"] for e in events]
    check(eseqs == list(range(1, len(eseqs) + 1)), "event seqs are not 1..E without gaps")
    check(len(eseqs) == stats["last_event_seq"] == stats["events"],
          f"{len(eseqs)} events read, stats says last {stats['last_event_seq']}, "
          f"count {stats['events']}")
    announced = collections.Counter(e["claim"]["id"] for e in events
                                    if e["type"].startswith("claim") and e.get("claim"))
    check(set(announced) == set(cids), "claim events and stored claims differ")
    check(all(n == 1 for n in announced.values()), "a claim announced twice")

    # 5. Stats agree with the log.
    check(stats["articles"] == len(stored) == stats["last_article_seq"],
          f"stats articles {stats['articles']} / last {stats['last_article_seq']}, "
          f"replay {len(stored)}")
    check(stats["claims"] == len(claims), "stats claims differ from the export")

    print(f"verify: generated {len(every)} distinct articles; collectors acked {acked} "
          f"({dict(status_count)}); store holds {len(stored)} articles, each once, "
          f"seqs 1..{len(stored)}, chain intact")
    print(f"verify: {len(claims)} claims (no (article, claimant, accused, evidence) twice"
          + (f"; re-extraction finds {reextracted}" if reextracted is not None else "")
          + (f", {n_incidents} incidents each claim in one, the largest of {largest} claims"
             if n_incidents is not None else "")
          + f"), {len(events)} events, seqs 1..{len(events)} gap-free, "
          f"{stats['quarantined']} quarantined")
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
