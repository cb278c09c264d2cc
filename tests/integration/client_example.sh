#!/usr/bin/env bash
# The client library as a user gets it: `cmake --install` into a temporary
# prefix, examples/collector.c compiled against the installed header and
# libtruce-client.so with pkg-config only, then run against a real truced:
# its article is STORED, a second run is DUPLICATE, and an empty file is
# REJECTED with a reason.
. "$(dirname "$0")/lib.sh"
command -v pkg-config >/dev/null || fail "pkg-config is missing"

P=$T/prefix
cmake --install "$TRUCE_BIN/.." --prefix "$P" >"$T/install.log" 2>&1 \
  || fail "cmake --install: $(tail -5 "$T/install.log")"
for f in bin/truced bin/truce include/truce/client.h include/truce/truce.pb-c.h; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
pc=$(find "$P" -name truce-client.pc | head -1)
[ -n "$pc" ] || fail "truce-client.pc not installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --libs truce-client) || fail "pkg-config truce-client"
# shellcheck disable=SC2086 # flags are words
cc -std=c11 -Wall -Wextra -Werror ${TRUCE_EXAMPLE_CFLAGS:-} -o "$T/collector" \
  "$TRUCE_SOURCE_DIR/examples/collector.c" $flags -Wl,-rpath,"$P/lib" 2>"$T/cc.log" \
  || fail "the example does not build against the installed library: $(cat "$T/cc.log")"
pass "installed into a prefix; examples/collector.c builds with pkg-config alone ($flags)"

libdir=$(realpath "$(pkg-config --variable=libdir truce-client)")
# ldd's output whole first: grep -q quits at the first match, and under
# pipefail ldd's SIGPIPE would fail the pipeline
deps=$(ldd "$T/collector")
grep -q "=> $libdir/libtruce-client.so" <<<"$deps" || fail "not linked to the installed library: $deps"
if nm -D --defined-only "$libdir/libtruce-client.so" | awk '{print $3}' | grep -Ev '^(truce_[a-z]|truce__v1__|TRUCE_CLIENT_0)' | grep -q .; then
  fail "the library exports names outside its API: $(nm -D --defined-only "$libdir/libtruce-client.so" | awk '{print $3}' | grep -Ev '^(truce_[a-z]|truce__v1__|TRUCE_CLIENT_0)' | head)"
fi
pass "linked against the installed libtruce-client.so, which exports truce_* and truce__v1__* only"

start_daemon
printf 'Shelling reported\nArmenia accused Azerbaijan of violating the ceasefire on Tuesday.\n' >"$T/a.txt"
printf 'Empty\n' >"$T/empty.txt"
"$T/collector" "$IN" "$T/a.txt" >"$T/run1.out" 2>"$T/run1.err" || fail "collector run 1: $(cat "$T/run1.out" "$T/run1.err")"
grep -q "a.txt STORED seq=1" "$T/run1.out" || fail "not STORED: $(cat "$T/run1.out")"
"$T/collector" "$IN" "$T/a.txt" "$T/empty.txt" >"$T/run2.out" 2>"$T/run2.err" && fail "an empty article should fail the run"
grep -q "a.txt DUPLICATE seq=1" "$T/run2.out" || fail "not DUPLICATE: $(cat "$T/run2.out")"
grep -q "empty.txt REJECTED seq=0 .*body" "$T/run2.out" || fail "not REJECTED with a reason: $(cat "$T/run2.out")"
[ "$(tstat articles)" = 1 ] || fail "stats says $(tstat articles) articles"
pass "the example collector: STORED, then DUPLICATE, and an empty file REJECTED with its reason"
