#!/usr/bin/env bash
# The "large store" benchmark of issue 15: one member of the real etcd 3.4 and of bin/etcdj each filled with --keys
# keys of --value-size random bytes, with the Go load generator on etcd's own client library (bench/go/etcdload).
#
#   scripts/bench-large.sh [--keys 1000000] [--value-size 1024] [--servers etcd,etcdj] [--clients 32]
#                          [--put-seconds 15] [--warm-seconds 30] [--scan-seconds 10] [--get-seconds 20] [--fill-seconds N]
#                          [--quota-gib 16] [--base-port 33000]
#
# Per server, on one fresh member (data dir under the printed /tmp work directory, loopback ports from --base-port,
# moved up by 500 while something listens there; --quota-backend-bytes --quota-gib GiB, default 16, for both servers):
#   a. put16 on the empty store: put, 16 clients over 4 connections, --put-seconds, keys of their own prefix
#      (etcdload/empty/, 100,000 of them) so that they do not fill the fill's keys in advance; after --warm-seconds
#      of the same load unmeasured, so that it compares with (c), which a warm member serves after the fill;
#   b. fill: keys 0..keys-1 (etcdload/put/%08d) once each, --clients closed-loop clients over 4 connections (with
#      --fill-seconds N, stopped after N s: the later steps then run on the keys written by then);
#   c. put16 on the full store: random keys of the filled key space (overwrites), --put-seconds;
#   d. scan: a linearizable range over the whole keyspace ("\x00" to "\x00") with limit 500, 1 client, --scan-seconds
#      (60 s per request before it counts as failed);
#   e. the member's RSS and the data dir's size on disk (du); its alarms (also after g) are printed under the table;
#   f. SIGTERM (time to exit), then a start on the same data dir: time from the start to /health true;
#   g. right after that restart: linearizable gets of random filled keys, 32 clients over 4 connections,
#      --get-seconds (a get that finds no key is counted), then the RSS again.
# Prints a markdown table, one row per server. All runs use --value-size values.
#
# Environment: ETCD (default /usr/bin/etcd), ETCDJ (default <repo>/bin/etcdj), GO. Every process it started is
# stopped on exit. Logs, the JSON results and (until the end of each server's run) the data dirs stay in the printed
# work directory. Needs about keys x (value size + 100 bytes) x 2 of free space in /tmp per server at a time.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keys=1000000 value_size=1024 servers=etcd,etcdj clients=32 put_s=15 warm_s=30 scan_s=10 get_s=20 fill_s=0 quota_gib=16 base_port=33000
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) keys=$2; shift 2 ;;
    --value-size) value_size=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --put-seconds) put_s=$2; shift 2 ;;
    --warm-seconds) warm_s=$2; shift 2 ;;
    --scan-seconds) scan_s=$2; shift 2 ;;
    --get-seconds) get_s=$2; shift 2 ;;
    --fill-seconds) fill_s=$2; shift 2 ;;
    --quota-gib) quota_gib=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-large.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
quota=$((quota_gib * 1024 * 1024 * 1024))
# shellcheck source=lib/bench-common.sh
source "$repo/scripts/lib/bench-common.sh"
bench_start etcdj-bench-large

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; } # secs FROM TO

# start_member SERVER DIR LOG: one member on $port; sets pids and endpoint, and started (when it was started)
start_member() {
  local server=$1 dir=$2 log=$3 bin
  case "$server" in etcd) bin=$etcd_bin ;; etcdj) bin=$etcdj_bin ;; *) echo "unknown server $server" >&2; exit 2 ;; esac
  [ -x "$bin" ] || { echo "bench-large.sh: $bin not found" >&2; exit 2; }
  local c=$port p=$((port + 1))
  endpoint="127.0.0.1:$c"
  started=$(now)
  setsid "$bin" --name m0 --data-dir "$dir" --quota-backend-bytes "$quota" \
    --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
    --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
    --initial-cluster "m0=http://127.0.0.1:$p" --initial-cluster-token bench-large --initial-cluster-state new \
    >>"$log" 2>&1 &
  pids+=($!)
  local deadline=$((SECONDS + 300))
  until curl -s -m 2 "http://$endpoint/health" | grep -q '"true"'; do
    kill -0 "${pids[0]}" 2>/dev/null || { echo "bench-large.sh: $server exited; its log:" >&2; tail -20 "$log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "bench-large.sh: $server not healthy in 300 s" >&2; exit 1; }
    sleep 0.05
  done
  healthy=$(now)
}

