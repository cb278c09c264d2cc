#!/usr/bin/env bash
# truced's configuration file and its life under a service manager, with the
# real truced:
#   - --check: a good file is OK (exit 0); unknown keys and bad values are
#     errors naming file, line and reason (exit 2), every one of them; rule
#     files and key files that do not load fail the check
#   - --print-config round-trips: the printed file read back prints the same
#   - flags win over the file (truced answers on the flag's endpoint)
#   - SIGHUP re-reads the file: log-level and rules change live, other keys
#     are named as needing a restart, a broken file changes nothing
#   - under the journal (JOURNAL_STREAM naming stderr) lines carry the
#     syslog priority and no timestamp of their own
#   - the notify protocol (notify_check.py): READY=1 only once the sockets
#     answer, watchdog pings, RELOADING/READY on SIGHUP, STOPPING on SIGTERM;
#     no READY=1 from a truced that cannot start
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")

# --- --check --------------------------------------------------------------
cat >"$T/good.conf" <<CONF
# a comment
data = $T/data
ingest = $IN
publish = $PUB
query = $QRY
batch = 64
log-level = info
CONF
out=$("$TRUCED" --config "$T/good.conf" --check 2>&1) || fail "a good file fails --check: $out"
[ "$out" = "truced: $T/good.conf: configuration OK" ] || fail "--check said: $out"
cat >"$T/bad.conf" <<CONF
data = $T/data
colour = blue
batch = many
sync = fast

insecure = maybe
CONF
rc=0
out=$("$TRUCED" --config "$T/bad.conf" --check 2>&1) || rc=$?
[ $rc = 2 ] || fail "a bad file: --check exits $rc, wants 2"
for want in "truced: $T/bad.conf:2: unknown key 'colour' (see truced --help)" \
  "truced: $T/bad.conf:3: batch wants a number from 1 to 1000000, not 'many'" \
  "truced: $T/bad.conf:4: sync wants one of full, meta, none, not 'fast'" \
  "truced: $T/bad.conf:6: insecure wants yes or no, not 'maybe'"; do
  grep -qxF "$want" <<<"$out" || fail "--check does not say '$want': $out"
done
# the same file stops truced itself from starting, with the same words
rc=0
"$TRUCED" --config "$T/bad.conf" 2>"$T/bad.err" || rc=$?
[ $rc = 2 ] && grep -q "bad.conf:2: unknown key 'colour'" "$T/bad.err" || fail "truced started with a bad file ($rc)"
[ ! -e "$T/data" ] || fail "a bad file still opened the store"
pass "--check: a good file OK; a bad one exits 2 naming file, line and reason for each of 4 errors"

