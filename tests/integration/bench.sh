#!/usr/bin/env bash
# truce bench ingest, the benchmark the README's figures come from, checked
# for what it claims to measure (never for speed): every article it counts
# was acked by the daemon and stored, every alert it counts is one of its
# articles', --clients C really opens C connections that truced accepts,
# each keeping its own window, and --realistic sends the sample articles.
. "$(dirname "$0")/lib.sh"
start_daemon

# 4 clients with a window of 8 each (so the run takes a dozen commits at
# least); while it runs, truced's ingest socket holds 4 accepted connections.
"$TRUCE" bench ingest --connect "$IN" --publish "$PUB" -n 400 --clients 4 --window 8 \
  --days 5 --json >"$T/c4.json" 2>"$T/c4.err" &
BENCH=$!
BG_PIDS+=("$BENCH")
conns=0
for _ in $(seq 100); do
  conns=$(ss -xH state connected | grep -c "$T/ingest.sock" || true)
  [ "$conns" -ge 4 ] && break
  sleep 0.05
done
[ "$conns" = 4 ] || fail "--clients 4: $conns connections on truced's ingest socket"
wait "$BENCH" || fail "bench --clients 4 exited non-zero: $(cat "$T/c4.err" "$T/c4.json")"
python3 - "$T/c4.json" <<'PY' || fail "bench --clients 4 report: $(cat "$T/c4.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["clients"] == 4 and r["window"] == 8, r
assert r["articles"] == r["acked"] == r["alerts"] == 400 and r["rejected"] == 0, r
assert r["articles_per_s"] > 0 and 0 < r["ack_ms"]["p50"] <= r["ack_ms"]["p99"], r
PY
[ "$(tstat articles)" = 400 ] || fail "stats counts $(tstat articles) articles, not the 400 acked"
# --days 5: 400 articles on 5 days make 5 incidents of 80 claims.
[ "$(tstat incidents)" = 5 ] || fail "--days 5 made $(tstat incidents) incidents"
pass "--clients 4: 4 connections, 400 acked, stored and alerted, 5 incidents"

"$TRUCE" bench ingest --connect "$IN" --publish "$PUB" -n 30 --realistic --json >"$T/real.json" \
  || fail "bench --realistic exited non-zero"
python3 - "$T/real.json" "$SEEDS" <<'PY' || fail "bench --realistic report: $(cat "$T/real.json")"
import json, sys
r = json.load(open(sys.argv[1]))
seeds = [json.loads(l) for l in open(sys.argv[2])]
assert r["text"] == "realistic" and r["acked"] == 30 and r["rejected"] == 0, r
# the bytes an article are the seeds' average body size
avg = sum(len(s["body"].encode()) for s in seeds) / len(seeds)
assert abs(r["size"] - avg) < 1, (r["size"], avg)
PY
[ "$(tstat articles)" = 430 ] || fail "--realistic: $(tstat articles) articles stored, not 430"
pass "--realistic: 30 sample articles acked and stored"

for bad in "--clients 0" "--clients 65" "--days 0"; do
  rc=0; "$TRUCE" bench ingest --connect "$IN" $bad >/dev/null 2>"$T/bad.err" || rc=$?
  [ "$rc" = 2 ] && grep -q "clients 1..64" "$T/bad.err" || fail "'$bad': exit $rc, $(cat "$T/bad.err")"
done
pass "--clients and --days outside their ranges: usage error (exit 2)"
