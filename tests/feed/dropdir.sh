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
# missing_report: for each fNNNN.txt not in sent/, where it is (still in the
# drop folder, in failed/ with its reason), what the store holds for it and
# what the watcher logged about it; then the tail of the watcher's log.
missing_report() {
  local i name
  for i in $(seq 0 $((N - 1))); do
    name=$(printf 'f%04d.txt' "$i")
    [ -e "$T/drop/sent/$name" ] && continue
    echo "missing from sent/: $name"
    [ -e "$T/drop/$name" ] && echo "  still in the drop folder ($(stat -c '%s bytes' "$T/drop/$name"))"
    [ -e "$T/drop/failed/$name" ] &&
      echo "  in failed/ ($(stat -c '%s bytes' "$T/drop/failed/$name")): $(cat "$T/drop/failed/$name.reason" 2>/dev/null)"
    echo "  in the store: $(articles | python3 -c 'import json,sys
for a in (json.loads(l)["article"] for l in sys.stdin):
    if a["id"] == sys.argv[1]: print(json.dumps(a)[:300])' "$name")"
    echo "  the watcher about it: $(grep -F "$name" "$T/watch.log" | tail -3 || true)"
    echo "  truced about it: $(grep -F "$name" "$T/truced.log" | tail -3 || true)"
  done
  echo "sent/ holds $(ls "$T/drop/sent" | wc -l), failed/: $(ls "$T/drop/failed" | tr '\n' ' ')"
  echo "drop folder: $(find "$T/drop" -maxdepth 1 -type f -printf '%f ' | head -c 400)"
  echo "the watcher's log, last lines:"
  tail -15 "$T/watch.log"
}
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
[ "$sent" = "$N" ] || fail "$sent files in sent/, want $N (seed $seed)
$(missing_report)"
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

# A file still open for writing when the watcher starts: its start-up scan
# finds it (its IN_CLOSE_WRITE has not come), and it must wait for that
# rather than be sent half written (here: a title without a body, which
# truced would reject, so it would go to failed/).
exec 3>"$T/drop/held.txt"
printf 'Held file\n' >&3
starts=$(grep -c "watch: watching" "$T/watch.log")
start_watch 3>&- # the watcher must not hold fd 3 itself
for _ in $(seq 100); do
  [ "$(grep -c "watch: watching" "$T/watch.log")" -gt "$starts" ] && break
  sleep 0.1
done
grep "watch: watching" "$T/watch.log" | tail -1 | grep -q "(1 files waiting)" ||
  fail "the scan did not find held.txt: $(tail -3 "$T/watch.log")"
sleep 1 # the watcher's first rounds, where it would read held.txt
[ -e "$T/drop/held.txt" ] || fail "held.txt, still open for writing, was taken: $(
  ls "$T/drop/sent" "$T/drop/failed" | grep held) $(tail -3 "$T/watch.log")"
printf 'Report: Armenia accused Azerbaijan of violating the ceasefire after the watcher started.\n' >&3
exec 3>&-
for _ in $(seq 300); do
  [ -e "$T/drop/sent/held.txt" ] && break
  sleep 0.1
done
[ -e "$T/drop/sent/held.txt" ] || fail "held.txt not in sent/ 30 s after its writer closed it: $(
  ls "$T/drop/failed" | grep held) $(tail -3 "$T/watch.log")"
articles | python3 -c "import json,sys
a=[a for a in (json.loads(l)['article'] for l in sys.stdin) if a['id']=='held.txt']
assert len(a)==1 and 'after the watcher started' in a[0]['body'], a" ||
  fail "held.txt is not stored once and whole"
kill -TERM "$WATCH_PID"
wait "$WATCH_PID" || fail "the watcher exited $? on SIGTERM"
pass "a file still being written when the watcher started was sent only once closed, whole"
stop_daemon
