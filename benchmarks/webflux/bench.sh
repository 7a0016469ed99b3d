#!/usr/bin/env bash
# The Spring Boot starter against the same Boot app without it (fileflux.enabled=false: Spring's own static
# resources), side by side: one curl, whole warm file, over plain HTTP/1.1 and over TLS (self-signed, HTTP/1.1);
# 5 ranges as multipart/byteranges; a multi-connection download (8 parallel curl ranges, and aria2c -x8 when
# installed); 50 parallel downloads checked byte for byte. Server CPU from /proc/PID/stat. See docs/webflux.md.
#   benchmarks/webflux/bench.sh [FILE] [RUNS]    (default: a 1 GiB file made in $WORK, 3 runs per case)
#   ONLY=multipart benchmarks/webflux/bench.sh ...  only the 5-range multipart case, plain and TLS
#   PORT=18181: the first of the four ports the servers listen on
# Needs the samples built: mvn -B -q -DskipTests package -pl samples -am
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${WORK:-/tmp/fileflux-webflux-bench}"
mkdir -p "$work"
file="${1:-$work/big.bin}"; runs="${2:-3}"; only="${ONLY:-}"; port0="${PORT:-18181}"
if [ ! -f "$file" ]; then
  echo "making $file (1 GiB of random bytes)"
  head -c 1073741824 /dev/urandom > "$file"
fi
dir="$(cd "$(dirname "$file")" && pwd)"; name="$(basename "$file")"
jar="$(ls "$root"/samples/target/fileflux-samples-*[0-9T].jar 2>/dev/null | head -n 1 || true)"
[ -n "$jar" ] && [ -d "$root/samples/target/lib" ] || { echo "build first: mvn -B -q -DskipTests package -pl samples -am" >&2; exit 2; }
cp="$jar:$root/samples/target/lib/*"
java="${JAVA:-java}"
tck="$(getconf CLK_TCK)"
store="$work/tls.p12"
if [ ! -f "$store" ]; then
  keytool -genkeypair -alias bench -keyalg EC -groupname secp256r1 -validity 30 -dname CN=localhost \
    -ext SAN=dns:localhost,ip:127.0.0.1 -storetype PKCS12 -keystore "$store" -storepass benchpass -keypass benchpass >/dev/null 2>&1
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start() { # port fileflux(true|false) tls(true|false) -> prints pid
  local port="$1" ff="$2" tls="$3" extra=()
  if [ "$tls" = true ]; then
    extra=(--server.ssl.enabled=true --server.ssl.key-store="file:$store" --server.ssl.key-store-type=PKCS12
           --server.ssl.key-store-password=benchpass --server.ssl.key-alias=bench)
  fi
  "$java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$cp" io.fileflux.samples.server.site.StaticSiteApplication \
    --server.port="$port" --server.address=127.0.0.1 --spring.main.banner-mode=off \
    --spring.web.resources.static-locations="file:$dir/" --site.downloads="$dir" --fileflux.enabled="$ff" \
    "${extra[@]}" > "$work/server-$port.log" 2>&1 &
  echo $!
}
wait_up() { # url
  for _ in $(seq 1 240); do curl -skf -o /dev/null -r 0-0 "$1" && return 0; sleep 0.5; done
  echo "server did not start: $1" >&2; exit 1
}
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }

one() { # label pid url [curl args] -> "MiB/s cpu_s"
  local pid="$2" url="$3"; shift 3
  local c0 c1 out
  c0="$(cpu "$pid")"
  out="$(curl -sk -m 600 -o /dev/null -w '%{size_download} %{time_total}' "$@" "$url")"
  c1="$(cpu "$pid")"
  awk -v o="$out" -v c="$(( c1 - c0 ))" -v t="$tck" 'BEGIN{split(o,a," "); printf "%.0f %.2f\n", a[1]/1048576/a[2], c/t}'
}

parallel_ranges() { # pid url connections -> "MiB/s cpu_s", and checks the bytes
  local pid="$1" url="$2" n="$3" size part c0 c1 t0 t1
  size="$(stat -c %s "$file")"; part=$(( (size + n - 1) / n ))
  c0="$(cpu "$pid")"; t0="$(date +%s.%N)"
  for i in $(seq 0 $(( n - 1 ))); do
    local from=$(( i * part )) to=$(( (i + 1) * part - 1 ))
    [ "$to" -ge "$size" ] && to=$(( size - 1 ))
    curl -sk -o "$work/part.$i" -r "$from-$to" "$url" &
  done
  wait_curls
  t1="$(date +%s.%N)"; c1="$(cpu "$pid")"
  for i in $(seq 0 $(( n - 1 ))); do cat "$work/part.$i"; done | cmp -s - "$file" || { echo "parallel ranges: bytes differ" >&2; exit 1; }
  rm -f "$work"/part.*
  awk -v s="$size" -v a="$t0" -v b="$t1" -v c="$(( c1 - c0 ))" -v t="$tck" 'BEGIN{printf "%.0f %.2f\n", s/1048576/(b-a), c/t}'
}
wait_curls() { for j in $(jobs -p); do case " ${pids[*]} " in *" $j "*) ;; *) wait "$j";; esac; done; }

