# Shared by the integration tests: a real truced on ipc:// endpoints in a
# temporary directory, driven by the real truce binaries.
set -euo pipefail
: "${TRUCE_BIN:?TRUCE_BIN must point at the bin directory of the build (ctest sets it)}"
: "${TRUCE_SOURCE_DIR:?}"
TRUCE=$TRUCE_BIN/truce
TRUCED=$TRUCE_BIN/truced
RAWSEND=$TRUCE_BIN/truce-rawsend
SEEDS=$TRUCE_SOURCE_DIR/tests/data/seeds.jsonl

T=$(mktemp -d "${TMPDIR:-/tmp}/truce-it.XXXXXX")
IN=ipc://$T/ingest.sock
PUB=ipc://$T/pub.sock
QRY=ipc://$T/query.sock
DAEMON_PID=""
BG_PIDS=()
# The long-running truce commands of the web tests (truce web, truce watch
# --post): under memcheck when tests/valgrind.sh provides truce-vg, and then
# at normal priority, since truce web's default SCHED_IDLE under memcheck on
# a busy machine may hardly run at all.
TRUCE_LONG=$TRUCE
WEB_PRIORITY=()
UNDER_VALGRIND=0 # 1: truced runs some 50 times slower; scale waits by it
if [ -x "$TRUCE_BIN/truce-vg" ]; then
  UNDER_VALGRIND=1
  TRUCE_LONG=$TRUCE_BIN/truce-vg
  WEB_PRIORITY=(--priority normal)
fi

cleanup() {
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$T/truced.log" ] && tail -20 "$T/truced.log" >&2; exit 1; }
pass() { echo "ok: $*"; }

# start_daemon [extra truced args...]
start_daemon() {
  "$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" \
    --log-level debug "$@" 2>>"$T/truced.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    "$TRUCE" stats --connect "$QRY" --timeout 200 >/dev/null 2>&1 && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "truced exited at start"
  done
  fail "truced did not answer stats"
}

# start_other NAME: a second truced in $T/NAME on its own ipc endpoints, for
# tests that copy one store into another; sets OIN, OQRY, OPID.
start_other() {
  OIN=ipc://$T/$1-ingest.sock OQRY=ipc://$T/$1-query.sock
  "$TRUCED" --data "$T/$1" --ingest "$OIN" --publish "ipc://$T/$1-pub.sock" --query "$OQRY" \
    --log-level info 2>>"$T/$1.log" &
  OPID=$!
  BG_PIDS+=("$OPID")
  for _ in $(seq 100); do
    "$TRUCE" stats --connect "$OQRY" --timeout 200 >/dev/null 2>&1 && return 0
    kill -0 "$OPID" 2>/dev/null || fail "truced $1 exited at start: $(tail -5 "$T/$1.log")"
  done
  fail "truced $1 did not answer"
}

# collect_corpus FILE: the seeds, FILE and (when present) the shared dev
# corpus into the daemon started by start_daemon
collect_corpus() {
  "$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet >/dev/null 2>&1 || fail "collect seeds"
  "$TRUCE" collect --connect "$IN" --jsonl "$1" --quiet >/dev/null 2>&1 || fail "collect $1"
  if [ -f "$TRUCE_SHARED/corpus/dev.jsonl" ]; then
    "$TRUCE" collect --connect "$IN" --jsonl "$TRUCE_SHARED/corpus/dev.jsonl" --quiet >/dev/null 2>&1 \
      || fail "collect dev corpus"
  fi
}

# stop_daemon: SIGTERM, expects exit 0
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  [ "$rc" -eq 0 ] || fail "truced exited $rc on SIGTERM"
}

# good_after NAME: a fresh good article (a new body, so not a DUPLICATE),
# sent raw after the input NAME, is STORED: the daemon keeps serving.
GOOD=0
good_after() {
  GOOD=$((GOOD + 1))
  local out
  out=$("$RAWSEND" "$IN" "str:good-$GOOD" \
    "article:Good article $GOOD, sent after '$1': Armenia accused Azerbaijan of violating the ceasefire.") \
    || fail "$1: no ack for the next good article"
  echo "$out" | grep -q '"STORED"' || fail "$1: the next good article was not stored: $out"
}

# tstat NAME: one field of `truce stats --json`. The query socket is served
# between ingest batches, and a CI machine running 50 subscriber processes
# on 2 cores can keep it busy well past stats' 5 s default: the tests read
# counts, they do not time the query path (tools/bench does), so wait long.
tstat() {
  local out
  out=$("$TRUCE" stats --connect "$QRY" --json --timeout 60000) || fail "truce stats: no answer in 60 s"
  python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$out"
}

# reparse NAME: truce replay --reparse --diff of the store in $T/data into
# $T/NAME.reparse (the upgrade tests); exit 0 or 1 (changes the rules made
# since a fixture was written), never an error
reparse() {
  local rc=0
  "$TRUCE" replay --data "$T/data" --reparse --diff --format jsonl >"$T/$1.reparse" 2>&1 || rc=$?
  [ "$rc" -le 1 ] || fail "--reparse ($1) exited $rc: $(tail -3 "$T/$1.reparse")"
}

# count_status FILE STATUS: lines of a collect --json report with that status
count_status() {
  python3 -c "import json,sys; print(sum(1 for l in open('$1') if json.loads(l)['status']=='$2'))"
}

# start_web [extra truce web args...]: truce web on a free loopback port
# against the daemon of start_daemon; sets WEB (http://127.0.0.1:PORT) and
# WEB_PID. Its log is $T/web.log.
start_web() {
  : >"$T/web.out"
  "$TRUCE_LONG" web --connect-query "$QRY" --connect-pub "$PUB" --listen 127.0.0.1:0 \
    "${WEB_PRIORITY[@]}" "$@" \
    >"$T/web.out" 2>>"$T/web.log" &
  WEB_PID=$!
  BG_PIDS+=("$WEB_PID")
  for _ in $(seq 300); do
    WEB=$(sed -n 's|^truce web: serving \(http://[^/]*\)/.*|\1|p' "$T/web.out")
    [ -n "$WEB" ] && return 0
    kill -0 "$WEB_PID" 2>/dev/null || fail "truce web exited at start: $(cat "$T/web.log")"
    sleep 0.1
  done
  fail "truce web did not start"
}

# stop_web: SIGTERM, expects exit 0
stop_web() {
  kill -TERM "$WEB_PID"
  local rc=0
  wait "$WEB_PID" || rc=$?
  [ "$rc" -eq 0 ] || fail "truce web exited $rc on SIGTERM: $(tail -5 "$T/web.log")"
}

# A python3 with Debian's python3-zmq and python3-protobuf (the pyenv or
# venv python3 first on PATH may lack them); empty when there is none.
system_python() {
  for py in /usr/bin/python3 python3; do
    if "$py" -c 'import zmq, google.protobuf' 2>/dev/null; then echo "$py"; return; fi
  done
}

# wait_phase1 PID NAME: waits until the test program PID (a python script that
# writes $T/phase1 when it wants the shell to act, then waits for
# $T/phase2) reaches phase 1; fails if it exits first.
wait_phase1() {
  for _ in $(seq 600); do
    [ -f "$T/phase1" ] && return 0
    kill -0 "$1" 2>/dev/null || { wait "$1" || fail "$2 failed before phase 1"; }
    sleep 0.1
  done
  fail "$2 did not reach phase 1"
}
