package io.etcdj.server.node;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.alarm.Alarms;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.auth.AuthStore;
import io.etcdj.server.cluster.ClusterIdentity;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.lease.LeaseConfig;
import io.etcdj.server.lease.Lessor;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccException;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.wal.WalDisk;
import io.etcdj.server.wal.WalOptions;
import io.etcdj.server.wal.WriteAheadLog;
import io.etcdj.server.watch.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One raft member for tests: its store, log and lessor in {@code dir}, on a {@link LocalNetwork}, fast ticks. */
final class TestMember implements AutoCloseable {
    static final long HEARTBEAT_MS = 10;
    static final long ELECTION_MS = 100;

    final MemberInfo info;
    final MvccStore store;
    final WriteAheadLog wal;
    final Lessor lessor;
    final MemberRegistry registry;
    final RaftMember raft;
    /** The cluster's alarms as this member applied them. */
    final Alarms alarms;

    private TestMember(
            MemberInfo info,
            MvccStore store,
            WriteAheadLog wal,
            Lessor lessor,
            MemberRegistry registry,
            RaftMember raft,
            Alarms alarms) {
        this.alarms = alarms;
        this.info = info;
        this.store = store;
        this.wal = wal;
        this.lessor = lessor;
        this.registry = registry;
        this.raft = raft;
    }

    /** Starts (or restarts) member {@code self} of {@code founders}; a fresh dir is bootstrapped with them. */
    static TestMember start(Path dir, MemberInfo self, List<MemberInfo> founders, LocalNetwork net, long snapshotCount)
            throws IOException {
        return start(dir, self, founders, net, snapshotCount, WalDisk.DIRECT);
    }

    /** The same, with its log written through {@code disk} (a disk that fails on demand). */
    static TestMember start(
            Path dir, MemberInfo self, List<MemberInfo> founders, LocalNetwork net, long snapshotCount, WalDisk disk)
            throws IOException {
        return start(dir, self, founders, net, snapshotCount, disk, new WalOptions(64 << 10, false));
    }

    /** The same, with the log's {@code options}. */
    static TestMember start(
            Path dir,
            MemberInfo self,
            List<MemberInfo> founders,
            LocalNetwork net,
            long snapshotCount,
            WalDisk disk,
            WalOptions options)
            throws IOException {
        MvccStore store = MvccStore.open(dir.resolve("db"));
        WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), options, disk);
        if (wal.lastIndex() == 0 && store.consistentIndex() == 0 && !founders.isEmpty()) {
            Bootstrap.found(wal, founders);
        }
        MemberRegistry registry = MemberRegistry.load(store, new ClusterIdentity(1, self, founders));
        Alarms alarms = Alarms.load(store);
        Lessor lessor = new Lessor(store, LeaseConfig.forElectionTimeout(ELECTION_MS), MonotonicClock.SYSTEM);
        RaftSettings settings =
                new RaftSettings(self.id(), HEARTBEAT_MS, ELECTION_MS, true, snapshotCount, 1 << 20, 10);
        RaftMember raft = RaftMember.start(
                settings,
                new RaftMember.Parts(
                        wal,
                        store,
                        new Applier(store, lessor, registry, alarms, AuthStore.empty()),
                        registry,
                        net.transport(RaftIds.of(self.id())),
                        lessorFollowsLeadership(lessor),
                        Ticker.scheduled("tick-" + self.name()),
                        null),
                0,
                null);
        return new TestMember(self, store, wal, lessor, registry, raft, alarms);
    }

    /** Hooks that promote the lessor when the member leads and demote it when it stops, as the server's do. */
    private static MemberHooks lessorFollowsLeadership(Lessor lessor) {
        return new MemberHooks() {
            @Override
            public void becameLeader() {
                lessor.promote();
            }

            @Override
            public void lostLeadership() {
                lessor.demote();
            }

            @Override
            public void removed() {}

            @Override
            public void installSnapshot(io.etcdj.raft.SnapshotMetadata meta, Path dir) throws IOException {
                MemberHooks.NONE.installSnapshot(meta, dir);
            }
        };
    }

    static MemberInfo info(long id, String name) {
        return new MemberInfo(id, name, List.of("http://" + name + ":2380"), List.of(), false);
    }

    static LogCommand putCommand(String key, String value) {
        return LogCommand.newBuilder()
                .setPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8(key))
                        .setValue(ByteString.copyFromUtf8(value)))
                .build();
    }

    CompletableFuture<Object> put(String key, String value) {
        return raft.propose(putCommand(key, value));
    }

    /** The value of {@code key} in this member's store, or null. */
    String get(String key) throws MvccException {
        var r = store.range(new KeyRange(key.getBytes(StandardCharsets.UTF_8), null), 0, 0, false);
        return r.kvs().isEmpty() ? null : r.kvs().get(0).getValue().toStringUtf8();
    }

    boolean isLeader() {
        return raft.status().leaderId() == info.id();
    }

    @Override
    public void close() throws IOException {
        raft.close();
        lessor.close();
        wal.close();
        store.close();
    }
}
