#!/usr/bin/env bash
# Makes tests/data/store-v1.mdb.gz: a store of schema 1, written by truced as
# it was before the incident aggregates (commit 988519b, the last one of
# schema 1), for it_upgrade. Run from a checkout; it builds that commit in a
# temporary directory, feeds its truced the five seed articles and 30
# generated ones (three days, so incidents of ten claims, with figures, one
# place, corroborations), and keeps a compacted copy (mdb_copy -c), gzipped.
#   tests/data/make-store-v1.sh [COMMIT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
commit=${1:-988519b}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$tmp" --one-top-level=src
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$tmp/build" -j"$(nproc)" --target truced truce >/dev/null
bin=$tmp/build/bin
"$bin/truced" --data "$tmp/data" --ingest "ipc://$tmp/in" --publish "ipc://$tmp/pub" \
  --query "ipc://$tmp/q" --log-level warn &
pid=$!
sleep 1
"$bin/truce" collect --connect "ipc://$tmp/in" --jsonl "$root/tests/data/seeds.jsonl" --quiet
"$bin/truce" bench ingest --connect "ipc://$tmp/in" --publish "ipc://$tmp/pub" -n 30 --days 3 \
  >/dev/null
kill "$pid"
wait "$pid" || true
mkdir "$tmp/copy"
mdb_copy -c "$tmp/data" "$tmp/copy"
gzip -9 -n -c "$tmp/copy/data.mdb" >"$root/tests/data/store-v1.mdb.gz"
ls -l "$root/tests/data/store-v1.mdb.gz"
