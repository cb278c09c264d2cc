#!/usr/bin/env bash
# /metrics (issue 12): truced's own counters in the Prometheus text format,
# scraped before and after a collect of the seeds, a second collect of the
# same (duplicates) and two malformed messages; every counter moves by the
# right amount, both scrapes pass a strict parser of the format and, where
# Debian's prometheus package is installed, `promtool check metrics`.
. "$(dirname "$0")/lib.sh"
M=$TRUCE_SOURCE_DIR/tests/web/metrics_test.py

start_daemon
start_web
curl -sf "$WEB/metrics" >"$T/before.prom" || fail "scrape before"
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds again"
"$RAWSEND" "$IN" "str:lonely-frame" | grep -q REJECTED || fail "one frame not rejected"
"$RAWSEND" "$IN" "str:bad-utf8" "hex:3202c328" | grep -q 'REJECTED' || fail "bad UTF-8 not rejected"
curl -sf "$WEB/metrics" >"$T/after.prom" || fail "scrape after"
curl -sf "$WEB/api/stats" >"$T/stats.json" || fail "stats"
python3 "$M" parse "$T/before.prom" || fail "the first scrape is not well-formed"
python3 "$M" parse "$T/after.prom" || fail "the second scrape is not well-formed"
python3 "$M" delta "$T/before.prom" "$T/after.prom" "$T/stats.json" || fail "counters"
if command -v promtool >/dev/null; then
  promtool check metrics <"$T/after.prom" || fail "promtool check metrics"
  pass "promtool check metrics: clean"
else
  echo "note: promtool not installed (Debian package prometheus); the strict parser alone checked"
fi
grep -q '^truce_subscribers ' "$T/after.prom" || fail "no subscriber gauge"
pass "metrics scraped twice, counters moved as they should"
stop_web
stop_daemon
