#!/usr/bin/env bash
# truce replay selections: by sequence number and by receipt time, their
# combination, empty and out-of-range selections (nothing printed, exit 0);
# --claims/--events attach exactly the stored claims and events of each
# article; --connect (the query socket) prints byte for byte what --data
# prints; --format table.
. "$(dirname "$0")/lib.sh"
GEN=$TRUCE_SOURCE_DIR/tests/integration/genarticles.py

start_daemon
python3 "$GEN" 5 --tag rangeb >"$T/b.jsonl"
python3 "$GEN" 5 --tag rangec --start 5 >"$T/c.jsonl"
# Three batches a second apart, so receipt times separate them.
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet >/dev/null 2>&1 || fail "collect a"
sleep 1.1
"$TRUCE" collect --connect "$IN" --jsonl "$T/b.jsonl" --quiet >/dev/null 2>&1 || fail "collect b"
sleep 1.1
"$TRUCE" collect --connect "$IN" --jsonl "$T/c.jsonl" --quiet >/dev/null 2>&1 || fail "collect c"
[ "$(tstat articles)" = 15 ] || fail "expected 15 articles"

R() { "$TRUCE" replay --data "$T/data" "$@"; }
RC() { "$TRUCE" replay --connect "$QRY" "$@"; }
seqs() { python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))'; }
# field SEQ NAME: a field of one article of the full replay
field() { python3 -c "import json,sys
for l in open('$T/all.jsonl'):
    o = json.loads(l)
    if o['seq'] == $1: print(o['$2'])"; }

R >"$T/all.jsonl" || fail "replay"
[ "$(seqs <"$T/all.jsonl")" = "$(seq -s ' ' 1 15)" ] || fail "full replay seqs: $(seqs <"$T/all.jsonl")"

# expect "WANT" ARGS...: the seqs printed for ARGS, locally and remotely,
# identical output both ways, exit 0.
expect() {
  local want=$1; shift
  R "$@" >"$T/l.out" 2>"$T/l.err" || fail "replay $* exited $?: $(cat "$T/l.err")"
  RC "$@" >"$T/r.out" 2>"$T/r.err" || fail "replay --connect $* exited $?: $(cat "$T/r.err")"
  local got; got=$(seqs <"$T/l.out")
  [ "$got" = "$want" ] || fail "replay $*: got seqs '$got', want '$want'"
  cmp -s "$T/l.out" "$T/r.out" || fail "replay $*: --connect output differs from --data"
}

expect "$(seq -s ' ' 1 15)"
expect "4 5 6 7 8" --from 4 --to 8
expect "14 15" --from 14 --to 1000
expect "1 2" --to 2
expect "" --from 16
expect "" --from 100 --to 200
expect "" --from 8 --to 3
expect "" --to 0
grep -q "no stored article" "$T/l.err" || fail "no note on stderr for an empty range"
pass "by seq: ranges, clamped upper bound, empty and out-of-range (exit 0, nothing printed); --connect identical"

b_first=$(field 6 received); b_last=$(field 10 received); c_first=$(field 11 received)
a_last=$(field 5 received)
expect "6 7 8 9 10" --since "$b_first" --until "$b_last"
expect "11 12 13 14 15" --since "$c_first"
expect "1 2 3 4 5" --until "$a_last"
expect "8 9 10" --since "$b_first" --until "$b_last" --from 8
expect "" --since 2100-01-01T00:00:00Z
expect "" --until 2000-01-01
expect "" --since "$b_last" --until "$b_first"
expect "" --since "$c_first" --to 10
pass "by receipt time (RFC 3339, microseconds): windows, open ends, with --from/--to, empty"

# Offsets: the same instant written in +02:00.
b_off=$(python3 -c "
import datetime as d
t = d.datetime.strptime('$b_first', '%Y-%m-%dT%H:%M:%S.%fZ') + d.timedelta(hours=2)
print(t.strftime('%Y-%m-%dT%H:%M:%S.%f') + '+02:00')")
expect "6 7 8 9 10" --since "$b_off" --until "$b_last"
pass "--since with a UTC offset"

# --claims / --events: each article carries exactly its stored claims/events.
R --claims --events >"$T/ce.jsonl" || fail "replay --claims --events"
RC --claims --events >"$T/ce_r.jsonl" || fail "replay --connect --claims --events"
cmp -s "$T/ce.jsonl" "$T/ce_r.jsonl" || fail "--claims --events differ between --data and --connect"
"$TRUCE" export --data "$T/data" --claims --format jsonl >"$T/claims.jsonl" || fail "export claims"
python3 - "$T/ce.jsonl" "$T/claims.jsonl" "$(tstat last_event_seq)" <<'PY' || fail "--claims/--events content"
import json, sys
arts = [json.loads(l) for l in open(sys.argv[1])]
stored = [json.loads(l) for l in open(sys.argv[2])]
events = int(sys.argv[3])
assert all("claims" in a and "events" in a for a in arts)
got = [(c["id"], a["seq"]) for a in arts for c in a["claims"]]
want = [(c["id"], c["article_seq"]) for c in stored]
assert got == want, (got, want)
ev = [(e["seq"], e["article_seq"], a["seq"]) for a in arts for e in a["events"]]
assert [e[0] for e in ev] == list(range(1, events + 1)), ev
assert all(e[1] == e[2] for e in ev)
PY
R --from 9 --to 12 --claims --events >"$T/ce_part.jsonl" || fail "ranged --claims"
python3 - "$T/ce.jsonl" "$T/ce_part.jsonl" <<'PY' || fail "ranged --claims/--events differ from the full run"
import json, sys
full = {json.loads(l)["seq"]: l for l in open(sys.argv[1])}
part = [l for l in open(sys.argv[2])]
assert [json.loads(l)["seq"] for l in part] == [9, 10, 11, 12]
assert all(full[json.loads(l)["seq"]] == l for l in part)
PY
pass "--claims/--events: exactly the stored claims ($(wc -l <"$T/claims.jsonl")) and events of each article, ranged too, remote too"

R --format table >"$T/table.out" || fail "table"
[ "$(head -1 "$T/table.out" | awk '{print $1, $2}')" = "SEQ RECEIVED" ] || fail "table header: $(head -1 "$T/table.out")"
[ "$(grep -c '^ *[0-9]\+  ' "$T/table.out")" = 15 ] || fail "table rows: $(cat "$T/table.out")"
pass "--format table"

rc=0; R --since yesterday-ish >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad --since exited $rc"
rc=0; "$TRUCE" replay --data "$T/data" --connect "$QRY" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--data with --connect exited $rc"
rc=0; "$TRUCE" replay --data "$T/nonexistent" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "missing store exited $rc"
"$TRUCE" replay --help >"$T/help.out" || fail "--help exited $?"
for o in --verify --reparse --rules --diff --publish --pace --export --since --until --claims --events --connect; do
  grep -q -- "$o" "$T/help.out" || fail "--help does not document $o"
done
pass "usage errors exit 2, a missing store 3"

# A store larger than every chunk (256 articles per local read, 1,000
# records per query reply and per claim/event cursor refill): paging must
# neither drop nor repeat anything, locally or remotely, from any start.
python3 "$GEN" 1300 --tag paging --start 100 >"$T/big.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/big.jsonl" --quiet >/dev/null 2>&1 || fail "collect 1300"
total=$(tstat articles)
R --claims --events >"$T/big_l.jsonl" || fail "big local"
RC --claims --events >"$T/big_r.jsonl" || fail "big remote"
cmp -s "$T/big_l.jsonl" "$T/big_r.jsonl" || fail "big store: --connect differs from --data"
python3 - "$T/big_l.jsonl" "$total" "$(tstat claims)" "$(tstat last_event_seq)" <<'PY' || fail "big store content"
import json, sys
arts = [json.loads(l) for l in open(sys.argv[1])]
n, claims, events = map(int, sys.argv[2:5])
assert [a["seq"] for a in arts] == list(range(1, n + 1))
ids = [c["id"] for a in arts for c in a["claims"]]
assert len(ids) == claims and ids == sorted(set(ids)), (len(ids), claims)
ev = [e["seq"] for a in arts for e in a["events"]]
assert ev == list(range(1, events + 1)), (len(ev), events)
PY
R --claims --events --from 700 --to 1250 >"$T/big_part.jsonl" || fail "big ranged"
RC --claims --events --from 700 --to 1250 | cmp -s - "$T/big_part.jsonl" || fail "big ranged: remote differs"
sed -n '700,1250p' "$T/big_l.jsonl" | cmp -s - "$T/big_part.jsonl" || fail "big ranged differs from the full run's lines"
pass "$total articles, $(tstat claims) claims, $(tstat last_event_seq) events: paged locally and remotely, full and from seq 700, nothing dropped or repeated"
v=$(R --verify) && [ "$v" = "$(RC --verify)" ] && [ "${v%%,*}" = "verified $total articles" ] \
  || fail "big store verify: '$v'"
R --reparse --from 650 --json >"$T/big_reparse.out" || fail "big reparse with the daemon's rules: $(cat "$T/big_reparse.out")"
pass "the same store verifies and re-derives (from seq 650) through the pages"
