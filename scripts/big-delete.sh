#!/usr/bin/env bash
# Issue 17's first measurement, on demand: a store of --fill-mib MiB (default 1024) of 1 KiB values, then one
# request that deletes every key (what `etcdctl del --prefix ''` sends), then every member stopped and started again
# on its data. For the real etcd 3.4 and bin/etcdj side by side, on fresh members with default flags (a quota large
# enough for the fill):
#
#   scripts/big-delete.sh [--members 1|3] [--fill-mib 1024] [--servers etcd,etcdj] [other LoadGenerator options]
#
# One row per server for the delete (its latency is the delete's; the note says how many keys went, how many are
# left, and that a put after it works) and one for the restart (time to ready; the note says the store came back
# holding only the key put after the delete). Needs ~3 x --fill-mib of free disk under --work-dir per member and a
# few minutes per server. A scaled-down version runs in CI: it/src/test/java/io/etcdj/it/BigDeleteTest.java.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/bench.sh" --workloads bigdelete --servers etcd,etcdj "$@"
