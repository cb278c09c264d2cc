#!/usr/bin/env bash
# Security: truce keygen makes owner-only secret keys; with --curve-secret
# and --allow, truced admits listed client keys on every socket and records
# the key with each article, while an unlisted key, a client that does not
# speak CURVE, or one that trusts the wrong server key gets nothing from the
# ingest, PUB or query socket (over ipc:// and tcp://127.0.0.1); SIGHUP
# reloads the allow-list; without keys truced refuses non-loopback binds
# unless --insecure.
#
# libzmq's CURVE server without a working ZAP handler admits any key, so
# every "gets nothing" below is checked both ways: by the real tools (no
# ack, no reply, no event) and by truce-curveprobe, which reports from the
# socket monitor that the handshake itself was refused with ZAP status 400.
. "$(dirname "$0")/lib.sh"

PROBE=$TRUCE_BIN/truce-curveprobe
K=$T/keys
ALLOW=$T/allow
mkdir -p "$K" "$ALLOW"

# --- keygen --------------------------------------------------------------
for who in server alice mallory; do
  "$TRUCE" keygen --out "$K/$who" >"$T/keygen.out" || fail "keygen $who"
done
grep -qxF -e "$(cat "$K/mallory.pub")" "$T/keygen.out" || fail "keygen does not print the public key"
[ "$(stat -c %a "$K/server.key")" = 600 ] || fail "secret key mode $(stat -c %a "$K/server.key")"
[ "$(stat -c %a "$K/server.pub")" = 644 ] || fail "public key mode $(stat -c %a "$K/server.pub")"
[ "$(tr -d '\n' <"$K/server.pub" | wc -c)" = 40 ] || fail "public key is not 40 Z85 chars"
# A permissive umask cannot widen the secret: it is created 0600.
(umask 000 && "$TRUCE" keygen --out "$K/loose" >/dev/null) || fail "keygen under umask 000"
[ "$(stat -c %a "$K/loose.key")" = 600 ] || fail "umask 000 secret mode $(stat -c %a "$K/loose.key")"
cp "$K/server.key" "$T/server.key.orig"
rc=0; "$TRUCE" keygen --out "$K/server" >/dev/null 2>"$T/kg.err" || rc=$?
[ "$rc" = 3 ] || fail "keygen over existing files exit $rc"
grep -q -- "--force" "$T/kg.err" || fail "keygen refusal unclear: $(cat "$T/kg.err")"
cmp -s "$K/server.key" "$T/server.key.orig" || fail "keygen overwrote a key without --force"
"$TRUCE" keygen --out "$K/loose" --force >/dev/null || fail "keygen --force"
[ "$(stat -c %a "$K/loose.key")" = 600 ] || fail "--force secret mode"
mkdir "$K/d" && "$TRUCE" keygen --out "$K/d" >/dev/null || fail "keygen --out DIR"
[ -f "$K/d/truce.key" ] && [ -f "$K/d/truce.pub" ] || fail "keygen --out DIR wrote $(ls "$K/d")"
pass "keygen: .key 0600 (even under umask 000), .pub 0644, no overwrite without --force"

A=(--curve-server-key "$K/server.pub" --curve-secret "$K/alice.key")
M=(--curve-server-key "$K/server.pub" --curve-secret "$K/mallory.key")
ALICE=$(tr -d '\n' <"$K/alice.pub")
MALLORY=$(tr -d '\n' <"$K/mallory.pub")
cp "$K/alice.pub" "$ALLOW/alice.pub"

# --- unusable key files: exit 3 before any connection; half a pair: 2 ------
keyerr() { # keyerr NAME EXPECTED_RC MESSAGE_SUBSTRING ARGS...
  local name=$1 want=$2 msg=$3; shift 3
  local rc=0
  "$TRUCE" stats --connect "ipc://$T/nobody" --timeout 100 "$@" >/dev/null 2>"$T/ke.err" || rc=$?
  [ "$rc" = "$want" ] || fail "$name: exit $rc, want $want ($(cat "$T/ke.err"))"
  grep -qi -- "$msg" "$T/ke.err" || fail "$name: unclear error: $(cat "$T/ke.err")"
}
printf 'tooshort\n' >"$K/short.key" && chmod 600 "$K/short.key"
cp "$K/alice.key" "$K/shared.key" && chmod 640 "$K/shared.key"
keyerr "missing secret" 3 "cannot open" --curve-server-key "$K/server.pub" --curve-secret "$K/nope.key"
keyerr "missing server key" 3 "cannot open" --curve-server-key "$K/nope.pub" --curve-secret "$K/alice.key"
keyerr "wrong length" 3 "40 Z85" --curve-server-key "$K/server.pub" --curve-secret "$K/short.key"
keyerr "group-readable secret" 3 "group or others" --curve-server-key "$K/server.pub" --curve-secret "$K/shared.key"
keyerr "half a pair" 2 "both" --curve-secret "$K/alice.key"
rc=0; "$TRUCE" collect --connect "ipc://$T/nobody" "${M[@]/mallory.key/shared.key}" --jsonl "$SEEDS" \
  >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "collect with a group-readable key exit $rc"
