#!/usr/bin/env bash
# Crash safety of truce feed: feeds that keep growing are followed while
# truce feed is SIGKILLed (during polls: some feeds answer slowly, so polls
# are always in flight; and during sending: articles flow all the time) and
# truced is SIGKILLed too, both restarted each time. Afterwards the store
# holds every item exactly once, and the collector's state agrees: every
# item acked, nothing pending.
#   TRUCE_FEED_CHAOS_SECONDS (default 20), TRUCE_FEED_CHAOS_SEED
. "$(dirname "$0")/feedlib.sh"

FEEDS=20 MAX=150 RATE=0.1
SECS=${TRUCE_FEED_CHAOS_SECONDS:-20}
seed=${TRUCE_FEED_CHAOS_SEED:-$$}
RANDOM=$seed
echo "seed $seed (TRUCE_FEED_CHAOS_SEED=$seed replays this kill schedule)"
start_server
start_daemon
for i in $(seq "$FEEDS"); do
  delay=0
  [ $((i % 4)) = 0 ] && delay=0.7 # a quarter answer slowly: polls in flight
  echo "$BASE/grow/G$i?rate=$RATE&max=$MAX&items=1000&delay=$delay"
done >"$T/feeds.conf"
start_feed --per-host 8 --window 32

kills_feed=0 kills_daemon=0
end=$((SECONDS + SECS))
while [ $SECONDS -lt "$end" ]; do
  sleep "0.$((RANDOM % 9 + 1))"
  if [ $((RANDOM % 10)) -lt 7 ]; then
    kill -KILL "$FEED_PID" 2>/dev/null || true
    wait "$FEED_PID" 2>/dev/null || true
    kills_feed=$((kills_feed + 1))
    FEED_NOWAIT=1 start_feed --per-host 8 --window 32 # killed even while it starts
  else
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    kills_daemon=$((kills_daemon + 1))
    start_daemon
  fi
done
want=$((FEEDS * MAX))
wait_articles "$want" 120
sleep 2 # acks of the last articles reach the state
stop_feed
n=$(count_articles)
[ "$n" = "$want" ] || fail "stored $n articles, want $want"
articles | python3 -c "import json,sys
urls=[json.loads(l)['article']['url'] for l in sys.stdin]
want={'$BASE/page/G%d/%d' % (i, k) for i in range(1, $FEEDS + 1) for k in range($MAX)}
assert len(urls)==len(set(urls)), 'an item stored twice'
assert set(urls)==want, 'missing %d, extra %d' % (len(want-set(urls)), len(set(urls)-want))" ||
  fail "the store is not every item exactly once"
"$TRUCE" feed --status --json --state "$T/state" | python3 -c "import json,sys
rows=[json.loads(l) for l in sys.stdin]
assert len(rows)==$FEEDS, len(rows)
for r in rows:
    assert r['items']==$MAX and r['sent']==$MAX and r['pending']==0, r" ||
  fail "the state disagrees: $("$TRUCE" feed --status --state "$T/state" | head -5)"
resent=$(grep -c "articles in the outbox from an earlier run" "$T/feed.log" || true)
pass "$kills_feed SIGKILLs of truce feed ($resent restarts found unacked articles in the outbox), $kills_daemon of truced: $n articles, each item exactly once; the state says all acked"
stop_daemon
