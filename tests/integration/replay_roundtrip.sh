#!/usr/bin/env bash
# truce replay --publish: a whole store replayed into an empty daemon gives
# the same articles (byte-identical Article protobufs, in the same seqs),
# the same claims and the same incidents, and both chains verify.
# Publishing again is all DUPLICATE. --export writes the corpus format, and
# `truce collect --jsonl` of that file rebuilds the same store a third time.
# Publishing from --connect (the query socket) works as from --data.
. "$(dirname "$0")/lib.sh"
GEN=$TRUCE_SOURCE_DIR/tests/integration/genarticles.py

stop_other() { kill -TERM "$1"; wait "$1" || fail "truced $1 exit $? on SIGTERM"; }

start_daemon
python3 "$GEN" 12 --tag roundtrip >"$T/gen.jsonl"
collect_corpus "$T/gen.jsonl"
N=$(tstat articles)
stop_daemon

# same_store A B: same articles (every field but receipt and chain; the
# Article protobufs byte-identical), same claims, same incidents.
same_store() {
  "$TRUCE" replay --data "$T/$1" >"$T/$1.replay" || fail "replay $1"
  "$TRUCE" replay --data "$T/$2" >"$T/$2.replay" || fail "replay $2"
  python3 - "$T/$1.replay" "$T/$2.replay" <<'PY' || fail "articles of $1 and $2 differ"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == len(b), (len(a), len(b))
keep = ("seq", "collector_id", "content_key", "article")
for x, y in zip(a, b):
    assert {k: x[k] for k in keep} == {k: y[k] for k in keep}, (x["seq"], x, y)
PY
  # The Article protobufs inside the records, byte for byte.
  "$TRUCE_BIN/truce-tamper" "$T/$1" articles >"$T/$1.bytes" || fail "dump $1"
  "$TRUCE_BIN/truce-tamper" "$T/$2" articles >"$T/$2.bytes" || fail "dump $2"
  ! grep -q ' -$' "$T/$1.bytes" || fail "article bytes not found in $1"
  cmp -s "$T/$1.bytes" "$T/$2.bytes" || fail "Article bytes of $1 and $2 differ"
  for what in claims incidents; do
    "$TRUCE" export --data "$T/$1" --$what --format jsonl >"$T/$1.$what" || fail "export $1 $what"
    "$TRUCE" export --data "$T/$2" --$what --format jsonl >"$T/$2.$what" || fail "export $2 $what"
    cmp -s "$T/$1.$what" "$T/$2.$what" || fail "$what of $1 and $2 differ: $(diff "$T/$1.$what" "$T/$2.$what" | head -5)"
  done
}

start_other copy
SECONDS=0
"$TRUCE" replay --data "$T/data" --publish "$OIN" --pace max >"$T/pub.jsonl" 2>"$T/pub.err" \
  || fail "publish exited $?: $(cat "$T/pub.err")"
python3 - "$T/pub.jsonl" "$N" <<'PY' || fail "publish report: $(head -3 "$T/pub.jsonl")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == int(sys.argv[2]), len(r)
assert all(x["status"] == "STORED" and x["new_seq"] == x["seq"] for x in r), r
PY
"$TRUCE" replay --data "$T/data" --publish "$OIN" --json >"$T/pub2.jsonl" 2>/dev/null \
  || fail "second publish exited $?"
[ "$(grep -c '"status":"DUPLICATE"' "$T/pub2.jsonl")" = "$N" ] || fail "second publish not all DUPLICATE"
stop_other "$OPID"
same_store data copy
claims=$(wc -l <"$T/data.claims"); incidents=$(wc -l <"$T/data.incidents")
pass "publish of $N articles into an empty daemon: byte-identical Articles, same $claims claims and $incidents incidents; again: $N DUPLICATE"

for d in data copy; do
  "$TRUCE" replay --data "$T/$d" --verify >"$T/$d.verify" || fail "$d does not verify: $(cat "$T/$d.verify")"
  grep -q "^verified $N articles" "$T/$d.verify" || fail "$d: $(cat "$T/$d.verify")"
done
pass "both chains verify"

# --export and collect --jsonl back.
"$TRUCE" replay --data "$T/data" --export "$T/export.jsonl" 2>"$T/export.err" || fail "export: $(cat "$T/export.err")"
grep -q "exported $N articles" "$T/export.err" || fail "export note: $(cat "$T/export.err")"
python3 - "$T/export.jsonl" "$T/data.replay" <<'PY' || fail "export format"
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
r = [json.loads(l) for l in open(sys.argv[2])]
assert len(e) == len(r)
for x, y in zip(e, r):
    for k in ("id", "url", "source", "published", "title", "body"):
        assert k in x, k
        assert x[k] == y["article"][k], (k, x[k], y["article"][k])
    assert x["seq"] == y["seq"] and x["received"] == y["received"]
PY
start_other fromexport
"$TRUCE" collect --connect "$OIN" --jsonl "$T/export.jsonl" --json >"$T/coll.json" 2>/dev/null \
  || fail "collect --jsonl of the export"
[ "$(count_status "$T/coll.json" STORED)" = "$N" ] || fail "export read back: not $N STORED"
stop_other "$OPID"
same_store data fromexport
pass "--export: corpus format + seq/received; collect --jsonl reads it back into the same store"

# A remote source: publish from the query socket of a running daemon.
start_daemon
start_other remote
"$TRUCE" replay --connect "$QRY" --publish "$OIN" >"$T/pub3.jsonl" 2>"$T/pub3.err" \
  || fail "publish from --connect: $(cat "$T/pub3.err")"
stop_other "$OPID"
same_store data remote
pass "publish from --connect gives the same store too"
