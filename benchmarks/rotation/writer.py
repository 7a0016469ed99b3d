#!/usr/bin/env python3
"""A log writer of numbered lines for the rotation table: appends "%09d\n" lines to PATH (O_APPEND, one
write per line) at about RATE lines/s; on SIGHUP (logrotate's usual postrotate) it reopens PATH after
LATE_MS milliseconds, writing the old file meanwhile, as an application that reopens late does.
Usage: writer.py PATH LINES RATE LATE_MS"""
import os
import signal
import sys
import time

path, total, rate, late_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
progress = path + ".progress"  # the count written so far, every 100 lines (the harness rotates by it)
reopen_at = [None]


def hup(_sig, _frame):
    reopen_at[0] = time.monotonic() + late_ms / 1000.0


signal.signal(signal.SIGHUP, hup)
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
start = time.monotonic()
for n in range(1, total + 1):
    if reopen_at[0] is not None and time.monotonic() >= reopen_at[0]:
        os.close(fd)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        reopen_at[0] = None
    os.write(fd, b"%09d\n" % n)
    if n % 100 == 0:
        with open(progress + ".tmp", "w") as p:
            p.write(str(n))
        os.replace(progress + ".tmp", progress)
    ahead = n / rate - (time.monotonic() - start)
    if ahead > 0.001:
        time.sleep(ahead)
os.close(fd)
