#!/usr/bin/env bash
# Benchmarks the device paths of the packaged app against nginx (the physical bound) and the PHP script of the
# ESP8266 core's documentation, on this machine, in one run. See docs/benchmarks.md for the method.
#
#   bench/run.sh                       build, then everything with the defaults below
#   SKIP_BUILD=1 DURATION=10 bench/run.sh
#   BASELINES=0 CONNECTIONS=128 bench/run.sh   (Firmament only, one connection count: for quick comparisons)
#   PROFILE=1 bench/run.sh                      (JFR recording of the load; hottest methods in the results)
#   JDBC_URL=jdbc:postgresql://127.0.0.1:5432/firmament DB_USER=… DB_PASSWORD=… bench/run.sh   (external PostgreSQL)
#
# Results: target/bench/results.md (and on standard output).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/target/bench
DEVICES=${DEVICES:-100000}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-"32 128"}
APP_PORT=${APP_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
PHP_PORT=${PHP_PORT:-18082}
# The settings docs/operations.md recommends; the AppCDS archive is the one the build below records.
JAVA_OPTS=${JAVA_OPTS:-"-Xmx128m -XX:+UseSerialGC -XX:SharedArchiveFile=app-cds.jsa"}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
TOKEN=bench-bootstrap-token-$$-$RANDOM
API="http://127.0.0.1:$APP_PORT/api/v1"

say() { printf '\n== %s\n' "$*" >&2; }

require_tools() {
  local missing=()
  for tool in wrk nginx php-fpm8.2 jq curl; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing wrk, nginx, php-fpm and jq"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light php-fpm jq curl >/dev/null
    else
      echo "missing: ${missing[*]} (Debian: apt-get install wrk nginx-light php-fpm jq curl)" >&2
      exit 1
    fi
  fi
}

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

rss_mib() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# Samples the process's RSS every 200 ms into a file until stopped; the peak is what counts.
sample_rss() {
  local pid=$1 out=$2
  : >"$out"
  while kill -0 "$pid" 2>/dev/null; do rss_mib "$pid" >>"$out"; echo >>"$out"; sleep 0.2; done
}

# Samples the device-activity writer's queue every second: check-ins recorded and not yet written to the registry.
sample_backlog() {
  local out=$1
  : >"$out"
  while true; do
    curl -s "http://127.0.0.1:$APP_PORT/q/metrics" | awk '/^firmament_devices_activity_queued / {printf "%d\n", $2}' >>"$out"
    sleep 1
  done
}

# wrk with latency percentiles; prints "rps p50_ms p99_ms mib_per_s non2xx3xx", and adds the requests that got an
# answer (warm-ups too) to $WORK/sent.txt, which the accounting of each phase sums.
run_wrk() {
  local connections=$1 duration=$2 url=$3 script=$4
  shift 4
  wrk -t"$THREADS" -c"$connections" -d"${duration}s" --latency -s "$ROOT/bench/lua/$script" "$url" -- "$THREADS" "$@" |
    awk -v sent="$WORK/sent.txt" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      function mib(v) { if (v ~ /GB$/) return v * 1024; if (v ~ /MB$/) return v + 0; if (v ~ /KB$/) return v / 1024; return v / 1048576 }
      / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) }
      / requests in / { requests = $1 }
      /Requests\/sec/ { rps = $2 } /Transfer\/sec/ { tx = mib($2) } /Non-2xx or 3xx/ { bad = $NF }
      END { printf "%.0f %.2f %.2f %.1f %d\n", rps, p50, p99, tx, bad; print requests - bad >> sent }'
}

# A sum over the app's Prometheus samples of one metric whose line matches a pattern.
metric() {
  curl -s "http://127.0.0.1:$APP_PORT/q/metrics" | awk -v name="$1" -v match_="${2:-}" \
    'index($0, name) == 1 && (match_ == "" || index($0, match_)) { sum += $NF } END { printf "%.0f", sum }'
}

