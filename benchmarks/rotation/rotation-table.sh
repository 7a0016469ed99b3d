#!/usr/bin/env bash
# Re-measures the rotation table of docs/tailing.md: the real logrotate rotates a log written with
# numbered lines (writer.py) while `./fileflux tail -F` and GNU `tail -F` follow the same file side by
# side; prints, per rotation style, the lines each one lost (and duplicated or printed out of order),
# and for copytruncate the lines the rotation itself destroyed (written between its copy and its
# truncation: in no file on disk).
#   benchmarks/rotation/rotation-table.sh [LINES_PER_STYLE] [RATE_LINES_PER_S] [RUNS]
# STYLES='create copytruncate' picks styles; KEEP=1 keeps the outputs.
# Needs logrotate (Debian package), GNU coreutils tail, python3; builds ./fileflux on first use (do
# not edit sources while it runs: ./fileflux would rebuild in the middle of a measurement).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lines="${1:-30000}"
rate="${2:-10000}"
runs="${3:-1}"
logrotate="$(command -v logrotate || echo /usr/sbin/logrotate)"
[ -x "$logrotate" ] || { echo "logrotate is not installed (apt-get install logrotate)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the writer" >&2; exit 1; }
"$root/fileflux" info >/dev/null # builds on first use

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "outputs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# prints: lines lost, lines duplicated or out of order, of OUT (a tail's output) against 1..LINES
score() { # OUT LINES
  python3 - "$1" "$2" <<'PY'
import sys
out, total = sys.argv[1], int(sys.argv[2])
got, bad, prev = set(), 0, 0
for l in open(out, errors="replace"):
    l = l.strip()
    if not l.isdigit():
        continue
    n = int(l)
    if n <= prev:
        bad += 1
    prev = max(prev, n)
    got.add(n)
print(total - len(got & set(range(1, total + 1))), bad)
PY
}

# prints the lines 1..LINES found in no generation on disk (decompressed): destroyed by the rotation
destroyed() { # DIR LINES
  local f
  for f in "$1"/app.log*; do
    case "$f" in *.progress|*.tmp) ;; *.gz) zcat "$f" ;; *) cat "$f" ;; esac
  done | python3 -c '
import sys
total = int(sys.argv[1])
seen = set(int(l) for l in sys.stdin if l.strip().isdigit())
print(total - len(seen & set(range(1, total + 1))))' "$2"
}

await_open() { # PID FILE: waits (at most 60 s) until the process has FILE open
  local i
  for i in $(seq 1 6000); do
    for fd in /proc/"$1"/fd/*; do
      [ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
    done
    sleep 0.01
  done
  echo "process $1 never opened $2" >&2
  return 1
}

rotate() { # DIR DIRECTIVES...
  local dir="$1"; shift
  printf '%s {\n  rotate 1000\n  missingok\n%s\n}\n' "$dir/app.log" "$(printf '  %s\n' "$@")" >"$dir/conf"
  "$logrotate" -f -s "$dir/state" "$dir/conf"
}

# one style: NAME LATE_MS then the rotation procedure as a function name
measure() { # NAME LATE_MS PROCEDURE
  local name="$1" late="$2" proc="$3"
  count=$((count + 1))
  local dir="$work/style$count" # no spaces: logrotate's configuration splits paths on them
  rm -rf "$dir"; mkdir -p "$dir"
  : >"$dir/app.log"
  "$root/fileflux" tail -F -n +1 --poll 50 "$dir/app.log" >"$dir/fileflux.out" 2>"$dir/fileflux.err" &
  local ff=$!
  tail -F -n +1 -s 0.05 "$dir/app.log" >"$dir/gnu.out" 2>"$dir/gnu.err" &
  local gnu=$!
  pids=("$ff" "$gnu")
  await_open "$ff" "$dir/app.log"  # the writer begins once both hold the file open (a JVM starts slowly)
  await_open "$gnu" "$dir/app.log"
  python3 "$here/writer.py" "$dir/app.log" "$lines" "$rate" "$late" &
  local writer=$!
  pids+=("$writer")
  "$proc" "$dir" "$writer"
  wait "$writer"
  sleep 8 # both tails catch up (beyond a 5 s rotation wait)
  kill "$ff" "$gnu" 2>/dev/null || true
  wait "$ff" "$gnu" 2>/dev/null || true
  local d ff_lost ff_bad gnu_lost gnu_bad
  d="-" # lines in no file on disk: meaningful for copytruncate only (deleted files are gone anyway)
  [ "$proc" = p_copytruncate ] && d=$(destroyed "$dir" "$lines")
  read -r ff_lost ff_bad < <(score "$dir/fileflux.out" "$lines")
  read -r gnu_lost gnu_bad < <(score "$dir/gnu.out" "$lines")
  printf '| %s | %d | %s | %d | %d | %d | %d |\n' "$name" "$lines" "$d" "$ff_lost" "$ff_bad" "$gnu_lost" "$gnu_bad"
}

at_fractions() { # DIR COUNT CMD... : runs CMD at COUNT even points of the writing
  local dir="$1" count="$2"; shift 2
  local i target
  for i in $(seq 1 "$count"); do
    target=$(( lines * i / (count + 1) ))
    while [ "$(cat "$dir/app.log.progress" 2>/dev/null || echo 0)" -lt "$target" ]; do sleep 0.01; done
    "$@"
  done
}

p_create() { at_fractions "$1" 3 rot_hup "$1" "$2" create; }
p_compress() { at_fractions "$1" 3 rot_hup "$1" "$2" create compress delaycompress; }
p_dateext() { at_fractions "$1" 2 rot_dateext "$1" "$2"; }
p_copytruncate() { at_fractions "$1" 3 rotate "$1" copytruncate; }
p_bursts() { at_fractions "$1" 5 burst "$1" "$2"; }
p_delete() { at_fractions "$1" 3 delete_create "$1" "$2"; }
rot_hup() { local dir="$1" w="$2"; shift 2; rotate "$dir" "$@"; kill -HUP "$w" 2>/dev/null || true; }
rot_dateext() { sleep 1.1; rot_hup "$1" "$2" create dateext "dateformat -%Y%m%d-%s"; }
burst() { local k; for k in 1 2 3 4; do rot_hup "$1" "$2" create; sleep 0.01; done; }
delete_create() { rm -f "$1/app.log"; kill -HUP "$2" 2>/dev/null || true; }

echo "lines per style: $lines at $rate lines/s; runs: $runs; $(uptime | sed 's/.*load/load/')"
echo
echo "| rotation (logrotate) | lines | destroyed by the rotation | lost by Fileflux | dup/out of order | lost by GNU tail -F | dup/out of order |"
echo "|---|---:|---:|---:|---:|---:|---:|"
count=0
styles="${STYLES:-create compress dateext copytruncate bursts late100 late500 delete}"
for run in $(seq 1 "$runs"); do
  for style in $styles; do
    case "$style" in
      create) measure create 0 p_create ;;
      compress) measure compress+delaycompress 0 p_compress ;;
      dateext) measure dateext 0 p_dateext ;;
      copytruncate) measure copytruncate 0 p_copytruncate ;;
      bursts) measure "bursts (4 rotations 10 ms apart, x5)" 0 p_bursts ;;
      late100) measure "create, writer reopens 100 ms late" 100 p_create ;;
      late500) measure "create, writer reopens 500 ms late" 500 p_create ;;
      delete) measure "delete + create" 0 p_delete ;;
    esac
  done
done
