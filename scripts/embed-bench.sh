#!/usr/bin/env bash
# The embedded cluster's start-up and leak figures (issue 19), on demand: cold and warm 1-member start, 3 members to
# a leader, a new leader after the leader is killed, then N start/stop cycles (default 1000) printing threads, open
# file descriptors, heap and direct memory every 100. Usage: scripts/embed-bench.sh [cycles]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/lib/java.sh
mvn -q -B -o -pl api,raft,server,embed -am install -DskipTests >&2
mvn -q -B -o -pl embed test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test.classpath >&2
exec "$JAVA_HOME/bin/java" -Xmx512m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "embed/target/test-classes:embed/target/classes:$(cat embed/target/test.classpath)" \
  io.etcdj.embed.EmbedBench "${1:-1000}"
