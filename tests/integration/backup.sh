#!/usr/bin/env bash
# Hot backup and restore (truce backup / truce restore):
#   - a backup taken in the middle of a 20,000-article ingest, while truced
#     commits, restores into an empty directory; the restored store passes
#     `truce replay --verify` with the chain head the backup printed, and
#     holds exactly the source at that head: the same articles byte for byte
#     up to it, the claims of those articles, the incidents they had made, and
#     the events up to the last one those articles caused
#   - a compacted backup of the stopped store restores to a store whose
#     `truce stats` (served by a truced on it) equals the source's
#   - refusals: an existing --out, a non-empty --data, a backup whose chain
#     was altered (nothing restored), the data.mdb of a live store
#   - the disk: `truce stats` and truced's log warn under disk-warn; each
#     named database's size in `truce stats`
. "$(dirname "$0")/lib.sh"
N=${TRUCE_BACKUP_ARTICLES:-20000}
python3 "$TRUCE_SOURCE_DIR/tests/integration/genarticles.py" "$N" --tag bk >"$T/gen.jsonl"
start_daemon --log-level info
"$TRUCE" collect --connect "$IN" --jsonl "$T/gen.jsonl" --window 64 --quiet >"$T/collect.out" 2>&1 &
COLLECT=$!
BG_PIDS+=("$COLLECT")
for _ in $(seq 600); do
  [ "$(tstat articles)" -ge $((N / 10)) ] && break
  sleep 0.05
done
"$TRUCE" backup --data "$T/data" --out "$T/hot/" >"$T/backup.out" 2>&1 || fail "backup during ingest: $(cat "$T/backup.out")"
during=$(tstat articles)
wait "$COLLECT" || fail "collect: $(cat "$T/collect.out")"
[ "$(tstat articles)" = "$N" ] || fail "$(tstat articles) of $N stored"
cat "$T/backup.out"
H=$(sed -n 's/^chain head  [0-9a-f]* (article \([0-9]*\))$/\1/p' "$T/backup.out")
HASH=$(sed -n 's/^chain head  \([0-9a-f]*\) .*/\1/p' "$T/backup.out")
[ -n "$H" ] && [ "$H" -gt 0 ] && [ "$H" -lt "$N" ] || fail "the backup was not taken mid-ingest (head $H of $N)"
pass "backup during ingest: chain head at article $H while truced went on to $N (it had $during when the backup ended)"

"$TRUCE" restore --from "$T/hot" --data "$T/restored" >"$T/restore.out" 2>&1 || fail "restore: $(cat "$T/restore.out")"
grep -qx "verified $H articles, chain head $HASH" "$T/restore.out" || fail "restore's check: $(cat "$T/restore.out")"
"$TRUCE" replay --data "$T/restored" --verify >"$T/verify.out" || fail "the restored store fails --verify: $(cat "$T/verify.out")"
grep -qx "verified $H articles, chain head $HASH" "$T/verify.out" || fail "verify: $(cat "$T/verify.out")"
pass "restored into an empty directory; truce replay --verify: clean, $H articles, the backup's chain head"

# The restored store is the source as it was at article H.
"$TRUCE" replay --data "$T/data" --to "$H" --format jsonl >"$T/src.articles"
"$TRUCE" replay --data "$T/restored" --format jsonl >"$T/rst.articles"
cmp -s "$T/src.articles" "$T/rst.articles" || fail "articles 1..$H differ"
"$TRUCE" export --data "$T/data" --format jsonl >"$T/src.claims"
"$TRUCE" export --data "$T/restored" --format jsonl >"$T/rst.claims"
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/src.incidents"
"$TRUCE" export --data "$T/restored" --incidents --format jsonl >"$T/rst.incidents"
"$TRUCE" replay --data "$T/data" --events --format jsonl >"$T/src.events"
"$TRUCE" replay --data "$T/restored" --events --format jsonl >"$T/rst.events"
python3 - "$T" "$H" <<'PY' || fail "the restored store is not the source at its chain head"
import json, sys
t, h = sys.argv[1], int(sys.argv[2])
load = lambda name: [json.loads(l) for l in open(f"{t}/{name}")]
src_claims, rst_claims = load("src.claims"), load("rst.claims")
want = [c for c in src_claims if c["article_seq"] <= h]
assert rst_claims == want, f"claims: {len(rst_claims)} restored, {len(want)} of articles <= {h}"
# incidents: those the first h articles made (each names the articles it holds)
made = [i["id"] for i in load("src.incidents") if min(i["article_seqs"]) <= h]
got = [i["id"] for i in load("rst.incidents")]
assert got == made, f"incidents: {len(got)} restored, {len(made)} made by articles <= {h}"
# events: the restored ones are the source's first ones, byte for byte
src_ev = [e for a in load("src.events") for e in a.get("events", [])]
rst_ev = [e for a in load("rst.events") for e in a.get("events", [])]
assert rst_ev == src_ev[:len(rst_ev)], "events differ"
later = [e for a in load("src.events") if a["seq"] > h for e in a.get("events", [])]
assert len(rst_ev) + len(later) == len(src_ev), "events of articles after the head in the copy"
print(f"ok: at article {h}: {len(rst_claims)} claims, {len(got)} incidents, {len(rst_ev)} events, "
      f"as in the source (which went on to {len(src_claims)} claims, {len(src_ev)} events)")
