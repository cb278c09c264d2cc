#!/usr/bin/env bash
# HTTPS: verification is always on. A feed whose certificate no known CA
# signed is an error naming the certificate problem; with ca_file= naming
# the CA that signed it, the feed is read; with another CA's file, it is
# refused again. (The test makes its own CAs and certificate: 127.0.0.1.)
. "$(dirname "$0")/feedlib.sh"

command -v openssl >/dev/null || { echo "skip: no openssl command (tools/install-deps)"; exit 77; }
mkcert() { # NAME: a self-signed certificate for 127.0.0.1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
    fail "openssl could not make a certificate"
}
mkcert server
mkcert other
SERVER_SCHEME=https SERVER_ARGS="--tls-cert $T/server.pem --tls-key $T/server.key" start_server
start_daemon
cat >"$T/feeds.conf" <<CONF
$BASE/f/rss2.xml
$BASE/f/atom.xml        ca_file=$T/server.pem
$BASE/f/jsonfeed.json   ca_file=$T/other.pem
CONF
# TLS handshakes under valgrind take seconds; curl counts them in the connect timeout.
feed_once --connect-timeout 30s --timeout 60s
[ "$FEED_RC" = 0 ] || fail "truce feed --once exit $FEED_RC: $(tail -5 "$T/feed.log")"
[ "$(count_articles)" = 3 ] || fail "stored $(count_articles) articles, want atom's 3"
[ "$(feed_status_json "$BASE/f/atom.xml" sent)" = 3 ] || fail "atom over HTTPS with its CA"
for f in rss2.xml jsonfeed.json; do
  err=$(feed_status_json "$BASE/f/$f" last_error)
  grep -qi "certificate" <<<"$err" || fail "$f: the error does not name the certificate: $err"
done
pass "HTTPS: unverifiable certificate refused ($(feed_status_json "$BASE/f/rss2.xml" last_error | cut -c1-60)); ca_file= with the right CA read the feed; another CA's file refused"
stop_daemon
