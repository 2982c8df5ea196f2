#!/usr/bin/env bash
# Side-by-side benchmark of the real etcd 3.4 and bin/etcdj with a Go load generator on etcd's own client library
# (bench/go/etcdload; no JVM on the client side).
#
#   scripts/bench-go.sh [--members 1|3] [--workloads put16,put1,range64,srange64,txn16,watch] [--duration 20]
#                       [--servers etcd,etcdj] [--cold 10] [--steady N] [--base-port 31000]
#
# For every workload and every server it starts a FRESH cluster (new data dirs under /tmp, loopback ports from
# --base-port, default flags as a new user would run them), waits until every member answers /health, runs the
# workload for --duration seconds (the first --cold seconds reported apart as "cold", the rest as "warm"), sums the
# members' VmRSS at the end, stops the cluster, and at the end prints markdown tables. --steady N also reports the
# window from N s to the end apart (rate, and the members' CPU per request in it): a JVM's steady state, once its JIT
# is done (about two minutes of load here), e.g. --duration 150 --steady 120.
#
# Workloads: put16 = put, 16 clients over 4 connections; put1 = put, 1 client; range64 / srange64 = linearizable /
# serializable single-key range, 64 clients over 4 connections; txn16 = compare-and-swap on the mod revision, 16
# clients over 4 connections; watch = 100 watchers on one prefix over 4 streams, one writer at 200 puts/s;
# watchNrR = N watchers on one prefix over N/100 streams and 4 connections, one writer at R puts/s;
# watchmanyN = N watchers on N distinct keys over N/100 streams and 4 connections: creation rate, the members' memory
# per watcher, their CPU while every watcher sits idle for --duration, then one put per checked watcher (not in the
# default list). Also putN, rangeN, srangeN, txnN. Connection j goes to member j mod members. 256-byte values.
#
# Environment: ETCD (default /usr/bin/etcd), ETCDJ (default <repo>/bin/etcdj), GO (default go on PATH or /usr/bin/go).
# Every process it started is stopped on exit. Logs and the JSON results stay in the printed work directory.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
members=3 workloads=put16,put1,range64,srange64,txn16,watch duration=20 servers=etcd,etcdj cold=10 base_port=31000
steady=0
while [ $# -gt 0 ]; do
  case "$1" in
    --members) members=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --cold) cold=$2; shift 2 ;;
    --steady) steady=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-go.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# shellcheck source=lib/bench-common.sh
source "$repo/scripts/lib/bench-common.sh"
bench_start etcdj-bench-go

port_shift=0

# start_cluster SERVER RUN: a fresh cluster of $members members; sets pids and endpoints
start_cluster() {
  local server=$1 run=$2 bin i cluster="" port
  case "$server" in etcd) bin=$etcd_bin ;; etcdj) bin=$etcdj_bin ;; *) echo "unknown server $server" >&2; exit 2 ;; esac
  [ -x "$bin" ] || { echo "bench-go.sh: $bin not found" >&2; exit 2; }
  # a new port range per cluster (nothing waits on the last one's sockets); one that something already listens on
  # (another benchmark running at the same time) is skipped
  local tries=0
  while port=$((base_port + port_shift + run * 10)); ports_busy "$port"; do
    port_shift=$((port_shift + 500)); tries=$((tries + 1))
    [ $tries -lt 20 ] || { echo "bench-go.sh: no free ports from $base_port up" >&2; exit 1; }
    echo "bench-go.sh: ports $port.. in use, moving up by 500" >&2
  done
  for ((i = 0; i < members; i++)); do cluster+="${cluster:+,}m$i=http://127.0.0.1:$((port + 2 * i + 1))"; done
  endpoints=""
  for ((i = 0; i < members; i++)); do
    local c=$((port + 2 * i)) p=$((port + 2 * i + 1)) dir="$work/data-$run-$server-m$i"
    endpoints+="${endpoints:+,}127.0.0.1:$c"
    setsid "$bin" --name "m$i" --data-dir "$dir" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "$cluster" --initial-cluster-token "bench-go-$run" --initial-cluster-state new \
      >"$work/$run-$server-m$i.log" 2>&1 &
    pids+=($!)
  done
  local deadline=$((SECONDS + 300)) # bin/etcdj builds (and trains its AOT cache) on first use
  for ((i = 0; i < members; i++)); do
    until curl -s -m 2 "http://127.0.0.1:$((port + 2 * i))/health" | grep -q '"true"'; do
      kill -0 "${pids[$i]}" 2>/dev/null || { echo "bench-go.sh: $server member m$i exited; its log:" >&2
        tail -20 "$work/$run-$server-m$i.log" >&2; exit 1; }
      [ $SECONDS -lt $deadline ] || { echo "bench-go.sh: $server member m$i not healthy in 300 s" >&2; exit 1; }
      sleep 0.2
    done
  done
}

