#!/usr/bin/env bash
# Hostile but legal input, and garbage on the query socket:
#   - 100,000 nested <div>s, 8 MB of HTML, a 10 MB body of one word: each is
#     acked STORED (they are within the limits), stored byte for byte, and
#     the daemon stays up and stores the next article;
#   - query requests that are garbage, of an unknown kind, over the request
#     limit, or ask for sequence numbers out of range: each is answered
#     ok=false with an error or ok=true with an empty result; a frame over
#     the query socket's 64 KiB limit drops that connection only.
. "$(dirname "$0")/lib.sh"

# Limits that let a 10 MB body in: 12 MiB bodies, 16 MiB frames.
start_daemon --max-body 12582912 --max-message 16777216
: "${TRUCE_RAWSEND_TIMEOUT_MS:=60000}" # extraction of 10 MB takes a while
export TRUCE_RAWSEND_TIMEOUT_MS

# accept NAME FILE text|html: the file as an article body is STORED intact.
accept() {
  local name=$1 file=$2 kind=$3 out seq t0 t1
  t0=$(date +%s.%N)
  out=$("$RAWSEND" "$IN" "str:$name" "$kind-file:$file") || fail "$name: no ack"
  t1=$(date +%s.%N)
  echo "$out" | grep -q '"STORED"' || fail "$name: $out"
  kill -0 "$DAEMON_PID" || fail "$name: daemon died"
  seq=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['article_seq'])" "$out")
  "$TRUCE" replay --data "$T/data" --from "$seq" --to "$seq" >"$T/one.json"
  python3 - "$T/one.json" "$file" <<'PY' || fail "$name: stored body differs"
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["article"]["body"] == open(sys.argv[2], encoding="utf-8").read()
PY
  good_after "$name"
  pass "$name ($(stat -c %s "$file") bytes) -> STORED as #$seq in $(python3 -c "print(round($t1-$t0,1))") s, body intact, next article STORED"
}

python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
open(f"{t}/nested.html", "w").write("<html><body>" + "<div>" * 100000
    + "Armenia accused Azerbaijan of violating the ceasefire near Tavush on 3 May."
    + "</div>" * 100000 + "</body></html>")
para = ("<p>The <b>Armenian</b> defence ministry said <i>Azerbaijani</i> forces violated the "
        "ceasefire near <a href='https://example.org/x'>Tavush</a> on 3 May, killing 2 "
        "soldiers and wounding 5.</p>\n<table><tr><td>cell</td></tr></table>\n")
open(f"{t}/huge.html", "w").write("<html><body>" + para * (8_000_000 // len(para)) + "</body></html>")
open(f"{t}/oneword.txt", "w").write("ceasefire" * (10_000_000 // 9))
PY
accept "100k nested divs" "$T/nested.html" html
accept "8 MB of HTML" "$T/huge.html" html
accept "10 MB body of one word" "$T/oneword.txt" article
# The same one-word body as HTML: one giant text node.
python3 -c "import sys; open(sys.argv[1],'w').write('<p>' + 'truce' * 2_000_000 + '</p>')" "$T/oneword.html"
accept "10 MB HTML text node" "$T/oneword.html" html

# query QUERY_NAME EXPECT(ok|error|empty|articles=N) HEX_OR_SPEC: one request, one reply.
query() {
  local name=$1 want=$2 spec=$3 out
  out=$(TRUCE_RAWSEND_TIMEOUT_MS=5000 "$RAWSEND" --query "$QRY" "$spec") || fail "query $name: no reply"
  python3 - "$out" "$want" <<'PY' || fail "query $name: $out"
import json, sys
r, want = json.loads(sys.argv[1]), sys.argv[2]
if want.startswith("articles="):
    assert r["ok"] and r["articles"] == int(want[9:]), r
elif want == "error":
    assert not r["ok"] and r["error"], r
else:
    assert r["ok"] and not r["error"], r
    if want == "empty":
        assert r["events"] == r["articles"] == r["claims"] == r["incidents"] == 0, r
        assert not r["incident"] and not r["more"], r
PY
  pass "query $name -> $(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print('ok=false: ' + r['error'] if not r['ok'] else 'ok=true, empty' if sys.argv[2]=='empty' else 'ok=true')" "$out" "$want")"
}

# varint helper for the requests below
v() { python3 -c "
import sys
n=int(sys.argv[1]); out=b''
while True:
    b=n&0x7f; n>>=7
    out+=bytes([b|(0x80 if n else 0)])
    if not n: break
print(out.hex())" "$1"; }
MAX=18446744073709551615
query "random bytes" error random:200
query "a truncated request" error hex:080310
query "a truncated request (varint)" error hex:0880
query "an Article, not a request" error "article:not a query"
query "unknown kind 99" error hex:0863
query "kind -1" error hex:08ffffffffffffffffff01
query "request over 4 KiB" error big:5000
query "stats" ok hex:0803
query "events after u64 max" empty "hex:080010$(v $MAX)"
query "events after u64 max - 1" empty "hex:080010$(v 18446744073709551614)"
query "incident 0" error hex:08012000
query "incident u64 max" error "hex:080120$(v $MAX)"
query "articles from u64 max" empty "hex:080228$(v $MAX)"
query "articles from 10 to 2" empty "hex:0802280a3002"
query "articles to 0" empty hex:08023000
query "articles from 1 to u64 max, limit u64 max" ok "hex:0802280130$(v $MAX)18$(v $MAX)"
query "articles in a time window in 1970" empty "hex:0802380140$(v 1000)"
query "claims from u64 max" empty "hex:080428$(v $MAX)"
query "incidents from 2^63" empty "hex:080528$(v 9223372036854775808)"
query "limit 0 (= default)" ok hex:08021800
# Articles over the 4 MiB reply budget still come, one per chunk (a chunk
# with none and more=true would make a paging client ask forever).
query "article 3 (8 MB) alone" articles=1 hex:080228033003
query "articles 3.. (8 MB, then 10 MB ones)" articles=1 hex:08022803
query "articles 1.. (1 MB, then 8 MB)" articles=2 hex:08022801

if TRUCE_RAWSEND_TIMEOUT_MS=1500 "$RAWSEND" --query "$QRY" big:70000 >"$T/qbig.out" 2>&1; then
  fail "a 70,000-byte query frame was answered: $(cat "$T/qbig.out")"
fi
kill -0 "$DAEMON_PID" || fail "daemon died on a query frame over 64 KiB"
query "stats, on a new connection after the dropped one" ok hex:0803
pass "query frame over 64 KiB: that connection dropped, the next one is served"

kill -0 "$DAEMON_PID" || fail "daemon died"
stop_daemon
