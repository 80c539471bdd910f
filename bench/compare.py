#!/usr/bin/env python3
"""Runs a reference command (kmod/DKMS) and modkit's equivalent alternately, N times each,
and prints median wall time, peak memory (max RSS of the process tree) and their ratios.

usage: compare.py NAME RUNS 'reference command' 'modkit command' [--setup 'cmd'] [--target R]
The commands run through /bin/sh with stdout discarded. --setup runs before every single run
(for example to touch a module before an incremental depmod). --target prints PASS/FAIL
against a wall-time ratio, --abs-target against modkit's median wall time in seconds (for
work with no reference tool, pass '-' as the reference command).
"""
import argparse, os, resource, statistics, subprocess, sys, time


def run_once(cmd, setup):
    if setup:
        subprocess.run(setup, shell=True, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        # exec: the measured process (and its peak memory) is the tool itself, not the shell.
        if not cmd.startswith("exec "):
            cmd = "exec " + cmd
        os.execv("/bin/sh", ["sh", "-c", cmd])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        print(f"  warning: exit {os.waitstatus_to_exitcode(status)}: {cmd}", file=sys.stderr)
    return wall, usage.ru_maxrss  # KiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("runs", type=int)
    ap.add_argument("ref")
    ap.add_argument("ours")
    ap.add_argument("--setup", default="")
    ap.add_argument("--target", type=float, default=0.0)
    ap.add_argument("--mem-target", type=float, default=0.0)
    ap.add_argument("--abs-target", type=float, default=0.0)
    a = ap.parse_args()
    if a.ref == "-":  # no reference tool does this work: modkit's own time against the target
        run_once(a.ours, a.setup)
        ours = sorted(run_once(a.ours, a.setup) for _ in range(a.runs))
        ot = statistics.median(w for w, _ in ours)
        om = max(m for _, m in ours)
        verdict = ""
        if a.abs_target:
            verdict = "  PASS" if ot <= a.abs_target else f"  FAIL (target {a.abs_target} s)"
        print(f"{a.name:<38} modkit {ot*1000:8.1f} ms (range {ours[0][0]*1000:.0f}-{ours[-1][0]*1000:.0f})"
              f"   mem modkit {om/1024:6.1f} MiB{verdict}")
        return
    run_once(a.ref, a.setup)  # warm-up: page cache, binaries
    run_once(a.ours, a.setup)
    ref, ours = [], []
    for _ in range(a.runs):
        ref.append(run_once(a.ref, a.setup))
        ours.append(run_once(a.ours, a.setup))
    rt = statistics.median(w for w, _ in ref)
    ot = statistics.median(w for w, _ in ours)
    rm = max(m for _, m in ref)
    om = max(m for _, m in ours)
    verdict = ""
    if a.target:
        verdict = "  PASS" if ot / rt <= a.target else f"  FAIL (target {a.target})"
    if a.abs_target:
        verdict += "  PASS (abs)" if ot <= a.abs_target else f"  FAIL (target {a.abs_target} s)"
    if a.mem_target and om / rm > a.mem_target:
        verdict += f"  MEM FAIL (target {a.mem_target})"
    print(f"{a.name:<38} ref {rt*1000:8.1f} ms  modkit {ot*1000:8.1f} ms  ratio {ot/rt:5.2f}"
          f"   mem ref {rm/1024:6.1f} MiB  modkit {om/1024:6.1f} MiB  ratio {om/rm:4.2f}{verdict}")


if __name__ == "__main__":
    main()
