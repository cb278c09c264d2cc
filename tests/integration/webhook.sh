#!/usr/bin/env bash
# Webhooks of truce watch (issue 12): --post against a receiver that fails
# the first three times and then is down for three seconds: every event
# arrives, in order, exactly once per successful delivery; `truce watch` is
# killed with SIGKILL mid-stream and restarted with the same --state, and
# the receiver still ends with every event, repeating at most the one whose
# 2xx came just before the kill (at-least-once, with the event seq as the
# Idempotency-Key). --exec: a command that fails once gets the event again.
. "$(dirname "$0")/lib.sh"
GEN="python3 $(dirname "$0")/genarticles.py"

start_daemon
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
$GEN 20 --tag hook >"$T/more.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/more.jsonl" --quiet || fail "collect"
E1=$(tstat last_event_seq)

mkdir "$T/recv"
python3 "$TRUCE_SOURCE_DIR/tests/web/hook_receiver.py" "$T/recv" --fail 3 --down 3 --delay 0.05 &
BG_PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/recv/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$T/recv/port")/hook
successes() { grep -c '"status": 200' "$T/recv/requests.jsonl" 2>/dev/null || true; }

watch_hook() {
  "$TRUCE_LONG" watch --connect "$PUB" --query "$QRY" --state "$T/hook.state" --post "$URL" \
    --backoff-max 800 "$@" 2>>"$T/watch.err" &
  WATCH=$!
  BG_PIDS+=("$WATCH")
}

watch_hook --since 0
for _ in $(seq 300); do [ "$(successes)" -ge 15 ] && break; sleep 0.1; done
[ "$(successes)" -ge 15 ] || fail "only $(successes) deliveries before the kill: $(tail -3 "$T/watch.err")"
kill -KILL "$WATCH"
wait "$WATCH" 2>/dev/null || true
at_kill=$(successes)
state=$(cat "$T/hook.state")
pass "truce watch --post killed with SIGKILL after $at_kill deliveries; --state holds $state"

watch_hook
$GEN 5 --start 20 --tag hook >"$T/late.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/late.jsonl" --quiet || fail "collect while delivering"
E2=$(tstat last_event_seq)
for _ in $(seq 600); do
  python3 - "$T/recv/requests.jsonl" "$E2" <<'PY' && break
import json, sys
ok = {int(r["seq"]) for r in map(json.loads, open(sys.argv[1])) if r.get("status") == 200}
sys.exit(0 if set(range(1, int(sys.argv[2]) + 1)) <= ok else 1)
PY
  sleep 0.1
done
kill -TERM "$WATCH"
wait "$WATCH" || fail "truce watch --post exited $? on SIGTERM"

python3 - "$T/recv/requests.jsonl" "$E2" "$state" <<'PY' || fail "deliveries"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
E2, state = int(sys.argv[2]), int(sys.argv[3])
reqs = [r for r in rows if "status" in r]
assert any("down" in r for r in rows) and any("up" in r for r in rows), "the receiver never went down"
first = reqs[:3]
assert [r["status"] for r in first] == [500] * 3 and {r["seq"] for r in first} == {"1"}, \
    "the first three attempts, of event 1, failed: %r" % first
for r in reqs:
    assert r["seq"] == r["key"] == str(r["body_seq"]), "seq headers and body disagree: %r" % r
    assert r["type"] == "application/json" and r["topic"], r
ok = [int(r["seq"]) for r in reqs if r["status"] == 200]
assert ok == sorted(ok), "deliveries out of order"
assert set(ok) == set(range(1, E2 + 1)), "missing: %r" % sorted(set(range(1, E2 + 1)) - set(ok))
repeats = [s for s in set(ok) if ok.count(s) > 1]
assert len(repeats) <= 1, "events delivered twice: %r" % repeats
assert not repeats or repeats[0] == state + 1, \
    "the repeat %r is not the event after the saved state %d" % (repeats, state)
print("ok: %d events delivered in order, each once per successful delivery (%d attempts, "
      "3 refused with 500, a 3 s outage, %d repeated across the SIGKILL)" %
      (E2, len(reqs), len(repeats)))
