#!/usr/bin/env bash
# truce collect --watch DIR, the drop folder: 1,000 files written by a
# script (half written in place, half written elsewhere and moved in) while
# truced is SIGKILLed and restarted, and the watcher itself once: each file
# is stored exactly once and moved to sent/; a rejected file goes to failed/
# with its reason beside it; work in progress (.tmp) is left alone.
. "$(dirname "$0")/feedlib.sh"

N=${TRUCE_DROP_FILES:-1000}
help=$("$TRUCE" collect --watch "$T/x" --help) || fail "--watch --help exit $?"
grep -q "usage: truce collect --watch DIR" <<<"$help" || fail "--watch --help: $help"
mkdir -p "$T/drop" "$T/stage"
start_daemon
start_watch() {
  "$FEEDCMD" collect --watch "$T/drop" --connect "$IN" --source Drop --timeout 500 \
    2>>"$T/watch.log" &
  WATCH_PID=$!
  BG_PIDS+=("$WATCH_PID")
}
start_watch
# Two files that truced rejects, and one that is work in progress.
: >"$T/drop/empty.txt"
printf 'Bad bytes\n\xff\xfe not UTF-8\n' >"$T/drop/latin.txt"
echo "half written" >"$T/drop/partial.tmp"

python3 - "$T/drop" "$T/stage" "$N" <<'EOF2' &
import os, sys, time
drop, stage, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    text = "Drop file %d\nReport %d: Armenia accused Azerbaijan of violating the ceasefire.\n" % (i, i)
    name = "f%04d.txt" % i
    if i % 2:
        with open(os.path.join(stage, name), "w") as f:   # written elsewhere, moved in
            f.write(text)
        os.rename(os.path.join(stage, name), os.path.join(drop, name))
    else:
        with open(os.path.join(drop, name), "w") as f:    # written in place, then closed
            f.write(text)
    time.sleep(0.004)
EOF2
WRITER=$!
BG_PIDS+=("$WRITER")
seed=${TRUCE_DROP_SEED:-$$}
RANDOM=$seed
echo "seed $seed (TRUCE_DROP_SEED=$seed replays this kill schedule)"
kills=0
while kill -0 "$WRITER" 2>/dev/null; do
  sleep "0.$((RANDOM % 8 + 2))"
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  kills=$((kills + 1))
  if [ "$kills" = 2 ]; then # the watcher too, once
    kill -KILL "$WATCH_PID"
    wait "$WATCH_PID" 2>/dev/null || true
    start_watch
  fi
  start_daemon
done
wait "$WRITER" || fail "the writer failed"
for _ in $(seq 900); do
  [ "$(ls "$T/drop/sent" | wc -l)" -ge "$N" ] && [ "$(ls "$T/drop/failed" | wc -l)" -ge 4 ] && break
  sleep 0.1
done
kill -TERM "$WATCH_PID"
wait "$WATCH_PID" || fail "the watcher exited $? on SIGTERM"
sent=$(ls "$T/drop/sent" | wc -l)
[ "$sent" = "$N" ] || fail "$sent files in sent/, want $N: $(tail -3 "$T/watch.log")"
left=$(find "$T/drop" -maxdepth 1 -type f -printf '%f\n' | sort | tr '\n' ' ')
[ "$left" = "partial.tmp " ] || fail "left in the drop folder: $left"
articles | python3 -c "import json,sys
ids=[json.loads(l)['article']['id'] for l in sys.stdin]
want={'f%04d.txt' % i for i in range($N)}
assert len(ids)==len(set(ids)), 'a file stored twice'
assert set(ids)==want, 'missing %d, extra %s' % (len(want-set(ids)), sorted(set(ids)-want)[:3])" ||
  fail "the store is not each file exactly once"
pass "$N files written while truced was SIGKILLed $kills times (and the watcher once): each stored once, each moved to sent/"

grep -q "article has no body" "$T/drop/failed/empty.txt.reason" || fail "empty.txt reason: $(cat "$T/drop/failed/empty.txt.reason")"
grep -q "not valid UTF-8" "$T/drop/failed/latin.txt.reason" || fail "latin.txt reason: $(cat "$T/drop/failed/latin.txt.reason")"
pass "rejected files in failed/ with their reasons: $(head -c 80 "$T/drop/failed/latin.txt.reason")"
stop_daemon
