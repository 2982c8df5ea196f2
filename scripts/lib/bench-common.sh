# Helpers shared by the benchmark scripts that run etcd and etcdj members as processes (scripts/bench-go.sh,
# scripts/bench-large.sh). Source it after setting `repo` (the repository root); messages are prefixed with
# $bench_name (default: the calling script's name).
#
#   bench_start WORKPREFIX    etcd_bin and etcdj_bin (from $ETCD, $ETCDJ), jq and curl checked, the load generator
#                             built, `work` = a new /tmp/WORKPREFIX.XXXXXX, the members stopped on exit and Ctrl-C
#   build_etcdload            sets `load` to target/goload/etcdload, built when missing or older than its sources
#   pids=(...)                session leaders (setsid) of the running members, appended by the caller
#   stop_cluster              SIGTERM to each member's session, up to 10 s for a clean stop, then SIGKILL
#   member_procs, rss_mb, cpu_ms   the members' processes, summed VmRSS (MB), CPU so far (user + system, ms)
#   ports_busy FIRST [N]      does anything listen on the N (default 10) ports from FIRST?
bench_name=${bench_name:-$(basename "$0")}

bench_start() {
  etcd_bin=${ETCD:-/usr/bin/etcd}
  etcdj_bin=${ETCDJ:-$repo/bin/etcdj}
  command -v jq >/dev/null || { echo "$bench_name: jq is needed (apt-get install -y jq)" >&2; exit 2; }
  command -v curl >/dev/null || { echo "$bench_name: curl is needed" >&2; exit 2; }
  build_etcdload
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  echo "$bench_name: logs and results in $work" >&2
  trap 'stop_cluster' EXIT
  trap 'exit 130' INT TERM
}

# the load generator: built in GOPATH mode against Debian's etcd client (golang-etcd-server-dev)
build_etcdload() {
  local go_bin=${GO:-$(command -v go || echo /usr/bin/go)} gopath=${ETCDLOAD_GOPATH:-/usr/share/gocode}
  load="$repo/target/goload/etcdload"
  if [ ! -x "$load" ] || [ -n "$(find "$repo/bench/go/etcdload" -name '*.go' -newer "$load" -print -quit)" ]; then
    [ -d "$gopath/src/go.etcd.io/etcd/clientv3" ] || {
      echo "$bench_name: etcd's Go client is not in $gopath (apt-get install -y golang-etcd-server-dev, or set ETCDLOAD_GOPATH)" >&2
      exit 2; }
    echo "$bench_name: building $load ..." >&2
    mkdir -p "$repo/target/goload"
    (cd "$repo" && GOPATH="$gopath" GO111MODULE=off GOFLAGS= GOCACHE="${GOCACHE_DIR:-/tmp/etcdj-goload-cache}" \
      "$go_bin" build -o "$load" ./bench/go/etcdload)
  fi
}

pids=() # session leaders (setsid) of the running members; each member's whole session is signalled
stop_cluster() {
  local p i
  [ ${#pids[@]} -gt 0 ] || return 0
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for i in $(seq 1 100); do # up to 10 s for a clean stop, then kill
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# member_procs: every process of each member's session (a launcher script execs its JVM, but count any child too)
member_procs() {
  local p
  for p in "${pids[@]}"; do pgrep -s "$p" 2>/dev/null || true; done
}

# resident memory of the members, MB
rss_mb() {
  local kb=0 q v
  for q in $(member_procs); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$q/status" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  echo $((kb / 1024))
}

# CPU time (user + system, ms) used so far by the members' processes
cpu_ms() {
  local ticks=0 q v
  for q in $(member_procs); do
    v=$(awk '{print $14 + $15}' "/proc/$q/stat" 2>/dev/null || true)
    ticks=$((ticks + ${v:-0}))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

ports_busy() { # ports_busy FIRST [N]: does anything listen on the N (default 10) ports from FIRST?
  local p
  for ((p = $1; p < $1 + ${2:-10}; p++)); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0; done
  return 1
}
