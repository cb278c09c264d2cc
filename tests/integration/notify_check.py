#!/usr/bin/env python3
"""Plays systemd's side of the notification protocol (sd_notify(3)) for a
truced started as a Type=notify unit starts it: binds the datagram socket
that NOTIFY_SOCKET names, runs the command with it (and WATCHDOG_USEC), and
checks what arrives, in order:

  READY=1      only once the sockets answer: at that moment the ipc socket
               files exist and `truce stats` answers at the first try
  WATCHDOG=1   keep-alives, at least every WATCHDOG_USEC / 2 (plus a poll turn)
  RELOADING=1 then READY=1 around a SIGHUP
  STOPPING=1   on SIGTERM, and exit 0

  notify_check.py run TRUCE QUERY_EP IPC_PATHS(colon-separated) -- CMD...
  notify_check.py fail -- CMD...   (a start that fails: no READY=1, exit != 0)

Prints one line per check; exits 1 on the first failure.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

WATCHDOG_USEC = 400000


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def listen(abstract):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        name = "@truce-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
        s.bind("\0" + name[1:])
    else:
        d = tempfile.mkdtemp(prefix="truce-notify.")
        name = os.path.join(d, "notify.sock")
        s.bind(name)
        # as systemd's own: any service user may send to it
        os.chmod(d, 0o755)
        os.chmod(name, 0o777)
    return s, name


def recv(s, proc, timeout):
    """The next message's KEY=VALUE pairs, or None when the process ended or
    the time ran out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s.settimeout(0.1)
        try:
            data = s.recv(4096).decode()
        except socket.timeout:
            if proc.poll() is not None:
                return None
            continue
        return dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
    return None


def wait_for(s, proc, key, timeout=20, seen=None):
    while True:
        m = recv(s, proc, timeout)
        if m is None:
            fail("no %s=1 (truced %s)" % (key, "exited %s" % proc.returncode
                                          if proc.poll() is not None else "silent"))
        if seen is not None:
            seen.append(m)
        if m.get(key) == "1":
            return m


def run(args):
    truce, query, ipc = args[0], args[1], args[2].split(":")
    cmd = args[args.index("--") + 1:]
    for abstract in (False, True):
        s, name = listen(abstract)
        env = dict(os.environ, NOTIFY_SOCKET=name, WATCHDOG_USEC=str(WATCHDOG_USEC))
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env)
        try:
            m = wait_for(s, proc, "READY")
            # The moment READY arrives: every socket is bound.
            missing = [p for p in ipc if not os.path.exists(p)]
            if missing:
                fail("READY=1 before %s was bound" % missing)
            st = subprocess.run([truce, "stats", "--connect", query, "--timeout", "1000"],
                                capture_output=True, text=True)
            if st.returncode != 0:
                fail("READY=1 but truce stats did not answer: " + st.stderr)
            print("ok: READY=1 after %.2f s (%s socket), the ipc sockets exist and "
                  "truce stats answers at once; STATUS=%s"
                  % (time.monotonic() - t0, "abstract" if abstract else "path", m.get("STATUS")))
            t1 = time.monotonic()
            pings = 0
            while time.monotonic() - t1 < 1.5:
                m = recv(s, proc, 1.0)
                if m is None:
                    fail("watchdog pings stopped")
                pings += m.get("WATCHDOG") == "1"
            # one every 200 ms at best: half of 400 ms, checked each poll turn
            if pings < 3:
                fail("%d WATCHDOG=1 in 1.5 s with WATCHDOG_USEC=%d" % (pings, WATCHDOG_USEC))
            print("ok: %d WATCHDOG=1 keep-alives in 1.5 s (WATCHDOG_USEC=%d)"
                  % (pings, WATCHDOG_USEC))
            proc.send_signal(signal.SIGHUP)
            seen = []
            wait_for(s, proc, "RELOADING", seen=seen)
            wait_for(s, proc, "READY", seen=seen)
            print("ok: SIGHUP gives RELOADING=1, then READY=1")
            proc.send_signal(signal.SIGTERM)
            wait_for(s, proc, "STOPPING")
            rc = proc.wait(timeout=20)
            if rc != 0:
                fail("truced exited %d on SIGTERM" % rc)
            print("ok: SIGTERM gives STOPPING=1 and exit 0")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            s.close()
            if not abstract:
                os.unlink(name)
                os.rmdir(os.path.dirname(name))


def run_fail(args):
    cmd = args[args.index("--") + 1:]
    s, name = listen(False)
    proc = subprocess.Popen(cmd, env=dict(os.environ, NOTIFY_SOCKET=name),
                            stderr=subprocess.DEVNULL)
    msgs = []
    while True:
        m = recv(s, proc, 20)
        if m is None:
            break
        msgs.append(m)
    rc = proc.wait(timeout=20)
    if any(m.get("READY") == "1" for m in msgs):
        fail("READY=1 from a truced that did not start")
    if rc == 0:
        fail("a truced that could not start exited 0")
    status = [m["STATUS"] for m in msgs if "STATUS" in m]
    print("ok: a start that fails sends no READY=1 (exit %d, STATUS=%s)"
          % (rc, status[-1] if status else "none"))
    s.close()
    os.unlink(name)
    os.rmdir(os.path.dirname(name))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2:])
    else:
        run_fail(sys.argv[2:])
