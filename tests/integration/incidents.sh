#!/usr/bin/env bash
# Incidents across outlets (issue 4): the three August 2022 seed articles
# (Moscow Times, and two others on the Lachin clash) become one incident with
# three sources and the 8-14 wounded range; seeds 4 and 5 are incidents of
# their own. Then, where ../shared/corpus is present, seeds + dev + dev2 go
# through the daemon and `truce export --scoring` is scored for incident
# pairs: F1 must stay at or above TRUCE_MIN_INCIDENT_F1 (default below).
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

# The corpus part: seeds + dev + dev2 through a real truced, scored for
# incident pairs by tools/score-incidents (which prints seeds + dev, dev2 and
# all; the floor applies to all). Measured when the floor was set, with the
# extractor of folds X and Y: all 0.954 (seeds + dev 0.985, dev2 0.911);
# the floor is that minus 0.03.
rc=0
"$TRUCE_SOURCE_DIR/tools/score-incidents" --min-f1 "${TRUCE_MIN_INCIDENT_F1:-0.92}" || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP corpus part: no ../shared/corpus beside the checkout (the seed part above passed)"
  exit 0
fi
[ "$rc" -eq 0 ] || fail "incident pair F1 over seeds + dev + dev2 under the floor (or the run failed)"
pass "corpus through the daemon: incident pair F1 at or above the floor"
