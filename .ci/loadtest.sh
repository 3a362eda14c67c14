#!/usr/bin/env bash
# Load test: Versa against nginx serving the same bytes, on loopback only.
# Not part of CI. Needs go, curl, wrk and nginx (apt-get install -y wrk nginx).
# Prints requests/s and p99 for each server and the ratio versa/nginx.
#
#   .ci/loadtest.sh            # 10s per server
#   DURATION=30s .ci/loadtest.sh
set -euo pipefail

cd "$(dirname "$0")/.."

page=/compare/python-web-frameworks/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado
versa_addr=127.0.0.1:18181
nginx_addr=127.0.0.1:18182
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}

for tool in go curl wrk nginx; do
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

# wait_for URL: up to 30s for it to answer 200.
wait_for() {
  for _ in $(seq 300); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "loadtest: $1 did not come up" >&2
  return 1
}

echo "==> build versa"
GOFLAGS=-buildvcs=false timeout 300 go build -o "$tmp/versa" ./cmd/versa

echo "==> start versa on $versa_addr (log: $tmp/versa.log)"
"$tmp/versa" serve --addr "$versa_addr" --content content --data "$tmp/data" 2>"$tmp/versa.log" &
pids+=($!)
wait_for "http://$versa_addr/readyz"

mkdir -p "$tmp/www"
curl -sf -o "$tmp/www/page.html" "http://$versa_addr$page"
echo "    page: $(wc -c <"$tmp/www/page.html") bytes"

echo "==> start nginx on $nginx_addr"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;" # workers must read the 0700 temp dir
cat >"$tmp/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $tmp/nginx-access.log; # versa logs each request too
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
cmp -s "$tmp/www/page.html" <(curl -sf "http://$nginx_addr$page") || { echo "loadtest: nginx serves other bytes" >&2; exit 1; }

# run NAME URL: wrk, then its requests/s and p99 in milliseconds.
declare -A rps p99
run() {
  echo "==> wrk -t1 -c$connections -d$duration --latency $2"
  out=$(timeout 120 wrk -t1 -c"$connections" -d"$duration" --latency "$2")
  echo "$out" | sed 's/^/    /'
  rps[$1]=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99[$1]=$(echo "$out" | awk '$1 == "99%" {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
    printf "%.2f", v }')
}
run versa "http://$versa_addr$page"
run nginx "http://$nginx_addr$page"

echo
printf '%-6s %12s %10s\n' server 'requests/s' 'p99 ms'
printf '%-6s %12s %10s\n' versa "${rps[versa]}" "${p99[versa]}"
printf '%-6s %12s %10s\n' nginx "${rps[nginx]}" "${p99[nginx]}"
awk -v v="${rps[versa]}" -v n="${rps[nginx]}" 'BEGIN { printf "versa/nginx requests/s: %.2f\n", v / n }'