# the member's raised alarms (NOSPACE when the quota is exceeded), as a JSON array
alarm_list() {
  curl -s -m 5 -X POST "http://$endpoint/v3/maintenance/alarm" -d '{"action": "GET"}' | jq -c '.alarms // []' 2>/dev/null \
    || echo '["alarm list failed"]'
}

# step SERVER NAME ETCDLOAD-FLAGS...: one etcdload run into $work/SERVER-NAME.json
step() {
  local s=$1 name=$2; shift 2
  echo "bench-large.sh: $s: $name ($*)..." >&2
  "$load" --endpoints "$endpoint" --label "$s" --value-size "$value_size" --json "$@" \
    >"$work/$s-$name.json" 2>"$work/$s-$name.err" \
    || { echo "bench-large.sh: etcdload failed on $name/$s:" >&2; cat "$work/$s-$name.err" >&2; echo '{}' >"$work/$s-$name.json"; }
  jq -r '"  \(.ok // 0) ok, \(.failed // 0) failed, " + ((.rows // []) | map(select(.phase == "all")) | .[0] // {} |
    "\(.per_sec // 0 | floor)/s p50 \(.p50_ms // 0) ms p99 \(.p99_ms // 0) ms") + (if .misses then ", \(.misses) found no key" else "" end)' \
    "$work/$s-$name.json" >&2
}

IFS=, read -r -a sv <<<"$servers"
port_shift=0
for s in "${sv[@]}"; do
  tries=0
  while port=$((base_port + port_shift)); ports_busy "$port" 2; do
    port_shift=$((port_shift + 500)); tries=$((tries + 1))
    [ $tries -lt 20 ] || { echo "bench-large.sh: no free ports from $base_port up" >&2; exit 1; }
  done
  dir="$work/data-$s" log="$work/$s.log"
  start_member "$s" "$dir" "$log"
  echo "bench-large.sh: $s up in $(secs "$started" "$healthy") s on $endpoint" >&2
  empty_put16=(--workload put --clients 16 --conns 4 --prefix etcdload/empty/ --keys 100000)
  if [ "$warm_s" -gt 0 ]; then step "$s" warm-up "${empty_put16[@]}" --duration "${warm_s}s"; fi
  step "$s" empty-put16 "${empty_put16[@]}" --duration "${put_s}s"
  fill_cap=()
  if [ "$fill_s" -gt 0 ]; then fill_cap=(--duration "${fill_s}s"); fi
  step "$s" fill --workload fill --clients "$clients" --conns 4 --keys "$keys" "${fill_cap[@]}"
  step "$s" full-put16 --workload put --clients 16 --conns 4 --keys "$keys" --duration "${put_s}s"
  step "$s" scan --workload scan --clients 1 --limit 500 --duration "${scan_s}s" --timeout 60s
  rss_full=$(rss_mb)
  alarms=$(alarm_list)
  disk_full=$(du -sm "$dir" | cut -f1)
  t0=$(now)
  stop_cluster
  stop_s=$(secs "$t0" "$(now)")
  echo "bench-large.sh: $s stopped in $stop_s s (RSS was $rss_full MB, $disk_full MB on disk); restarting..." >&2
  echo "--- restart ---" >>"$log"
  start_member "$s" "$dir" "$log"
  restart_s=$(secs "$started" "$healthy")
  rss_restart=$(rss_mb)
  echo "bench-large.sh: $s serving again in $restart_s s (RSS $rss_restart MB)" >&2
  step "$s" gets --workload range --random-reads --clients 32 --conns 4 --keys "$keys" --duration "${get_s}s"
  rss_gets=$(rss_mb)
  disk_end=$(du -sm "$dir" | cut -f1)
  alarms=$(jq -cn --argjson a "$alarms" --argjson b "$(alarm_list)" '$a + $b | unique')
  stop_cluster
  rm -rf "$dir"
  jq -n --arg s "$s" --argjson rss_full "$rss_full" --argjson disk_full "$disk_full" --argjson stop_s "$stop_s" \
    --argjson restart_s "$restart_s" --argjson rss_restart "$rss_restart" --argjson rss_gets "$rss_gets" \
    --argjson disk_end "$disk_end" --argjson alarms "$alarms" \
    --slurpfile e "$work/$s-empty-put16.json" --slurpfile f "$work/$s-fill.json" --slurpfile p "$work/$s-full-put16.json" \
    --slurpfile c "$work/$s-scan.json" --slurpfile g "$work/$s-gets.json" \
    '{s: $s, rss_full: $rss_full, disk_full: $disk_full, stop_s: $stop_s, restart_s: $restart_s,
      rss_restart: $rss_restart, rss_gets: $rss_gets, disk_end: $disk_end, alarms: $alarms,
      empty: $e[0], fill: $f[0], full: $p[0], scan: $c[0], gets: $g[0]}' >>"$work/results.jsonl"
