#!/usr/bin/env bash
# Measures the exports on the packaged app: 1,000,000 device events (and the audit trail's and the device list's
# formats through the same writer) streamed as CSV and NDJSON, with the JVM's heap sampled while they run. The heap
# staying flat under a small -Xmx is the point: an export is written row by row as PostgreSQL hands it over.
#
#   bench/export.sh                 build, then 1,000,000 events
#   SKIP_BUILD=1 EVENTS=200000 bench/export.sh
#
# Results: target/bench-export/results.md (and on standard output). Needs PostgreSQL's server binaries (Debian:
# postgresql), curl and jq.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/target/bench-export
EVENTS=${EVENTS:-1000000}
APP_PORT=${APP_PORT:-18090}
PG_PORT=${PG_PORT:-15433}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx128m -XX:+UseSerialGC"}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
TOKEN=bench-bootstrap-token-$$-$RANDOM
API="http://127.0.0.1:$APP_PORT/api/v1"

say() { printf '\n== %s\n' "$*" >&2; }

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/pg/postmaster.pid" ] && kill -QUIT "$(head -1 "$WORK/pg/postmaster.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$WORK" && mkdir -p "$WORK"
if [ -z "${SKIP_BUILD:-}" ]; then
  say "building the packaged app"
  (cd "$ROOT" && mvn -q package -DskipTests)
fi

say "starting PostgreSQL on port $PG_PORT"
# PostgreSQL refuses to run as root; in a user namespace of its own it sees an unprivileged user.
AS_USER=()
[ "$(id -u)" = 0 ] && AS_USER=(unshare -U)
"${AS_USER[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U firmament --auth=trust >/dev/null
"${AS_USER[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c fsync=off" -l "$WORK/pg.log" start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U firmament firmament
sql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U firmament -d firmament -qAt -c "$1"; }

say "starting Firmament (-Xmx from JAVA_OPTS: $JAVA_OPTS)"
(cd "$ROOT/target/quarkus-app" && exec env FIRMAMENT_EMBEDDED_DATABASE_ENABLED=false \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/firmament" QUARKUS_DATASOURCE_USERNAME=firmament \
  QUARKUS_DATASOURCE_PASSWORD=unused FIRMAMENT_DATA_DIR="$WORK/data" FIRMAMENT_BOOTSTRAP_TOKEN="$TOKEN" \
  QUARKUS_HTTP_PORT="$APP_PORT" java $JAVA_OPTS -jar quarkus-run.jar >>"$WORK/app.log" 2>&1) &
APP=$!
PIDS+=("$APP")
until curl -sf "http://127.0.0.1:$APP_PORT/q/health/ready" >/dev/null; do
  kill -0 "$APP" 2>/dev/null || { tail -50 "$WORK/app.log"; exit 1; }
  sleep 0.1
done

say "provisioning a tenant and a release, then $EVENTS download events"
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }
api -H 'Content-Type: application/json' -d '{"slug": "bench", "name": "Benchmark", "owner": "bench@firmament.local"}' \
  "$API/tenants" >/dev/null
T="$API/tenants/bench"
api -H 'Content-Type: application/json' -d '{"name": "SONOFF_BASIC"}' "$T/products" >/dev/null
head -c 100000 /dev/urandom >"$WORK/fw.bin"
printf '\xe9\x01\x02\x40\x00\xf0\x10\x40' | dd of="$WORK/fw.bin" conv=notrunc status=none
RELEASE=$(api -F product=SONOFF_BASIC -F version=2.0.0 -F firmware=@"$WORK/fw.bin" "$T/releases" | jq .id)
TENANT_ID=$(sql "select id from tenants where slug = 'bench'")
sql "insert into device_events (tenant_id, at, mac, type, release_id, detail)
     select '$TENANT_ID', now() - g * interval '1 second',
       '5C:CF:7F:' || regexp_replace(lpad(upper(to_hex(g % 16777216)), 6, '0'), '(..)(..)(..)', '\1:\2:\3'),
       (array['offered', 'downloaded', 'installed'])[1 + g % 3], $RELEASE,
       jsonb_build_object('version', '1.0.0', 'ip', '10.0.' || (g % 256) || '.' || (g / 256 % 256))
     from generate_series(1, $EVENTS) g"
sql "analyze device_events"

heap_mib() { # heap in use, from the app's own metrics
  curl -s "http://127.0.0.1:$APP_PORT/q/metrics" |
    awk '/^jvm_memory_used_bytes\{.*area="heap"/ {sum += $NF} END {printf "%d\n", sum / 1048576}'
}

# One export: rows per second, bytes, and the heap sampled every 100 ms while it runs.
export_run() {
  local format=$1 samples="$WORK/heap-$1.txt"
  : >"$samples"
  heap_mib >"$WORK/heap-before-$format.txt"
  ( while true; do heap_mib >>"$samples"; sleep 0.1; done ) &
  local sampler=$!
  local out
  out=$(curl -s -o "$WORK/export.$format" -w '%{http_code} %{size_download} %{time_total}' \
    -H "Authorization: Bearer $TOKEN" "$T/events/export?format=$format&releaseId=$RELEASE")
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  local code bytes seconds rows
  read -r code bytes seconds <<<"$out"
  [ "$code" = 200 ] || { echo "export failed: HTTP $code" >&2; tail -30 "$WORK/app.log" >&2; exit 1; }
  rows=$(($(wc -l <"$WORK/export.$format") - $([ "$format" = csv ] && echo 1 || echo 0)))
  [ "$rows" = "$EVENTS" ] || { echo "export has $rows rows, not $EVENTS" >&2; exit 1; }
  printf '| %s | %d | %.0f | %.1f | %.0f | %d | %d | %d |\n' "$format" "$rows" "$(echo "$bytes / 1048576" | bc -l)" \
    "$seconds" "$(echo "$rows / $seconds" | bc -l)" "$(cat "$WORK/heap-before-$format.txt")" \
    "$(sort -n "$samples" | head -1)" "$(sort -n "$samples" | tail -1)"
  rm -f "$WORK/export.$format"
}

say "exporting"
export_run csv >/dev/null # warm-up: the first run also loads and compiles the code path
ROWS=$(for format in csv ndjson; do export_run "$format"; done)
{
  echo "# Export benchmark $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(java -version 2>&1 | head -1);" \
    "JAVA_OPTS=$JAVA_OPTS; PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on the same machine."
  echo
  echo "| format | rows | MiB | seconds | rows/s | heap before MiB | heap min MiB | heap max MiB |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  echo "$ROWS"
} | tee "$WORK/results.md"
