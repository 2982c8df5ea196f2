#!/usr/bin/env bash
# Trains an ahead-of-time cache for bin/etcdj (JDK 25+, JEP 483/514/515): runs a 3-member cluster on loopback
# under the load generator's put and range workloads for about a minute, stops it, and keeps what one member's
# JVM recorded (loaded and linked classes, and the JIT's method profiles) in server/target/etcdj-<jdk>.aot.
# bin/etcdj uses that file when it exists, instead of its class-data sharing archive: a member then reaches its
# steady-state throughput in seconds instead of the ~30 s of load a fresh JVM needs (docs/benchmarks.md).
# The cache belongs to the jars it was trained on: bin/etcdj deletes it when it rebuilds the server.
#
#   scripts/aot-train.sh [--seconds-per-workload 8]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/bin/lib/java.sh"
seconds=8
[ "${1:-}" = "--seconds-per-workload" ] && seconds=${2:?}
if [ "$JAVA_MAJOR" -lt 25 ]; then
  echo "aot-train.sh: needs JDK 25 or newer (found $JAVA_MAJOR at $JAVA_HOME); bin/etcdj keeps its CDS archive" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "aot-train.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }

echo "aot-train.sh: building the server and the load generator..." >&2
(cd "$repo" && mvn -q -B -pl it -am package -DskipTests >&2)
rm -f "$repo"/server/target/etcdj-*.aot
# just built: neither bin/etcdj nor scripts/bench.sh may rebuild (that would drop the cache)
touch "$repo/server/target/launcher.classpath" "$repo/it/target/runtime-classpath.txt"

work=$(mktemp -d /tmp/etcdj-aot-train.XXXXXX)
base=$((20000 + RANDOM % 20000))
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}t$i=http://127.0.0.1:$((base + 10 + i))"; done
pids=()
stop_members() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do
    # the JVM writes the cache as it exits: give it time
    for _ in $(seq 240); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  done
}
trap 'stop_members; rm -rf "$work"' EXIT
endpoints=""
for i in 1 2 3; do
  client=127.0.0.1:$((base + i)); peer=http://127.0.0.1:$((base + 10 + i))
  endpoints+="${endpoints:+,}$client"
  ETCDJ_AOT_OUTPUT="$work/m$i.aot" "$repo/bin/etcdj" --name "t$i" --data-dir "$work/t$i" \
    --listen-client-urls "http://$client" --advertise-client-urls "http://$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "$cluster" \
    --initial-cluster-token aot-train >"$work/m$i.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 240); do
  curl -fsS "http://127.0.0.1:$((base + 1))/health" 2>/dev/null | grep -q '"true"' && break
  sleep 0.5
done
flags=(-Xmx1g -XX:+UseParallelGC)
[ "$JAVA_MAJOR" -ge 24 ] && flags+=(--sun-misc-unsafe-memory-access=allow)
"$JAVA_HOME/bin/java" "${flags[@]}" -cp "$repo/it/target/classes:$(cat "$repo/it/target/runtime-classpath.txt")" \
  io.etcdj.it.bench.LoadGenerator --endpoint "$endpoints" --label training --connections 3 \
  --workloads put1,put16,range64,srange64,put1 --duration-seconds "$seconds" --warmup-seconds 2 >&2
echo "aot-train.sh: stopping the members (each JVM writes its cache as it exits)..." >&2
stop_members
pids=()
[ -s "$work/m1.aot" ] || { echo "aot-train.sh: no cache was written; member 1's log: $work/m1.log" >&2; tail -5 "$work/m1.log" >&2; trap - EXIT; exit 1; }
mv "$work/m1.aot" "$repo/server/target/etcdj-$JAVA_MAJOR.aot"
echo "aot-train.sh: wrote server/target/etcdj-$JAVA_MAJOR.aot ($(du -h "$repo/server/target/etcdj-$JAVA_MAJOR.aot" | cut -f1)); bin/etcdj uses it from now on" >&2
