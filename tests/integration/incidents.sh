#!/usr/bin/env bash
# Incidents across outlets (issue 4): the three August 2022 seed articles
# (Moscow Times, and two others on the Lachin clash) become one incident with
# three sources and the 8-14 wounded range; seeds 4 and 5 are incidents of
# their own. Then, where ../shared/corpus is present, the whole corpus goes
# through the daemon and `truce export --scoring` is scored for incident
# pairs: F1 must stay at or above TRUCE_MIN_INCIDENT_F1 (default 0.90).
. "$(dirname "$0")/lib.sh"

start_daemon
"$TRUCE" collect --connect "$IN" --jsonl "$SEEDS" --quiet || fail "collect seeds"
"$TRUCE" export --data "$T/data" --incidents --format jsonl >"$T/inc.jsonl" \
  || fail "export --incidents"
python3 - "$T/inc.jsonl" <<'PY' || fail "seed incidents wrong: $(cat "$T/inc.jsonl")"
import json, sys
incs = [json.loads(l) for l in open(sys.argv[1])]
def of(seq):
    return [i for i in incs if seq in i["article_seqs"]]
lachin = of(1)
assert len(lachin) == 1, f"article 1 is in {len(lachin)} incidents"
inc = lachin[0]
assert set(inc["article_seqs"]) == {1, 2, 3}, f"Lachin incident holds articles {inc['article_seqs']}"
assert len(inc["sources"]) == 3, f"sources {inc['sources']}"
assert inc["wounded"] == [8, 14], f"wounded range {inc['wounded']}"
assert of(2) == lachin and of(3) == lachin, "articles 2 and 3 also in other incidents"
for seq in (4, 5):
    others = of(seq)
    assert others, f"article {seq} has no incident"
    assert all(o["id"] != inc["id"] for o in others), f"article {seq} joined the Lachin incident"
assert not set(i["id"] for i in of(4)) & set(i["id"] for i in of(5)), "articles 4 and 5 share an incident"
print(f"Lachin incident {inc['key']}: sources {inc['sources']}, wounded {inc['wounded']}")
PY
pass "seeds 1-3: one incident, three sources, wounded 8-14; seeds 4 and 5 apart"
stop_daemon

CORPUS=$TRUCE_SHARED/corpus
if [ ! -f "$CORPUS/dev.jsonl" ]; then
  echo "SKIP corpus part: $CORPUS/dev.jsonl not found (../shared is not beside the checkout)"
  exit 0
fi
rm -rf "$T/data"
start_daemon
cat "$CORPUS/seeds.jsonl" "$CORPUS/dev.jsonl" >"$T/corpus.jsonl"
cat "$CORPUS/seeds.gold.jsonl" "$CORPUS/dev.gold.jsonl" >"$T/corpus.gold.jsonl"
"$TRUCE" collect --connect "$IN" --jsonl "$T/corpus.jsonl" --quiet || fail "collect corpus"
"$TRUCE" export --connect "$QRY" --scoring >"$T/scoring.jsonl" || fail "export --scoring"
python3 "$TRUCE_SHARED/eval/score.py" "$T/corpus.gold.jsonl" "$T/scoring.jsonl" --json \
  >"$T/score.json" || fail "scorer failed"
python3 - "$T/score.json" "${TRUCE_MIN_INCIDENT_F1:-0.90}" <<'PY' || fail "incident F1 under the floor"
import json, sys
s = json.load(open(sys.argv[1]))
inc = s.get("incidents")
assert inc, "the scorer reports no incident pairs: no incident ids in the export?"
print(f"through the daemon: claims F1={s['claims']['f1']:.3f}; incident pairs "
      f"P={inc['precision']:.3f} R={inc['recall']:.3f} F1={inc['f1']:.3f}")
assert inc["f1"] >= float(sys.argv[2]), f"incident pair F1 {inc['f1']} < {sys.argv[2]}"
PY
pass "corpus through the daemon: incident pair F1 at or above the floor"
