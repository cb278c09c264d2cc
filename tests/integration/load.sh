#!/usr/bin/env bash
# Load: fan-out, stuck subscribers, back-pressure and memory.
#   1. 50 subscribers (truce watch --json) connected at once while two
#      collectors burst TRUCE_LOAD_ARTICLES articles: each prints every
#      event 1..E exactly once, in order.
#   2. A stuck subscriber (SIGSTOPped truce watch, and a raw SUB socket that
#      never reads) does not stop ingest: the collectors finish; resumed,
#      the watcher catches up (PUB dropped what it could not queue past
#      --pub-hwm N/8; the query socket fills the holes) to exactly 1..E.
#   3. Back-pressure: truced frozen (SIGSTOP) under a collector with
#      --window 32: after SIGCONT at most 32 articles are stored beyond those
#      the collector saw acked; the rest waited in the collector.
#   4. Peak RSS of truced (VmHWM) after the bursts is printed (not judged:
#      a number for the README, not a timed test).
. "$(dirname "$0")/lib.sh"
GEN=$TRUCE_SOURCE_DIR/tests/chaos/gen.py
N=${TRUCE_LOAD_ARTICLES:-4000}
SUBS=${TRUCE_LOAD_SUBSCRIBERS:-50}

# wait_lines FILE N SECONDS: until FILE has N lines
wait_lines() {
  for _ in $(seq $(($3 * 10))); do
    [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
# check_seqs FILE LAST: FILE (watch --json) holds seqs 1..LAST, once each, in order
check_seqs() {
  python3 - "$1" "$2" <<'PY'
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1])]
want = list(range(1, int(sys.argv[2]) + 1))
if seqs != want:
    missing = sorted(set(want) - set(seqs))[:5]
    sys.exit(f"{len(seqs)} events, {len(seqs) - len(set(seqs))} repeated, missing e.g. {missing}")
PY
}

# A PUB queue well under the burst's event count (about 2 per article), so the
# stuck subscriber really loses live events at any TRUCE_LOAD_ARTICLES.
PUB_HWM=${TRUCE_LOAD_PUB_HWM:-$((N / 8 > 20 ? N / 8 : 20))}
start_daemon --pub-hwm "$PUB_HWM"
python3 "$GEN" "$N" "$T/burst" --collectors 2 --overlap 0 --seed 7

# --- 1 + 2: fan-out and stuck subscribers during a burst ----------------------
WATCHERS=()
for i in $(seq "$SUBS"); do
  "$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --json >"$T/w$i.out" 2>"$T/w$i.err" &
  WATCHERS+=($!)
  BG_PIDS+=($!)
done
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --json >"$T/stuck.out" 2>"$T/stuck.err" &
STUCK=$!
BG_PIDS+=($STUCK)
# A stopped process ignores lib.sh's SIGTERM: wake it first, on any exit.
trap 'kill -CONT "$STUCK" 2>/dev/null || true; cleanup' EXIT
# A SUB that subscribes to everything and never reads a byte.
python3 - "$PUB" "$T/rawsub.ready" <<'PY' &
import ctypes, ctypes.util, sys, time
z = ctypes.CDLL(ctypes.util.find_library("zmq") or "libzmq.so.5")
z.zmq_ctx_new.restype = ctypes.c_void_p
z.zmq_socket.restype = ctypes.c_void_p
z.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
z.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
z.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
ctx = z.zmq_ctx_new()
s = z.zmq_socket(ctx, 2)  # ZMQ_SUB
hwm = ctypes.c_int(10)
z.zmq_setsockopt(s, 24, ctypes.byref(hwm), 4)  # ZMQ_RCVHWM
z.zmq_setsockopt(s, 6, b"", 0)  # ZMQ_SUBSCRIBE ""
z.zmq_connect(s, sys.argv[1].encode())
open(sys.argv[2], "w").close()
time.sleep(3600)
PY
BG_PIDS+=($!)
sleep 1
# python's start can take longer than that when the machine is busy
for _ in $(seq 100); do [ -e "$T/rawsub.ready" ] && break; sleep 0.1; done
kill -STOP "$STUCK"
alive=0
for p in "${WATCHERS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
[ "$alive" = "$SUBS" ] || fail "only $alive of $SUBS subscribers running"
[ -e "$T/rawsub.ready" ] || fail "the raw SUB did not start"
pass "$SUBS subscribers connected, one more SIGSTOPped, one raw SUB that never reads"

