#!/usr/bin/env bash
# The Debian package: CPack makes the .deb of this build (as tools/package
# does of a release build), its file list and control data are checked,
# and, as root on a machine where no truce package is installed (CI's), it
# is installed with dpkg -i: the files land, the user exists, the installed
# truced runs (--version, --check of the shipped config, a start with
# READY=1), systemd-analyze verifies the installed unit with its man pages;
# then the package is purged and the machine left as it was.
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null || { echo "skip: cpack or dpkg-deb missing"; exit 77; }
(cd "$T" && cpack --config "$TRUCE_BIN/../CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1) \
  || fail "cpack: $(tail -20 "$T/cpack.log")"
deb=$(ls "$T"/pkg/truce_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/files"
for f in /usr/bin/truced /usr/bin/truce /etc/truce/truced.conf /usr/lib/systemd/system/truced.service \
  /usr/lib/systemd/system/truce-feed.service /usr/share/man/man8/truced.8 /usr/share/man/man5/truced.conf.5 \
  /usr/share/man/man1/truce-collect.1 /usr/share/truce/rules/parties.tsv /usr/share/doc/truce/README.md \
  /usr/include/truce/client.h; do
  grep -qx "$f" "$T/files" || fail "the package lacks $f"
done
grep -q '/libtruce-client\.so\.0$' "$T/files" && grep -q '/pkgconfig/truce-client\.pc$' "$T/files" \
  || fail "the package lacks the client library"
outside=$(grep -vE '^/(etc|usr)(/|$)' "$T/files" || true)
[ -z "$outside" ] || fail "files outside /etc and /usr: $outside"
# (outputs are read whole before grep -q: under pipefail a writer cut off
# by grep's early exit would fail the pipeline)
grep -q "libzmq5" <<<"$(dpkg-deb -f "$deb" Depends)" || fail "Depends: $(dpkg-deb -f "$deb" Depends)"
grep -qx /etc/truce/truced.conf <<<"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" || fail "truced.conf is not a conffile"
grep -q '^data = /var/lib/truce$' <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/truce/truced.conf) \
  || fail "the shipped config does not use /var/lib/truce"
pass "$(basename "$deb"): $(wc -l <"$T/files") paths under /etc and /usr, conffile, Depends on libzmq5"

if [ "$(id -u)" != 0 ]; then
  echo "skip: dpkg -i needs root (CI runs as root)"
  exit 0
fi
# One package test at a time on this machine (two builds' ctest may run
# at once), and never over a truce that someone installed.
exec 9>/tmp/truce-deb-test.lock
flock -w 300 9 || fail "another package test holds /tmp/truce-deb-test.lock"
if [ "$(dpkg-query -W -f='${Status}' truce 2>/dev/null || true)" = "install ok installed" ]; then
  echo "skip: a truce package is already installed on this machine; not replacing it"
  exit 0
fi
had_user=0
getent passwd truce >/dev/null && had_user=1
undo() {
  dpkg --purge truce >/dev/null 2>&1 || true
  [ $had_user = 1 ] || userdel truce 2>/dev/null || true
}
trap 'undo; cleanup' EXIT
dpkg -i "$deb" >"$T/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$T/dpkg.log")"
[ "$(/usr/bin/truced --version)" = "truced 0.1.0" ] || fail "installed truced --version: $(/usr/bin/truced --version)"
[ "$(/usr/bin/truce --version)" = "truce 0.1.0" ] || fail "installed truce --version"
grep -qx /usr/bin/truced <<<"$(dpkg -L truce)" || fail "dpkg -L truce lacks /usr/bin/truced"
getent passwd truce >/dev/null || fail "postinst made no user truce"
/usr/bin/truced --config /etc/truce/truced.conf --check >/dev/null || fail "the shipped config fails --check"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify /usr/lib/systemd/system/truced.service 2>&1) || fail "systemd-analyze verify (with man pages): $out"
  [ -z "$out" ] || fail "systemd-analyze verify complains: $out"
fi
# the installed truced as the unit runs it: user truce (setpriv execs, so
# the notify checker's child is truced itself), the shipped config
# (endpoints and data directory moved to this test's)
install -d -o truce -g truce -m 0700 "$T/state"
chmod 755 "$T"
python3 "$HERE/notify_check.py" run /usr/bin/truce "ipc://$T/state/q" "$T/state/i:$T/state/p:$T/state/q" -- \
  setpriv --reuid=truce --regid=truce --init-groups /usr/bin/truced --config /etc/truce/truced.conf --data "$T/state/data" \
  --ingest "ipc://$T/state/i" --publish "ipc://$T/state/p" --query "ipc://$T/state/q" 2>>"$T/truced.log" \
  || fail "the installed truced under notify"
[ "$(stat -c %U "$T/state/data/data.mdb")" = truce ] || fail "the store is not the truce user's"
pass "dpkg -i: truced --version runs, user truce exists, the shipped config checks, the unit verifies, truced starts as truce"
dpkg --purge truce >"$T/dpkg.log" 2>&1 || fail "dpkg --purge: $(cat "$T/dpkg.log")"
[ ! -e /usr/bin/truced ] && [ ! -e /etc/truce/truced.conf ] || fail "files left after purge"
pass "dpkg --purge removes it"
