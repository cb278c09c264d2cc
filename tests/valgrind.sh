#!/usr/bin/env bash
# Runs integration test scripts with truced under valgrind (memcheck), at
# sizes memcheck can carry (it runs truced some 50 times slower):
#
#   tests/valgrind.sh BIN_DIR [SCRIPT...]     default: the scripts listed below
#                                             (BIN_DIR defaults to $TRUCE_BIN)
#   cmake -DTRUCE_VALGRIND=ON ... && ctest -L valgrind
#
# BIN_DIR is a build's bin/ directory. The scripts see a TRUCE_BIN whose
# truced is a wrapper that execs
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
# so a memory error or a definite leak makes truced exit 99 on SIGTERM (the
# scripts expect 0 and fail), and every valgrind log is scanned at the end,
# which also catches errors in daemons the scripts SIGKILL. TRUCE_BIN also
# has truce-vg, truce under the same memcheck, with which the feed and web
# scripts run the long-running clients (`truce feed`, `truce collect
# --watch`, `truce web`, `truce watch --post`). Suppressions:
# tests/valgrind.supp (PCRE2 JIT only). Exit 0 when all
# scripts passed and no log reports an error; 77 when valgrind is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${TRUCE_BIN:-}}
[ -n "$bin" ] || { echo "usage: tests/valgrind.sh BIN_DIR [SCRIPT...]" >&2; exit 2; }
bin=$(cd "$bin" && pwd)
[ $# -gt 0 ] && shift
command -v valgrind >/dev/null || { echo "skip: valgrind is not installed (TRUCE_WITH_VALGRIND=1 tools/install-deps)"; exit 77; }
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(daemon pipeline badinput badinput2 storage storage_full load config web_metrics
  web_api web_sse webhook feed/basic feed/dedup feed/misbehave feed/tls feed/dropdir)

work=$(mktemp -d "${TMPDIR:-/tmp}/truce-vg.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/logs"
for f in "$bin"/*; do ln -s "$f" "$work/bin/$(basename "$f")"; done
rm "$work/bin/truced"
cat >"$work/bin/truced" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
  --show-leak-kinds=definite --track-origins=yes --gen-suppressions=all \\
  --suppressions="$here/valgrind.supp" --log-file="$work/logs/truced.%p.log" \\
  "$bin/truced" "\$@"
EOF
chmod +x "$work/bin/truced"
cat >"$work/bin/truce-vg" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
  --show-leak-kinds=definite --track-origins=yes --gen-suppressions=all \\
  --suppressions="$here/valgrind.supp" --log-file="$work/logs/truce.%p.log" \\
  "$bin/truce" "\$@"
EOF
chmod +x "$work/bin/truce-vg"

run_script() {
  TRUCE_BIN=$work/bin TRUCE_SOURCE_DIR=${TRUCE_SOURCE_DIR:-$(cd "$here/.." && pwd)} \
    TRUCE_RAWSEND_TIMEOUT_MS=${TRUCE_RAWSEND_TIMEOUT_MS:-300000} \
    TRUCE_LOAD_ARTICLES=${TRUCE_LOAD_ARTICLES:-400} TRUCE_LOAD_SUBSCRIBERS=${TRUCE_LOAD_SUBSCRIBERS:-10} \
    TRUCE_DROP_FILES=${TRUCE_DROP_FILES:-200} \
    bash "$1"
}

failed=()
for s in "${scripts[@]}"; do
  path=$s
  [ -f "$path" ] || path=$here/integration/$s.sh
  [ -f "$path" ] || path=$here/$s.sh
  echo "== $(basename "$path") with truced under valgrind"
  rc=0
  run_script "$path" || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
    # As tools/test does with ctest: once more, the first failure in the log
    # above. A memcheck error in either run's logs still fails the step.
    echo "   (failed with exit $rc: running it once more)"
    rc=0
    run_script "$path" || rc=$?
  fi
  if [ "$rc" = 77 ]; then
    echo "   (skipped)"
  elif [ "$rc" != 0 ]; then
    failed+=("$(basename "$path") exit $rc")
  fi
done

# valgrind -q writes only errors (and leak records) to the log files.
bad=0
for log in "$work"/logs/*.log; do
  [ -s "$log" ] || continue
  bad=1
  echo "== valgrind report $(basename "$log"):"
  cat "$log"
done
n=$(ls "$work"/logs | wc -l)
if [ ${#failed[@]} -gt 0 ] || [ "$bad" = 1 ]; then
  echo "valgrind: FAILED: ${failed[*]:-} $([ "$bad" = 1 ] && echo "(valgrind reported errors above)")"
  exit 1
fi
echo "valgrind: ${#scripts[@]} scripts passed, $n truced and truce runs under memcheck, no errors, no definite leaks"
