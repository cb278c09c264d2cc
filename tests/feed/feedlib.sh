# Shared by the feed tests: the integration lib (a real truced on ipc://
# endpoints in a temp dir), plus the local HTTP test server (feedserver.py,
# 127.0.0.1 only) serving the fixtures of tests/feed/data and feeds the
# tests write, and helpers to run `truce feed` and read the store.
. "$(dirname "$0")/../integration/lib.sh"

FEED_DATA=$TRUCE_SOURCE_DIR/tests/feed/data
SERVER_PID=""
# In the valgrind run (tests/valgrind.sh), truce-vg runs truce under memcheck.
FEEDCMD=$TRUCE
[ -x "$TRUCE_BIN/truce-vg" ] && FEEDCMD=$TRUCE_BIN/truce-vg

# start_server: the test server on an ephemeral port of 127.0.0.1 (HTTPS
# with SERVER_SCHEME=https and SERVER_ARGS="--tls-cert C --tls-key K"), serving
# $T/www (the fixtures are copied there; tests add their own files).
# Sets PORT, BASE (http://127.0.0.1:PORT) and SERVER_PID; the log of every
# request and connection is $T/server.log.
start_server() {
  mkdir -p "$T/www"
  cp "$FEED_DATA"/* "$T/www/"
  rm -f "$T/port"
  python3 "$TRUCE_SOURCE_DIR/tests/feed/feedserver.py" --root "$T/www" \
    --port-file "$T/port" --log "$T/server.log" ${SERVER_ARGS:-} 2>>"$T/server.err" &
  SERVER_PID=$!
  BG_PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do
    [ -s "$T/port" ] && break
    sleep 0.05
  done
  [ -s "$T/port" ] || fail "the test server did not start: $(cat "$T/server.err")"
  PORT=$(cat "$T/port")
  BASE=${SERVER_SCHEME:-http}://127.0.0.1:$PORT
}

# feed_once [args...]: one `truce feed --once` on $T/feeds.conf and $T/state,
# quick limits for tests; its log goes to $T/feed.log (appended) and its
# exit code to FEED_RC.
feed_once() {
  FEED_RC=0
  timeout "${FEED_TIMEOUT:-120}" "$FEEDCMD" feed --feeds "$T/feeds.conf" --state "$T/state" \
    --connect "$IN" --once --floor 1s --ceiling 10s --host-delay 0 --timeout 5s \
    --connect-timeout 2s "$@" 2>>"$T/feed.log" || FEED_RC=$?
}

# start_feed [args...]: `truce feed` in the background; sets FEED_PID and
# waits until it is up (FEED_NOWAIT=1: returns at once).
start_feed() {
  local ready
  ready=$(grep -c "feed: following" "$T/feed.log" 2>/dev/null || true)
  "$FEEDCMD" feed --feeds "$T/feeds.conf" --state "$T/state" --connect "$IN" \
    --floor 1s --ceiling 10s --host-delay 0 --timeout 5s --connect-timeout 2s "$@" \
    2>>"$T/feed.log" &
  FEED_PID=$!
  BG_PIDS+=("$FEED_PID")
  [ "${FEED_NOWAIT:-0}" = 1 ] || wait_feed_ready "${ready:-0}"
}

# wait_feed_ready: until the last started truce feed logged that it follows
# its feeds (its signal handlers and its lock are in place by then).
wait_feed_ready() {
  local before=$1
  for _ in $(seq 600); do
    [ "$(grep -c "feed: following" "$T/feed.log" 2>/dev/null)" -gt "$before" ] && return 0
    kill -0 "$FEED_PID" 2>/dev/null || fail "truce feed exited at start: $(tail -3 "$T/feed.log")"
    sleep 0.1
  done
  fail "truce feed did not start"
}

# stop_feed: SIGTERM, expects exit 0.
stop_feed() {
  kill -TERM "$FEED_PID"
  local rc=0
  wait "$FEED_PID" || rc=$?
  [ "$rc" = 0 ] || fail "truce feed exited $rc on SIGTERM: $(tail -5 "$T/feed.log")"
}

# articles: the stored articles as JSON Lines (truce replay, read-only).
articles() {
  "$TRUCE" replay --data "$T/data" --json 2>/dev/null
}

# count_articles: how many articles the store holds.
count_articles() {
  articles | wc -l
}

# wait_articles N [SECONDS]: until the store holds at least N articles.
wait_articles() {
  local want=$1 secs=${2:-60} n=0
  for _ in $(seq $((secs * 10))); do
    n=$(count_articles)
    [ "$n" -ge "$want" ] && return 0
    sleep 0.1
  done
  fail "the store holds $n articles after ${secs}s, not $want"
}

# feed_status_json URL FIELD: one field of a feed's `truce feed --status --json` line.
feed_status_json() {
  "$TRUCE" feed --status --json --state "$T/state" |
    python3 -c "import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o['feed']=='$1': print(o['$2'])"
}

# requests PATH_PREFIX: the server log's requests whose path starts so, one
# JSON object a line.
requests() {
  python3 -c "import json,sys
for l in open('$T/server.log'):
    o=json.loads(l)
    if o['ev']=='req' and o['path'].startswith('$1'): print(l.strip())"
}
