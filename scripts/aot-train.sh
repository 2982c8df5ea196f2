#!/usr/bin/env bash
# Trains the ahead-of-time cache bin/etcdj starts members from (JDK 25+, JEP 483/514/515): runs a 3-member cluster on
# loopback under io.etcdj.server.training.TrainingLoad (gRPC puts, ranges, txns, deletes, leases, watches, status,
# and the JSON gateway over new TLS and plain connections) for about 40 s, stops it, and keeps what member 1's JVM
# recorded (classes loaded and linked, and the JIT's method profiles) in server/target/etcdj-<jdk>.aot.
# bin/etcdj runs this by itself after it builds the server; scripts/test.sh runs it after `mvn verify`. A member
# started from the cache reaches full speed in seconds instead of the ~30 s of load a fresh JVM needs.
# The cache belongs to the jars it was trained on: bin/etcdj ignores it once a jar is newer.
#
#   scripts/aot-train.sh [--seconds-per-phase 3]
# Exits 0 without doing anything on a JDK older than 25 (bin/etcdj keeps its class-data sharing archive there).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/bin/lib/java.sh"
seconds=3
[ "${1:-}" = "--seconds-per-phase" ] && seconds=${2:?}
if [ "$JAVA_MAJOR" -lt 25 ]; then
  echo "aot-train.sh: JDK $JAVA_MAJOR has no AOT cache with profiles (25+); bin/etcdj keeps its CDS archive" >&2
  exit 0
fi
stamp="$repo/server/target/launcher.classpath"
if [ ! -f "$stamp" ]; then
  (cd "$repo" && mvn -q -B -DskipTests -pl api,raft,server package >&2)
fi
cache="$repo/server/target/etcdj-$JAVA_MAJOR.aot"
rm -f "$cache"

work=$(mktemp -d /tmp/etcdj-aot-train.XXXXXX)
base=$((20000 + RANDOM % 20000))
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}t$i=http://127.0.0.1:$((base + 10 + i))"; done
pids=()
stop_members() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do
    # member 1's JVM writes the cache as it exits: give it time
    for _ in $(seq 240); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  done
}
trap 'stop_members; rm -rf "$work"' EXIT
endpoints=""
for i in 1 2 3; do
  client=127.0.0.1:$((base + i)); peer=http://127.0.0.1:$((base + 10 + i))
  endpoints+="${endpoints:+,}$client"
  urls="http://$client"
  output=()
  if [ "$i" = 1 ]; then
    urls+=",https://127.0.0.1:$((base + 20))" # the TLS and HTTP/2 paths, as curl and TLS clients take them
    output=("ETCDJ_AOT_OUTPUT=$work/m1.aot")
  fi
  env "${output[@]}" ETCDJ_AOT=off "$repo/bin/etcdj" --name "t$i" --data-dir "$work/t$i" \
    --listen-client-urls "$urls" --advertise-client-urls "http://$client" --auto-tls \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "$cluster" \
    --initial-cluster-token aot-train >"$work/m$i.log" 2>&1 &
  pids+=($!)
done
ready=0
for _ in $(seq 240); do
  # the line etcd prints once the member joined its cluster (e2e harnesses wait for it too)
  grep -q "published" "$work/m1.log" 2>/dev/null && { ready=1; break; }
  sleep 0.5
done
[ "$ready" = 1 ] || { echo "aot-train.sh: the training cluster did not become ready; member 1's log: $work/m1.log" >&2; tail -5 "$work/m1.log" >&2; trap - EXIT; stop_members; exit 1; }
flags=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
[ "$JAVA_MAJOR" -ge 24 ] && flags+=(--sun-misc-unsafe-memory-access=allow)
"$JAVA_HOME/bin/java" "${flags[@]}" \
  -cp "$repo/server/target/etcdj-server.jar:$repo/raft/target/etcdj-raft.jar:$repo/api/target/etcdj-api.jar:$(cat "$stamp")" \
  io.etcdj.server.training.TrainingLoad "$endpoints" "https://127.0.0.1:$((base + 20))" "$seconds" >&2
echo "aot-train.sh: stopping the members (member 1 writes its cache as it exits)..." >&2
stop_members
pids=()
[ -s "$work/m1.aot" ] || { echo "aot-train.sh: no cache was written; member 1's log: $work/m1.log" >&2; tail -5 "$work/m1.log" >&2; trap - EXIT; exit 1; }
mv "$work/m1.aot" "$cache"
echo "aot-train.sh: wrote server/target/etcdj-$JAVA_MAJOR.aot ($(du -h "$cache" | cut -f1)); bin/etcdj starts members from it" >&2