pass "missing, wrong-length and group-readable key files: exit 3 with a reason; half a pair: exit 2"

# --- no keys: loopback/ipc only unless --insecure -------------------------
read -r P1 P2 P3 P4 < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
for ep in "tcp://0.0.0.0:$P1" "tcp://*:$P1" "tcp://[::]:$P1"; do
  rc=0
  "$TRUCED" --data "$T/plain" --ingest "$ep" --publish "ipc://$T/p2" --query "ipc://$T/p3" \
    2>"$T/refuse.err" || rc=$?
  [ "$rc" = 2 ] || fail "plain bind of $ep: exit $rc"
  grep -q "refusing to bind" "$T/refuse.err" || fail "refusal unclear: $(cat "$T/refuse.err")"
done
[ ! -e "$T/plain" ] || fail "a refused truced created its data directory"
rc=0
"$TRUCED" --data "$T/plain" --ingest "ipc://$T/p1" --publish "ipc://$T/p2" --query "ipc://$T/p3" \
  --curve-secret "$K/server.key" 2>"$T/refuse.err" || rc=$?
[ "$rc" = 2 ] || fail "--curve-secret without --allow: exit $rc"
pass "without keys, non-loopback binds are refused (exit 2); --curve-secret needs --allow"

"$TRUCED" --data "$T/plain" --ingest "tcp://0.0.0.0:$P1" --publish "ipc://$T/p2" \
  --query "ipc://$T/p3" --insecure 2>"$T/insecure.log" &
DAEMON_PID=$!
for _ in $(seq 50); do
  "$TRUCE" stats --connect "ipc://$T/p3" --timeout 200 >/dev/null 2>&1 && break
done
grep -q "WITHOUT authentication" "$T/insecure.log" || fail "--insecure not logged: $(cat "$T/insecure.log")"
stop_daemon
"$TRUCED" --data "$T/plain" --ingest "tcp://127.0.0.1:$P1" --publish "ipc://$T/p2" \
  --query "ipc://$T/p3" 2>"$T/loopback.log" &
DAEMON_PID=$!
for _ in $(seq 50); do
  "$TRUCE" stats --connect "ipc://$T/p3" --timeout 200 >/dev/null 2>&1 && break
done
grep -q "without authentication.*loopback and ipc endpoints only" "$T/loopback.log" \
  || fail "plain mode not logged: $(cat "$T/loopback.log")"
stop_daemon
pass "--insecure binds 0.0.0.0 and logs it; plain loopback/ipc logs 'without authentication'"