load_args() { # workload name -> etcdload flags
  local w=$1 n
  case "$w" in
    watch) echo "--workload watch-latency --watchers 100 --streams 4 --put-rate 200" ;;
    watch[0-9]*r[0-9]*) n=${w#watch}; n=${n%r*}
      echo "--workload watch-latency --watchers $n --streams $(((n + 99) / 100)) --conns 4 --put-rate ${w##*r}" ;;
    watchmany[0-9]*) n=${w#watchmany}; echo "--workload watch-many --watchers $n --streams $(((n + 99) / 100)) --conns 4" ;;
    put[0-9]*) n=${w#put}; echo "--workload put --clients $n --conns $((n < 4 ? n : 4))" ;;
    srange[0-9]*) n=${w#srange}; echo "--workload srange --clients $n --conns $((n < 4 ? n : 4))" ;;
    range[0-9]*) n=${w#range}; echo "--workload range --clients $n --conns $((n < 4 ? n : 4))" ;;
    txn[0-9]*) n=${w#txn}; echo "--workload txn-cas --clients $n --conns $((n < 4 ? n : 4))" ;;
    *) echo "bench-go.sh: unknown workload $w" >&2; return 1 ;;
  esac
}

IFS=, read -r -a wl <<<"$workloads"
IFS=, read -r -a sv <<<"$servers"
for w in "${wl[@]}"; do load_args "$w" >/dev/null || exit 2; done
run=0
for w in "${wl[@]}"; do
  for s in "${sv[@]}"; do
    start_cluster "$s" "$run"
    echo "bench-go.sh: $w on $s ($members member(s), $endpoints)..." >&2
    cpu0=$(cpu_ms)
    # shellcheck disable=SC2046
    "$load" --endpoints "$endpoints" $(load_args "$w") --duration "${duration}s" --cold-seconds "$cold" \
      --server-pids "$(member_procs | paste -sd, -)" --label "$s" --json >"$work/$run-$w-$s.json" 2>"$work/$run-$w-$s.err" &
    load_pid=$!
    cpu_steady=0
    if [ "$steady" -gt 0 ] && [ "$steady" -lt "$duration" ]; then sleep "$steady"; cpu_steady=$(cpu_ms); fi
    wait $load_pid || { echo "bench-go.sh: etcdload failed on $w/$s:" >&2; cat "$work/$run-$w-$s.err" >&2; }
    rss=$(rss_mb)
    cpu_end=$(cpu_ms)
    cpu=$((cpu_end - cpu0))
    cpu_steady=$((cpu_steady > 0 ? cpu_end - cpu_steady : 0))
    stop_cluster
    rm -rf "$work"/data-"$run"-*
    if [ -s "$work/$run-$w-$s.json" ]; then
      jq -c --arg w "$w" --arg s "$s" --argjson rss "$rss" --argjson cpu "$cpu" --argjson from "$steady" \
        --argjson cpus "$cpu_steady" --argjson to "$duration" '{w: $w, s: $s, rss: $rss, cpu_ms: $cpu, r: .,
          steady: (if $cpus > 0 then ((.per_second // [])[$from:$to] | add // 0) as $n | {from: $from, requests: $n,
            per_sec: ($n / ($to - $from)), cpu_us: (if $n > 0 then $cpus * 1000 / $n else 0 end)}
          else null end)}' "$work/$run-$w-$s.json" \
        >>"$work/results.jsonl"
      jq -r 'if .many != null then "  \(.many.watchers) watchers created in \(.many.create_s * 100 | floor / 100) s, idle CPU \(.many.idle_cpu_percent * 100 | floor / 100) % of a core"
        else "  " + (.rows | map(.phase + " " + (.per_sec | floor | tostring) + "/s p99 " + (.p99_ms * 100 | floor / 100 | tostring) + " ms") | join(", ")) end' \
        "$work/$run-$w-$s.json" >&2
    fi
    run=$((run + 1))
  done