# Runs one Firmament phase and then accounts for it: the check-ins devices got an answer to (wrk), the ones the app
# counted as answered, and the ones committed to the database once the writer and the journal are empty. Answered
# and recorded must be equal; a check-in answered and never recorded would be a lost audit record.
ACCOUNTING=$WORK/accounting.tsv
accounted() { # phase, then the bench arguments
  local phase=$1
  shift
  : >"$WORK/sent.txt"
  local answered_before recorded_before
  answered_before=$(metric firmament_device_checkins_total)
  recorded_before=$(metric firmament_devices_activity_recorded_total 'kind="checkin"')
  bench "$@"
  for _ in $(seq 600); do # at most a minute for the writer to catch up
    [ "$(metric firmament_devices_activity_queued)" = 0 ] && [ "$(metric firmament_devices_journal_bytes)" = 0 ] && break
    sleep 0.1
  done
  sleep 1 # the batch the writer has taken, past the queue
  printf '%s\t%s\t%s\t%s\t%s\n' "$phase" "$(awk '{ s += $1 } END { print s + 0 }' "$WORK/sent.txt")" \
    $(($(metric firmament_device_checkins_total) - answered_before)) \
    $(($(metric firmament_devices_activity_recorded_total 'kind="checkin"') - recorded_before)) \
    "$(metric firmament_devices_activity_dropped_total)" | tee -a "$ACCOUNTING" >&2
}

require_tools
if [ -n "${PROFILE:-}" ]; then
  JAVA_OPTS="$JAVA_OPTS -XX:StartFlightRecording=filename=$WORK/load.jfr,settings=profile,dumponexit=true"
fi
rm -rf "$WORK" && mkdir -p "$WORK/bin" "$WORK/www"
if [ -z "${SKIP_BUILD:-}" ]; then
  say "building the packaged app"
  (cd "$ROOT" && mvn -q package -DskipTests -Dquarkus.package.jar.appcds.enabled=true)
fi

# --- Images: a 1 MiB "2.0.0" (what devices get) and a small "1.0.0" (what they run) -------------------------------
head -c 1048576 /dev/urandom >"$WORK/bin/2.0.0.bin"
printf '\xe9\x01\x02\x40\x00\xf0\x10\x40' | dd of="$WORK/bin/2.0.0.bin" conv=notrunc status=none
head -c 300000 /dev/urandom >"$WORK/bin/1.0.0.bin"
printf '\xe9\x01\x02\x40\x00\xf0\x10\x40' | dd of="$WORK/bin/1.0.0.bin" conv=notrunc status=none
MD5_NEW=$(md5sum "$WORK/bin/2.0.0.bin" | cut -d' ' -f1)
MD5_OLD=$(md5sum "$WORK/bin/1.0.0.bin" | cut -d' ' -f1)

# --- Firmament ---------------------------------------------------------------------------------------------------
say "starting Firmament (embedded defaults${JDBC_URL:+, external PostgreSQL})"
env_db=()
if [ -n "${JDBC_URL:-}" ]; then
  env_db=(QUARKUS_DATASOURCE_JDBC_URL="$JDBC_URL" QUARKUS_DATASOURCE_USERNAME="${DB_USER:-}" QUARKUS_DATASOURCE_PASSWORD="${DB_PASSWORD:-}")
fi
started=$(date +%s%N)
# Run in the background, it becomes the java process. From the app's directory: the AppCDS archive names the class
# path as the build ran it.
start_app() {
  cd "$ROOT/target/quarkus-app" && exec env "${env_db[@]}" FIRMAMENT_DATA_DIR="$WORK/data" \
    FIRMAMENT_BOOTSTRAP_TOKEN="$TOKEN" QUARKUS_HTTP_PORT="$APP_PORT" java $JAVA_OPTS -jar quarkus-run.jar >>"$WORK/app.log" 2>&1
}
start_app &
APP=$!
PIDS+=("$APP")
until curl -sf "http://127.0.0.1:$APP_PORT/q/health/ready" >/dev/null; do
  kill -0 "$APP" 2>/dev/null || { tail -50 "$WORK/app.log"; exit 1; }
  sleep 0.05
done
STARTUP_MS=$((($(date +%s%N) - started) / 1000000))
APP_JAVA=$(pgrep -P "$APP" java || echo "$APP")

