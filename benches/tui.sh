#!/usr/bin/env bash
# TUI benchmark, measured from outside like a user would see it: the release binary in a
# 120x32 tmux pane against moto on loopback, every STS request delayed by the testkit's
# proxy, 200 profiles (the standard world plus `fan-NN` profiles chained through one
# shared hop), cache off.
#
#   bash benches/tui.sh            # RUNS=5 LATENCY_MS=50 PROFILES=200 by default
#
# Per run it reports, from the moment the pane's shell execs rswitch:
#   first frame   the list is on screen (`Profiles (N)` captured by tmux);
#   all resolved  no profile is in flight any more (the footer's "N resolving" is gone);
#   peak RSS      VmHWM of the rswitch process, read from /proc just before quitting.
# The screen is polled every ~2 ms for the first frame, then every ~20 ms (polling costs
# CPU that rswitch and moto share), so times carry that much granularity.
# Needs tmux and the venv from `bash tests/run.sh` (or RSWITCH_TEST_VENV).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" benches/tui.sh
RUNS=${RUNS:-5}
LATENCY_MS=${LATENCY_MS:-50}
PROFILES=${PROFILES:-200}
need tmux
need_venv bin/python
build_release

# The standard world has this many profiles without fan-out; the rest are fan-NN.
BASE=14
JSON=$OUT/tui-testkit.json
start_testkit "$LATENCY_MS" $((PROFILES - BASE)) "$JSON"

"$VENV/bin/python" - "$JSON" "$RSWITCH" "$RUNS" "$PROFILES" "$OUT" <<'PY'
import json, os, statistics, subprocess, sys, time

kit, rswitch, runs, profiles, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
world = json.load(open(kit))
socket = os.path.join(out, "tui-bench.sock")
env = dict(world["env"], LANG="C.UTF-8", TERM="xterm-256color", PATH="/usr/bin:/bin")
# Each run is cold: no cache (and nothing left in it), so every profile calls STS.
cache = os.path.join(env["XDG_CACHE_HOME"], "rswitch")


def tmux(*args):
    return subprocess.run(["tmux", "-u", "-f", "/dev/null", "-S", socket, *args],
                          check=True, capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "bench")


def wait(what, done, every, deadline=60):
    start = time.time()
    while True:
        s = screen()
        if done(s):
            return time.time_ns(), s
        if time.time() - start > deadline:
            sys.exit(f"benches/tui.sh: no {what} after {deadline}s; the screen:\n{s}")
        time.sleep(every)


def read(path):
    for _ in range(5000):
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return text
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    sys.exit(f"benches/tui.sh: {path} never appeared")


results = []
title = f"Profiles ({profiles})"
for run in range(runs):
    subprocess.run(["rm", "-rf", cache], check=True)
    stamp, pidfile = os.path.join(out, "tui-t0"), os.path.join(out, "tui-pid")
    for f in (stamp, pidfile):
        if os.path.exists(f):
            os.remove(f)
    script = f"echo $$ > {pidfile}; date +%s%N > {stamp}; exec {rswitch} --no-cache"
    argv = ["env", "-i", *[f"{k}={v}" for k, v in env.items()], "sh", "-c", script]
    tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "32", "--", *argv)
    try:
        first, s = wait("first frame", lambda s: "Profiles (" in s, 0.002)
        if title not in s:
            sys.exit(f"benches/tui.sh: expected {title!r} on screen:\n{s}")
        done, s = wait("end of resolution", lambda s: "resolving" not in s, 0.02)
        pid = read(pidfile)
        with open(f"/proc/{pid}/status") as f:
            hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
        t0 = int(read(stamp))
        fan_ok = s.count("222222222222 Deploy")
        tmux("send-keys", "-t", "bench", "q")
        for _ in range(1000):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)
    r = {"first_frame_ms": (first - t0) / 1e6, "all_resolved_ms": (done - t0) / 1e6,
         "peak_rss_mb": hwm / 1024, "deploy_rows_on_screen": fan_ok}
    results.append(r)
    print(f"run {run + 1}: first frame {r['first_frame_ms']:.0f} ms, all {profiles} resolved "
          f"{r['all_resolved_ms']:.0f} ms, peak RSS {r['peak_rss_mb']:.1f} MB", flush=True)
    if run == runs - 1:
        print("last screen:\n" + s)

med = {k: statistics.median(r[k] for r in results) for k in results[0]}
json.dump({"runs": results, "median": med, "latency_ms": world["latency_ms"], "profiles": profiles},
          open(os.path.join(out, "tui.json"), "w"), indent=2)
print(f"median of {runs}: first frame {med['first_frame_ms']:.0f} ms (target < 50), "
      f"all {profiles} resolved {med['all_resolved_ms']:.0f} ms (target < 2000), "
      f"peak RSS {med['peak_rss_mb']:.1f} MB (target < 30); {world['latency_ms']} ms per STS request")
PY
