#!/usr/bin/env bash
# Gap-free subscribers (issue 4): a watcher that starts after 1,000 events
# with --since 0 gets all of them in order and then the live ones; --state
# resumes exactly after the last event seen; a stopped subscriber with a tiny
# high-water mark, on a daemon with a tiny PUB high-water mark, loses live
# events during a burst and still ends with every event exactly once; a
# topic prefix gives that conflict's events and no other.
. "$(dirname "$0")/lib.sh"
GEN="python3 $(dirname "$0")/genarticles.py"

# A small PUB queue so that the burst below really drops live events.
start_daemon --pub-hwm 20

$GEN 520 --tag first >"$T/first.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/first.jsonl" --quiet \
  || fail "collect of the first 520 articles"
E1=$(tstat last_event_seq)
[ "$E1" -ge 1000 ] || fail "520 articles made only $E1 events (claims=$(tstat claims))"
pass "520 articles stored, $E1 events"

# check_seqs FILE FIRST LAST: FILE (watch --json) holds seqs FIRST..LAST, once each, in order
check_seqs() {
  python3 - "$@" <<'PY'
import json, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seqs = [json.loads(l)["seq"] for l in open(path)]
want = list(range(first, last + 1))
if seqs != want:
    dup = len(seqs) - len(set(seqs))
    missing = sorted(set(want) - set(seqs))[:10]
    sys.exit(f"{path}: {len(seqs)} events, {dup} duplicates, first missing {missing}")
PY
}

