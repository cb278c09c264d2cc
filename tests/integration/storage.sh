#!/usr/bin/env bash
# Storage limits that need no special privileges:
#   - a full LMDB map grows by itself: truced --map-size 1 (MiB) takes ~6 MB
#     of articles, the log reports each growth, every article is STORED and
#     survives a restart;
#   - a data directory that cannot be used (a regular file in the way, a
#     path through a file, a directory truced may not write) fails at start
#     with a clear error and a non-zero exit, before binding any socket.
# The disk-full case (a small tmpfs) is storage_full.sh.
. "$(dirname "$0")/lib.sh"
GEN=$TRUCE_SOURCE_DIR/tests/chaos/gen.py

# --- map growth ------------------------------------------------------------
N=6000
python3 "$GEN" "$N" "$T/grow" --collectors 1 --overlap 0
start_daemon --map-size 1
"$TRUCE" collect --connect "$IN" --jsonl "$T/grow.0.jsonl" --json --window 512 \
  >"$T/grow.json" 2>"$T/grow.err" || fail "collect into a 1 MiB map: $(tail -2 "$T/grow.err")"
stored=$(count_status "$T/grow.json" STORED)
[ "$stored" = "$N" ] || fail "$stored of $N STORED"
grows=$(grep -c "map full: grew the map" "$T/truced.log" || true)
[ "$grows" -ge 3 ] || fail "expected >= 3 map growths, log says $grows"
size=$(tstat db_size)
pass "1 MiB map: $N articles STORED ($((size / 1048576)) MiB used), $grows growths logged: $(grep "map full" "$T/truced.log" | sed 's/.*commit: //' | tr '\n' ';' | cut -c1-200)"
stop_daemon
start_daemon --map-size 1
[ "$(tstat articles)" = "$N" ] || fail "after restart with --map-size 1: $(tstat articles) articles"
"$TRUCE" collect --connect "$IN" --jsonl "$T/grow.0.jsonl" --json >"$T/grow2.json" 2>/dev/null \
  || fail "re-collect after restart"
[ "$(count_status "$T/grow2.json" DUPLICATE)" = "$N" ] || fail "re-sent articles not all DUPLICATE"
stop_daemon
pass "restart with --map-size 1 on the grown store: $N articles there, re-sent ones DUPLICATE"

# --- unusable data directories -----------------------------------------------
# unusable NAME DIR EXPECTED_SUBSTRING: truced must exit non-zero, saying so.
unusable() {
  local name=$1 dir=$2 want=$3 rc=0
  timeout 20 "$TRUCED" --data "$dir" --ingest "ipc://$T/u-in" --publish "ipc://$T/u-pub" \
    --query "ipc://$T/u-q" 2>"$T/unusable.err" || rc=$?
  [ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "$name: truced exit $rc"
  grep -qi -- "$want" "$T/unusable.err" || fail "$name: unclear error: $(cat "$T/unusable.err")"
  [ ! -e "$T/u-in" ] || fail "$name: bound the ingest socket before failing"
  pass "$name: exit $rc, \"$(grep -i -- "$want" "$T/unusable.err" | head -1 | sed 's/.*main: //' | cut -c1-150)\""
}
echo "not a directory" >"$T/afile"
unusable "--data is a regular file" "$T/afile" "not a directory"
unusable "--data under a regular file" "$T/afile/data" "not a directory"
mkdir -p "$T/ro"
chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  unusable "--data in a directory without write permission" "$T/ro/data" "permission denied"
  unusable "--data is a directory without write permission" "$T/ro" "permission denied"
else
  echo "note: running as root, so mode 500 does not stop writes; storage_full.sh covers a read-only mount"
fi
# A store directory whose data file is not LMDB.
mkdir -p "$T/junk" && head -c 65536 /dev/urandom >"$T/junk/data.mdb"
unusable "--data holds a data.mdb that is not LMDB" "$T/junk" "data directory"
