#!/usr/bin/env bash
# The whole path once: collect the five seeds -> five STORED acks, a watcher
# gets the claim events, replay prints five articles in order; again ->
# five DUPLICATE, nothing new; restart -> everything still there.
. "$(dirname "$0")/lib.sh"

start_daemon

# A live watcher, started before any article (backfill from 0 covers the
# moment between its connect and its subscription).
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --json >"$T/watch.out" 2>"$T/watch.err" &
BG_PIDS+=($!)
sleep 0.3

"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --json >"$T/c1.json" 2>"$T/c1.err" \
  || fail "collect exited non-zero: $(cat "$T/c1.err")"
[ "$(count_status "$T/c1.json" STORED)" = 5 ] || fail "expected 5 STORED: $(cat "$T/c1.json")"
pass "five seeds acked STORED"

articles=$(tstat articles); events=$(tstat last_event_seq); claims=$(tstat claims)
[ "$articles" = 5 ] || fail "stats says $articles articles"
[ "$events" -ge 1 ] || fail "no events after five seed articles (claims=$claims)"
pass "$claims claims, $events events stored"

for _ in $(seq 100); do
  [ "$(wc -l <"$T/watch.out")" -ge "$events" ] && break
  sleep 0.1
done
python3 - "$T/watch.out" "$events" <<'PY' || fail "watcher output wrong"
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1])]
want = list(range(1, int(sys.argv[2]) + 1))
assert seqs == want, f"watcher saw {seqs}, want {want}"
claims = [json.loads(l)["claim"] for l in open(sys.argv[1])]
assert all(c and c["claimant"] for c in claims), "an event without a claim"
PY
pass "watcher received events 1..$events in order, once each"

"$TRUCE" replay --data "$T/data" >"$T/replay.out"
python3 - "$T/replay.out" "$SEEDS" <<'PY' || fail "replay output wrong"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
assert [g["seq"] for g in got] == [1, 2, 3, 4, 5], [g["seq"] for g in got]
assert [g["article"]["id"] for g in got] == [w["id"] for w in want]
assert all(g["article"]["body"] == w["body"] for g, w in zip(got, want)), "body changed"
assert all(len(g["content_key"]) == 64 and len(g["hash"]) == 64 for g in got)
assert got[0]["prev_hash"] == "0" * 64
assert all(got[i]["prev_hash"] == got[i - 1]["hash"] for i in range(1, 5)), "chain broken"
PY
pass "replay prints the five articles in order, bodies intact, hash-chained"

"$TRUCE" replay --data "$T/data" --from 2 --to 3 | python3 -c '
import json,sys; s=[json.loads(l)["seq"] for l in sys.stdin]; assert s==[2,3], s' \
  || fail "replay --from 2 --to 3"
pass "replay --from/--to"

"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --json >"$T/c2.json" 2>/dev/null \
  || fail "second collect exited non-zero"
[ "$(count_status "$T/c2.json" DUPLICATE)" = 5 ] || fail "expected 5 DUPLICATE: $(cat "$T/c2.json")"
python3 - "$T/c1.json" "$T/c2.json" <<'PY' || fail "duplicate seqs differ"
import json, sys
a = [json.loads(l)["seq"] for l in open(sys.argv[1])]
b = [json.loads(l)["seq"] for l in open(sys.argv[2])]
assert a == b, (a, b)
PY
[ "$(tstat articles)" = 5 ] || fail "duplicates stored again"
[ "$(tstat last_event_seq)" = "$events" ] || fail "duplicates made new events"
pass "re-sent seeds acked DUPLICATE with their first seqs; no new articles or events"

stop_daemon
pass "SIGTERM: clean exit 0"
start_daemon
[ "$(tstat articles)" = 5 ] || fail "articles lost across restart"
[ "$(tstat claims)" = "$claims" ] || fail "claims lost across restart"
[ "$(tstat last_event_seq)" = "$events" ] || fail "events lost across restart"
"$TRUCE" replay --data "$T/data" | wc -l | grep -qx 5 || fail "replay after restart"
pass "restart on the same data dir: everything still there"