# wait_for FILE N: until FILE has N lines (or 30 s)
wait_for() {
  for _ in $(seq 300); do
    [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. Late subscriber: backfill of 1,000+ events, then live ones.
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --json >"$T/late.out" 2>"$T/late.err" &
LATE=$!
BG_PIDS+=("$LATE")
wait_for "$T/late.out" "$E1" || fail "late subscriber backfilled $(wc -l <"$T/late.out") of $E1"
$GEN 40 --start 520 --tag first >"$T/second.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/second.jsonl" --quiet || fail "second collect"
E2=$(tstat last_event_seq)
wait_for "$T/late.out" "$E2" || fail "late subscriber has $(wc -l <"$T/late.out") of $E2"
check_seqs "$T/late.out" 1 "$E2" || fail "late subscriber"
pass "subscriber started after $E1 events: 1..$E2 in order, once each, backfill then live"

# 2. --state: two runs of ten resume exactly after each other.
"$TRUCE" watch --connect "$PUB" --query "$QRY" --state "$T/state" --since 0 --count 10 --json \
  >"$T/s1.out" || fail "watch --state, first run"
[ "$(cat "$T/state")" = 10 ] || fail "state file holds '$(cat "$T/state")', want 10"
"$TRUCE" watch --connect "$PUB" --query "$QRY" --state "$T/state" --count 10 --json \
  >"$T/s2.out" || fail "watch --state, second run"
check_seqs "$T/s1.out" 1 10 || fail "first --state run"
check_seqs "$T/s2.out" 11 20 || fail "second --state run"
pass "--state: a restarted subscriber resumes at 11 after 1..10"

# 3. A stopped subscriber with a tiny HWM during a burst.
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since "$E2" --hwm 5 --json \
  >"$T/slow.out" 2>"$T/slow.err" &
SLOW=$!
BG_PIDS+=("$SLOW")
sleep 0.5
kill -STOP "$SLOW"
$GEN 300 --start 560 --tag first >"$T/burst.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/burst.jsonl" --quiet || fail "burst collect"
E3=$(tstat last_event_seq)
kill -CONT "$SLOW"
want=$((E3 - E2))
wait_for "$T/slow.out" "$want" || fail "slow subscriber has $(wc -l <"$T/slow.out") of $want"
check_seqs "$T/slow.out" $((E2 + 1)) "$E3" || fail "slow subscriber"
grep -q "missed live, backfilling" "$T/slow.err" \
  || fail "the slow subscriber never lost a live event: the test did not test the gap path"
pass "stopped subscriber (HWM 5, PUB HWM 20) lost live events in a $want-event burst," \
  "backfilled: $((E2 + 1))..$E3 once each ($(grep -c 'missed live' "$T/slow.err") holes filled)"
wait_for "$T/late.out" "$E3" || fail "late subscriber stalled after the burst"
check_seqs "$T/late.out" 1 "$E3" || fail "late subscriber after the burst"
pass "the first subscriber also has 1..$E3 exactly once"

# 4. Topic filter: one conflict's new claims, nothing else.
prefix=claim.new.donbas.
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --topic "$prefix" --json \
  >"$T/topic.out" 2>/dev/null &
BG_PIDS+=($!)
n_want=$(python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['topic'].startswith(sys.argv[2])))" "$T/late.out" "$prefix")
[ "$n_want" -gt 0 ] || fail "no $prefix events at all in the store"
wait_for "$T/topic.out" "$n_want" || fail "topic subscriber has $(wc -l <"$T/topic.out") of $n_want"
sleep 0.5
python3 - "$T/topic.out" "$T/late.out" "$prefix" <<'PY' || fail "topic filter"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
allev = [json.loads(l) for l in open(sys.argv[2])]
want = [e["seq"] for e in allev if e["topic"].startswith(sys.argv[3])]
assert all(e["topic"].startswith(sys.argv[3]) for e in got), "an event of another topic"
assert [e["seq"] for e in got] == want, (len(got), len(want))
PY
pass "--topic $prefix: its $n_want events, no other"

# What the query socket returns is what was published, byte for byte: the
# store keeps events without their claim (and topic) and puts them back on
# reading. A raw SUB records the frames of 20 articles' events; a raw
# DEALER asks EVENTS_AFTER for them; each must be the same bytes.
FIRST=$(($(tstat last_event_seq) + 1))
$GEN 20 --tag bytes >"$T/bytes.jsonl"
python3 - "$PUB" "$QRY" "$FIRST" "$T/bytes.ready" "$T/bytes.got" <<'PY' &
import ctypes, ctypes.util, os, sys, time
z = ctypes.CDLL(ctypes.util.find_library("zmq") or "libzmq.so.5")
z.zmq_ctx_new.restype = ctypes.c_void_p
z.zmq_socket.restype = ctypes.c_void_p
z.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
for f in (z.zmq_connect,):
    f.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
z.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
z.zmq_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
z.zmq_send.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
ctx = z.zmq_ctx_new()
sub = z.zmq_socket(ctx, 2)  # SUB
hwm, tmo = ctypes.c_int(100000), ctypes.c_int(3000)
z.zmq_setsockopt(sub, 24, ctypes.byref(hwm), 4)  # RCVHWM
z.zmq_setsockopt(sub, 27, ctypes.byref(tmo), 4)  # RCVTIMEO
z.zmq_setsockopt(sub, 6, b"", 0)
z.zmq_connect(sub, sys.argv[1].encode())
time.sleep(0.5)
open(sys.argv[4], "w").close()
buf = ctypes.create_string_buffer(1 << 20)
published = []
while True:
    n = z.zmq_recv(sub, buf, len(buf), 0)  # topic
    if n < 0:
        break
    n = z.zmq_recv(sub, buf, len(buf), 0)
    published.append(buf.raw[:n])

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        if key & 7 == 0:
            v, i = varint(b, i); yield key >> 3, v
        elif key & 7 == 2:
            n, i = varint(b, i); yield key >> 3, b[i:i + n]; i += n
        else:
            raise SystemExit(f"wire type {key & 7}")

def seq_of(ev):
    return next(v for f, v in fields(ev) if f == 1)

dealer = z.zmq_socket(ctx, 5)  # DEALER
z.zmq_setsockopt(dealer, 27, ctypes.byref(tmo), 4)
z.zmq_connect(dealer, sys.argv[2].encode())
def enc_varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7f | 0x80); v >>= 7
    return bytes(out + bytes([v]))

first = int(sys.argv[3])
req = bytes([0x08, 0x00, 0x10]) + enc_varint(first - 1)  # kind EVENTS_AFTER, after
z.zmq_send(dealer, b"", 0, 2)  # empty delimiter, SNDMORE
z.zmq_send(dealer, req, len(req), 0)
z.zmq_recv(dealer, buf, len(buf), 0)
n = z.zmq_recv(dealer, buf, len(buf), 0)
stored = {seq_of(ev): ev for f, ev in fields(buf.raw[:n]) if f == 3}
mine = [ev for ev in published if seq_of(ev) >= first]
bad = [seq_of(ev) for ev in mine if stored.get(seq_of(ev)) != ev]
with open(sys.argv[5], "w") as out:
    out.write(f"{len(mine)} {len(stored)} {bad[:5]}\n")
sys.exit(1 if bad or len(mine) < 30 else 0)
PY
CMP=$!
for _ in $(seq 50); do [ -f "$T/bytes.ready" ] && break; sleep 0.1; done
"$TRUCE" collect --connect "$IN" --jsonl "$T/bytes.jsonl" --window 1 --quiet || fail "collect 20 more"
wait "$CMP" || fail "published and queried events differ (published, stored, differing seqs): $(cat "$T/bytes.got" 2>/dev/null)"
pass "$(cut -d' ' -f1 "$T/bytes.got") events as published equal, byte for byte, the query socket's copies"
