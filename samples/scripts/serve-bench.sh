#!/usr/bin/env bash
# End-to-end download benchmark of ./fileflux serve: throughput and server CPU for one file, through
# Fileflux, Spring's static resources (zero-copy sendfile) and DataBufferUtils.read; then a multi-range.
#   samples/scripts/serve-bench.sh [FILE] [RUNS]     (default /work/data/big.bin, 3 runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
file="${1:-/work/data/big.bin}"; runs="${2:-3}"
dir="$(dirname "$file")"; name="$(basename "$file")"
port="${PORT:-18080}"
"$root/fileflux" serve --compare --port "$port" ${SERVE_OPTS:-} "$dir" > /tmp/fileflux-bench-serve.log 2>&1 &
launcher=$!
trap 'kill $launcher 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/_fileflux/status" >/dev/null && break; sleep 0.5; done
pid="$(pgrep -P $launcher java || echo $launcher)"
tck="$(getconf CLK_TCK)"
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
cat "$file" > /dev/null   # warm page cache
run() { # label url [curl args]
  local label="$1" url="$2"; shift 2
  curl -s -o /dev/null "$@" "$url"  # warm-up (JIT)
  for i in $(seq 1 "$runs"); do
    local c0; c0="$(cpu)"
    local out; out="$(curl -s -o /dev/null -w '%{size_download} %{time_total}' "$@" "$url")"
    local c1; c1="$(cpu)"
    awk -v l="$label" -v o="$out" -v c="$(( c1 - c0 ))" -v t="$tck" 'BEGIN{split(o,a," ");
      printf "%-28s %6.0f MiB/s  %6.2f s  server CPU %5.2f s (%3.0f%% of one core)  %d bytes\n", l, a[1]/1048576/a[2], a[2], c/t, 100*c/t/a[2], a[1]}'
  done
}
base="http://127.0.0.1:$port"
run "fileflux" "$base/$name"
run "spring static (sendfile)" "$base/_compare/spring/$name"
run "DataBufferUtils.read 8k" "$base/_compare/dbu/$name"
run "DataBufferUtils.read 256k" "$base/_compare/dbu/$name?buffer=262144"
ranges="bytes=0-99999999,200000000-299999999,400000000-499999999,600000000-699999999,800000000-899999999"
run "fileflux 5 ranges" "$base/$name" -H "Range: $ranges"
run "spring static 5 ranges" "$base/_compare/spring/$name" -H "Range: $ranges"
