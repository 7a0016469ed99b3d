#!/usr/bin/env bash
# Profiles one sequential-read contender (plus the FileChannel.read baseline it is compared with):
# where the CPU goes, by thread and by function, kernel included. Uses perf when it is installed
# (JIT-compiled Java frames are named through -XX:+DumpPerfMapAtExit), else JFR summarised by JfrTop.
#   benchmarks/profile.sh '^Fileflux io_uring x16 pooled$' 64k /work/data/big.bin
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
only="${1:?contender regex, e.g. '^Fileflux io_uring x16 pooled\$'}"
chunk="${2:-64k}"
file="${3:-/work/data/big.bin}"
out="${PROFILE_OUT:-$(mktemp -d)}"
mkdir -p "$out"
[ -d "$root/benchmarks/target/lib" ] || (cd "$root" && mvn -B -q -DskipTests -pl benchmarks -am package)
cp="$root/benchmarks/target/classes:$root/benchmarks/target/lib/*"
args=(io.fileflux.bench.BenchMain --file "$file" --size "$(stat -c %s "$file")" --chunks "$chunk" --warmup 1
      --rounds 3 --sections seq --only "$only" --no-progress --out "$out")
if command -v perf >/dev/null 2>&1; then
  perf record -q -F 999 -g -o "$out/perf.data" -- java -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \
      -XX:+PreserveFramePointer -cp "$cp" "${args[@]}" | grep '^|'
  perf report -i "$out/perf.data" --no-children --sort comm,sym -g none -n --percent-limit 0.7 --stdio 2>/dev/null \
      | grep -v '^#' | grep -v '^$'
else
  java -XX:StartFlightRecording=filename="$out/run.jfr",settings=profile -cp "$cp" "${args[@]}" | grep '^|'
  java -cp "$cp" io.fileflux.bench.JfrTop "$out/run.jfr" 25
fi
echo "profile data in $out" >&2
