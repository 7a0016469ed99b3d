#!/usr/bin/env bash
# A tail behind fast rotations: a writer appends LINES numbered lines at RATE lines/s and itself renames
# the log away (app.log -> app.log.N, then reopens app.log) every EVERY_MS milliseconds, while
# `./fileflux tail -F` (with --engine ENGINE) and GNU `tail -F` follow app.log side by side. Prints the
# lines each lost and duplicated, and Fileflux's SKIPPED/MISSED reports (what it says it lost).
#   benchmarks/rotation/fast-rotation.sh [ENGINE] [LINES] [RATE] [EVERY_MS] [MAX_PENDING]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
engine="${1:-nio}"
lines="${2:-300000}"
rate="${3:-50000}"
every="${4:-50}"
pending="${5:-}"
"$root/fileflux" info >/dev/null # builds on first use
dir="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
opts=(tail -F -n +1 --engine "$engine")
[ -n "$pending" ] && opts+=(--max-pending "$pending")
: > "$dir/app.log"
"$root/fileflux" "${opts[@]}" "$dir/app.log" >"$dir/fileflux.out" 2>"$dir/fileflux.err" &
ff=$!
tail -F -n +1 -s 0.05 "$dir/app.log" >"$dir/gnu.out" 2>"$dir/gnu.err" &
gnu=$!
sleep 1 # both started (the writer's first lines would be read from 0 anyway: -n +1)
python3 - "$dir/app.log" "$lines" "$rate" "$every" <<'PY'
import os, sys, time
path, total, rate, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1000.0
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
start = time.monotonic(); last = start; gen = 0
batch = max(1, rate // 1000)
for n in range(1, total + 1):
    os.write(fd, b"%09d\n" % n)
    if n % batch == 0:
        now = time.monotonic()
        if now - last >= every:
            gen += 1
            os.rename(path, "%s.%d" % (path, gen))
            os.close(fd)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            last = now
        ahead = n / rate - (now - start)
        if ahead > 0.001:
            time.sleep(ahead)
os.close(fd)
print("rotations", gen, "seconds %.1f" % (time.monotonic() - start), file=sys.stderr)
PY
# wait until neither output grows for 3 s (or 120 s at most)
prev=""; for i in $(seq 1 120); do sleep 1; cur="$(stat -c %s "$dir/fileflux.out" "$dir/gnu.out" | tr '\n' ' ')"; [ "$cur" = "$prev" ] && [ $i -gt 3 ] && break; prev="$cur"; done
kill $ff $gnu 2>/dev/null || true; wait 2>/dev/null || true
score() {
  python3 - "$1" "$lines" <<'PY'
import sys
out, total = sys.argv[1], int(sys.argv[2])
seen, dup = set(), 0
for l in open(out, errors="replace"):
    l = l.strip()
    if l.isdigit():
        n = int(l)
        if n in seen: dup += 1
        seen.add(n)
print(total - len(seen & set(range(1, total + 1))), dup)
PY
}
read -r fl fd_ < <(score "$dir/fileflux.out")
read -r gl gd < <(score "$dir/gnu.out")
echo "engine $engine, $lines lines at $rate/s, rename every ${every} ms, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Fileflux lost $fl dup $fd_; reported: $(grep -c SKIPPED "$dir/fileflux.err" || true) skipped ($(grep -o 'skipped one of [0-9]* bytes' "$dir/fileflux.err" | awk '{s+=$4} END {print s+0}') bytes), $(grep -c 'replaced before it could be read' "$dir/fileflux.err" || true) missed"
echo "GNU tail -F lost $gl dup $gd"
