#!/usr/bin/env bash
# Side-by-side KV benchmark of the real etcd 3.4 and bin/etcdj on this machine.
#
#   scripts/bench.sh [LoadGenerator options]
#
# Builds the it module, then runs io.etcdj.it.bench.LoadGenerator, which starts each server in
# turn (single member, fresh temp data dir, loopback ports only), runs the same workloads
# against each (put with 1 client, put with 16 clients, linearizable single-key range with
# 16 clients; 256-byte values; 10 s each after a 2 s warm-up by default), and prints a table:
# server, workload, requests, errors, req/s, p50/p90/p99 latency in ms. It stops by itself.
#
# Options (all optional):
#   --servers etcd,etcdj         which servers to start (default both; etcdj is skipped with a
#                                note when bin/etcdj does not exist yet)
#   --endpoint 127.0.0.1:PORT[,...] benchmark already running members instead (--label NAME)
#   --workloads put1,put16,range16   (also putN / rangeN; on demand: keepalive1, keepalive1000, revoke100k;
#                                    see it/.../bench/LeaseWorkloads.java; defrag: put latency during a
#                                    defragment of a --fill-mib 1024 store, see scripts/bench-defrag.sh)
#   --duration-seconds 10  --warmup-seconds 2  --max-requests 2000000
#   --value-size-bytes 256  --key-space 100000  --connections 1  --work-dir DIR
#   --members 3                  a cluster of N members per server (connection i goes to member i mod N)
#   watch workloads (on demand, not in the default set): --workloads watch-latency,watch-memory,watch-flood
#     --watchers 1000 --watchers-per-stream 100 --put-rate 200 (latency: put ack -> event arrival)
#     --idle-watchers 10000 (memory: the server's VmRSS before and after, per watcher; flood: that many
#     watchers that stop reading, on the prefix 16 full-speed writers put to)
#
# Both the servers and the load generator share this machine's cores, so compare the servers
# with each other, not with etcd's published figures.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    local v; v=$(java_major "$c")
    [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null && { echo "$c"; return 0; }
  done
  return 1
}
JAVA_HOME=$(pick_jdk) || { echo "bench.sh: no JDK >= 21 found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2; exit 2; }
export JAVA_HOME
command -v mvn >/dev/null || { echo "bench.sh: Maven (mvn) is needed to build the load generator: apt-get install -y maven" >&2; exit 2; }
[ -x /usr/bin/etcd ] || echo "bench.sh: note: /usr/bin/etcd missing (apt-get install -y etcd-server); --servers etcd will fail" >&2

cp_file="$repo/it/target/runtime-classpath.txt"
# build only when a source changed since the last build: a rebuild rewrites the jars, which would also throw
# away bin/etcdj's trained AOT cache (scripts/aot-train.sh)
if [ ! -f "$cp_file" ] || [ -n "$(find "$repo/api/src" "$repo/raft/src/main" "$repo/server/src/main" "$repo/it/src/main" \
    "$repo"/pom.xml "$repo"/*/pom.xml -newer "$cp_file" -print -quit 2>/dev/null)" ]; then
  echo "bench.sh: building the load generator (JDK $JAVA_HOME)..." >&2
  (cd "$repo" && mvn -q -B -pl it -am package -DskipTests) >&2
  touch "$cp_file" "$repo/server/target/launcher.classpath" # both only rewritten when they change
fi
[ -f "$cp_file" ] || { echo "bench.sh: $cp_file was not written by the build" >&2; exit 2; }
jvm_flags=(-Xmx1g -XX:+UseParallelGC)
# protobuf-java still uses sun.misc.Unsafe; JDK 23+ warns about it unless told otherwise
[ "$(java_major "$JAVA_HOME" | cut -d. -f1)" -ge 23 ] && jvm_flags+=(--sun-misc-unsafe-memory-access=allow)
cd "$repo"
exec "$JAVA_HOME/bin/java" "${jvm_flags[@]}" \
  -cp "$repo/it/target/classes:$(cat "$cp_file")" io.etcdj.it.bench.LoadGenerator "$@"
