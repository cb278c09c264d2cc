#!/bin/bash
# corpus.sh - scores `truce extract` on the seeds, dev and dev2 corpora of
# ../shared/corpus with ../shared/eval/score.py (dev2 where present), and
# counts the negatives that get a claim. Skips (exit 77) where the shared
# corpus is not beside the checkout.
set -u
shared=${TRUCE_SHARED:-$(dirname "$0")/../../../shared}
corpus=$shared/corpus
score=$shared/eval/score.py
if [ ! -f "$corpus/dev.jsonl" ] || [ ! -f "$score" ]; then
	echo "skip: no shared corpus at $corpus (needs dev.jsonl and eval/score.py)"
	exit 77
fi
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=(seeds dev)
[ -f "$corpus/dev2.jsonl" ] && files+=(dev2)
for f in "${files[@]}"; do
	cat "$corpus/$f.jsonl" >>"$tmp/all.jsonl"
	cat "$corpus/$f.gold.jsonl" >>"$tmp/all.gold.jsonl"
done
"$TRUCE_BIN/truce" extract -q --jsonl "$tmp/all.jsonl" >"$tmp/sys.jsonl" || exit 1
# claim F1 measured when this floor was set, minus 0.02: seeds + dev + dev2
# 0.944 (issue 10: inverted speakers, venues, passive accusers), seeds + dev alone 0.981
floor=0.96
[ ${#files[@]} -eq 3 ] && floor=0.92
python3 "$score" "$tmp/all.gold.jsonl" "$tmp/sys.jsonl" --min-f1 "$floor" || exit 1
# the details of matched claims: event date, killed and wounded accuracy,
# each floor 0.02 under what was measured on seeds + dev + dev2 when set
# (date 0.903, killed 0.919, wounded 0.902: issue 10, truce floors and inverted speakers)
if [ ${#files[@]} -eq 3 ]; then
	python3 "$score" "$tmp/all.gold.jsonl" "$tmp/sys.jsonl" --json >"$tmp/score.json" || exit 1
	python3 - "$tmp/score.json" <<'EOF3' || exit 1
import json, sys
attrs = json.load(open(sys.argv[1]))["attributes"]
floors = {"event_date": 0.883, "killed": 0.899, "wounded": 0.882}
bad = [f"{k} {attrs[k]['accuracy']} < {f}" for k, f in floors.items()
       if (attrs[k]["accuracy"] or 0) < f]
print("field accuracies:", ", ".join(f"{k} {attrs[k]['accuracy']}" for k in floors))
if bad:
    print("below the floor:", "; ".join(bad))
sys.exit(1 if bad else 0)
EOF3
fi
# the negatives: articles that hold no claim (0 of 84 when set; at most 2)
if [ -f "$corpus/negatives.jsonl" ]; then
	"$TRUCE_BIN/truce" extract -q --jsonl "$corpus/negatives.jsonl" >"$tmp/neg.jsonl" || exit 1
	python3 - "$tmp/neg.jsonl" <<'EOF2'
import json, sys
n = sum(1 for line in open(sys.argv[1]) if json.loads(line).get("claims"))
print(f"negatives with a claim: {n}")
sys.exit(1 if n > 2 else 0)
EOF2
fi
