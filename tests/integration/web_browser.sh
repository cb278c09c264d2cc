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
# A second truce web that wants a token, for the page's token prompt.
head -c 32 /dev/urandom | base64 >"$T/token"
chmod 600 "$T/token"
: >"$T/web2.out" # before the reads below: the background job opens it when it runs
"$TRUCE" web --connect-query "$QRY" --connect-pub "$PUB" --listen 127.0.0.1:0 \
  --token-file "$T/token" >"$T/web2.out" 2>>"$T/web.log" &
BG_PIDS+=($!)
for _ in $(seq 100); do
  WEB2=$(sed -n 's|^truce web: serving \(http://[^/]*\)/.*|\1|p' "$T/web2.out")
  [ -n "$WEB2" ] && break
  sleep 0.1
done
[ -n "$WEB2" ] || fail "the second truce web did not start"
python3 "$TRUCE_SOURCE_DIR/tests/web/browser_test.py" "$WEB" "$T" "$SHOT" "$WEB2" "$T/token" &
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