done

[ -s "$work/results.jsonl" ] || { echo "bench-large.sh: no results" >&2; exit 1; }
echo
cap_note=""
if [ "$fill_s" -gt 0 ]; then cap_note=" (the fill stopped after $fill_s s)"; fi
echo "One member, $keys keys x $value_size bytes filled by $clients clients$cap_note, $(nproc) cores; put16 = 16 clients over 4 connections for $put_s s (on the empty store after $warm_s s of it unmeasured),"
echo "scan = range over all keys with limit 500, 1 client, $scan_s s; gets = 32 clients, $get_s s right after the restart"
echo
echo "| server | empty put16 /s, p99 ms | fill puts/s (keys, s) | fill p50 / p99 / max ms | full put16 /s, p99 ms | scan /s, p50 / p99 ms | RSS MB full | disk MB | stop s | restart to /health s | RSS MB restarted | gets/s after restart | gets p50 / p99 ms | RSS MB after gets | failed (fill, puts, scan, gets) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
jq -r 'def f2: (. * 100 | round / 100 | tostring); def f0: (round | tostring);
  def all: ((.rows // []) | map(select(.phase == "all")) | .[0] // {per_sec: 0, p50_ms: 0, p99_ms: 0, max_ms: 0, to_s: 0});
  "| \(.s) | \(.empty | all | .per_sec | f0), \(.empty | all | .p99_ms | f2) | \(.fill | all | .per_sec | f0) (\(.fill.ok // 0), \(.fill | all | .to_s | f0)) | \(.fill | all | "\(.p50_ms | f2) / \(.p99_ms | f2) / \(.max_ms | f2)") | \(.full | all | .per_sec | f0), \(.full | all | .p99_ms | f2) | \(.scan | all | "\(.per_sec | f0), \(.p50_ms | f2) / \(.p99_ms | f2)") | \(.rss_full) | \(.disk_full) | \(.stop_s) | \(.restart_s) | \(.rss_restart) | \(.gets | all | .per_sec | f0) | \(.gets | all | "\(.p50_ms | f2) / \(.p99_ms | f2)") | \(.rss_gets) | \(.fill.failed // "-"), \((.empty.failed // 0) + (.full.failed // 0)), \(.scan.failed // "-"), \(.gets.failed // "-") |"' \
  "$work/results.jsonl"
echo
jq -r '[(if (.gets.misses // 0) > 0 then "gets on \(.s): \(.gets.misses) found no key" else empty end),
  (if (.alarms | length) > 0 then "alarms on \(.s): \(.alarms | tostring)" else empty end),
  (.fill, .empty, .full, .scan, .gets | select(.first_error != null) | "first error, \(.workload) on \(.label): \(.first_error)")] | .[]' \
  "$work/results.jsonl"
