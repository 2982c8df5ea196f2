#!/usr/bin/env bash
# The project's test command (README, .ci/run): unit tests, integration tests against real bin/etcdj processes,
# the embedded-cluster example, then etcd's own e2e tests listed in scripts/e2e-passing.txt. Prints one summary line
# per stage.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/lib/java.sh
echo "== unit and integration tests (mvn install: verify, then the artifacts into ~/.m2) with JAVA_HOME=$JAVA_HOME"
mvn -B -ntp install
echo "== the embedded-cluster example (examples/embedded: its own project, on the artifacts just installed)"
mvn -B -ntp -f examples/embedded/pom.xml test
if [ -x scripts/e2e.sh ] && [ -f scripts/e2e-passing.txt ] && grep -qv '^\s*\(#\|$\)' scripts/e2e-passing.txt; then
  echo "== training the members' start-up cache (JDK 25+; what bin/etcdj does after it builds)"
  scripts/aot-train.sh 2>&1 | tail -n 3 || echo "(training failed: the e2e tests run without the cache)"
  echo "== etcd e2e tests that pass against etcdj (scripts/e2e-passing.txt)"
  scripts/e2e.sh --list scripts/e2e-passing.txt
fi
