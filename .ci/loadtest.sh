#!/usr/bin/env bash
# Load tests of Versa on loopback only, with wrk. Not part of CI.
#
#   .ci/loadtest.sh mix   [DURATION] [CONNECTIONS]   a realistic mix (default 30s, 64 connections)
#   .ci/loadtest.sh soak  [DURATION] [CONNECTIONS]   the same mix for long (default 10m, 256)
#   .ci/loadtest.sh nginx [DURATION] [CONNECTIONS]   one compare page, versa against nginx
#                                                    serving the same bytes, raw (sendfile),
#                                                    gzip (gzip_static) and brotli
#                                                    (brotli_static, if installed), in
#                                                    ROUNDS alternating rounds (default 10s,
#                                                    64, ROUNDS=5)
#
# mix and soak start `versa serve` on the bundled content/ with a fresh data
# folder and send what readers send (see .ci/loadtest.lua): compare views and
# exports, topics, systems, articles, searches (pages and API, with filters),
# hashed static files, the home page and feeds. They report throughput,
# latency percentiles, every status outside 2xx/3xx and socket errors, and
# sample the server's RSS, Go heap and goroutines every 10 seconds. They exit
# 1 when a request failed or memory kept growing (the peak RSS of the second
# half more than 20% over that of the first half).
#
# Needs go, curl and wrk; wrk (and nginx for the nginx mode) are installed
# with apt-get when missing. THREADS sets wrk's threads (default 2).
set -euo pipefail

cd "$(dirname "$0")/.."

mode=${1:-mix}
case "$mode" in
  mix) duration=${2:-30s} connections=${3:-64} ;;
  soak) duration=${2:-10m} connections=${3:-256} ;;
  nginx) duration=${2:-${DURATION:-10s}} connections=${3:-${CONNECTIONS:-64}} ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
threads=${THREADS:-2}
versa_addr=127.0.0.1:18181
nginx_addr=127.0.0.1:18182

