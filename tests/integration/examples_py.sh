#!/usr/bin/env bash
# The Python examples (issue 12) against a real truced: examples/
# subscriber.py (pyzmq + the protobuf contract, its Python made by protoc
# here) and examples/sse_client.py (the standard library against truce web)
# each print every event of the seeds once, in order: any ZeroMQ SUB can
# subscribe, tested rather than claimed. Skipped (77) without Debian's
# python3-zmq, python3-protobuf or protoc (tools/install-deps installs them).
. "$(dirname "$0")/lib.sh"
PY=$(system_python)
if [ -z "$PY" ] || ! command -v protoc >/dev/null; then
  echo "skip: needs python3-zmq, python3-protobuf and protobuf-compiler (TRUCE_WITH_WEB_TESTS=1 tools/install-deps)"
  exit 77
fi
EX=$TRUCE_SOURCE_DIR/examples
mkdir "$T/py"
protoc --python_out="$T/py" -I "$TRUCE_SOURCE_DIR/proto" "$TRUCE_SOURCE_DIR/proto/truce.proto" \
  || fail "protoc --python_out"

start_daemon
start_web
# Live and from the start: both start before any event exists.
PYTHONPATH=$T/py "$PY" "$EX/subscriber.py" --connect "$PUB" --query "$QRY" --since 0 \
  >"$T/sub.out" 2>"$T/sub.err" &
SUB=$!
BG_PIDS+=("$SUB")
"$PY" "$EX/sse_client.py" --url "$WEB" --since 0 >"$T/sse.out" 2>"$T/sse.err" &
SSE=$!
BG_PIDS+=("$SSE")
sleep 1
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
E=$(tstat last_event_seq)
[ "$E" -ge 20 ] || fail "the seeds made only $E events"
for f in sub sse; do
  for _ in $(seq 300); do [ "$(wc -l <"$T/$f.out")" -ge "$E" ] && break; sleep 0.1; done
done
sleep 0.5 # anything more would show now
kill "$SUB" "$SSE"
"$TRUCE" watch --connect "$PUB" --query "$QRY" --since 0 --count "$E" >"$T/watch.out" \
  || fail "truce watch"
seqs() { sed -n 's/^#\([0-9]*\) .*/\1/p' "$1" | tr '\n' ' '; }
want=$(seq 1 "$E" | tr '\n' ' ')
[ "$(seqs "$T/sub.out")" = "$want" ] || fail "subscriber.py printed seqs $(seqs "$T/sub.out"): $(cat "$T/sub.err")"
[ "$(seqs "$T/sse.out")" = "$want" ] || fail "sse_client.py printed seqs $(seqs "$T/sse.out"): $(cat "$T/sse.err")"
# The same claims as truce watch, decoded independently.
diff <(grep -o 'accuses [a-zA-Z]*' "$T/sub.out") <(grep -o 'accuses [a-zA-Z]*' "$T/watch.out") \
  || fail "subscriber.py decoded other claims than truce watch"
pass "examples/subscriber.py (pyzmq + protobuf): events 1..$E once each, the claims truce watch prints"
pass "examples/sse_client.py: events 1..$E once each"

# A subscriber that starts late catches up from the query socket.
PYTHONPATH=$T/py "$PY" "$EX/subscriber.py" --connect "$PUB" --query "$QRY" --since $((E - 6)) \
  --count 6 >"$T/late.out" || fail "late subscriber.py"
[ "$(seqs "$T/late.out")" = "$(seq $((E - 5)) "$E" | tr '\n' ' ')" ] \
  || fail "late subscriber: $(seqs "$T/late.out")"
pass "subscriber.py --since $((E - 6)): the last six from the query socket"
stop_web
stop_daemon