done

[ -s "$work/results.jsonl" ] || { echo "bench-go.sh: no results" >&2; exit 1; }
echo
echo "$members member(s), ${duration} s per run (cold = first ${cold} s, warm = the rest), fresh cluster per row, $(nproc) cores"
echo
f2='def f2: (. * 100 | round / 100 | tostring); def f0: (round | tostring);
    def ph($p): (.r.rows | map(select(.phase == $p)) | .[0] // {per_sec: 0, p99_ms: 0});'
if jq -s -e 'any(.[]; .r.watch == null and .r.many == null)' "$work/results.jsonl" >/dev/null; then
  echo "| workload | server | cold req/s | cold p99 ms | warm req/s | warm p99 ms | failed | retried | RSS MB | CPU us/req |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  jq -r "$f2"' select(.r.watch == null and .r.many == null) | "| \(.w) | \(.s) | \(ph("cold").per_sec | f0) | \(ph("cold").p99_ms | f2) | \(ph("warm").per_sec | f0) | \(ph("warm").p99_ms | f2) | \(.r.failed) | \(.r.attempts_failed) | \(.rss) | \(if .r.ok > 0 then (.cpu_ms * 1000 / .r.ok | f0) else "-" end) |"' \
    "$work/results.jsonl"
  echo
fi
if jq -s -e 'any(.[]; .steady != null)' "$work/results.jsonl" >/dev/null; then
  echo "| workload | server | steady from s | steady req/s | steady CPU us/req |"
  echo "|---|---|---|---|---|"
  jq -r "$f2"' select(.steady != null) | "| \(.w) | \(.s) | \(.steady.from) | \(.steady.per_sec | f0) | \(.steady.cpu_us | f0) |"' \
    "$work/results.jsonl"
  echo
fi
if jq -s -e 'any(.[]; .r.watch != null)' "$work/results.jsonl" >/dev/null; then
  echo "| workload | server | puts/s | writer p99 ms | delivery cold p50 / p99 ms | delivery warm p50 / p99 ms | delivery max ms | events expected / received | dup / missing | failures | retried | RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  jq -r "$f2"' def d($p): (.r.watch.delivery | map(select(.phase == $p)) | .[0] // {p50_ms: 0, p99_ms: 0});
    select(.r.watch != null) | .r.watch as $x |
    "| \(.w) | \(.s) | \($x.puts_per_sec | f0) | \($x.put_p99_ms | f2) | \(d("cold").p50_ms | f2) / \(d("cold").p99_ms | f2) | \(d("warm").p50_ms | f2) / \(d("warm").p99_ms | f2) | \(d("all").max_ms | f2) | \($x.events_expected) / \($x.events_received) | \($x.duplicates) / \($x.missing) | \($x.puts_failed + $x.watch_errors) | \(.r.attempts_failed) | \(.rss) |"' \
    "$work/results.jsonl"
  echo
fi
if jq -s -e 'any(.[]; .r.many != null)' "$work/results.jsonl" >/dev/null; then
  echo "| workload | server | watchers / streams | create s | creates/s | RSS before / after MB | bytes per watcher | idle CPU % of a core | checked puts | events | wrong / dup / missing | delivery p99 ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  jq -r "$f2"' select(.r.many != null) | .r.many as $x |
    "| \(.w) | \(.s) | \($x.watchers) / \($x.streams) | \($x.create_s | f2) | \($x.creates_per_sec | f0) | \($x.rss_before_mb | f0) / \($x.rss_after_mb | f0) | \($x.bytes_per_watcher | f0) | \($x.idle_cpu_percent | f2) | \($x.puts) | \($x.events_received) | \($x.wrong) / \($x.duplicates) / \($x.missing) | \(($x.delivery | map(select(.phase == "all")) | .[0].p99_ms // 0) | f2) |"' \
    "$work/results.jsonl"
  echo
fi
jq -r 'select(.r.first_error != null or .r.watch.watch_first_error != null) |
  "first error, \(.w) on \(.s): \(.r.first_error // .r.watch.watch_first_error)"' "$work/results.jsonl"
jq -r 'select(.r.first_attempt_error != null) |
  "first attempt clientv3 retried, \(.w) on \(.s): \(.r.first_attempt_error)"' "$work/results.jsonl"