t0=$(date +%s.%N)
"$TRUCE" collect --connect "$IN" --jsonl "$T/burst.0.jsonl" --quiet --collector-id load-a 2>"$T/c0.err" &
C0=$!
BG_PIDS+=($C0)
"$TRUCE" collect --connect "$IN" --jsonl "$T/burst.1.jsonl" --quiet --collector-id load-b 2>"$T/c1.err" \
  || fail "collector b: $(tail -1 "$T/c1.err")"
wait "$C0" || fail "collector a: $(tail -1 "$T/c0.err")"
t1=$(date +%s.%N)
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$DAEMON_PID/status")
E=$(tstat last_event_seq)
[ "$(tstat articles)" = "$N" ] || fail "$(tstat articles) of $N articles stored"
[ "$E" -gt 0 ] || fail "no events from $N articles (claims $(tstat claims))"
pass "burst: $N articles from 2 collectors with a stuck subscriber attached: all STORED in $(python3 -c "print(round($t1-$t0,1))") s, $E events; truced peak RSS (VmHWM) $((hwm_kb / 1024)) MiB"

# Wake the stuck watcher and, while it drains what PUB kept for it, send a
# few more articles: their live events come after the hole PUB left, so
# the watcher must notice it and fill it from the query socket.
python3 "$GEN" 20 "$T/trickle" --collectors 1 --overlap 0 --seed 9
sed -i 's/chaos-/trickle-/; s#chaos.example/#trickle.example/#' "$T/trickle.0.jsonl"
kill -CONT "$STUCK"
"$TRUCE" collect --connect "$IN" --jsonl "$T/trickle.0.jsonl" --quiet 2>/dev/null \
  || fail "trickle after the burst"
E=$(tstat last_event_seq)

for i in $(seq "$SUBS"); do
  wait_lines "$T/w$i.out" "$E" 180 || fail "subscriber $i has $(wc -l <"$T/w$i.out") of $E events"
  check_seqs "$T/w$i.out" "$E" || fail "subscriber $i: wrong events"
done
pass "each of the $SUBS subscribers printed events 1..$E exactly once, in order"

wait_lines "$T/stuck.out" "$E" 180 || fail "the resumed subscriber has $(wc -l <"$T/stuck.out") of $E"
check_seqs "$T/stuck.out" "$E" || fail "the resumed subscriber: wrong events"
grep -q "missed live, backfilling" "$T/stuck.err" \
  || fail "the stuck subscriber lost nothing live, so the query path was not exercised"
kill -0 "$DAEMON_PID" || fail "daemon died"
pass "the stuck subscriber, resumed, caught up to 1..$E exactly once: PUB dropped past its high-water mark of $PUB_HWM, $(grep -c "missed live" "$T/stuck.err") holes filled from the query socket"
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done

# --- 3: back-pressure through the ack window -------------------------------
# A collector with --window 32 runs; truced is frozen under it. Whatever
# truced stores after SIGCONT beyond what the collector saw acked was on the
# wire when it froze: at most the window.
python3 "$GEN" 20000 "$T/bp" --collectors 1 --overlap 0 --seed 8
before=$(tstat articles)
"$TRUCE" collect --connect "$IN" --jsonl "$T/bp.0.jsonl" --window 32 --timeout 300 --deadline 4 \
  --json >"$T/bp.json" 2>"$T/bp.err" &
BP=$!
BG_PIDS+=($BP)
for _ in $(seq 300); do # freeze it once the collector is under way
  [ "$(tstat articles)" -gt $((before + 100)) ] && break
  sleep 0.1
done
kill -STOP "$DAEMON_PID"
rc=0
wait "$BP" || rc=$?
kill -CONT "$DAEMON_PID"
[ "$rc" = 1 ] || fail "collect to a frozen daemon exited $rc: $(tail -1 "$T/bp.err")"
acked=$(count_status "$T/bp.json" STORED)
sleep 1
after=$(tstat articles)
extra=$((after - before - acked))
[ "$acked" -gt 0 ] && [ "$acked" -lt 20000 ] || fail "the freeze missed the collector ($acked acked)"
[ "$extra" -ge 0 ] && [ "$extra" -le 32 ] \
  || fail "stored $((after - before)), the collector saw $acked acked: $extra were beyond its window of 32"
pass "back-pressure: truced frozen under a --window 32 collector: $acked acked before, $extra more were in flight (<= 32), the other $((20000 - acked - extra)) waited (exit 1, unacked)"

hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$DAEMON_PID/status")
pass "truced peak RSS (VmHWM) over the whole test: $((hwm_kb / 1024)) MiB"
stop_daemon
