#!/usr/bin/env bash
# Chaos: two collectors send N distinct generated articles (5% of them sent
# by both, racing) while truced is killed with SIGKILL at random moments and
# restarted on the same data directory, at least TRUCE_CHAOS_KILLS times.
# Then, from a crashed store:
#   - both collectors exited 0: every article acked STORED or DUPLICATE;
#   - every acked article is in the store exactly once, under the seq its
#     ack carried, body intact, article seqs 1..M, hash chain unbroken, and
#     no article acked STORED twice;
#   - claims were derived once: no (article, claimant, accused, evidence)
#     twice, and per article as many as an offline re-extraction finds;
#     each claim sits in exactly one incident, the one it names, also in the
#     incidents of 1,000+ claims that the hot share of the articles (dated
#     on two days) makes;
#   - events are gap-free 1..E and announce each claim exactly once;
#   - the store reopens cleanly (truced start, stats, SIGTERM exit 0).
#
#   TRUCE_CHAOS_ARTICLES  N (default 20000)
#   TRUCE_CHAOS_KILLS     minimum kills while collecting (default 12)
#   TRUCE_CHAOS_SEED      replay a run's kill schedule (printed at the start)
#   TRUCE_CHAOS_DEADLINE  collectors' --deadline in seconds (default 600)
#   TRUCE_CHAOS_MAP_MIB   truced --map-size (default 1: the map grows under the kills)
#   TRUCE_CHAOS_SYNC      truced --sync (default full; a process crash must lose
#                         nothing acked in every mode, only an OS crash may)
#   TRUCE_CHAOS_HOT       percent of the articles on the two hot days (default 40)
. "$(dirname "$0")/../integration/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
N=${TRUCE_CHAOS_ARTICLES:-20000}
KILLS=${TRUCE_CHAOS_KILLS:-12}
DEADLINE=${TRUCE_CHAOS_DEADLINE:-600}
MAP_MIB=${TRUCE_CHAOS_MAP_MIB:-1}
SYNC=${TRUCE_CHAOS_SYNC:-full}
HOT=${TRUCE_CHAOS_HOT:-40}

python3 "$HERE/gen.py" "$N" "$T/articles" --collectors 2 --overlap 5 --hot "$HOT"
pass "generated $N distinct articles: $(wc -l <"$T/articles.0.jsonl") + $(wc -l <"$T/articles.1.jsonl") for two collectors"

python3 "$HERE/chaos.py" --bin "$TRUCE_BIN" --dir "$T" --in "$IN" --pub "$PUB" --query "$QRY" \
  --collector "$T/articles.0.jsonl" --collector "$T/articles.1.jsonl" --articles "$N" \
  --kills "$KILLS" --deadline "$DEADLINE" --map-size "$MAP_MIB" --sync "$SYNC" ${TRUCE_CHAOS_SEED:+--seed "$TRUCE_CHAOS_SEED"} \
  || fail "chaos driver failed"
summary=$(cat "$T/chaos.json")
python3 - "$T/chaos.json" "$KILLS" <<'PY' || fail "too few kills while collecting (N too small for this machine?): $summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["kills"] - 1 >= int(sys.argv[2]), s
PY
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['died_on_their_own']; sys.exit(1 if d else 0)" \
  "$T/chaos.json" || fail "truced exited on its own during the run: $summary; $(grep -m3 -iE "sanitizer|runtime error|ERROR" "$T/truced.log")"
! grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$T/truced.log" \
  || fail "sanitizer report in truced.log: $(grep -m5 -E "Sanitizer|runtime error" "$T/truced.log")"
# (With a small N the collectors can finish before enough kills: raise
# TRUCE_CHAOS_ARTICLES rather than lowering TRUCE_CHAOS_KILLS.)
for k in 0 1; do
  rc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['collector_exit'][$k])" "$T/chaos.json")
  [ "$rc" = 0 ] || fail "collector $k exited $rc: $(tail -3 "$T/collect.$k.err")"
  pass "collector $k exited 0: $(tail -1 "$T/collect.$k.err")"
done

# The daemon was killed last: reopen the crashed store.
start_daemon --sync full
"$TRUCE" stats --connect "$QRY" --json >"$T/stats.json" || fail "stats after the crashes"
pass "store reopened after $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['kills'])" "$T/chaos.json") kills: $(cat "$T/stats.json")"
last=$(tstat last_event_seq)
if [ "$last" -gt 0 ]; then
  timeout 120 "$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --count "$last" --json \
    >"$T/events.jsonl" 2>"$T/watch.err" || fail "watch backfill: $(cat "$T/watch.err")"
else
  : >"$T/events.jsonl"
fi
stop_daemon
pass "truced stopped cleanly (SIGTERM, exit 0)"

"$TRUCE" replay --data "$T/data" >"$T/replay.jsonl" || fail "replay --data"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/claims.jsonl" || fail "export --data --claims"
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/incidents.jsonl" \
  || fail "export --data --incidents"
"$TRUCE" extract --jsonl "$T/articles.all.jsonl" >"$T/extract.jsonl" 2>/dev/null \
  || fail "truce extract (re-extraction)"
python3 "$HERE/verify.py" --all "$T/articles.all.jsonl" \
  --report "$T/collect.0.json" --report "$T/collect.1.json" --replay "$T/replay.jsonl" \
  --claims "$T/claims.jsonl" --events "$T/events.jsonl" --stats "$T/stats.json" \
  --reextract "$T/extract.jsonl" --incidents "$T/incidents.jsonl" \
  --min-largest "$([ "$HOT" != 0 ] && [ "$N" -ge 5000 ] && echo 1000 || echo 0)" \
  || fail "chaos checks (seed in the output above)"
grep -c "map full" "$T/truced.log" >/dev/null && pass "map growth during the run: $(grep -c 'map full' "$T/truced.log")x"
! grep -q "not committed" "$T/truced.log" || fail "a batch failed to commit: $(grep "not committed" "$T/truced.log" | head -3)"
pass "chaos: nothing acked was lost or stored twice"