# --- tools -----------------------------------------------------------------
need=(wrk)
[ "$mode" = nginx ] && need+=(nginx)
missing=()
for tool in "${need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for tool in go curl "${need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "loadtest: $tool not found" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for URL: up to 60s for it to answer 200.
wait_for() {
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "loadtest: $1 did not come up" >&2
  return 1
}

echo "==> build versa"
GOFLAGS=-buildvcs=false timeout 300 go build -o "$tmp/versa" ./cmd/versa

# The server logs every request, as in production. For mix and soak the log
# file keeps the rest (a soak would write gigabytes of request lines); the
# nginx comparison writes every line to the file, as nginx writes its access
# log, so that no filter process takes CPU from the server being measured.
if [ "$mode" = nginx ]; then
  echo "==> start versa on $versa_addr (log: $tmp/versa.log)"
  "$tmp/versa" serve --addr "$versa_addr" --content content --data "$tmp/data" 2>"$tmp/versa.log" &
else
  echo "==> start versa on $versa_addr (log: $tmp/versa.log, without request lines)"
  "$tmp/versa" serve --addr "$versa_addr" --content content --data "$tmp/data" \
    2> >(grep --line-buffered -v ' msg=request ' >"$tmp/versa.log") &
fi
versa_pid=$!
pids+=("$versa_pid")
wait_for "http://$versa_addr/readyz"
wait_for "http://$versa_addr/api/search?q=django" # the index is built too

# --- nginx: one page, versa against a static file server --------------------
# The same bytes both ways: nginx serves the page versa sent, and the gzip
# versa sent as page.html.gz with gzip_static (and its brotli with
# brotli_static, when the Debian module is installed), raw with sendfile.
# Each variant is measured ROUNDS times (default 5), the servers taking
# turns and the order flipped every round; the medians are compared.
if [ "$mode" = nginx ]; then
  page=/compare/python-web-frameworks/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado
  mkdir -p "$tmp/www"
  curl -sf -o "$tmp/www/page.html" "http://$versa_addr$page"
  curl -sf -H 'Accept-Encoding: gzip' -o "$tmp/www/page.html.gz" "http://$versa_addr$page"
  encodings=(raw gzip)
  brotli_conf=""
  if [ -e /usr/share/nginx/modules-available/mod-http-brotli-static.conf ] || [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then
    if curl -sf -H 'Accept-Encoding: br' -D "$tmp/br.h" -o "$tmp/www/page.html.br" "http://$versa_addr$page" &&
      grep -qi '^content-encoding: br' "$tmp/br.h"; then
      encodings+=(br)
      brotli_conf="brotli_static on;"
    fi
  fi
  echo "    page: $(wc -c <"$tmp/www/page.html") bytes, gzip $(wc -c <"$tmp/www/page.html.gz")$([ -n "$brotli_conf" ] && echo ", brotli $(wc -c <"$tmp/www/page.html.br")")"

  echo "==> start nginx on $nginx_addr"
  user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;" # workers must read the 0700 temp dir
  load_brotli=""
  [ -n "$brotli_conf" ] && load_brotli="load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;"
  cat >"$tmp/nginx.conf" <<CONF
$user_line
$load_brotli
daemon off;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $tmp/nginx-access.log; # versa logs each request too
  sendfile on;
  tcp_nopush on;
  gzip_static on;
  $brotli_conf
  client_body_temp_path $tmp/client_body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {
    listen $nginx_addr;
    location / {
      root $tmp/www;
      default_type text/html;
      try_files /page.html =404;
    }
  }
}
CONF
  nginx -e "$tmp/nginx-error.log" -p "$tmp" -c "$tmp/nginx.conf" &
  pids+=($!)
  wait_for "http://$nginx_addr$page"
  for enc in "${encodings[@]}"; do
    file=$tmp/www/page.html
    [ "$enc" = gzip ] && file=$file.gz
    [ "$enc" = br ] && file=$file.br
    for addr in "$versa_addr" "$nginx_addr"; do
      cmp -s "$file" <(curl -sf -H "Accept-Encoding: ${enc/raw/identity}" "http://$addr$page") ||
        { echo "loadtest: $addr serves other bytes for $enc" >&2; exit 1; }
    done
  done

  # run NAME ENCODING URL: wrk, then its requests/s and p99 in milliseconds.
  declare -A rps p99
  run() {
    echo "==> $1 $2: wrk -t1 -c$connections -d$duration --latency -H 'Accept-Encoding: ${2/raw/identity}' $3"
    out=$(timeout 600 wrk -t1 -c"$connections" -d"$duration" --latency -H "Accept-Encoding: ${2/raw/identity}" "$3")
    echo "$out" | grep -E '^Requests/sec|Transfer|99%|Non-2xx|Socket' | sed 's/^/    /'
    rps[$1 $2]+="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}') "
    p99[$1 $2]+="$(echo "$out" | awk '$1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
      printf "%.2f", v }') "
  }
  rounds=${ROUNDS:-5}
  for round in $(seq "$rounds"); do
    order=(versa nginx)
    [ $((round % 2)) = 0 ] && order=(nginx versa)
    for enc in "${encodings[@]}"; do
      for srv in "${order[@]}"; do
        addr=$versa_addr
        [ "$srv" = nginx ] && addr=$nginx_addr
        run "$srv" "$enc" "http://$addr$page"
      done
    done
  done

  median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  echo
  echo "medians of $rounds rounds, $duration each, $connections connections"
  printf '%-6s %-5s %12s %10s   %s\n' server enc 'requests/s' 'p99 ms' 'requests/s of each round'
  for enc in "${encodings[@]}"; do
    for srv in versa nginx; do
      printf '%-6s %-5s %12s %10s   %s\n' "$srv" "$enc" "$(echo "${rps[$srv $enc]}" | median)" "$(echo "${p99[$srv $enc]}" | median)" "${rps[$srv $enc]}"
    done
  done
  for enc in "${encodings[@]}"; do
    awk -v v="$(echo "${rps[versa $enc]}" | median)" -v n="$(echo "${rps[nginx $enc]}" | median)" -v e="$enc" \
      'BEGIN { printf "versa/nginx requests/s, %s: %.2f\n", e, v / n }'
  done
  echo "request lines logged: versa $(grep -c ' msg=request ' "$tmp/versa.log"), nginx $(wc -l <"$tmp/nginx-access.log")"
  exit 0
