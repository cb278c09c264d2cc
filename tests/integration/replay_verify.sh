#!/usr/bin/env bash
# truce replay --verify: a clean store verifies (exit 0, "verified N
# articles, chain head H" with H = the head truce stats reports); copies of
# it altered behind the store's back by truce-tamper (a flipped byte inside
# one record, a record deleted in the middle, two records swapped, the last
# record cut off) fail with exit 1 and name the seq of the first broken
# link. The original is never touched: each case works on a cp -a copy.
. "$(dirname "$0")/lib.sh"
TAMPER=$TRUCE_BIN/truce-tamper
GEN=$TRUCE_SOURCE_DIR/tests/integration/genarticles.py

start_daemon
python3 "$GEN" 15 --tag verify >"$T/more.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet >/dev/null 2>&1 || fail "collect seeds"
"$TRUCE" collect --connect "$IN" --jsonl "$T/more.jsonl" --quiet >/dev/null 2>&1 || fail "collect more"
N=20
[ "$(tstat articles)" = $N ] || fail "expected $N articles"
head=$(tstat chain_head)

# While the daemon runs: read-only local access and the query socket.
out=$("$TRUCE" replay --data "$T/data" --verify) || fail "clean store (daemon running) did not verify: $out"
[ "$out" = "verified $N articles, chain head $head" ] || fail "clean summary: '$out', stats head $head"
pass "clean store verifies while truced runs: $out"
rout=$("$TRUCE" replay --connect "$QRY" --verify) || fail "remote verify failed: $rout"
[ "$rout" = "$out" ] || fail "remote verify says '$rout'"
pass "--connect verifies the same chain through the query socket"
stop_daemon

# verify_broken NAME SEQ TAMPER-ARGS...: a fresh copy, tampered, must fail
# naming SEQ as the first broken link.
verify_broken() {
  local name=$1 seq=$2; shift 2
  rm -rf "$T/$name"; cp -a "$T/data" "$T/$name"
  "$TAMPER" "$T/$name" "$@" >/dev/null || fail "truce-tamper $* failed"
  local rc=0
  "$TRUCE" replay --data "$T/$name" --verify >"$T/$name.out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || fail "$name: --verify exited $rc, want 1: $(cat "$T/$name.out")"
  grep -q "^FAILED: .*first broken link is at seq $seq: " "$T/$name.out" \
    || fail "$name: first broken link not reported at seq $seq: $(cat "$T/$name.out")"
  grep -q "^broken at seq $seq: " "$T/$name.out" || fail "$name: no line for seq $seq"
}

verify_broken flip 7 flip 7
# Only the altered record is blamed: the next one still links to its stored hash.
[ "$(grep -c '^broken at seq' "$T/flip.out")" = 1 ] || fail "flip: more than one broken link: $(cat "$T/flip.out")"
grep -q "altered" "$T/flip.out" || fail "flip: reason does not say altered"
pass "a flipped byte in record 7 is caught at seq 7 and nowhere else"

verify_broken delete 11 delete 11
grep -q "^broken at seq 11: missing" "$T/delete.out" || fail "delete: not reported missing"
grep -q "^broken at seq 12: prev_hash" "$T/delete.out" || fail "delete: seq 12 not unlinked"
pass "a record deleted in the middle (11) is caught at seq 11"

verify_broken swap 4 swap 4 9
grep -q "^broken at seq 9: " "$T/swap.out" || fail "swap: seq 9 not reported"
pass "two records swapped (4 and 9) are caught at seq 4"

verify_broken truncate $N delete $N
grep -q "chain head in meta is seq $N, but the log ends at seq $((N - 1))" "$T/truncate.out" \
  || fail "truncate: head mismatch not explained: $(cat "$T/truncate.out")"
pass "a cut-off tail (last record deleted) is caught by the chain head"

verify_broken first 1 flip 1
pass "a flipped byte in record 1 is caught at seq 1"

# A new store chains with BLAKE2b-256 and each record says so: a record made
# to claim the other function (its hash untouched) is caught by name.
verify_broken alg 5 alg 5
grep -q "^broken at seq 5: the record is chained with SHA-256, but the store chains seq 5 with BLAKE2b-256" \
  "$T/alg.out" || fail "alg: not explained: $(cat "$T/alg.out")"
pass "record 5 made to claim SHA-256 instead of BLAKE2b-256 is caught at seq 5"

out2=$("$TRUCE" replay --data "$T/data" --verify) || fail "original changed by the tests: $out2"
[ "$out2" = "$out" ] || fail "original's summary changed: $out2"
pass "the untouched original still verifies"

# --verify is about the whole log.
rc=0; "$TRUCE" replay --data "$T/data" --verify --from 3 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--verify --from exited $rc, want 2"
pass "--verify with a range is a usage error"
