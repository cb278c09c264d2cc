#!/usr/bin/env bash
# The dashboard in a real browser (issue 12): Debian's chromium, headless,
# driven over the DevTools protocol (tests/web/cdp.py). The seeds' incidents
# are listed; an article whose title, outlet, URL and evidence carry
# <script>, "><img onerror=...> and javascript: payloads is collected while
# the page is open: its incident appears without a reload, every payload
# shows as text and none runs; filters in the URL select what is shown. The
# screenshot lands beside the test output (it_web_browser.png).
# Skipped (77) where chromium is not installed.
. "$(dirname "$0")/lib.sh"
command -v "${TRUCE_CHROMIUM:-chromium}" >/dev/null || {
  echo "skip: no chromium (TRUCE_WITH_WEB_TESTS=1 tools/install-deps)"
  exit 77
}
GEN="python3 $(dirname "$0")/genarticles.py"
SHOT=${TRUCE_ARTIFACTS:-$PWD}/it_web_browser.png

start_daemon
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
start_web
python3 "$TRUCE_SOURCE_DIR/tests/web/browser_test.py" "$WEB" "$T" "$SHOT" &
PY=$!
wait_phase1 "$PY" "the browser test"
"$TRUCE" collect --connect "$IN" --jsonl "$TRUCE_SOURCE_DIR/tests/web/xss.jsonl" --quiet \
  || fail "collect the payload article"
$GEN 1 --tag browser >"$T/one.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/one.jsonl" --quiet || fail "collect one more"
touch "$T/phase2"
wait "$PY" || fail "browser test"
stop_web
stop_daemon
