#!/usr/bin/env bash
# Store schema 1 -> 3 (truce upgrade), on tests/data/store-v1.mdb.gz: a store
# written by truced before the incident aggregates (made by
# tests/data/make-store.sh 1 from the seeds and 30 generated articles).
#   1. truced refuses it and says to run truce upgrade; the read-only tools
#      read it as it is (--verify, --reparse, export, events). --reparse runs
#      today's extractor on claims the fixture's made: it may find changes
#      (exit 1), and must find the same ones before and after the upgrade.
#   2. truce upgrade refuses without --backup/--no-backup and leaves it alone;
#      with --backup it makes a copy (a file, as truce backup makes, which
#      truce restore puts back) that opens as the old store, converts,
#      and every whole incident reads back byte for byte as before; --verify
#      and --reparse pass; a second run has nothing to do.
#   3. truced runs on it: new articles (chained with BLAKE2b-256, the old ones
#      stay SHA-256) join the old incidents; --verify and --reparse pass,
#      each claim is in exactly the incident it names, events stay gap-free
#      and old (whole-incident) and new (summary) events read alike.
#   4. A store of a newer schema is refused by truced and by the readers.
. "$(dirname "$0")/lib.sh"
TAMPER=$TRUCE_BIN/truce-tamper
mkdir "$T/data"
gunzip -c "$TRUCE_SOURCE_DIR/tests/data/store-v1.mdb.gz" >"$T/data/data.mdb"

# --- 1 ------------------------------------------------------------------------
rc=0
"$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>"$T/refused.log" || rc=$?
[ "$rc" = 1 ] || fail "truced on a schema 1 store exited $rc, want 1"
grep -q "store of schema 1.*truce upgrade --data $T/data --backup FILE" "$T/refused.log" \
  || fail "truced's refusal does not say what to do: $(cat "$T/refused.log")"
pass "truced refuses the schema 1 store and names the command: $(sed 's/.*: data directory/data directory/' "$T/refused.log")"
"$TRUCE" replay --data "$T/data" --verify >"$T/v1.verify" || fail "--verify on schema 1: $(cat "$T/v1.verify")"
reparse v1
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/v1.incidents" || fail "export v1 incidents"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/v1.claims" || fail "export v1 claims"
"$TRUCE" replay --data "$T/data" --events --format jsonl >"$T/v1.events" || fail "replay --events on v1"
[ "$(wc -l <"$T/v1.incidents")" -ge 5 ] || fail "the fixture holds too few incidents"
pass "the read-only tools read it as it is: $(cat "$T/v1.verify"); $(wc -l <"$T/v1.incidents") incidents"

# --- 2 ------------------------------------------------------------------------
rc=0
"$TRUCE" upgrade --data "$T/data" >"$T/nobackup.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "upgrade without --backup exited $rc, want 2"
grep -q "refusing to upgrade without a backup" "$T/nobackup.out" || fail "no reason: $(cat "$T/nobackup.out")"
rc=0
"$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "the refused upgrade changed the store"
"$TRUCE" upgrade --data "$T/data" --backup "$T/backup.mdb" >"$T/upgrade.out" || fail "upgrade: $(cat "$T/upgrade.out")"
grep -q "upgraded from schema 1 to 3" "$T/upgrade.out" || fail "upgrade said: $(cat "$T/upgrade.out")"
"$TRUCE" export --data "$T/backup.mdb" --incidents --format jsonl >"$T/backup.incidents" || fail "backup unreadable"
cmp -s "$T/v1.incidents" "$T/backup.incidents" || fail "the backup's incidents differ from the original's"
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/v2.incidents" || fail "export after upgrade"
cmp -s "$T/v1.incidents" "$T/v2.incidents" || fail "incidents differ after the upgrade: $(diff "$T/v1.incidents" "$T/v2.incidents" | head -5)"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/v2.claims" || fail "export claims after upgrade"
cmp -s "$T/v1.claims" "$T/v2.claims" || fail "claims differ after the upgrade"
"$TRUCE" replay --data "$T/data" --verify >"$T/v2.verify" || fail "--verify after upgrade: $(cat "$T/v2.verify")"
cmp -s "$T/v1.verify" "$T/v2.verify" || fail "the chain changed: $(cat "$T/v2.verify")"
reparse v2
cmp -s "$T/v1.reparse" "$T/v2.reparse" || fail "--reparse differs after the upgrade: $(diff "$T/v1.reparse" "$T/v2.reparse" | head -5)"
"$TRUCE" restore --from "$T/backup.mdb" --data "$T/restored" >/dev/null 2>&1 || fail "truce restore of the upgrade's backup"
rc=0
"$TRUCED" --data "$T/restored" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "the restored backup is not the schema 1 store (truced exited $rc)"
again=$("$TRUCE" upgrade --data "$T/data" --no-backup) || fail "a second upgrade failed"
echo "$again" | grep -q "already of schema 3" || fail "second upgrade said: $again"
pass "upgraded with a backup (which reads, and truce restore puts back, as the old store); whole incidents, claims, --verify and --reparse as before; a second run has nothing to do"