PY

# Cold, compacted: the same truce stats from a truced on the restored copy.
stats_of() { "$TRUCE" stats --connect "$1" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(json.dumps({k: s[k] for k in ("articles", "claims", "incidents", "events", "quarantined",
                 "last_article_seq", "last_event_seq", "chain_head", "extractor")}, sort_keys=True))'; }
stats_of "$QRY" >"$T/src.stats"
stop_daemon
"$TRUCE" backup --data "$T/data" --out "$T/cold.mdb" --compact >"$T/cold.out" || fail "cold backup"
"$TRUCE" restore --from "$T/cold.mdb" --data "$T/restored2" >/dev/null || fail "restore of the cold backup"
mv "$T/restored2" "$T/copy"
start_other copy
stats_of "$OQRY" >"$T/rst.stats"
cmp -s "$T/src.stats" "$T/rst.stats" || fail "truce stats differ: $(cat "$T/src.stats") vs $(cat "$T/rst.stats")"
src_size=$(du -k "$T/data/data.mdb" | cut -f1)
cold_size=$(du -k "$T/cold.mdb" | cut -f1)
pass "compacted backup of the stopped store ($cold_size KiB, the store $src_size KiB) restores to the same truce stats: $(cat "$T/rst.stats")"
kill -TERM "$OPID"; wait "$OPID" || true

# Refusals.
rc=0; out=$("$TRUCE" backup --data "$T/data" --out "$T/cold.mdb" 2>&1) || rc=$?
[ $rc = 1 ] && grep -q "cold.mdb exists: a copy never replaces a file" <<<"$out" || fail "backup over a file ($rc): $out"
rc=0; out=$("$TRUCE" restore --from "$T/cold.mdb" --data "$T/copy" 2>&1) || rc=$?
[ $rc = 1 ] && grep -q "copy is not empty" <<<"$out" || fail "restore into a store ($rc): $out"
cp -r "$T/hot" "$T/altered"
"$TRUCE_BIN/truce-tamper" "$T/altered" flip 7 || fail "tamper"
rc=0; out=$("$TRUCE" restore --from "$T/altered" --data "$T/never" 2>&1) || rc=$?
[ $rc = 1 ] && grep -q "broken at seq 7" <<<"$out" && grep -q "fails verification: nothing restored" <<<"$out" \
  || fail "an altered backup ($rc): $out"
[ ! -e "$T/never" ] || fail "an altered backup was restored"
start_daemon
rc=0; out=$("$TRUCE" replay --data "$T/data/data.mdb" --verify 2>&1) || rc=$?
[ $rc = 3 ] && grep -q "data file of a store that may be running" <<<"$out" || fail "a live data.mdb opened as a file ($rc): $out"
pass "refused: a backup over an existing file, a restore into a non-empty directory, an altered backup (nothing restored), a live data.mdb"

# Disk and sizes: with disk-warn at 100% any disk is "filling".
stop_daemon
start_daemon --disk-warn 100
"$TRUCE" stats --connect "$QRY" >"$T/stats.txt" 2>"$T/stats.err" || fail "stats"
grep -q "^truce stats: WARNING: the store's disk is [0-9]*% free .* under truced's disk-warn of 100%" "$T/stats.err" \
  || fail "no disk warning from truce stats: $(cat "$T/stats.err")"
"$TRUCE" stats --connect "$QRY" --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert "disk_warning" in s and s["disk_size"] > 0
dbs = {d["name"]: d for d in s["dbs"]}
assert set(dbs) == {"articles", "article_keys", "claims", "incidents", "incident_index", "incident_claims",
                     "incident_members", "events", "quarantine", "meta"}, dbs
assert dbs["articles"]["entries"] == s["articles"] and dbs["articles"]["bytes"] > 0
assert sum(d["bytes"] for d in s["dbs"]) <= s["db_size"]
' || fail "stats --json: disk or dbs"
grep -q "^articles  *$N " "$T/stats.txt" || fail "no per-database line: $(cat "$T/stats.txt")"
for _ in $(seq 50); do grep -q "WARN  main: the disk of $T/data is filling" "$T/truced.log" && break; sleep 0.1; done
grep -q "WARN  main: the disk of $T/data is filling: [0-9]*% free (.* MiB), under disk-warn 100%" "$T/truced.log" \
  || fail "no disk warning in truced's log"
pass "disk: truce stats and truced's log warn under disk-warn; each database's entries and bytes in truce stats"
stop_daemon