fi

# --- mix and soak ------------------------------------------------------------
# The paths: every canonical page from the sitemap, compare views of three
# and more systems with filters, exports, searches and static files.
echo "==> collect paths"
base="http://$versa_addr"
{
  curl -sf "$base/sitemap.xml" | grep -o '<loc>[^<]*</loc>' | sed -e 's#<loc>[a-z]*://[^/]*##' -e 's#</loc>##'
  # a sitemap index lists parts: follow them
  for part in $(curl -sf "$base/sitemap.xml" | grep -o 'sitemap-[0-9]*\.xml' | sort -u); do
    curl -sf "$base/$part" | grep -o '<loc>[^<]*</loc>' | sed -e 's#<loc>[a-z]*://[^/]*##' -e 's#</loc>##'
  done
} | grep -v '^/sitemap-' | sort -u >"$tmp/canonical.txt"
{
  while read -r p; do
    case "$p" in
      /compare/*) echo "compare $p" ;;
      /topics/*/*) echo "system $p" ;;
      /topics/*) echo "topic $p" ;;
      /articles/*/*) echo "article $p" ;;
      *) echo "other $p" ;;
    esac
  done <"$tmp/canonical.txt"
  t=/compare/python-web-frameworks
  for p in "$t/django-vs-flask-vs-fastapi" "$t/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado" \
    "$t/django-vs-flask?diff=1" "$t/django-vs-fastapi-vs-flask?diff=1&categories=data" \
    "$t/django-vs-flask?need=orm" "$t/django-vs-flask.csv" "$t/django-vs-flask.json" "$t/django-vs-flask.md" \
    "/api/compare/python-web-frameworks/django-vs-flask"; do
    echo "compare $p"
  done
  echo "topic /topics/python-web-frameworks?need=orm&sort=first_release"
  for q in django orm async websockets "type+hints" migrations security performance "admin+panel" templates xyzzy; do
    echo "search /search?q=$q"
    echo "search /api/search?q=$q"
  done
  echo "search /search?q=async&kind=pros"
  echo "search /search?q=orm&topic=python-web-frameworks&system=django"
  for a in $(curl -sf "$base/" | grep -o '/static/[^"]*' | sort -u); do
    echo "static $a"
  done
  for p in /articles "/articles?topic=python-web-frameworks" /feed.xml /sitemap.xml /robots.txt /api/topics /api/status; do
    echo "other $p"
  done
} >"$tmp/paths.txt"
awk '{ n[$1]++ } END { for (k in n) printf "    %-8s %d paths\n", k, n[k] }' "$tmp/paths.txt" | sort
# Every path must answer 2xx or 3xx before the load starts.
bad=0
while read -r kind p; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base$p")
  case "$code" in 2* | 3*) ;; *) echo "loadtest: $p answers $code" >&2; bad=1 ;; esac
done <"$tmp/paths.txt"
[ "$bad" = 0 ] || exit 1

# sample: every 10s, elapsed seconds, RSS (MiB), Go heap in use (MiB) and
# goroutines of the server.
sample() {
  local start=$SECONDS
  while kill -0 "$versa_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$versa_pid/status" 2>/dev/null || echo 0)
    metrics=$(curl -s --max-time 5 "$base/metrics" || true)
    heap=$(echo "$metrics" | awk '$1 == "go_memstats_heap_inuse_bytes" { printf "%.1f", $2 / 1048576 }')
    gor=$(echo "$metrics" | awk '$1 == "go_goroutines" { print $2 }')
    echo "$((SECONDS - start)) $rss ${heap:-?} ${gor:-?}"
    sleep 10
  done
}