say "provisioning through the API: tenant, product, key, releases, rules"
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }
api -H 'Content-Type: application/json' -d '{"slug": "bench", "name": "Benchmark", "owner": "bench@firmament.local"}' "$API/tenants" >/dev/null
T="$API/tenants/bench"
api -H 'Content-Type: application/json' -d '{"name": "SONOFF_BASIC"}' "$T/products" >/dev/null
KEY=$(api -H 'Content-Type: application/json' -d '{"name": "fleet", "product": "SONOFF_BASIC"}' "$T/device-keys" | jq -r .key)
api -F product=SONOFF_BASIC -F version=1.0.0 -F firmware=@"$WORK/bin/1.0.0.bin" "$T/releases" >/dev/null
NEW=$(api -F product=SONOFF_BASIC -F version=2.0.0 -F firmware=@"$WORK/bin/2.0.0.bin" "$T/releases" | jq .id)
# A few rules that do not match first, as a real list has, then the one that does.
for build in a b c d e f g h; do
  api -H 'Content-Type: application/json' \
    -d "{\"product\": \"SONOFF_BASIC\", \"versionMax\": \"0.$build\", \"build\": \"$build\", \"releaseId\": $NEW}" \
    "$T/rules" >/dev/null
done
api -H 'Content-Type: application/json' -d "{\"product\": \"SONOFF_BASIC\", \"versionMax\": \"1.9\", \"releaseId\": $NEW}" \
  "$T/rules" >/dev/null
UPDATE="http://127.0.0.1:$APP_PORT/d/$KEY/update"
NOFUSS="http://127.0.0.1:$APP_PORT/d/$KEY/nofuss"

say "registering $DEVICES devices through the device endpoint"
run_wrk 64 $((DEVICES / 4000 + 10)) "$UPDATE" checkin.lua "$DEVICES" 2.0.0 "$MD5_NEW" >/dev/null
for _ in $(seq 1 120); do
  registered=$(api "$T/devices?limit=1" | jq .total)
  [ "$registered" -ge "$DEVICES" ] && break
  sleep 0.5
done
echo "registered: $registered" >&2
sleep 10 # let the registration load settle
RSS_IDLE=$(rss_mib "$APP_JAVA")

# --- Baselines: nginx serving the image with a 304 rule on the MD5, and the PHP script behind PHP-FPM ---------------
say "starting nginx and PHP-FPM"
{
  cat "$ROOT/bench/php/update.php.head"
  echo '$db = array('
  for ((i = 0; i < DEVICES; i++)); do printf '    "5C:CF:7F:%02X:%02X:%02X" => "2.0.0",\n' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)); done
  echo ');'
  cat "$ROOT/bench/php/update.php.tail"
} >"$WORK/www/update.php"
cat >"$WORK/php-fpm.conf" <<EOF
[global]
error_log = $WORK/php-fpm.log
[bench]
listen = $WORK/php-fpm.sock
pm = static
pm.max_children = $((2 * $(nproc) + 2))
php_admin_value[opcache.enable] = 1
EOF
/usr/sbin/php-fpm8.2 -R -F -y "$WORK/php-fpm.conf" &
PIDS+=($!)
cat >"$WORK/nginx.conf" <<EOF
user root;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /fw.bin {
      if (\$http_x_esp8266_sketch_md5 = "$MD5_NEW") { return 304; }
      alias $WORK/bin/2.0.0.bin;
      default_type application/octet-stream;
    }
  }
  server {
    listen 127.0.0.1:$PHP_PORT;
    root $WORK/www;
    location / {
      fastcgi_pass unix:$WORK/php-fpm.sock;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $WORK/www/update.php;
    }
  }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' &
PIDS+=($!)
sleep 1
curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/fw.bin"
test "$(curl -s -o /dev/null -w '%{http_code}' -H 'User-Agent: ESP8266-http-Update' -H 'x-ESP8266-STA-MAC: 5C:CF:7F:00:00:01' \
  -H 'x-ESP8266-AP-MAC: x' -H 'x-ESP8266-free-space: 1' -H 'x-ESP8266-sketch-size: 1' -H 'x-ESP8266-chip-size: 1' \
  -H 'x-ESP8266-sdk-version: 1' -H 'x-ESP8266-version: 2.0.0' "http://127.0.0.1:$PHP_PORT/update.php")" = 304

