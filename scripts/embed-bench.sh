#!/usr/bin/env bash
# The embedded cluster's start-up and leak figures (issue 19), on demand. First a 1-member start in fresh JVMs, three
# each: plain; with a dynamic class-data archive (-XX:+AutoCreateSharedArchive: the first run writes it, later runs
# map it); with a JDK 25 AOT cache (one training run, -XX:AOTCacheOutput, then -XX:AOTCache). Then in one JVM: cold
# and warm 1-member start, 3 members to a leader, a new leader after the leader is killed, and N start/stop cycles
# (default 1000) printing threads, open file descriptors, heap and direct memory every 100.
# Timing runs take /tmp/etcdj-bench.lock when flock exists, so they do not overlap other benchmarks on the machine.
# Usage: scripts/embed-bench.sh [cycles]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/lib/java.sh
mvn -q -B -o -pl api,raft,server,embed -am install -DskipTests >&2
mvn -q -B -o -pl embed test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test.classpath >&2
# class-data archives accept jars only on the class path
work=$(mktemp -d /tmp/etcdj-coldbench.XXXXXX) # not etcdj-embed-*: the cycles count those
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/jar" cf "$work/bench.jar" -C embed/target/test-classes .
cp="$work/bench.jar:embed/target/etcdj-embed.jar:$(cat embed/target/test.classpath)"
java=("$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=error
  -cp "$cp")
lock=(); command -v flock >/dev/null && lock=(flock /tmp/etcdj-bench.lock)
cold() { "${lock[@]}" "${java[@]}" "$@" io.etcdj.embed.EmbedBench cold 2>&1 | grep 'cold JVM'; }
echo "== plain JVM"
for _ in 1 2 3; do cold; done
# C1 only: no C2 compiles competing for the 2nd core; a flag a surefire argLine can carry (class-data archives cannot
# serve Maven's target/*classes directories)
echo "== plain JVM, C1 only (-XX:TieredStopAtLevel=1)"
for _ in 1 2 3; do cold -XX:TieredStopAtLevel=1; done
echo "== dynamic class-data archive (first run writes it)"
for _ in 1 2 3 4; do cold -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$work/dyn.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off; done
if [ "$JAVA_MAJOR" -ge 25 ]; then
  echo "== JDK $JAVA_MAJOR AOT cache (after one training run)"
  cold -XX:AOTCacheOutput="$work/embed.aot" -Xlog:aot=off -Xlog:cds=off >/dev/null
  for _ in 1 2 3; do cold -XX:AOTCache="$work/embed.aot" -Xlog:aot=off -Xlog:cds=off; done
  echo "== AOT cache, C1 only"
  for _ in 1 2 3; do cold -XX:AOTCache="$work/embed.aot" -Xlog:aot=off -Xlog:cds=off -XX:TieredStopAtLevel=1; done
fi
echo "== one JVM"
exec "${lock[@]}" "${java[@]}" -XX:+UseSerialGC io.etcdj.embed.EmbedBench "${1:-1000}"