echo "==> wrk -t$threads -c$connections -d$duration --timeout 10s -s .ci/loadtest.lua (versa pid $versa_pid)"
echo "    machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
sample >"$tmp/samples.txt" &
sampler=$!
pids+=("$sampler")
timeout 2h wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency \
  -s .ci/loadtest.lua "$base" -- "$tmp/paths.txt" >"$tmp/wrk.txt"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
# One last sample after the load.
rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$versa_pid/status")
echo "end $rss $(curl -s "$base/metrics" | awk '$1 == "go_memstats_heap_inuse_bytes" { printf "%.1f", $2 / 1048576 }') -" >>"$tmp/samples.txt"

sed -n '1,/^--- loadtest summary/p' "$tmp/wrk.txt" | grep -v '^--- loadtest summary' | sed 's/^/    /'
get() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/wrk.txt"; }

echo
echo "==> memory of the server, every 10s"
printf '    %8s %9s %9s %11s\n' seconds 'RSS MiB' 'heap MiB' goroutines
while read -r s r h g; do printf '    %8s %9s %9s %11s\n' "$s" "$r" "$h" "$g"; done <"$tmp/samples.txt"

# The server's own count of 5xx answers, as a cross-check of wrk's.
server_5xx=$(curl -s "$base/metrics" | awk '/^versa_http_requests_total\{/ && /code="5/ { n += $2 } END { print n + 0 }')

echo
echo "==> summary ($mode: $duration, $connections connections, $threads wrk threads, $(nproc) cores shared by wrk and versa)"
printf '    %-22s %s\n' requests "$(get requests)" 'requests/s' "$(get rps)" 'MiB/s' "$(get mb_per_s)" \
  'latency p50 ms' "$(get p50_ms)" 'latency p90 ms' "$(get p90_ms)" 'latency p99 ms' "$(get p99_ms)" \
  'latency p99.9 ms' "$(get p99.9_ms)" 'latency max ms' "$(get max_ms)"
awk '$1 ~ /^status_/ { sub(/^status_/, "", $1); printf "    %-22s %s\n", "status " $1, $2 }' "$tmp/wrk.txt"
printf '    %-22s %s (%s)\n' 'socket errors' "$(get socket_errors)" "$(get socket_errors_detail)"
printf '    %-22s %s\n' 'failed (not 2xx/3xx)' "$(get failed_status)" '5xx seen by versa' "$server_5xx"

verdict=$(awk '
  $1 != "end" { s[n++] = $2 }
  $1 == "end" { last = $2 }
  END {
    if (n < 4) { print "too short to judge memory (" n " samples)"; exit }
    half = int(n / 2)
    for (i = 0; i < half; i++) if (s[i] > a) a = s[i]
    for (i = half; i < n; i++) if (s[i] > b) b = s[i]
    growth = (b - a) / a * 100
    printf "RSS peak %.1f MiB in the first half, %.1f MiB in the second (%+.1f%%), %.1f MiB after the load: %s\n",
      a, b, growth, last, (growth > 20 ? "GREW" : "flat")
  }' "$tmp/samples.txt")
echo "    memory: $verdict"

status=0
if [ "$(get failed_status)" != 0 ] || [ "$(get socket_errors)" != 0 ] || [ "$server_5xx" != 0 ]; then
  echo "loadtest: requests failed" >&2
  status=1
fi
case "$verdict" in *GREW*) echo "loadtest: memory kept growing" >&2; status=1 ;; esac
if grep -q 'level=ERROR' "$tmp/versa.log"; then
  echo "loadtest: the server logged errors:" >&2
  grep 'level=ERROR' "$tmp/versa.log" | head -5 >&2
  status=1
fi
exit $status