# --- The runs ----------------------------------------------------------------------------------------------------
RESULTS=$WORK/results.tsv
printf 'scenario\tserver\tconnections\trun\trps\tp50_ms\tp99_ms\tmib_s\tnon2xx3xx\n' >"$RESULTS"
bench() { # scenario server url script args...
  local scenario=$1 server=$2 url=$3 script=$4
  shift 4
  for c in $CONNECTIONS; do
    run_wrk "$c" "$WARMUP" "$url" "$script" "$@" >/dev/null
    for run in 1 2; do
      printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$server" "$c" "$run" "$(run_wrk "$c" "$DURATION" "$url" "$script" "$@" | tr ' ' '\t')" |
        tee -a "$RESULTS" >&2
    done
  done
}
sample_rss "$APP_JAVA" "$WORK/rss-load.txt" &
SAMPLER=$!
sample_backlog "$WORK/backlog.txt" &
BACKLOG_SAMPLER=$!
printf 'phase\tsent\tanswered\trecorded\tdropped\n' >"$ACCOUNTING"
say "1. check-in, nothing to do (304)"
accounted "checkin-304" "checkin-304" firmament "$UPDATE" checkin.lua "$DEVICES" 2.0.0 "$MD5_NEW"
say "2. check-in that gets the 1 MiB image (200)"
accounted "checkin-200" "checkin-200" firmament "$UPDATE" checkin.lua "$DEVICES" 1.0.0 "$MD5_OLD"
say "3. NoFUSS check-in"
accounted "nofuss" "nofuss" firmament "$NOFUSS" nofuss.lua "$DEVICES" 1.0.0 SONOFF_BASIC
kill "$SAMPLER" "$BACKLOG_SAMPLER" 2>/dev/null || true
RSS_LOAD=$(sort -n "$WORK/rss-load.txt" | tail -1)
BACKLOG_MAX=$(sort -n "$WORK/backlog.txt" | tail -1)
sleep 2 # one flush interval and then some
LAST_SEEN_LAG=$(api "$T/devices?sort=lastSeen&limit=1" | jq -r '.items[0].lastSeen' |
  xargs -I{} date -d {} +%s | awk -v now="$(date +%s)" '{print now - $1}')
if [ "${BASELINES:-1}" = 1 ]; then
bench "checkin-304" nginx "http://127.0.0.1:$NGINX_PORT/fw.bin" checkin.lua "$DEVICES" 2.0.0 "$MD5_NEW"
bench "checkin-200" nginx "http://127.0.0.1:$NGINX_PORT/fw.bin" checkin.lua "$DEVICES" 1.0.0 "$MD5_OLD"
bench "checkin-304" php "http://127.0.0.1:$PHP_PORT/update.php" checkin.lua "$DEVICES" 2.0.0 "$MD5_NEW"
bench "checkin-200" php "http://127.0.0.1:$PHP_PORT/update.php" checkin.lua "$DEVICES" 1.0.0 "$MD5_OLD"
fi

# --- Scale: the registry after the load, device listing, snapshot rebuild ----------------------------------------
say "scale"
time_ms() { # the median of three
  for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$1"; done |
    sort -n | awk 'NR == 2 {printf "%.0f", $1 * 1000}'
}
LIST_FIRST=$(time_ms "$T/devices?limit=50")
LIST_VERSION=$(time_ms "$T/devices?version=1.0.0&limit=50&sort=lastSeen")
LIST_SEARCH=$(time_ms "$T/devices?q=5C:CF:7F:01&limit=50")
# A page three quarters into the walk by MAC: the cursor after the 75,000th device (what its "next" link carries).
DEEP_MAC=$(api "$T/devices/export?sort=mac" | sed -n "$((DEVICES * 3 / 4 + 1))p" | cut -d'"' -f2)
DEEP_CURSOR=$(printf '["mac","%s"]' "$DEEP_MAC" | base64 -w0 | tr '+/' '-_' | tr -d '=')
LIST_DEEP=$(time_ms "$T/devices?limit=50&sort=mac&after=$DEEP_CURSOR")
api -H 'Content-Type: application/json' -d "{\"product\": \"SONOFF_BASIC\", \"versionMax\": \"0.z\", \"releaseId\": $NEW}" "$T/rules" >/dev/null
sleep 1
REBUILD_MAX_MS=$(curl -s "http://127.0.0.1:$APP_PORT/q/metrics" |
  awk '/^firmament_snapshot_rebuild_seconds_max/ {printf "%.0f", $2 * 1000}')

