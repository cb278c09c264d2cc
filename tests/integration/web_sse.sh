#!/usr/bin/env bash
# /api/events (issue 12): Server-Sent Events with id = event seq, resumed
# with Last-Event-ID across a restart of truced, with no event missed or
# repeated; topic filters; a ring of 8 events so that both the query-socket
# catch-up and the ring are used (tests/web/sse_test.py).
. "$(dirname "$0")/lib.sh"
GEN="python3 $(dirname "$0")/genarticles.py"

start_daemon
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
start_web --buffer-events 8 --keepalive 1
python3 "$TRUCE_SOURCE_DIR/tests/web/sse_test.py" "$WEB" "$T" &
PY=$!
wait_phase1 "$PY" "sse_test"
stop_daemon
sleep 1 # the streams see truced gone: the hub's queries time out meanwhile
start_daemon
$GEN 20 --tag sse >"$T/more.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/more.jsonl" --quiet || fail "collect after the restart"
touch "$T/phase2"
wait "$PY" || fail "sse_test"
grep -q 'truce_web_sse_clients' <(curl -s "$WEB/metrics") || fail "no SSE gauge in /metrics"
stop_web
stop_daemon
