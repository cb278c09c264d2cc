#!/usr/bin/env bash
# The installed tree, used from its own files only: `cmake --install` into a
# temporary prefix, then
#   - the files a deployment needs are there: binaries, library, man pages
#     (one for every command `truce --help` lists, and each renders), the
#     default rules, the example config, the systemd units
#   - `systemd-analyze verify` accepts both units
#   - truced started exactly as the unit's ExecStart, with NOTIFY_SOCKET
#     pointed at notify_check.py: READY=1 only once the sockets answer
#   - the demo flow: that truced, `truce watch` and `truce collect` from the
#     prefix on the seed articles print the alerts of the README's demo
#   - the installed rules are the built-in ones (same extractor output)
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
P=$T/prefix
cmake --install "$TRUCE_BIN/.." --prefix "$P" >"$T/install.log" 2>&1 \
  || fail "cmake --install: $(tail -5 "$T/install.log")"
for f in bin/truced bin/truce etc/truce/truced.conf lib/systemd/system/truced.service \
  lib/systemd/system/truce-feed.service share/man/man8/truced.8 share/man/man5/truced.conf.5 \
  share/man/man1/truce.1 share/truce/rules/parties.tsv share/truce/rules/geonames.tsv \
  share/doc/truce/truced.conf.example; do
  [ -s "$P/$f" ] || fail "not installed: $f"
done
for f in "$TRUCE_SOURCE_DIR"/daemon/extract/rules/*; do
  cmp -s "$f" "$P/share/truce/rules/$(basename "$f")" || fail "rule file $(basename "$f") not installed as it is"
done
B=$P/bin
cmds=$("$B/truce" --help | awk '/^  [a-z]+ / && !/the same as/ {print $1}')
[ -n "$cmds" ] || fail "truce --help lists no commands"
for c in $cmds; do
  page=$P/share/man/man1/truce-$c.1
  [ -s "$page" ] || fail "no man page for truce $c"
done
if command -v man >/dev/null; then
  for page in "$P"/share/man/man*/*; do
    out=$(MANWIDTH=80 man -l "$page" 2>&1) || fail "man -l $page: $out"
  done
  grep -q "#disk-warn = 10" <<<"$(MANWIDTH=80 man -l "$P/share/man/man5/truced.conf.5")" || fail "truced.conf(5) lacks the keys"
  grep -q -- "--config FILE" <<<"$(MANWIDTH=80 man -l "$P/share/man/man8/truced.8")" || fail "truced(8) lacks --config"
fi
pass "installed: binaries, rules (identical), config, units, man pages ($(ls "$P"/share/man/man*/* | wc -l), one per command: $(echo $cmds))"

if command -v systemd-analyze >/dev/null; then
  for u in truced.service truce-feed.service; do
    out=$(systemd-analyze verify --man=no "$P/lib/systemd/system/$u" 2>&1) || fail "systemd-analyze verify $u: $out"
    [ -z "$out" ] || fail "systemd-analyze verify $u complains: $out"
  done
  pass "systemd-analyze verify: both units clean"
else
  echo "skip: systemd-analyze is not installed (Debian's systemd package); the units are not verified"
fi
grep -qx "Type=notify" "$P/lib/systemd/system/truced.service" || fail "truced.service is not Type=notify"

# The installed config, pointed at this test's endpoints and data directory
# (the example's data directory is $P/var/lib/truce); the rules the package
# ships instead of the built-in ones.
conf=$P/etc/truce/truced.conf
sed -i "s|^data = .*|data = $T/state|; s|^#ingest = .*|ingest = $IN|; s|^#publish = .*|publish = $PUB|; \
        s|^#query = .*|query = $QRY|; s|^#rules =.*|rules = $P/share/truce/rules|" "$conf"
"$B/truced" --config "$conf" --check >/dev/null || fail "the installed config does not pass --check"
exec_start=$(sed -n 's/^ExecStart=//p' "$P/lib/systemd/system/truced.service")
[ "$exec_start" = "$B/truced --config $conf" ] || fail "ExecStart is '$exec_start'"
# shellcheck disable=SC2086 # ExecStart is words
python3 "$HERE/notify_check.py" run "$B/truce" "$QRY" "$T/ingest.sock:$T/pub.sock:$T/query.sock" -- \
  $exec_start 2>>"$T/truced.log" || fail "notify protocol of the unit's ExecStart"

# The demo, from the prefix only.
# shellcheck disable=SC2086
$exec_start 2>>"$T/truced.log" &
DAEMON_PID=$!
for _ in $(seq 100); do "$B/truce" stats --connect "$QRY" --timeout 200 >/dev/null 2>&1 && break; done
"$B/truce" watch --connect "$PUB" --query "$QRY" --since 0 --state "$T/watch.state" >"$T/alerts" 2>/dev/null &
BG_PIDS+=($!)
"$B/truce" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "truce collect from the prefix"
last=$("$B/truce" stats --connect "$QRY" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_event_seq"])')
for _ in $(seq 100); do
  [ "$(cat "$T/watch.state" 2>/dev/null || echo 0)" -ge "$last" ] && break
  sleep 0.1
done
# (what the extractor makes of the seeds is the extractor tests' business;
# here: every event arrived in order, and the demo's point, a corroboration)
grep -q "^#1 incident.new  *incident 1 karabakh-" "$T/alerts" || fail "the first alert: $(head -1 "$T/alerts")"
[ "$(wc -l <"$T/alerts")" = "$last" ] || fail "$(wc -l <"$T/alerts") alerts for $last events"
[ "$(sed -n "${last}p" "$T/alerts" | cut -d' ' -f1)" = "#$last" ] || fail "the last alert is not #$last"
grep -q "^#[0-9]* claim.corroborated .* | incident 1$" "$T/alerts" || fail "no corroboration alert: $(cat "$T/alerts")"
stop_daemon
pass "the demo from the installed files: $last alerts in order, a corroboration among them"

"$B/truce" extract --jsonl "$SEEDS" >"$T/builtin.jsonl" 2>/dev/null
"$B/truce" extract --rules "$P/share/truce/rules" --jsonl "$SEEDS" >"$T/shipped.jsonl" 2>/dev/null
cmp -s "$T/builtin.jsonl" "$T/shipped.jsonl" || fail "share/truce/rules extract differently from the built-in rules"
pass "share/truce/rules are the built-in rules: identical extraction of the seeds"
