#!/usr/bin/env bash
# Runs etcd 3.4's own end-to-end suite (tests/e2e from Debian's golang-etcd-server-dev)
# against bin/etcdj, or with --real against the real /usr/bin/etcd.
#
#   scripts/e2e.sh [--real] [--list FILE] [TestName ...]
#
# The tests named on the command line and in FILE (one per line, '#' starts a comment)
# run in ONE invocation of the compiled suite with an anchored -test.run regex. The verbose
# output goes to a log file; the script prints one PASS/FAIL/SKIP line per test and then
# exactly one line "N passed, M failed" (a SKIP counts as failed: a listed test must run).
# It exits non-zero when M > 0. Against etcdj, a test listed in scripts/e2e-superseded.txt (it checks
# something etcd 3.6 changed, and etcdj answers as 3.6) is not run: it gets a SUPERSEDED line with
# the list's reason, and the summary counts it apart.
#
# Environment:
#   E2E_TIMEOUT   go test timeout for the whole run (default 40m). A server that never
#                 prints its ready lines hangs the harness until this fires.
#   E2E_LOG       where the -test.v output goes (default <repo>/target/e2e/e2e-<mode>.log)
#   E2E_FAIL_LINES  how many of a failed test's last output lines to show (default 15)
#   E2E_CACHE     cache directory (default /tmp/etcdj-e2e); the suite binary is cached there
#                 as e2e.test and rebuilt only when missing (delete it to rebuild).
#
# Harness facts that matter for a server under test (read from tests/e2e and pkg/expect):
#   - the server is started through a pty with stdout+stderr merged; readiness is two output
#     LINES each containing "enabled capabilities for version" or "published". There is no
#     start-up deadline: a server that never prints them hangs the run until E2E_TIMEOUT.
#   - the harness stops servers with SIGKILL by default (some tests use SIGINT/SIGTERM), so
#     the launcher must `exec` the JVM: the signal has to reach the server process itself.
#   - it runs from tests/e2e: some tests use paths relative to it (../../etcd.conf.yml.sample,
#     the JWT keys in ../../integration/fixtures); -cert-dir names integration/fixtures.
#   - default clusters are 3 members on localhost ports 20000+, so only one run at a time
#     per machine: this script takes a lock (flock) on the cache directory.
#   - TestMain unsets ETCDCTL_API and sets ETCD_UNSUPPORTED_ARCH in the environment.
set -euo pipefail

die() { echo "e2e.sh: $*" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
etcd_src=${ETCD_SRC:-/usr/share/gocode/src/go.etcd.io/etcd}
gopath=${ETCD_GOPATH:-/usr/share/gocode}
cache=${E2E_CACHE:-/tmp/etcdj-e2e}
timeout=${E2E_TIMEOUT:-40m}

real=0
tests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --real) real=1; shift ;;
    --list)
      [ $# -ge 2 ] || die "--list needs a file"
      [ -f "$2" ] || die "list file not found: $2"
      while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        line=$(echo "$line" | tr -d '[:space:]')
        [ -n "$line" ] && tests+=("$line")
      done < "$2"
      shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option: $1 (usage: scripts/e2e.sh [--real] [--list FILE] [TestName ...])" ;;
    *) tests+=("$1"); shift ;;
  esac
done

# De-duplicate, keeping order; only top-level test names (a '/' would split go's -run regex).
declare -A seen=()
uniq_tests=()
for t in "${tests[@]+"${tests[@]}"}"; do
  [[ "$t" =~ ^Test[A-Za-z0-9_]+$ ]] || die "not a top-level Go test name: '$t'"
  [ -n "${seen[$t]+x}" ] && continue
  seen[$t]=1
  uniq_tests+=("$t")
