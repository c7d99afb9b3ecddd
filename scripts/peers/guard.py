"""Quiet-machine guard of the peer benchmarks, the Python side of src/bench/guard.ts.

The load of OTHER processes while we time something is the system's busy CPU time (/proc/stat)
minus this process' own CPU time, per second of wall time, in cores. wait_idle() waits until it is
low (at most GUARD_MAX_WAIT_S seconds, default 900); time_clean() times a block of repetitions and
times it again when other processes disturbed it. GUARD=off skips both (e.g. on a busy laptop).
Linux only: elsewhere the load reads nan and nothing waits.
"""
import math
import os
import sys
import time

_TICKS = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100


def _busy_seconds():
    """CPU seconds the whole system has spent busy since boot (user, nice, system, irq, softirq, steal)."""
    try:
        with open('/proc/stat') as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return math.nan
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy / _TICKS


def _foreign_since(busy0, own0, wall0):
    wall = time.perf_counter() - wall0
    other = (_busy_seconds() - busy0) - (time.process_time() - own0)
    return max(0.0, other) / wall if wall > 0 else math.nan


def foreign_cores(seconds=1.0):
    """Cores used by other processes over the next `seconds`."""
    start = (_busy_seconds(), time.process_time(), time.perf_counter())
    time.sleep(seconds)
    return _foreign_since(*start)


def _off():
    return os.environ.get('GUARD') == 'off'


def wait_idle(idle_cores=0.15):
    """Block until other processes use at most `idle_cores` cores, or the max wait has passed."""
    if _off():
        return math.nan
    max_wait = float(os.environ.get('GUARD_MAX_WAIT_S', '900'))
    t0 = time.perf_counter()
    load = foreign_cores()
    said = False
    while load > idle_cores and time.perf_counter() - t0 < max_wait:
        if not said:
            print(f'[guard] waiting: other processes use {load:.2f} cores', file=sys.stderr, flush=True)
            said = True
        time.sleep(4)
        load = foreign_cores()
    if said:
        print(f'[guard] resumed after {time.perf_counter() - t0:.0f} s (other processes: {load:.2f} cores)', file=sys.stderr, flush=True)
    return load


def time_clean(fn, reps=5, warm=1, max_foreign=0.1, tries=4):
    """(seconds of each repetition, foreign cores during the kept block, blocks timed)."""
    for attempt in range(1, tries + 1):
        wait_idle()
        for _ in range(warm):
            fn()
        start = (_busy_seconds(), time.process_time(), time.perf_counter())
        seconds = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t)
        load = _foreign_since(*start)
        if _off() or not load > max_foreign or time.perf_counter() - start[2] < 0.05:
            return seconds, load, attempt
        print(f'[guard] disturbed (other processes used {load:.2f} cores), timing again ({attempt}/{tries})', file=sys.stderr, flush=True)
    return seconds, load, tries


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]
