#!/usr/bin/env bash
# Put latency while the server defragments a ~1 GiB store, for the real etcd 3.4 and bin/etcdj side by side
# (docs/benchmarks.md, "Defragment"):
#
#   scripts/bench-defrag.sh [--fill-mib 1024] [other LoadGenerator options]
#
# Each server, in turn, single member on a fresh data dir: fill --fill-mib MiB of 64 KiB values over a quarter as
# many keys, compact at the current revision, then one closed-loop put client (256-byte values) for a 5 s baseline
# and through a Defragment call. The table's latencies are the puts sent while the defragment ran; its note has the
# defragment's duration, the store size before and after, the baseline p50/p99 and the slowest put. Needs about
# 2 x --fill-mib of free disk under --work-dir (default $TMPDIR/etcdj-bench) and a few minutes per server.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/bench.sh" --workloads defrag --servers etcd,etcdj "$@"
