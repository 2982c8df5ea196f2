package io.etcdj.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.HashKVResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ConsensusStatus;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.StoreHash;
import io.etcdj.server.transport.PeerHashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corruption checks' decisions, with peers that answer whatever hash a test gives them. */
class CorruptionCheckTest {
    private static final MemberInfo SELF = new MemberInfo(1, "m1", List.of("http://a"), List.of(), false);
    private static final MemberInfo PEER = new MemberInfo(2, "m2", List.of("http://b"), List.of(), false);
    private static final MemberInfo DOWN = new MemberInfo(3, "m3", List.of("http://c"), List.of(), false);

    @TempDir
    Path dir;

    MvccStore store;
    final List<LogCommand> proposed = new ArrayList<>();
    final Consensus log = new Consensus() {
        @Override
        public CompletableFuture<Object> propose(LogCommand command) {
            proposed.add(command);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> readBarrier() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public ConsensusStatus status() {
            return new ConsensusStatus(SELF.id(), 2, 0, 0, false);
        }

        @Override
        public void close() {}
    };

    @BeforeEach
    void open() throws Exception {
        store = MvccStore.open(dir.resolve("db"));
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put("k".getBytes(StandardCharsets.UTF_8), ByteString.copyFromUtf8("v"), 0);
            txn.commit(1);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A member whose peer PEER answers with {@code peerAnswer} (given the local hash) and DOWN cannot answer. */
    private CorruptionCheck.Self self(Function<StoreHash.KvHash, HashKVResponse> peerAnswer) {
        return new CorruptionCheck.Self(SELF.id(), SELF.name(), () -> List.of(SELF, PEER, DOWN), (members, rev) -> {
            assertEquals(List.of(PEER, DOWN), members, "every member but this one");
            StoreHash.KvHash local;
            try {
                local = StoreHash.kv(store, rev);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return List.of(
                    new PeerHashes.Answer(PEER, peerAnswer.apply(local), null),
                    new PeerHashes.Answer(DOWN, null, EtcdError.FUTURE_REV.asException()));
        });
    }

    private static HashKVResponse answer(long revision, int hash, long compactRevision) {
        return HashKVResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(revision))
                .setHash(hash)
                .setCompactRevision(compactRevision)
                .build();
    }

    @Test
    void initialCheckPassesWhenPeersAgreeOrCannotAnswer() throws Exception {
        CorruptionCheck.initial(store, self(h -> answer(h.revision(), h.hash(), h.compactRevision())));
    }

    @Test
    void initialCheckRefusesADifferentHashAtTheSameCompactionRevision() {
        var e = assertThrows(
                CorruptionCheck.DivergedException.class,
                () -> CorruptionCheck.initial(
                        store, self(h -> answer(h.revision(), h.hash() + 1, h.compactRevision()))));
        assertTrue(
                e.getMessage().startsWith("member 1 (m1) found data inconsistency with 1 peer(s) at revision 2"),
                e.getMessage());
    }

    @Test
    void initialCheckSkipsAPeerWithAnotherCompactionRevision() throws Exception {
        CorruptionCheck.initial(store, self(h -> answer(h.revision(), h.hash() + 1, h.compactRevision() + 1)));
    }

    @Test
    void leaderRaisesCorruptForTheMemberThatDiverges() throws Exception {
        CorruptionCheck.checkAsLeader(
                store, self(h -> answer(h.revision(), h.hash() + 1, h.compactRevision())), log, 1000);
        assertEquals(
                List.of(LogCommand.newBuilder()
                        .setAlarm(AlarmRequest.newBuilder()
                                .setAction(AlarmRequest.AlarmAction.ACTIVATE)
                                .setMemberID(PEER.id())
                                .setAlarm(AlarmType.CORRUPT))
                        .build()),
                proposed);
    }

    @Test
    void leaderRaisesCorruptForAMemberAheadOfIt() throws Exception {
        CorruptionCheck.checkAsLeader(
                store, self(h -> answer(h.revision() + 1, h.hash(), h.compactRevision())), log, 1000);
        assertEquals(1, proposed.size());
    }

    @Test
    void leaderRaisesNothingWhenEveryoneAgrees() throws Exception {
        CorruptionCheck.checkAsLeader(store, self(h -> answer(h.revision(), h.hash(), h.compactRevision())), log, 1000);
        assertEquals(List.of(), proposed);
    }
}
