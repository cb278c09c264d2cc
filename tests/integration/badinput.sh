#!/usr/bin/env bash
# Malformed messages: each row of the table is sent alone and must be
#   1. acked REJECTED with a reason naming the problem,
#   2. kept in quarantine under the ack's quarantine_seq, with that reason
#      and the bytes as received,
#   3. followed by a good article that is STORED (the daemon keeps serving).
# Then a frame over --max-message: the connection is dropped before any
# allocation, nothing is acked or quarantined, the daemon lives and the next
# connection works. Big-but-legal inputs and the query socket: badinput2.sh.
. "$(dirname "$0")/lib.sh"

start_daemon --max-body 100000 --max-message 1000000

# reject NAME EXPECTED_REASON_SUBSTRING FRAME...
reject() {
  local name=$1 want=$2; shift 2
  local out q
  out=$("$RAWSEND" "$IN" "$@") || fail "$name: no ack"
  q=$(python3 -c "
import json,sys
a=json.loads(sys.argv[1])
assert a['status']=='REJECTED', a
assert sys.argv[2].lower() in a['reason'].lower(), (a['reason'], sys.argv[2])
assert a['quarantine_seq']>0, a
print(a['quarantine_seq'])
" "$out" "$want") || fail "$name: $out"
  "$TRUCE" replay --data "$T/data" --quarantine --from "$q" --to "$q" >"$T/q1.out" \
    || fail "$name: replay --quarantine"
  python3 - "$T/q1.out" "$out" "$q" <<'PY' || fail "$name: quarantine entry $q: $(cut -c1-300 "$T/q1.out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ack = json.loads(sys.argv[2])
assert len(rows) == 1 and rows[0]["seq"] == int(sys.argv[3]), rows
assert rows[0]["reason"] == ack["reason"], (rows[0]["reason"], ack["reason"])
assert rows[0]["payload_kept"] <= rows[0]["payload_size"] <= 1 << 20 or rows[0]["payload_kept"] == 1 << 20
PY
  good_after "$name"
  pass "$name -> REJECTED \"$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['reason'])" "$out")\", quarantined #$q, next article STORED"
}

# A truncated Article: a body field whose length runs past the frame.
python3 -c "
body=b'Truncation probe body text long enough'
import sys
# field 6 (body), wire type 2, length > what follows
sys.stdout.write((bytes([0x32, len(body)]) + body[:10]).hex())" >"$T/trunc.hex"
python3 -c "
import sys
body=b'a'*200000
n=len(body); v=b''
while True:
    b=n&0x7f; n>>=7
    v+=bytes([b|(0x80 if n else 0)])
    if not n: break
open(sys.argv[1],'wb').write(bytes([0x32])+v+body)" "$T/bigarticle.pb"
# A 5000-byte url (field 2) before a fine body: over the 4 KiB field limit.
python3 -c "
import sys
url=b'https://example.org/'+b'x'*4980
sys.stdout.write((bytes([0x12, 0x88, 0x27])+url+bytes([0x32,2])+b'ok').hex())" >"$T/longurl.hex"

reject "zero-length message" "expected 2 frames" empty
reject "one frame only" "expected 2 frames" str:lonely
reject "three frames" "expected 2 frames" str:id1 str:a str:b
reject "empty article frame" "empty" str:id2 empty
reject "random bytes" "not a truce.v1.Article" str:id3 random:64
reject "truncated protobuf" "not a truce.v1.Article" str:id4 "hex:$(cat "$T/trunc.hex")"
# Other messages of truce.proto: an Ack {msg_id "x", status 1, reason "hi"}
# and a QueryRequest {kind STATS}; their field types clash with Article's.
reject "an Ack, not an Article" "not a truce.v1.Article" str:id5 hex:0a017810011a026869
reject "a QueryRequest, not an Article" "not a truce.v1.Article" str:id6 hex:0803
reject "no body" "no body" str:id7 hex:0a0378797a
# Field number 0 with its tag spelled in two varint bytes (85 00): protobuf-c
# decodes it but could never decode the stored record again (found by fuzz_article).
reject "field number 0" "field number 0" str:id18 hex:3201418500420263310a0178
reject "empty body" "no body" str:id8 hex:0a0378797a3200
reject "invalid UTF-8 body" "UTF-8" str:id9 hex:3204414243ff
reject "invalid UTF-8 title" "title is not valid UTF-8" str:id10 hex:220341ff423202686a
reject "overlong UTF-8 (C0 80)" "UTF-8" str:id11 hex:320441c08042
reject "UTF-16 surrogate (ED A0 80)" "UTF-8" str:id17 hex:320541eda08042
reject "NUL byte in the body" "NUL" str:id12 hex:320441420043
# protobuf-c would hand these over cut at the NUL: title "ab", url "https:/".
reject "NUL byte in the title" "title contains a NUL" str:id19 hex:22056162006364320141
reject "NUL byte in the url" "url contains a NUL" str:id20 hex:120868747470733a2f00320141
reject "body over --max-body" "over the" str:id13 "file:$T/bigarticle.pb"
reject "field over 4 KiB" "url is 5000 bytes" str:id14 "hex:$(cat "$T/longurl.hex")"
reject "long msg_id" "msg_id" "str:$(printf 'x%.0s' $(seq 80))" "article:fine body"
reject "bad published date" "published" str:id15 hex:2a0a323032342d31332d3031320141
reject "unknown content_type" "content_type" str:id16 hex:320141380f

# Over ZMQ_MAXMSGSIZE (--max-message 1000000): libzmq drops the connection
# on the frame header, so there is no ack and no quarantine entry.
before=$(tstat quarantined)
if TRUCE_RAWSEND_TIMEOUT_MS=1500 "$RAWSEND" "$IN" str:huge big:2000000 >"$T/huge.out" 2>&1; then
  fail "a frame over --max-message was acked: $(cat "$T/huge.out")"
fi
kill -0 "$DAEMON_PID" || fail "daemon died on a frame over --max-message"
[ "$(tstat quarantined)" = "$before" ] || fail "a dropped frame was quarantined"
good_after "a frame over --max-message"
pass "frame over --max-message: connection dropped, no ack, daemon alive, the next connection is STORED"

"$TRUCE" replay --data "$T/data" --quarantine >"$T/q.out"
n=$(wc -l <"$T/q.out")
[ "$n" -ge 23 ] || fail "quarantine holds $n entries: $(cut -c1-200 "$T/q.out")"
python3 - "$T/q.out" <<'PY' || fail "quarantine entries incomplete"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all(r["reason"] for r in rows)
assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
big = [r for r in rows if r["payload_size"] > 150000]
assert big and big[0]["payload_kept"] <= big[0]["payload_size"]
PY
[ "$(tstat articles)" = "$GOOD" ] || fail "stats: $(tstat articles) articles, $GOOD good ones sent"
pass "quarantine holds $n entries, each with its reason and bytes; $GOOD good articles stored"
kill -0 "$DAEMON_PID" || fail "daemon died"
stop_daemon
