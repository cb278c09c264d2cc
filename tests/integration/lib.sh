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

# stop_daemon: SIGTERM, expects exit 0
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  [ "$rc" -eq 0 ] || fail "truced exited $rc on SIGTERM"
}

# tstat NAME: one field of `truce stats --json`
tstat() {
  "$TRUCE" stats --connect "$QRY" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# count_status FILE STATUS: lines of a collect --json report with that status
count_status() {
  python3 -c "import json,sys; print(sum(1 for l in open('$1') if json.loads(l)['status']=='$2'))"
}
