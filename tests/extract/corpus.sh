#!/bin/bash
# corpus.sh - scores `truce extract` on the seeds and dev corpora of
# ../shared/corpus with ../shared/eval/score.py. Skips (exit 77) where the
# shared corpus is not beside the checkout.
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
cat "$corpus/seeds.jsonl" "$corpus/dev.jsonl" >"$tmp/all.jsonl"
cat "$corpus/seeds.gold.jsonl" "$corpus/dev.gold.jsonl" >"$tmp/all.gold.jsonl"
"$TRUCE_BIN/truce" extract -q --jsonl "$tmp/all.jsonl" >"$tmp/sys.jsonl" || exit 1
# claim F1 measured on seeds + dev when this test was written (0.962), minus 0.03
python3 "$score" "$tmp/all.gold.jsonl" "$tmp/sys.jsonl" --min-f1 0.93
