#!/usr/bin/env bash
# Makes a store written by an older truced, for the upgrade tests:
#   tests/data/make-store.sh 1   -> tests/data/store-v1.mdb.gz, schema 1:
#       truced before the incident aggregates (commit 988519b, the last one
#       of schema 1), for it_upgrade;
#   tests/data/make-store.sh 2   -> tests/data/store-v2.mdb.gz, schema 2:
#       truced before the batched dedup index (commit 47c4b6d, the last one
#       of schema 2), for it_upgrade_v2.
# Run from a checkout; it builds that commit in a temporary directory, feeds
# its truced the five seed articles and 30 generated ones (three days, so
# incidents of ten claims, with figures, one place, corroborations), and
# keeps a compacted copy (mdb_copy -c), gzipped. A second argument names
# another commit of the same schema.
#   tests/data/make-store.sh SCHEMA [COMMIT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
schema=${1:?usage: make-store.sh SCHEMA [COMMIT]}
case $schema in
1) commit=${2:-988519b} ;;
2) commit=${2:-47c4b6d} ;;
*) echo "make-store.sh: no older schema $schema" >&2; exit 2 ;;
esac
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
gzip -9 -n -c "$tmp/copy/data.mdb" >"$root/tests/data/store-v$schema.mdb.gz"
ls -l "$root/tests/data/store-v$schema.mdb.gz"
