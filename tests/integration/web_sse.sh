#!/usr/bin/env bash
# /api/events (issue 12): Server-Sent Events with id = event seq, resumed
# with Last-Event-ID across a restart of truced, with no event missed or
# repeated; topic filters; a ring of 8 events so that both the query-socket
# catch-up and the ring are used (tests/web/sse_test.py); the same with
# Content-Encoding: gzip, and a gzip stream that truce web ends is a
# complete gzip member.
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

# gzip;q=0 refuses gzip: the identity stream.
curl -s -H 'Accept-Encoding: gzip;q=0' -D "$T/q0.hdr" --max-time 2 -o /dev/null \
  "$WEB/api/events?since=0" || true
grep -qi '^content-encoding' "$T/q0.hdr" && fail "gzip;q=0 got $(grep -i '^content-encoding' "$T/q0.hdr")"
# Two gzip streams open when truce web stops: the raw bytes (curl without
# decoding) must then be one complete gzip member, whose CRC and length
# Python's gzip checks; curl --compressed decodes the same and exits 0.
curl -sN -H 'Accept-Encoding: gzip' -D "$T/gz.hdr" -o "$T/gz.raw" "$WEB/api/events?since=0" &
RAW=$!
curl -sN --compressed -o "$T/gz.txt" "$WEB/api/events?since=0" &
DEC=$!
for _ in $(seq 300); do
  [ "$(stat -c %s "$T/gz.raw" 2>/dev/null || echo 0)" -gt 500 ] &&
    [ "$(stat -c %s "$T/gz.txt" 2>/dev/null || echo 0)" -gt 5000 ] && break
  sleep 0.1
done
stop_web
wait "$RAW" || fail "curl of the raw gzip stream exited $?"
wait "$DEC" || fail "curl --compressed exited $? at the end of the stream"
grep -qi '^content-encoding: gzip' "$T/gz.hdr" || fail "no Content-Encoding: gzip: $(cat "$T/gz.hdr")"
python3 - "$T/gz.raw" "$T/gz.txt" <<'PY' || fail "the ended gzip stream"
import gzip, sys
raw = gzip.decompress(open(sys.argv[1], "rb").read())  # checks the trailer
for name, text in (("raw", raw), ("curl --compressed", open(sys.argv[2], "rb").read())):
    ids = [int(l[3:]) for l in text.decode().split("\n") if l.startswith("id:")]
    if not ids or ids != list(range(1, len(ids) + 1)):
        sys.exit("%s: ids %r..." % (name, ids[:20]))
    print("ok: %s: a complete gzip stream of events 1..%d" % (name, ids[-1]))
PY
stop_daemon
