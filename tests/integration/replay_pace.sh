#!/usr/bin/env bash
# truce replay --publish --pace: four articles received about a second apart
# (~3 s in all) take about as long to publish at the original pace, a third
# of it at --pace 3, and almost nothing at --pace max; the copy's receipt
# gaps follow the original's.
. "$(dirname "$0")/lib.sh"
GEN=$TRUCE_SOURCE_DIR/tests/integration/genarticles.py

now() { python3 -c 'import time; print(time.monotonic())'; }
elapsed() { python3 -c "print(round($(now) - $1, 2))"; }
in_range() { python3 -c "import sys; sys.exit(0 if $2 <= $1 <= $3 else 1)"; }

start_daemon
python3 "$GEN" 4 --tag pace >"$T/gen.jsonl"
for i in 1 2 3 4; do
  sed -n "${i}p" "$T/gen.jsonl" >"$T/one.jsonl"
  "$TRUCE" collect --connect "$IN" --jsonl "$T/one.jsonl" --quiet >/dev/null 2>&1 || fail "collect $i"
  [ $i -lt 4 ] && sleep 1
done
"$TRUCE" replay --data "$T/data" >"$T/orig.jsonl"
span=$(python3 -c "import json; r=[json.loads(l)['received_us'] for l in open('$T/orig.jsonl')]; print((r[-1]-r[0])/1e6)")
# The lower bounds are the promise (pacing never runs ahead of the original);
# the upper ones only leave room for a loaded CI machine (ASan, 2 cores).
in_range "$span" 2.5 30 || fail "articles span $span s, not ~3 s"

start_other original
t0=$(now)
"$TRUCE" replay --data "$T/data" --publish "$OIN" --pace original >/dev/null 2>"$T/p1.err" || fail "pace original: $(cat "$T/p1.err")"
e1=$(elapsed "$t0")
in_range "$e1" "$span - 0.3" "$span + 10" || fail "--pace original took $e1 s for a $span s span"
"$TRUCE" replay --data "$T/original" >"$T/copy.jsonl"
python3 - "$T/orig.jsonl" "$T/copy.jsonl" <<'PY' || fail "receipt gaps not reproduced"
import json, sys
a = [json.loads(l)["received_us"] for l in open(sys.argv[1])]
b = [json.loads(l)["received_us"] for l in open(sys.argv[2])]
ga = [(y - x) / 1e6 for x, y in zip(a, a[1:])]
gb = [(y - x) / 1e6 for x, y in zip(b, b[1:])]
assert all(x - 0.3 <= y <= x + 2.0 for x, y in zip(ga, gb)), (ga, gb)
PY
pass "--pace original: $e1 s for articles received over $span s; gaps reproduced"

start_other fast
t0=$(now)
"$TRUCE" replay --data "$T/data" --publish "$OIN" --pace max >/dev/null 2>"$T/p2.err" || fail "pace max: $(cat "$T/p2.err")"
e2=$(elapsed "$t0")
in_range "$e2" 0 "max(1.5, $e1 / 2)" || fail "--pace max took $e2 s (--pace original $e1 s)"
pass "--pace max: $e2 s"

start_other triple
t0=$(now)
"$TRUCE" replay --data "$T/data" --publish "$OIN" --pace 3 >/dev/null 2>"$T/p3.err" || fail "pace 3: $(cat "$T/p3.err")"
e3=$(elapsed "$t0")
in_range "$e3" "$span / 3 - 0.3" "$span / 3 + 6" || fail "--pace 3 took $e3 s for a $span s span"
pass "--pace 3: $e3 s"

rc=0; "$TRUCE" replay --data "$T/data" --publish "$OIN" --pace slow >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--pace slow exited $rc"
pass "a bad --pace is a usage error"
