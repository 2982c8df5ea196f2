#!/usr/bin/env bash
# A long soak of the whole-member simulation (server/src/test/java/io/etcdj/server/sim): SEEDS seeds (default 10000)
# from FIRST (default 1), in one JVM. A failing seed stops the soak and is printed with the command that replays it
# (-Detcdj.sim.seed=N prints its event trace). Extra arguments go to Maven (e.g. -o, -Dmaven.repo.local=...).
#   scripts/sim-soak.sh                  # seeds 1..10000
#   SEEDS=50000 FIRST=100000 scripts/sim-soak.sh -o
#   KEEP_GOING=true scripts/sim-soak.sh  # list every failing seed at the end instead of stopping at the first
# Needs the api and raft modules installed (mvn install -pl api,raft -DskipTests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/lib/java.sh
exec mvn -B -ntp -q "$@" test -pl server -Dtest=WholeMemberSimulationTest#seededRunsKeepEveryCheck \
  -Dsurefire.failIfNoSpecifiedTests=false -Detcdj.sim.seeds="${SEEDS:-10000}" -Detcdj.sim.firstSeed="${FIRST:-1}" \
  -Detcdj.sim.keepGoing="${KEEP_GOING:-false}"
