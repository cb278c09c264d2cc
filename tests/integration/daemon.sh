#!/usr/bin/env bash
# Daemon basics: --help, bad options, a second instance on the same data
# directory fails clearly, SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"

# Help text is captured first: `cmd | grep -q` under pipefail fails when grep
# stops reading early and cmd gets SIGPIPE.
help=$("$TRUCED" --help) || fail "truced --help exit $?"
grep -q -- "--data" <<<"$help" || fail "truced --help"
for sub in collect watch replay extract stats export keygen bench; do
  help=$("$TRUCE" "$sub" --help) || fail "truce $sub --help exit $?"
  grep -q "usage: truce $sub" <<<"$help" || fail "truce $sub --help: $(head -1 <<<"$help")"
done
pass "--help on truced and every subcommand"

rc=0; "$TRUCED" --batch zero 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "bad option exit $rc"
rc=0; "$TRUCE" collect --bogus 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "truce bad option exit $rc"
pass "bad options exit 2"

start_daemon
rc=0
"$TRUCED" --data "$T/data" --ingest "ipc://$T/x1" --publish "ipc://$T/x2" --query "ipc://$T/x3" \
  2>"$T/second.err" || rc=$?
[ "$rc" != 0 ] || fail "second truced on the same data dir started"
grep -qi "in use" "$T/second.err" || fail "second instance error unclear: $(cat "$T/second.err")"
pass "second instance refused: $(grep -i 'in use' "$T/second.err" | head -1 | cut -c1-120)"
tstat articles >/dev/null || fail "first instance hurt"
stop_daemon
[ "$(stat -c %a "$T/data")" = 700 ] || fail "data dir mode"
pass "data directory is 0700"

rc=0; "$TRUCE" collect --connect "ipc://$T/nobody" --deadline 1 --timeout 200 --jsonl "$SEEDS" \
  >"$T/nobody.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "collect with no daemon exit $rc"
grep -q "5 unacked" "$T/nobody.out" || fail "collect report: $(cat "$T/nobody.out")"
pass "collect with no daemon: gives up at --deadline, exit 1, 5 unacked"
