#!/usr/bin/env bash
# Malformed messages are acked REJECTED with a reason, kept in quarantine,
# and the daemon keeps serving the next good article.
. "$(dirname "$0")/lib.sh"

start_daemon --max-body 100000

reject() { # reject NAME EXPECTED_REASON_SUBSTRING FRAME...
  local name=$1 want=$2; shift 2
  local out
  out=$("$RAWSEND" "$IN" "$@") || fail "$name: no ack"
  python3 -c "
import json,sys
a=json.loads(sys.argv[1])
assert a['status']=='REJECTED', a
assert sys.argv[2].lower() in a['reason'].lower(), (a['reason'], sys.argv[2])
assert a['quarantine_seq']>0
" "$out" "$want" || fail "$name: $out"
  pass "$name -> REJECTED: $(python3 -c "import json,sys; print(json.loads(sys.argv[1])['reason'])" "$out")"
}

# A truncated Article: a body field whose length runs past the frame.
python3 -c "
body=b'Truncation probe body text long enough'
import sys
# field 6 (body), wire type 2, length > what follows
sys.stdout.write((bytes([0x32, len(body)]) + body[:10]).hex())" >"$T/trunc.hex"

reject "one frame only" "expected 2 frames" str:lonely
reject "three frames" "expected 2 frames" str:id1 str:a str:b
reject "empty article frame" "empty" str:id2 empty
reject "random bytes" "not a truce.v1.Article" str:id3 random:64
reject "truncated protobuf" "not a truce.v1.Article" str:id4 "hex:$(cat "$T/trunc.hex")"
reject "no body" "no body" str:id5 hex:0a0378797a
reject "invalid UTF-8" "UTF-8" str:id6 hex:3204414243ff
reject "NUL byte" "NUL" str:id7 hex:320441420043
python3 -c "
import sys
body=b'a'*200000
n=len(body); v=b''
while True:
    b=n&0x7f; n>>=7
    v+=bytes([b|(0x80 if n else 0)])
    if not n: break
open(sys.argv[1],'wb').write(bytes([0x32])+v+body)" "$T/bigarticle.pb"
reject "body over --max-body" "over the" str:id8 "file:$T/bigarticle.pb"
reject "long msg_id" "msg_id" "str:$(printf 'x%.0s' $(seq 80))" "article:fine body"
reject "bad published date" "published" str:id9 hex:2a0a323032342d31332d3031320141

out=$("$RAWSEND" "$IN" str:good "article:Armenia accused Azerbaijan of violating the ceasefire on Monday, the ministry said.")
echo "$out" | grep -q '"STORED"' || fail "good article after bad ones: $out"
pass "the next good article is STORED"

"$TRUCE" replay --data "$T/data" --quarantine >"$T/q.out"
n=$(wc -l <"$T/q.out")
[ "$n" -ge 11 ] || fail "quarantine holds $n entries: $(cat "$T/q.out")"
python3 - "$T/q.out" <<'PY' || fail "quarantine entries incomplete"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all(r["reason"] for r in rows)
assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
big = [r for r in rows if r["payload_size"] > 150000]
assert big and big[0]["payload_kept"] <= big[0]["payload_size"]
PY
pass "quarantine holds $n entries, each with its reason and bytes"
kill -0 "$DAEMON_PID" || fail "daemon died"
stop_daemon
