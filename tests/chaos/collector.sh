#!/usr/bin/env bash
# The collector's side of crash safety:
#   1. `truce collect` started while truced is down keeps re-sending (the
#      resend timeout doubles up to 30 s, bounded by --deadline); truced
#      started 2 s later gets everything and collect exits 0.
#   2. `truce collect --state FILE` killed with SIGKILL mid-run and started
#      again with the same FILE sends only what FILE does not list as acked:
#      the second run's report has exactly the others, its DUPLICATEs are
#      exactly the articles acked after FILE's last rewrite, and the store
#      holds every article once. A third run sends nothing.
#   3. A FILE that is not a state file is refused (exit 3) with its name.
. "$(dirname "$0")/../integration/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
N=${TRUCE_COLLECT_ARTICLES:-6000}
python3 "$HERE/gen.py" 300 "$T/early" --collectors 1 --overlap 0 --seed 11
python3 "$HERE/gen.py" "$N" "$T/arts" --collectors 1 --overlap 0 --seed 12
sed -i 's/chaos-/state-/; s#chaos.example/#state.example/#' "$T/arts.0.jsonl"

# --- 1: the daemon comes up after the collector ----------------------------
"$TRUCE" collect --connect "$IN" --jsonl "$T/early.0.jsonl" --timeout 500 --deadline 60 --json \
  >"$T/early.json" 2>"$T/early.err" &
C=$!
sleep 2
kill -0 "$C" 2>/dev/null || fail "collect gave up before the daemon started: $(cat "$T/early.err")"
start_daemon
wait "$C" || fail "collect exited non-zero after the daemon came up: $(tail -2 "$T/early.err")"
[ "$(count_status "$T/early.json" STORED)" = 300 ] || fail "not all 300 STORED: $(tail -1 "$T/early.err")"
pass "collect started 2 s before truced: all 300 STORED, exit 0"

# --- 2: killed mid-run, resumed with --state ---------------------------------
# --window 2: at most two articles in flight, so the run takes seconds
# however fast truced batches, and the poll below sees it mid-run (with 16,
# truced stored all 6,000 in under a second and the kill came too late).
base=$(tstat articles)
"$TRUCE" collect --connect "$IN" --jsonl "$T/arts.0.jsonl" --window 2 --state "$T/state" --json \
  >"$T/run1.json" 2>"$T/run1.err" &
C=$!
for _ in $(seq 600); do
  [ "$(tstat articles)" -ge $((base + N / 3)) ] && break
  sleep 0.05
done
kill -KILL "$C" 2>/dev/null || true # gone already: the check below says so
wait "$C" 2>/dev/null || true
sleep 0.5 # what was on the wire is stored; its acks went nowhere
before=$(( $(tstat articles) - base ))
[ "$before" -lt "$N" ] || fail "the collector finished before it was killed"
known=$(( $(wc -l <"$T/state") - 1 ))
head -1 "$T/state" | grep -qx "truce-collect-state 1" || fail "state header: $(head -1 "$T/state")"
[ "$known" -gt 0 ] && [ "$known" -le "$before" ] || fail "state lists $known, store has $before"
pass "collector killed after $before of $N were stored; its state file lists $known acked"

"$TRUCE" collect --connect "$IN" --jsonl "$T/arts.0.jsonl" --state "$T/state" --json \
  >"$T/run2.json" 2>"$T/run2.err" || fail "resumed collect: $(tail -2 "$T/run2.err")"
sent=$(wc -l <"$T/run2.json")
dups=$(count_status "$T/run2.json" DUPLICATE)
[ "$sent" = $((N - known)) ] || fail "resumed run sent $sent, expected $N - $known"
[ "$dups" = $((before - known)) ] || fail "resumed run: $dups DUPLICATE, expected $before - $known"
grep -q "$known articles acked in an earlier run" "$T/run2.err" || fail "no skip notice: $(cat "$T/run2.err")"
[ $(( $(wc -l <"$T/state") - 1 )) = "$N" ] || fail "state lists $(( $(wc -l <"$T/state") - 1 )) after the resumed run"
"$TRUCE" replay --data "$T/data" >"$T/replay.jsonl"
python3 - "$T/replay.jsonl" "$N" <<'PY' || fail "store after the resumed run"
import collections, json, sys
ids = collections.Counter(json.loads(l)["article"]["id"] for l in open(sys.argv[1]))
mine = {i: n for i, n in ids.items() if i.startswith("state-")}
assert len(mine) == int(sys.argv[2]), len(mine)
assert all(n == 1 for n in mine.values()), "an article stored twice"
PY
pass "resumed with --state: sent only the $sent not listed, $dups of them DUPLICATE (acked after the last state rewrite), store holds all $N once"

"$TRUCE" collect --connect "$IN" --jsonl "$T/arts.0.jsonl" --state "$T/state" --json \
  >"$T/run3.json" 2>"$T/run3.err" || fail "third run: $(tail -2 "$T/run3.err")"
[ ! -s "$T/run3.json" ] || fail "third run sent $(wc -l <"$T/run3.json") articles"
pass "third run with the same state: nothing sent, exit 0 ($(head -1 "$T/run3.err"))"

# --- 3: not a state file ---------------------------------------------------
rc=0
"$TRUCE" collect --connect "$IN" --jsonl "$T/early.0.jsonl" --state "$T/early.0.jsonl" \
  >/dev/null 2>"$T/bad.err" || rc=$?
[ "$rc" = 3 ] && grep -q "not a truce collect state file" "$T/bad.err" \
  || fail "a non-state file: exit $rc, $(cat "$T/bad.err")"
pass "a file that is not a state file: exit 3, \"$(cut -c1-120 "$T/bad.err")\""
stop_daemon