# --- a CURVE daemon -------------------------------------------------------
# start_secure DATA INGEST PUB QUERY
start_secure() {
  "$TRUCED" --data "$1" --ingest "$2" --publish "$3" --query "$4" --curve-secret "$K/server.key" \
    --allow "$ALLOW" --log-level debug 2>>"$T/truced.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    "$TRUCE" stats --connect "$4" --timeout 200 "${A[@]}" >/dev/null 2>&1 && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "truced exited at start"
  done
  fail "truced did not answer stats over CURVE"
}
astat() { # astat QUERY_EP NAME
  "$TRUCE" stats --connect "$1" --json "${A[@]}" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

# probe_all INGEST PUB QUERY: the handshake matrix, every socket
probe_all() {
  local sock ep out
  for pair in "dealer $1" "sub $2" "dealer $3"; do
    read -r sock ep <<<"$pair"
    out=$("$PROBE" "$sock" "$ep" "$K/server.pub" "$K/alice.key") || fail "alice on $ep: $out"
    if out=$("$PROBE" "$sock" "$ep" "$K/server.pub" "$K/mallory.key" --wait 2000); then
      fail "mallory admitted on $ep"
    fi
    [ "$out" = "refused: auth status 400" ] || fail "mallory on $ep: $out"
    if out=$("$PROBE" "$sock" "$ep" --wait 1500); then
      fail "a plain client admitted on $ep"
    fi
    if out=$("$PROBE" "$sock" "$ep" "$K/mallory.pub" "$K/alice.key" --wait 1500); then
      fail "alice trusting the wrong server key admitted on $ep"
    fi
  done
}

# Three articles nobody else sends, for the clients that must get nothing.
python3 - "$T/intruder.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3):
        f.write(json.dumps({"id": f"intruder-{i}", "url": f"https://example.org/intruder/{i}",
            "source": "Intruder", "published": "2024-01-0%d" % (i + 1), "title": "t",
            "body": f"Armenia accused Azerbaijan of shelling on Monday ({i}), the ministry said."}) + "\n")
PY

# ipc:// first.
start_secure "$T/data" "$IN" "$PUB" "$QRY"
[ "$(stat -c %a "$T/data")" = 700 ] || fail "data dir mode $(stat -c %a "$T/data")"
grep -q "1 client key(s) allowed" "$T/truced.log" || fail "allow-list not logged"
probe_all "$IN" "$PUB" "$QRY"
pass "ipc: alice's handshake succeeds on ingest, PUB and query; mallory is refused with ZAP 400 on each; plain and wrong-server-key clients are refused too"

# Subscribers first, so they would see any event the articles make.
"$TRUCE" watch --connect "$PUB" --no-backfill --json "${A[@]}" >"$T/w_alice.out" 2>/dev/null &
BG_PIDS+=($!)
"$TRUCE" watch --connect "$PUB" --no-backfill --json "${M[@]}" >"$T/w_mallory.out" 2>/dev/null &
BG_PIDS+=($!)
"$TRUCE" watch --connect "$PUB" --no-backfill --json >"$T/w_plain.out" 2>/dev/null &
BG_PIDS+=($!)
sleep 0.5

"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --json "${A[@]}" >"$T/c_alice.json" 2>"$T/c_alice.err" \
  || fail "alice's collect failed: $(cat "$T/c_alice.err")"
[ "$(count_status "$T/c_alice.json" STORED)" = 5 ] || fail "alice: $(cat "$T/c_alice.json")"
"$TRUCE" replay --data "$T/data" >"$T/replay.out"
python3 - "$T/replay.out" "$ALICE" <<'PY' || fail "peer_key not recorded"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 5, len(rows)
assert all(r["peer_key"] == sys.argv[2] for r in rows), [r["peer_key"] for r in rows]
PY
pass "a listed collector's 5 articles are STORED, each with peer_key = its public key"

for who in mallory plain; do
  args=("${M[@]}"); [ "$who" = plain ] && args=()
  rc=0
  "$TRUCE" collect --connect "$IN" --jsonl "$T/intruder.jsonl" --deadline 2 --timeout 300 --json \
    "${args[@]}" >"$T/c_$who.json" 2>"$T/c_$who.err" || rc=$?
  [ "$rc" = 1 ] || fail "$who's collect exit $rc"
  [ "$(count_status "$T/c_$who.json" UNACKED)" = 3 ] || fail "$who got acks: $(cat "$T/c_$who.json")"
done
grep -q "refused this client's key" "$T/c_mallory.err" || fail "no hint for mallory: $(cat "$T/c_mallory.err")"
grep -q "requires CURVE" "$T/c_plain.err" || fail "no hint for a plain client: $(cat "$T/c_plain.err")"
[ "$(astat "$QRY" articles)" = 5 ] || fail "an unlisted client's article was stored"
[ "$(astat "$QRY" quarantined)" = 0 ] || fail "an unlisted client's message reached quarantine"
pass "unlisted and plain collectors: no ack (exit 1 after --deadline), nothing stored or quarantined; each is told why"

for who in mallory plain; do
  args=("${M[@]}"); [ "$who" = plain ] && args=()
  rc=0
  "$TRUCE" stats --connect "$QRY" --timeout 1500 "${args[@]}" >"$T/s_$who.out" 2>"$T/s_$who.err" || rc=$?
  [ "$rc" = 3 ] && [ ! -s "$T/s_$who.out" ] || fail "$who got a stats reply (exit $rc): $(cat "$T/s_$who.out")"
done
grep -q "refused this client's key" "$T/s_mallory.err" || fail "no stats hint: $(cat "$T/s_mallory.err")"
pass "unlisted and plain query clients: no stats reply (exit 3, timed out)"

events=$(astat "$QRY" last_event_seq)
for _ in $(seq 50); do
  [ "$(wc -l <"$T/w_alice.out")" -ge "$events" ] && break
  sleep 0.1
done
sleep 0.3
[ "$(wc -l <"$T/w_alice.out")" = "$events" ] || fail "alice's watcher saw $(wc -l <"$T/w_alice.out") of $events events"
[ ! -s "$T/w_mallory.out" ] || fail "mallory's watcher received: $(head -3 "$T/w_mallory.out")"
[ ! -s "$T/w_plain.out" ] || fail "a plain watcher received: $(head -3 "$T/w_plain.out")"
if [ "$events" -gt 0 ]; then
  pass "PUB: the listed subscriber got all $events events; unlisted and plain subscribers got none"
else
  pass "PUB: no events were made (extractor found no claims), so the handshake refusal above is the proof; no subscriber printed anything"
fi

# SIGHUP: mallory is admitted once listed, refused again once removed.
cp "$K/mallory.pub" "$ALLOW/mallory.pub"
kill -HUP "$DAEMON_PID"
for _ in $(seq 50); do grep -q "allow-list reloaded: 2" "$T/truced.log" && break; sleep 0.1; done
out=$("$PROBE" dealer "$IN" "$K/server.pub" "$K/mallory.key") || fail "mallory after SIGHUP: $out"
"$TRUCE" collect --connect "$IN" --jsonl "$T/intruder.jsonl" --json "${M[@]}" >"$T/c_m2.json" 2>/dev/null \
  || fail "mallory's collect after being listed"
"$TRUCE" replay --data "$T/data" --from 6 | python3 -c '
import json,sys; k=[json.loads(l)["peer_key"] for l in sys.stdin]
assert k == [sys.argv[1]] * 3, k' "$MALLORY" || fail "mallory's peer_key"
rm "$ALLOW/mallory.pub"
kill -HUP "$DAEMON_PID"
for _ in $(seq 50); do grep -q "allow-list reloaded: 1" "$T/truced.log" && break; sleep 0.1; done
if out=$("$PROBE" dealer "$IN" "$K/server.pub" "$K/mallory.key" --wait 2000); then
  fail "mallory still admitted"
fi
[ "$out" = "refused: auth status 400" ] || fail "mallory after removal: $out"
pass "SIGHUP reloads the allow-list: a newly listed key is admitted (and recorded), a removed one refused"
stop_daemon

# tcp://127.0.0.1 as well: the same guarantees off ipc.
TIN=tcp://127.0.0.1:$P2 TPUB=tcp://127.0.0.1:$P3 TQRY=tcp://127.0.0.1:$P4
start_secure "$T/data-tcp" "$TIN" "$TPUB" "$TQRY"
probe_all "$TIN" "$TPUB" "$TQRY"
"$TRUCE" watch --connect "$TPUB" --no-backfill --json "${A[@]}" >"$T/tw_alice.out" 2>/dev/null &
BG_PIDS+=($!)
"$TRUCE" watch --connect "$TPUB" --no-backfill --json "${M[@]}" >"$T/tw_mallory.out" 2>/dev/null &
BG_PIDS+=($!)
sleep 0.5
"$TRUCE" collect --connect "$TIN" --jsonl "$SEEDS" --json "${A[@]}" >"$T/t_alice.json" 2>/dev/null \
  || fail "alice's collect over tcp"
[ "$(count_status "$T/t_alice.json" STORED)" = 5 ] || fail "tcp alice: $(cat "$T/t_alice.json")"
rc=0
"$TRUCE" collect --connect "$TIN" --jsonl "$T/intruder.jsonl" --deadline 2 --timeout 300 --json \
  "${M[@]}" >"$T/t_m.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] && [ "$(count_status "$T/t_m.json" UNACKED)" = 3 ] || fail "tcp mallory acked (exit $rc)"
rc=0; "$TRUCE" stats --connect "$TQRY" --timeout 1000 "${M[@]}" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "tcp mallory got stats (exit $rc)"
[ "$(astat "$TQRY" articles)" = 5 ] || fail "tcp: an unlisted article was stored"
events=$(astat "$TQRY" last_event_seq)
for _ in $(seq 50); do
  [ "$(wc -l <"$T/tw_alice.out")" -ge "$events" ] && break
  sleep 0.1
done
[ "$(wc -l <"$T/tw_alice.out")" = "$events" ] || fail "tcp: alice's watcher saw $(wc -l <"$T/tw_alice.out") of $events"
[ ! -s "$T/tw_mallory.out" ] || fail "tcp: mallory's watcher received: $(head -3 "$T/tw_mallory.out")"
"$TRUCE" replay --data "$T/data-tcp" | python3 -c '
import json,sys; k={json.loads(l)["peer_key"] for l in sys.stdin}
assert k == {sys.argv[1]}, k' "$ALICE" || fail "tcp peer_key"
stop_daemon
pass "tcp://127.0.0.1: listed collector STORED with its peer_key, listed watcher gets all $events events; unlisted gets no ack, no stats, no event; handshakes as on ipc"