mkdir -p "$T/badrules"
printf 'not a rule line\n' >"$T/badrules/conflicts.tsv"
rc=0
out=$("$TRUCED" --config "$T/good.conf" --rules "$T/badrules" --check 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "truced: rules $T/badrules: .*conflicts.tsv" <<<"$out" || fail "bad rules pass --check ($rc): $out"
printf 'not a key\n' >"$T/server.key"
chmod 600 "$T/server.key"
mkdir -p "$T/allow"
rc=0
out=$("$TRUCED" --config "$T/good.conf" --curve-secret "$T/server.key" --allow "$T/allow" --check 2>&1) || rc=$?
[ $rc = 2 ] && grep -q "truced: curve-secret .*server.key" <<<"$out" || fail "a bad key passes --check ($rc): $out"
pass "--check loads what the file names: bad rule files and a bad key file fail it"

# --- --print-config round trip, flags win --------------------------------
"$TRUCED" --config "$T/good.conf" --batch 77 --print-config >"$T/printed.conf" || fail "--print-config"
grep -qx "batch = 77" "$T/printed.conf" || fail "the flag did not win: $(grep batch "$T/printed.conf")"
"$TRUCED" --config "$T/printed.conf" --print-config >"$T/printed2.conf"
cmp -s "$T/printed.conf" "$T/printed2.conf" || fail "--print-config does not round-trip: $(diff "$T/printed.conf" "$T/printed2.conf")"
pass "--print-config round-trips; a flag wins over its key"

# --- SIGHUP ---------------------------------------------------------------
# The file names one query endpoint, the flag another: truced answers on
# the flag's.
cp "$T/good.conf" "$T/live.conf"
"$TRUCED" --config "$T/live.conf" --query "ipc://$T/flag-query.sock" 2>>"$T/truced.log" &
DAEMON_PID=$!
for _ in $(seq 100); do
  "$TRUCE" stats --connect "ipc://$T/flag-query.sock" --timeout 200 >/dev/null 2>&1 && break
  kill -0 $DAEMON_PID 2>/dev/null || fail "truced with a config file exited"
done
"$TRUCE" stats --connect "ipc://$T/flag-query.sock" --timeout 1000 >/dev/null || fail "no answer on the flag's endpoint"
[ ! -e "$T/query.sock" ] || fail "truced bound the file's query endpoint too"
pass "flags win: truced answers on the --query of the command line, not the file's"
QRY=ipc://$T/flag-query.sock

v1=$(tstat extractor)
# rules: a copy of the built-in conflicts.tsv with one more line
mkdir -p "$T/rules"
cp "$TRUCE_SOURCE_DIR/daemon/extract/rules/conflicts.tsv" "$T/rules/"
printf 'testland\tAAA\tBBB\t\t\n' >>"$T/rules/conflicts.tsv"
sed -i 's/^batch = 64$/batch = 32/; s/^log-level = info$/log-level = debug/' "$T/live.conf"
echo "rules = $T/rules" >>"$T/live.conf"
# hup PATTERN: SIGHUP, then the log lines it wrote (once PATTERN shows) in $new
hup() {
  local lines
  lines=$(wc -l <"$T/truced.log")
  kill -HUP $DAEMON_PID
  for _ in $(seq 50); do
    tail -n +$((lines + 1)) "$T/truced.log" | grep -q "$1" && break
    sleep 0.1
  done
  new=$(tail -n +$((lines + 1)) "$T/truced.log")
}
hup "rules reloaded"
grep -q "live.conf: log-level is now 'debug' (was 'info')" <<<"$new" || fail "log-level not applied: $new"
grep -q "live.conf: rules is now '$T/rules' (was '')" <<<"$new" || fail "rules not applied: $new"
grep -q "WARN  main: $T/live.conf: batch changed ('64' -> '32') but needs a restart; still '64'" <<<"$new" \
  || fail "the batch change is not named as needing a restart: $new"
v2=$(tstat extractor)
[ "$v1" != "$v2" ] || fail "the rules did not change: extractor $v1"
pass "SIGHUP: log-level and rules applied live (extractor $v1 -> $v2); batch named as needing a restart"

# a broken file: nothing changes, truced keeps serving
echo "nonsense here" >>"$T/live.conf"
hup "not applied"
grep -q "ERROR main: $T/live.conf:9: not a 'key = value' line: 'nonsense here'" <<<"$new" || fail "no error for the broken file: $new"
grep -q "live.conf not applied: keeping the running configuration" <<<"$new" || fail "broken file: $new"
[ "$(tstat extractor)" = "$v2" ] || fail "the rules changed with a broken file"
stop_daemon
pass "SIGHUP with a broken file: the error with file and line, and the running configuration kept"

# --- SIGHUP with keys: allow moves to another directory live ---------------
mkdir -p "$T/keys" "$T/allowA" "$T/allowB"
for who in server alice bob; do "$TRUCE" keygen --out "$T/keys/$who" >/dev/null || fail "keygen"; done
cp "$T/keys/alice.pub" "$T/allowA/"
cp "$T/keys/alice.pub" "$T/keys/bob.pub" "$T/allowB/"
cat >"$T/keys.conf" <<CONF
data = $T/data
ingest = $IN
publish = $PUB
query = $QRY
curve-secret = $T/keys/server.key
allow = $T/allowA
CONF
"$TRUCED" --config "$T/keys.conf" 2>>"$T/truced.log" &
DAEMON_PID=$!
kstats() { "$TRUCE" stats --connect "$QRY" --timeout 1000 --curve-server-key "$T/keys/server.pub" --curve-secret "$T/keys/$1.key" >/dev/null 2>&1; }
for _ in $(seq 50); do kstats alice && break; kill -0 $DAEMON_PID 2>/dev/null || fail "truced with keys exited"; done
kstats alice || fail "alice is not admitted"
if kstats bob; then fail "bob admitted before he is listed"; fi
sed -i "s|^allow = .*|allow = $T/allowB|" "$T/keys.conf"
"$TRUCE" keygen --out "$T/keys/server2" >/dev/null
sed -i "s|^curve-secret = .*|curve-secret = $T/keys/server2.key|" "$T/keys.conf"
hup "allow-list reloaded"
grep -q "keys.conf: allow is now '$T/allowB' (was '$T/allowA')" <<<"$new" || fail "allow not applied: $new"
grep -q "allow-list reloaded from $T/allowB: 2 client key(s)" <<<"$new" || fail "allow-list not reloaded: $new"
grep -q "keys.conf: curve-secret changed .* but needs a restart" <<<"$new" || fail "curve-secret change not named: $new"
kstats bob || fail "bob is not admitted after the reload"
kstats alice || fail "alice lost with the new list"
stop_daemon
pass "SIGHUP with keys: allow moved to another directory live (bob admitted), curve-secret named as needing a restart"

# --- the journal ----------------------------------------------------------
# systemd hands the service JOURNAL_STREAM=DEV:INODE of its stderr; a line
# then starts with <priority> and has no time.
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log") \
  "$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>>"$T/journal.log" &
DAEMON_PID=$!
for _ in $(seq 100); do "$TRUCE" stats --connect "$QRY" --timeout 200 >/dev/null 2>&1 && break; done
stop_daemon
grep -q '^<6>INFO main: truced ' "$T/journal.log" || fail "no journal-style line: $(head -3 "$T/journal.log")"
if grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$T/journal.log"; then fail "a timestamp in journal mode"; fi
# a stream that is not the named one keeps the timestamps
JOURNAL_STREAM=1:1 "$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>"$T/plain.log" &
DAEMON_PID=$!
for _ in $(seq 100); do "$TRUCE" stats --connect "$QRY" --timeout 200 >/dev/null 2>&1 && break; done
stop_daemon
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z INFO  main: truced ' "$T/plain.log" || fail "plain log: $(head -2 "$T/plain.log")"
pass "journal: '<6>INFO main: ...' without a timestamp when JOURNAL_STREAM names stderr; timestamps otherwise"

# --- the notify protocol --------------------------------------------------
python3 "$HERE/notify_check.py" run "$TRUCE" "$QRY" "$T/ingest.sock:$T/pub.sock:$T/flag-query.sock" -- \
  "$TRUCED" --data "$T/data" --ingest "$IN" --publish "$PUB" --query "$QRY" 2>>"$T/truced.log" \
  || fail "notify protocol"
# a truced that cannot start (the data directory is held by another) never
# says READY=1
start_daemon
python3 "$HERE/notify_check.py" fail -- "$TRUCED" --data "$T/data" --ingest "ipc://$T/x-in" \
  --publish "ipc://$T/x-pub" --query "ipc://$T/x-q" || fail "notify on a failed start"
stop_daemon