# --- 3 ------------------------------------------------------------------------
start_daemon
"$TRUCE" bench ingest --connect "$IN" --publish "$PUB" -n 30 --days 3 >"$T/bench.out" \
  || fail "ingest after the upgrade: $(cat "$T/bench.out")"
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --json >"$T/again.json" 2>/dev/null || true
[ "$(count_status "$T/again.json" DUPLICATE)" = 5 ] || fail "the seeds again are not DUPLICATE"
last_event=$(tstat last_event_seq)
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --count "$last_event" --json >"$T/events.jsonl" \
  || fail "watch --since 0"
stop_daemon
"$TRUCE" replay --data "$T/data" --verify >"$T/v3.verify" || fail "--verify after new articles: $(cat "$T/v3.verify")"
reparse v3
# The new articles' claims were made by today's extractor: the differences
# are the old ones, no more.
grep -v '"summary"' "$T/v1.reparse" >"$T/v1.diff" || true
grep -v '"summary"' "$T/v3.reparse" >"$T/v3.diff" || true
cmp -s "$T/v1.diff" "$T/v3.diff" || fail "--reparse after new articles differs: $(diff "$T/v1.diff" "$T/v3.diff" | head -5)"
"$TRUCE" replay --data "$T/data" --format jsonl >"$T/v3.articles" || fail "replay"
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/v3.incidents" || fail "export incidents"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/v3.claims" || fail "export claims"
python3 - "$T" <<'PY' || fail "the upgraded store after new articles is inconsistent"
import json, sys
t = sys.argv[1]
load = lambda f: [json.loads(l) for l in open(f"{t}/{f}") if l.strip()]
arts, incs, claims, events = load("v3.articles"), load("v3.incidents"), load("v3.claims"), load("events.jsonl")
old = len(load("v1.claims"))
algs = [a["hash_alg"] for a in arts]
assert algs == ["sha256"] * 35 + ["blake2b-256-frame"] * 30, f"chain functions by seq: {algs}"
named = {c["id"]: c["incident"] for c in claims}
owner = {}
for inc in incs:
    for cid in inc["claims"]:
        assert cid not in owner, f"claim {cid} in two incidents"
        owner[cid] = inc["id"]
        assert named[cid] == inc["id"], f"claim {cid} in incident {inc['id']} names {named[cid]}"
assert set(owner) == set(named), "claims outside any incident"
joined = {named[c["id"]] for c in claims if c["id"] > old}
assert joined <= {i["id"] for i in incs if min(i["claims"]) <= old}, "new claims opened new incidents"
seqs = [e["seq"] for e in events]
assert seqs == list(range(1, len(seqs) + 1)), "event seqs are not gap-free"
inc_events = [e for e in events if e["type"].startswith("incident")]
assert all(e["incident"] and e["incident"]["claim_count"] >= 1 for e in inc_events), "an incident event without its summary"
assert any(e["article_seq"] <= 35 for e in inc_events) and any(e["article_seq"] > 35 for e in inc_events)
print(f"{len(arts)} articles (35 SHA-256, 30 BLAKE2b-256), {len(claims)} claims in {len(incs)} incidents, "
      f"the new ones in the old incidents; {len(events)} events gap-free")
PY
pass "truced on the upgraded store: new articles chained with BLAKE2b-256 join the old incidents; --verify, --reparse pass"

# --- 4 ------------------------------------------------------------------------
"$TAMPER" "$T/data" schema truce-store-4 || fail "truce-tamper schema"
rc=0
"$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>"$T/newer.log" || rc=$?
[ "$rc" = 1 ] && grep -q "schema 4, written by a newer truce" "$T/newer.log" \
  || fail "truced on a newer schema: exit $rc, $(cat "$T/newer.log")"
rc=0
"$TRUCE" replay --data "$T/data" --verify >"$T/newer.out" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q "newer truce" "$T/newer.out" || fail "replay on a newer schema: exit $rc, $(cat "$T/newer.out")"
pass "a store of a newer schema is refused by truced and by truce replay, saying so"