say "restart: start-up with $DEVICES devices and data already there"
kill "$APP_JAVA"
wait "$APP" 2>/dev/null || true
HOT=""
if [ -n "${PROFILE:-}" ]; then
  # Top frames of the CPU samples taken under load: what the time goes to.
  HOT=$(jfr print --events jdk.ExecutionSample "$WORK/load.jfr" | awk '/stackTrace = \[/ { getline; sub(/^ +/, ""); sub(/line:.*/, ""); n[$0]++; total++ }
    END { for (f in n) printf "%5.1f %%  %s\n", 100 * n[f] / total, f }' | sort -rn | awk 'NR <= 25')
  JAVA_OPTS=${JAVA_OPTS%% -XX:StartFlightRecording*}
fi
started=$(date +%s%N)
start_app &
APP=$!
PIDS+=("$APP")
until curl -sf "http://127.0.0.1:$APP_PORT/q/health/ready" >/dev/null; do sleep 0.05; done
RESTART_MS=$((($(date +%s%N) - started) / 1000000))

# --- Report ------------------------------------------------------------------------------------------------------
{
  echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
    "$(java -version 2>&1 | head -1); wrk $THREADS threads, ${DURATION}s runs after ${WARMUP}s warm-up; $DEVICES devices."
  echo
  echo "| scenario | server | connections | requests/s | p50 ms | p99 ms | MiB/s | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  tail -n +2 "$RESULTS" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2 " (run " $4 ")", $3, $5, $6, $7, $8, $9}'
  echo
  echo "Ratios (best run of each, Firmament / baseline):"
  echo
  awk -F'\t' 'NR > 1 { key = $1 "\t" $3; if ($5 > best[$2, key]) best[$2, key] = $5; if ($8 > tx[$2, key]) tx[$2, key] = $8; keys[key] = 1 }
    END { for (k in keys) { split(k, p, "\t"); if (best["nginx", k] == 0) continue;
      printf "- %s at %s connections: %.0f %% of nginx requests/s, %.0f %% of nginx MiB/s, %.1f x the PHP script\n", p[1], p[2],
        100 * best["firmament", k] / best["nginx", k], (tx["nginx", k] > 0 ? 100 * tx["firmament", k] / tx["nginx", k] : 0),
        (best["php", k] > 0 ? best["firmament", k] / best["php", k] : 0) } }' "$RESULTS" | sort
  echo
  echo "Check-ins per phase: sent (responses wrk counted, warm-ups included; a request in flight when a run ends is"
  echo "answered but not counted, so up to one per connection and run fewer), answered (counted by the app), recorded"
  echo "(committed to the database once the writer and the journal were empty; must equal answered), dropped (lost,"
  echo "since the start):"
  echo
  echo "| phase | sent | answered | recorded | dropped |"
  echo "| --- | --- | --- | --- | --- |"
  tail -n +2 "$ACCOUNTING" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}'
  echo
  echo "- start-up of the packaged app to ready: first start (initdb included) $STARTUP_MS ms, restart $RESTART_MS ms"
  echo "- RSS idle with $DEVICES devices registered: $RSS_IDLE MiB; peak under load: $RSS_LOAD MiB (JAVA_OPTS: $JAVA_OPTS)"
  echo "- newest last-seen, 2 s after the end of the Firmament load: ${LAST_SEEN_LAG}s before;" \
    "check-ins waiting to be written, most at any second of the load: $BACKLOG_MAX"
  echo "- device list (median of 3): first page $LIST_FIRST ms, version filter $LIST_VERSION ms, MAC search $LIST_SEARCH ms, a page 3/4 into the walk by MAC $LIST_DEEP ms"
  echo "- snapshot rebuild after a rule change (max): $REBUILD_MAX_MS ms"
  if [ -n "$HOT" ]; then
    echo
    echo "Hottest frames under load (share of CPU samples):"
    echo
    echo '```'
    echo "$HOT"
    echo '```'
  fi
} | tee "$WORK/results.md"