done
if [ ${#uniq_tests[@]} -eq 0 ]; then
  echo "e2e.sh: no tests selected"
  echo "0 passed, 0 failed"
  exit 0
fi

# --- prerequisites -------------------------------------------------------------------------
missing=()
command -v go >/dev/null 2>&1 || missing+=("golang-go (the Go toolchain)")
[ -d "$etcd_src/tests/e2e" ] || missing+=("golang-etcd-server-dev (etcd 3.4 source in $etcd_src)")
[ -x /usr/bin/etcdctl ] || missing+=("etcd-client (/usr/bin/etcdctl)")
[ "$real" = 1 ] && { [ -x /usr/bin/etcd ] || missing+=("etcd-server (/usr/bin/etcd)"); }
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e.sh: missing prerequisites:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "install them with: apt-get update && apt-get install -y golang-go golang-etcd-server-dev etcd-client etcd-server" >&2
  exit 2
fi
if [ "$real" = 0 ] && [ ! -x "$repo/bin/etcdj" ]; then
  die "$repo/bin/etcdj not found or not executable (build the server first, or use --real to run against /usr/bin/etcd)"
fi

mkdir -p "$cache"
exec 9>"$cache/lock"
if ! flock -n 9; then
  echo "e2e.sh: another e2e run holds $cache/lock (the suite uses fixed ports); waiting for it..." >&2
  flock 9
fi

# --- the suite binary, built once -----------------------------------------------------------
suite="$cache/e2e.test"
if [ ! -x "$suite" ]; then
  echo "e2e.sh: building etcd's e2e suite into $suite (once; about 30 s)..." >&2
  (cd "$etcd_src/tests/e2e" &&
     GOPATH="$gopath" GO111MODULE=off GOFLAGS= GOCACHE="${GOCACHE:-$cache/gocache}" \
       go test -c -o "$suite.tmp" .) || die "building the e2e suite failed (see the go output above)"
  mv "$suite.tmp" "$suite"
fi

# --- BIN_DIR: etcd (our launcher, or the real one) and etcdctl -------------------------------
mode=etcdj
[ "$real" = 1 ] && mode=real
bindir=$(mktemp -d "$cache/bin-$mode.XXXXXX")
run_id=$(basename "$bindir")
kill_leftovers() {
  # Kill only what this run started: every process still carrying our run id in its
  # environment (the harness's etcd/etcdctl children inherit it), e.g. after a timeout panic,
  # or the cluster a failed test left running (a t.Fatal before its Close) on the fixed ports.
  local p
  for env in /proc/[0-9]*/environ; do
    p=${env#/proc/}; p=${p%/environ}
    [ "$p" = "$$" ] && continue
    if { tr '\0' '\n' < "$env"; } 2>/dev/null | grep -qx "ETCDJ_E2E_RUN=$run_id"; then
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
}
cleanup() {
  kill_leftovers
  rm -rf "$bindir"
}
trap cleanup EXIT
if [ "$real" = 1 ]; then
  printf '#!/bin/sh\nexec /usr/bin/etcd "$@"\n' > "$bindir/etcd"
else
  printf '#!/bin/sh\nexec "%s/bin/etcdj" "$@"\n' "$repo" > "$bindir/etcd"
fi
chmod +x "$bindir/etcd"
ln -s /usr/bin/etcdctl "$bindir/etcdctl"

log=${E2E_LOG:-$repo/target/e2e/e2e-$mode.log}
mkdir -p "$(dirname "$log")"

# Tests whose harness waits a fixed time instead of on a condition (scripts/e2e-timing-sensitive.txt, with reasons).
# Against etcdj each runs alone after the others, in its own invocation, with whatever it left running killed
# afterwards: such a test that fails can leave its cluster on the fixed ports (its Close comes after the failed
# check), and every later test then fails to start its own (CI once lost 12 curl tests that way). One that fails is
# run again, up to twice, and reported as passing on retry only if a retry passes.
timing_list="$repo/scripts/e2e-timing-sensitive.txt"
timing_sensitive() {
  [ -f "$timing_list" ] && sed 's/#.*//' "$timing_list" | tr -d '[:blank:]' | grep -qx "$1"
}
# Tests of etcd 3.4 behaviour that etcd 3.6 changed (scripts/e2e-superseded.txt, one reason per test).
superseded_list="$repo/scripts/e2e-superseded.txt"
superseded_reason() { # prints the reason when $1 is listed, else fails
  [ "$real" = 0 ] && [ -f "$superseded_list" ] || return 1
  awk -v t="$1" '{line = $0; sub(/#.*/, "", line); gsub(/[[:blank:]]/, "", line)} line == t {
    r = $0; sub(/^[^#]*#[[:blank:]]*/, "", r); print r; found = 1; exit} END {exit !found}' "$superseded_list"
}
main_tests=()
alone_tests=()
declare -A superseded=()
for t in "${uniq_tests[@]}"; do
  if reason=$(superseded_reason "$t"); then superseded[$t]="$reason"; continue; fi
  if [ "$real" = 0 ] && timing_sensitive "$t"; then alone_tests+=("$t"); else main_tests+=("$t"); fi
done
regex="^($(IFS='|'; echo "${main_tests[*]+"${main_tests[*]}"}"))\$"

# --- per-test results -----------------------------------------------------------------------
fail_lines=${E2E_FAIL_LINES:-15}
excerpt() { # excerpt TEST [LOG]
  # The last $fail_lines lines the suite printed for test $1, indented under its FAIL line.
  awk -v t="$1" '$0 == "=== RUN   " t {on = 1; next} on && /^(=== RUN   Test|--- (PASS|FAIL|SKIP): Test)/ {on = 0} on' "${2:-$log}" |
    tail -n "$fail_lines" | sed 's/^/    | /'
}
result_in() { # result_in TEST LOG: PASS, FAIL, SKIP or nothing
  grep -E "^--- (PASS|FAIL|SKIP): $1 \(" "$2" | tail -n 1 | awk '{print $2}' | tr -d ':' || true
}
echo "e2e.sh: running ${#uniq_tests[@]} test(s) against $mode (timeout $timeout); log: $log" >&2
run_suite() { # run_suite LOG REGEX: one invocation of the compiled suite; returns its exit code
  (cd "$etcd_src/tests/e2e" &&
     ETCDJ_E2E_RUN="$run_id" "$suite" -test.v -test.timeout "$timeout" -test.run "$2" \
       -bin-dir "$bindir" -cert-dir "$etcd_src/integration/fixtures") > "$1" 2>&1
}
set +e
suite_rc=0
if [ ${#main_tests[@]} -gt 0 ]; then
  run_suite "$log" "$regex"
  suite_rc=$?
else
  : > "$log"
fi
kill_leftovers
declare -A alone_log=()
for t in "${alone_tests[@]+"${alone_tests[@]}"}"; do
  for attempt in 0 1 2; do
    alone_log[$t]="$log.alone-$t-$attempt"
    run_suite "${alone_log[$t]}" "^$t\$"
    kill_leftovers
    [ "$(result_in "$t" "${alone_log[$t]}")" = PASS ] && break
  done
done
set -e

passed=0
failed=0
for t in "${uniq_tests[@]}"; do
  if [ -n "${superseded[$t]+x}" ]; then
    echo "SUPERSEDED $t (not run: ${superseded[$t]})"
    continue
  fi
  # Top-level results are unindented: "--- PASS: TestX (1.23s)".
  tlog=${alone_log[$t]-$log}
  result=$(result_in "$t" "$tlog")
  if [ -n "${alone_log[$t]+x}" ] && [ "$result" = PASS ] && [ "${tlog##*-}" != 0 ]; then
    echo "PASS $t (on retry ${tlog##*-}: timing-sensitive harness, scripts/e2e-timing-sensitive.txt; first try:)"
    excerpt "$t" "$log.alone-$t-0"
    result=RETRIED
  fi
  case "$result" in
    PASS) echo "PASS $t"; passed=$((passed + 1)) ;;
    RETRIED) passed=$((passed + 1)) ;;
    FAIL) echo "FAIL $t"; excerpt "$t" "$tlog"; failed=$((failed + 1)) ;;
    SKIP) echo "FAIL $t (skipped by the suite; the reason is in $log)"; failed=$((failed + 1)) ;;
    *)
      if grep -q "^=== RUN   $t\$" "$tlog"; then
        echo "FAIL $t (no result: the suite died while it ran, e.g. timeout $timeout; see $tlog)"
        excerpt "$t" "$tlog"
      else
        echo "FAIL $t (never ran: no such test in etcd 3.4's e2e suite, or the suite died earlier)"
      fi
      failed=$((failed + 1)) ;;
  esac
done
if [ "$suite_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # e.g. etcd's leaked-goroutine check after all tests passed
  echo "e2e.sh: note: the suite exited $suite_rc although every selected test passed; see $log" >&2
fi
if [ ${#superseded[@]} -gt 0 ]; then
  echo "$passed passed, $failed failed (${#superseded[@]} superseded by etcd 3.6: scripts/e2e-superseded.txt)"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