compare() { # label urlA pidA urlB pidB [curl args]: runs alternately, prints both and the ratio A/B
  local label="$1" ua="$2" pa="$3" ub="$4" pb="$5"; shift 5
  curl -sk -o /dev/null "$@" "$ua"; curl -sk -o /dev/null "$@" "$ub"   # warm-up (JIT)
  for i in $(seq 1 "$runs"); do
    local a b
    if [ $(( i % 2 )) -eq 1 ]; then   # alternate who goes first
      a="$(one x "$pa" "$ua" "$@")"; b="$(one x "$pb" "$ub" "$@")"
    else
      b="$(one x "$pb" "$ub" "$@")"; a="$(one x "$pa" "$ua" "$@")"
    fi
    awk -v l="$label" -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," ");
      printf "%-34s fileflux %6d MiB/s cpu %5.2f s | spring %6d MiB/s cpu %5.2f s | throughput x%.2f, cpu x%.2f\n",
        l, x[1], x[2], y[1], y[2], x[1]/y[1], (y[2] > 0 ? x[2]/y[2] : 0)}'
  done
}

echo "# uptime: $(uptime)"
cat "$file" > /dev/null   # warm the page cache
ranges="bytes=0-99999999,200000000-299999999,400000000-499999999,600000000-699999999,800000000-899999999"

# plain HTTP/1.1
p1=$port0; p2=$((port0 + 1)); p3=$((port0 + 2)); p4=$((port0 + 3))
pa="$(start $p1 true false)"; pids+=("$pa"); pb="$(start $p2 false false)"; pids+=("$pb")
wait_up "http://127.0.0.1:$p1/$name"; wait_up "http://127.0.0.1:$p2/$name"
A="http://127.0.0.1:$p1/$name"; B="http://127.0.0.1:$p2/$name"
if [ "$only" != multipart ]; then
compare "plain, whole file, static" "$A" "$pa" "$B" "$pb"
compare "plain, whole file, Resource" "http://127.0.0.1:$p1/download/$name" "$pa" "http://127.0.0.1:$p2/download/$name" "$pb"
fi
# several ranges through the controller's Resource: Spring's static resources answer them with the whole
# file's Content-Length (ResourceWebHandler sets it, the multipart body is shorter), so a keep-alive client
# such as curl waits for bytes that never come (docs/webflux.md); the Resource path is chunked and ends
compare "plain, 5 ranges multipart" "http://127.0.0.1:$p1/download/$name" "$pa" "http://127.0.0.1:$p2/download/$name" "$pb" -H "Range: $ranges"
if [ "$only" != multipart ]; then
for i in $(seq 1 "$runs"); do
  a="$(parallel_ranges "$pa" "$A" 8)"; b="$(parallel_ranges "$pb" "$B" 8)"
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," ");
    printf "%-34s fileflux %6d MiB/s cpu %5.2f s | spring %6d MiB/s cpu %5.2f s | throughput x%.2f\n",
      "plain, 8 parallel curl ranges", x[1], x[2], y[1], y[2], x[1]/y[1]}'
done
if command -v aria2c >/dev/null 2>&1; then
  for u in "$A" "$B"; do
    rm -f "$work/aria.out"; t0="$(date +%s.%N)"
    aria2c -q -x8 -s8 -k1M --allow-overwrite=true -d "$work" -o aria.out "$u"
    t1="$(date +%s.%N)"; cmp -s "$work/aria.out" "$file" || { echo "aria2c: bytes differ" >&2; exit 1; }
    awk -v s="$(stat -c %s "$file")" -v a="$t0" -v b="$t1" -v u="$u" 'BEGIN{printf "aria2c -x8 %-40s %6.0f MiB/s\n", u, s/1048576/(b-a)}'
  done
  rm -f "$work/aria.out"
fi
# 50 parallel downloads of the same file from the fileflux app, each checked byte for byte
want="$(sha256sum < "$file" | cut -d' ' -f1)"
t0="$(date +%s.%N)"
for i in $(seq 1 50); do (curl -s "$A" | sha256sum | cut -d' ' -f1 > "$work/sum.$i") & done
wait_curls
t1="$(date +%s.%N)"
bad=0; for i in $(seq 1 50); do [ "$(cat "$work/sum.$i")" = "$want" ] || bad=$((bad + 1)); done
rm -f "$work"/sum.*
awk -v s="$(stat -c %s "$file")" -v a="$t0" -v b="$t1" -v bad="$bad" 'BEGIN{printf "50 parallel downloads (fileflux, plain): %d of 50 byte-exact, %.0f MiB/s in total\n", 50-bad, 50*s/1048576/(b-a)}'
[ "$bad" -eq 0 ] || exit 1
fi
kill "$pa" "$pb"; wait "$pa" "$pb" 2>/dev/null || true; pids=()

# TLS, HTTP/1.1 (curl --http1.1, certificate not checked: self-signed)
pa="$(start $p3 true true)"; pids+=("$pa"); pb="$(start $p4 false true)"; pids+=("$pb")
wait_up "https://127.0.0.1:$p3/$name"; wait_up "https://127.0.0.1:$p4/$name"
A="https://127.0.0.1:$p3/$name"; B="https://127.0.0.1:$p4/$name"
[ "$only" = multipart ] || compare "TLS, whole file, static" "$A" "$pa" "$B" "$pb" --http1.1
compare "TLS, 5 ranges multipart" "https://127.0.0.1:$p3/download/$name" "$pa" "https://127.0.0.1:$p4/download/$name" "$pb" --http1.1 -H "Range: $ranges"
echo "# uptime: $(uptime)"