PY
grep -q "not delivered (attempt" "$T/watch.err" || fail "no retry note on stderr"
grep -qi "refused\|connect" "$T/watch.err" || fail "the outage was never seen: $(head -5 "$T/watch.err")"
[ "$(cat "$T/hook.state")" = "$E2" ] || fail "--state $(cat "$T/hook.state") after all $E2 delivered"
pass "--state after the last delivery: $E2"

# --exec: the command fails on event 3 once; 3 comes again, then 4 and 5.
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --count 5 --backoff-max 100 \
  --exec "cat >>'$T/exec.out'; [ \"\$TRUCE_EVENT_SEQ\" != 3 ] || [ -f '$T/failed3' ] || { touch '$T/failed3'; exit 1; }" \
  2>"$T/exec.err" || fail "watch --exec"
got=$(python3 -c "import json,sys; print(' '.join(str(json.loads(l)['seq']) for l in open(sys.argv[1])))" "$T/exec.out")
[ "$got" = "1 2 3 3 4 5" ] || fail "--exec got seqs '$got'"
pass "--exec: event 3 failed once and came again: $got"

# Never blocks the daemon: a receiver that hangs holds `truce watch` on one
# POST (the first event of one more article) while 300 more articles are
# collected; truced stores and publishes them all meanwhile (its PUB socket
# drops what the watcher's queues, made small here, cannot take), and once
# the receiver answers, the watcher backfills what was dropped and delivers
# every event, in order, once.
stop_daemon
start_daemon --pub-hwm 20
mkdir "$T/recv2"
python3 "$TRUCE_SOURCE_DIR/tests/web/hook_receiver.py" "$T/recv2" --fail 0 --down 0 \
  --hold "$T/release" &
BG_PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/recv2/port" ] && break; sleep 0.1; done
URL2=http://127.0.0.1:$(cat "$T/recv2/port")/hook
"$TRUCE_LONG" watch --connect "$PUB" --query "$QRY" --since "$E2" --hwm 5 --post "$URL2" \
  --post-timeout 600000 2>"$T/watch2.err" &
WATCH=$!
BG_PIDS+=("$WATCH")
$GEN 1 --start 99 --tag hang >"$T/hang1.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/hang1.jsonl" --quiet || fail "collect one"
for _ in $(seq 600); do grep -q arrived "$T/recv2/requests.jsonl" && break; sleep 0.1; done
grep -q arrived "$T/recv2/requests.jsonl" || fail "no POST reached the hanging receiver"
E_HOLD=$(tstat last_event_seq)
$GEN 300 --start 100 --tag hang >"$T/hang.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/hang.jsonl" --json >"$T/hang.out" \
  || fail "collect while the receiver hangs"
[ "$(count_status "$T/hang.out" STORED)" = 300 ] || fail "not all 300 stored while the receiver hangs"
E3=$(tstat last_event_seq)
held=$(python3 -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; \
print(sum('arrived' in x for x in r), sum('status' in x for x in r))" "$T/recv2/requests.jsonl")
[ "$held" = "1 0" ] || fail "the receiver should hold one POST and have answered none: $held"
pass "300 articles stored and $((E3 - E_HOLD)) events published while the webhook hung on one POST"
touch "$T/release"
for _ in $(seq 600); do
  [ "$(grep -c '"status": 200' "$T/recv2/requests.jsonl")" -ge $((E3 - E2)) ] && break
  sleep 0.1
done
kill -TERM "$WATCH"
wait "$WATCH" || fail "truce watch --post exited $? on SIGTERM"
python3 - "$T/recv2/requests.jsonl" "$E2" "$E3" <<'PY' || fail "deliveries after the hang"
import json, sys
ok = [int(r["seq"]) for r in map(json.loads, open(sys.argv[1])) if r.get("status") == 200]
want = list(range(int(sys.argv[2]) + 1, int(sys.argv[3]) + 1))
assert ok == want, "delivered %d events, want %d..%d in order once each; first wrong: %r" % (
    len(ok), want[0], want[-1], next(((a, b) for a, b in zip(ok, want) if a != b), None))
PY
grep -q "missed live, backfilling" "$T/watch2.err" \
  || fail "no event was dropped live (the test proves less than it says): $(head -3 "$T/watch2.err")"
pass "after the hang: events $((E2 + 1))..$E3 delivered in order, once each (dropped live, backfilled)"
stop_daemon
