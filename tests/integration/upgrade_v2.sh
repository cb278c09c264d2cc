#!/usr/bin/env bash
# Store schema 2 -> 3, on tests/data/store-v2.mdb.gz: a store written by
# truced before the batched dedup index (made by tests/data/make-store.sh 2
# from the seeds and 30 generated articles). Schema 3 keeps the content keys
# of the newest articles in memory and files them in article_keys in
# batches; meta "keys_upto" says how far article_keys is complete.
#   1. The read-only tools read it as it is.
#   2. truced opens it as it is and marks it schema 3: articles it already
#      holds are DUPLICATE (its article_keys is complete), new ones STORED.
#   3. kill -9 with the new keys in memory only: the next truced finds them
#      again in the records, so the same articles are DUPLICATE, no article
#      is stored twice; --verify and --reparse pass, the old articles stay
#      chained with BLAKE2b-256 and the new ones with the frame's digest, and
#      the old claims read as before.
. "$(dirname "$0")/lib.sh"
mkdir "$T/data"
gunzip -c "$TRUCE_SOURCE_DIR/tests/data/store-v2.mdb.gz" >"$T/data/data.mdb"

# --- 1 ------------------------------------------------------------------------
"$TRUCE" replay --data "$T/data" --verify >"$T/v2.verify" || fail "--verify on schema 2: $(cat "$T/v2.verify")"
reparse v2
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/v2.incidents" || fail "export v2 incidents"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/v2.claims" || fail "export v2 claims"
old=$(wc -l <"$T/v2.claims")
[ "$old" -ge 10 ] || fail "the fixture holds too few claims ($old)"
pass "the read-only tools read the schema 2 store as it is: $(cat "$T/v2.verify"); $old claims"

# --- 2 ------------------------------------------------------------------------
# five new articles: the seeds with a line added, so other content keys
python3 - "$SEEDS" >"$T/new.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    a["id"] += "-update"
    a["body"] += "\nUpdated with more reporting."
    print(json.dumps(a))
PY
start_daemon
[ "$(tstat schema)" = 3 ] || fail "truced did not mark the store schema 3"
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --json >"$T/seeds.json" 2>/dev/null || true
[ "$(count_status "$T/seeds.json" DUPLICATE)" = 5 ] || fail "the stored seeds are not DUPLICATE: $(cat "$T/seeds.json")"
"$TRUCE" collect --connect "$IN" --jsonl "$T/new.jsonl" --json >"$T/new.json" 2>/dev/null || true
[ "$(count_status "$T/new.json" STORED)" = 5 ] || fail "the new articles are not STORED: $(cat "$T/new.json")"
articles=$(tstat articles)
pass "truced opens it as it is, marks it schema 3: the seeds DUPLICATE, five new articles STORED ($articles articles)"

# --- 3 ------------------------------------------------------------------------
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
start_daemon
for f in "$SEEDS" "$T/new.jsonl"; do
  "$TRUCE" collect --connect "$IN" --jsonl "$f" --json >"$T/again.json" 2>/dev/null || true
  [ "$(count_status "$T/again.json" DUPLICATE)" = 5 ] || fail "after kill -9, $f is not DUPLICATE: $(cat "$T/again.json")"
done
[ "$(tstat articles)" = "$articles" ] || fail "articles stored twice: $(tstat articles), want $articles"
stop_daemon
"$TRUCE" replay --data "$T/data" --verify >"$T/v3.verify" || fail "--verify after: $(cat "$T/v3.verify")"
reparse v3
"$TRUCE" export --data "$T/data" --format jsonl >"$T/v3.claims" || fail "export claims after"
"$TRUCE" replay --data "$T/data" --format jsonl >"$T/v3.articles" || fail "replay after"
python3 - "$T/v3.articles" <<'PY' || fail "chain functions by seq"
import json, sys
algs = [json.loads(l)["hash_alg"] for l in open(sys.argv[1]) if l.strip()]
assert algs == ["blake2b-256"] * 35 + ["blake2b-256-frame"] * 5, algs
PY
head -n "$old" "$T/v3.claims" | cmp -s - "$T/v2.claims" || fail "the old claims changed: $(diff <(head -n "$old" "$T/v3.claims") "$T/v2.claims" | head -5)"
pass "after kill -9 the keys kept in memory are found again in the records: nothing stored twice ($articles articles); --verify: $(cat "$T/v3.verify"); --reparse passes"
