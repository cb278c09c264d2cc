#!/usr/bin/env python3
"""chaos.py - the chaos test's driver: collectors run while truced is killed.

    chaos.py --bin DIR --dir T --in EP --pub EP --query EP
             --collector FILE [--collector FILE...] [--kills K] [--deadline S]
             [--window N] [--seed S] [--map-size MIB] [--sync full|meta|none]

Starts truced on T/data, one `truce collect --json` per input file, and then
kills truced with SIGKILL at random moments and restarts it on the same data
directory until every collector has exited. Kill moments mix three kinds:
right after the start (while the store opens), at random times, and when the
store's article count crosses one of K random thresholds, which guarantees at
least K kills spread over the whole run however fast the machine is (each
threshold is consumed by one kill). The last daemon is killed too, so the
checks that follow start from a crash. Writes T/chaos.json: kills, collector
exit codes, elapsed time. Exit 0 when the driver itself worked (the checks
are the caller's).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--in", dest="ingest", required=True)
    ap.add_argument("--pub", required=True)
    ap.add_argument("--query", required=True)
    ap.add_argument("--collector", action="append", required=True)
    ap.add_argument("--articles", type=int, required=True, help="distinct articles sent")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--deadline", type=int, default=600)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--map-size", type=int, default=0, help="truced --map-size MiB (0: default)")
    ap.add_argument("--sync", default="full", choices=["full", "meta", "none"])
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    print(f"chaos: seed {seed} (rerun with TRUCE_CHAOS_SEED={seed})", flush=True)

    truce, truced = os.path.join(a.bin, "truce"), os.path.join(a.bin, "truced")
    log = open(os.path.join(a.dir, "truced.log"), "ab")

    def start():
        return subprocess.Popen(
            [truced, "--data", os.path.join(a.dir, "data"), "--ingest", a.ingest,
             "--publish", a.pub, "--query", a.query, "--sync", a.sync,
             "--log-level", "info"]
            + (["--map-size", str(a.map_size)] if a.map_size else []), stdout=log, stderr=log)

    def stored():
        """The store's article count, or None while the daemon is not up."""
        try:
            out = subprocess.run([truce, "stats", "--connect", a.query, "--json",
                                  "--timeout", "150"], capture_output=True, timeout=5)
            return json.loads(out.stdout)["articles"] if out.returncode == 0 else None
        except (subprocess.TimeoutExpired, ValueError, KeyError):
            return None

    # Thresholds in the first 90% of the run, so the last kill still has
    # acknowledgements after it.
    thresholds = sorted(rng.randrange(a.articles // 50 + 1, a.articles * 9 // 10 + 2)
                        for _ in range(a.kills))
    daemon = start()
    collectors = []
    for k, path in enumerate(a.collector):
        rep = open(os.path.join(a.dir, f"collect.{k}.json"), "w")
        err = open(os.path.join(a.dir, f"collect.{k}.err"), "w")
        collectors.append(subprocess.Popen(
            [truce, "collect", "--connect", a.ingest, "--jsonl", path, "--json",
             "--collector-id", f"chaos-{k}", "--window", str(a.window), "--timeout", "300",
             "--deadline", str(a.deadline)], stdout=rep, stderr=err))
    began = time.monotonic()
    kills, kinds = 0, {"startup": 0, "timer": 0, "threshold": 0}
    died = []  # exit codes of daemons that ended before we killed them
    try:
        while any(c.poll() is None for c in collectors):
            started = time.monotonic()
            r = rng.random()
            # 15%: inside the first 60 ms (store open, bind); else a timer
            # of up to 1.5 s, unless a threshold comes first.
            delay = rng.uniform(0, 0.06) if r < 0.15 else rng.uniform(0.1, 1.5)
            kind = "startup" if r < 0.15 else "timer"
            while any(c.poll() is None for c in collectors):
                now = time.monotonic()
                if now - started >= delay:
                    break
                if thresholds and kind != "startup":
                    n = stored()
                    if n is not None and n >= thresholds[0]:
                        thresholds.pop(0)
                        kind = "threshold"
                        time.sleep(rng.uniform(0, 0.1))
                        break
                time.sleep(0.03)
            if not any(c.poll() is None for c in collectors):
                break
            if daemon.poll() is not None:
                died.append(daemon.returncode)
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            kills += 1
            kinds[kind] += 1
            daemon = start()
        elapsed = time.monotonic() - began
    finally:
        for c in collectors:
            if c.poll() is None:
                c.kill()
                c.wait()
        if daemon.poll() is not None:
            died.append(daemon.returncode)
        daemon.send_signal(signal.SIGKILL)
        daemon.wait()
    rcs = [c.returncode for c in collectors]
    summary = {"seed": seed, "kills": kills + 1, "kinds": kinds, "collector_exit": rcs,
               "elapsed_s": round(elapsed, 1), "thresholds_left": len(thresholds),
               "died_on_their_own": died}
    json.dump(summary, open(os.path.join(a.dir, "chaos.json"), "w"))
    print(f"chaos: {kills} kills while collecting ({kinds}) + 1 after, "
          f"collectors exited {rcs} after {elapsed:.1f} s", flush=True)
    if died:
        print(f"chaos: {len(died)} daemons exited on their own: {died}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
