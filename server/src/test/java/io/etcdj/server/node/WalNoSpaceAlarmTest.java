package io.etcdj.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.api.etcdserverpb.AlarmMember;
import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.etcdserverpb.PutResponse;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.wal.FailingDisk;
import io.etcdj.server.wal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under one member's log raises the cluster's NOSPACE alarm for that member, whether it follows or leads
 * (a leader first hands leadership over): every member then refuses writes with NOSPACE and serves reads. Once the
 * disk has room again the member catches up and shows the alarm too; after an operator disarms it, writes are taken
 * again and nothing acknowledged is lost.
 */
class WalNoSpaceAlarmTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Small preallocated segments, so that a new one is needed after a few writes. */
    private static final WalOptions OPTIONS = new WalOptions(16 << 10, true);

    private static final String VALUE = "x".repeat(1024);

    @TempDir
    Path dir;

    private final LocalNetwork net = new LocalNetwork();
    private final List<TestMember> members = new ArrayList<>();
    private final List<FailingDisk> disks = new ArrayList<>();
    /** Keys whose put was acknowledged, and their values. */
    private final Map<String, String> acknowledged = new LinkedHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (TestMember m : members) {
            m.close();
        }
    }

    @Test
    void aFollowersFullDiskRaisesTheAlarmOnEveryMember() throws Exception {
        startThree();
        TestMember leader = leader();
        TestMember full = members.stream().filter(m -> m != leader).findFirst().orElseThrow();
        put(leader, "before", "v");

        disks.get(members.indexOf(full)).failGrowth(FailingDisk.enospc());
        for (int i = 0; i < 200 && !full.raft.diskFull(); i++) {
            put(leader, "k" + i, VALUE); // the other two commit it; the full member's append fails in the end
        }
        assertTrue(full.raft.diskFull(), "the follower's disk fills");

        assertAlarmedEverywhereElse(full);
        assertWritesRefusedAndReadsServed();
        recoverAndDisarm(full);
    }

    @Test
    void aLeadersFullDiskHandsLeadershipOverAndRaisesTheAlarm() throws Exception {
        startThree();
        TestMember full = leader();
        put(full, "before", "v");

        disks.get(members.indexOf(full)).failGrowth(FailingDisk.enospc());
        Map<String, CompletableFuture<Object>> waiting = new LinkedHashMap<>();
        for (int i = 0; i < 200 && !full.raft.diskFull(); i++) {
            CompletableFuture<Object> f = full.put("k" + i, VALUE);
            waiting.put("k" + i, f);
            try {
                f.get(200, TimeUnit.MILLISECONDS); // writes go through until the leader's segment is full
            } catch (TimeoutException e) {
                // this one waits for the disk
            }
        }
        assertTrue(full.raft.diskFull(), "the leader's disk fills");

        for (TestMember m : members) {
            if (m != full) {
                Conditions.await(WAIT, "another member leads, as " + m.info.name() + " sees it", () -> {
                    long l = m.raft.status().leaderId();
                    return l != 0 && l != full.info.id();
                });
            }
        }
        assertAlarmedEverywhereElse(full);
        assertWritesRefusedAndReadsServed();

        disks.get(members.indexOf(full)).heal();
        for (var e : waiting.entrySet()) {
            try {
                if (e.getValue().get(WAIT.toMillis(), TimeUnit.MILLISECONDS) instanceof PutResponse) {
                    acknowledged.put(e.getKey(), VALUE);
                }
            } catch (ExecutionException refused) {
                // not acknowledged (the leader changed, or the alarm refused it): it may or may not be there
            }
        }
        recoverAndDisarm(full);
    }

    private void startThree() throws Exception {
        List<MemberInfo> infos = List.of(TestMember.info(1, "a"), TestMember.info(2, "b"), TestMember.info(3, "c"));
        for (MemberInfo info : infos) {
            FailingDisk disk = new FailingDisk();
            disks.add(disk);
            members.add(TestMember.start(dir.resolve(info.name()), info, infos, net, 1000, disk, OPTIONS));
        }
        Conditions.await(WAIT, "the members agree on a leader", () -> {
            long l = members.get(0).raft.status().leaderId();
            return l != 0 && members.stream().allMatch(m -> m.raft.status().leaderId() == l);
        });
    }

    private TestMember leader() {
        long l = members.get(0).raft.status().leaderId();
        return members.stream().filter(m -> m.info.id() == l).findFirst().orElseThrow();
    }

    private void put(TestMember via, String key, String value) throws Exception {
        assertInstanceOf(PutResponse.class, get(via.put(key, value)));
        acknowledged.put(key, value);
    }

    private void assertAlarmedEverywhereElse(TestMember full) throws Exception {
        AlarmMember alarm = AlarmMember.newBuilder()
                .setMemberID(full.info.id())
                .setAlarm(AlarmType.NOSPACE)
                .build();
        for (TestMember m : members) {
            if (m != full) {
                Conditions.await(
                        WAIT,
                        "member " + m.info.name() + " has the NOSPACE alarm of " + full.info.name(),
                        () -> m.alarms.active().contains(alarm));
            }
        }
    }

    private void assertWritesRefusedAndReadsServed() throws Exception {
        for (TestMember m : members) {
            assertNoSpace(m.put("refused-" + m.info.name(), "v"));
            assertEquals("v", m.get("before"), "member " + m.info.name() + " serves reads");
        }
    }

    private void recoverAndDisarm(TestMember full) throws Exception {
        disks.get(members.indexOf(full)).heal();
        Conditions.await(WAIT, "the member has space again", () -> !full.raft.diskFull());
        Conditions.await(WAIT, "the recovered member shows the alarm", full.alarms::noSpace);
        assertNoSpace(full.put("still-refused", "v")); // the alarm stays until an operator disarms it

        LogCommand disarm = LogCommand.newBuilder()
                .setAlarm(AlarmRequest.newBuilder()
                        .setAction(AlarmRequest.AlarmAction.DEACTIVATE)
                        .setMemberID(full.info.id())
                        .setAlarm(AlarmType.NOSPACE))
                .build();
        get(full.raft.propose(disarm));
        for (TestMember m : members) {
            Conditions.await(
                    WAIT,
                    "member " + m.info.name() + " has no alarm",
                    () -> m.alarms.active().isEmpty());
        }
        for (TestMember m : members) {
            put(m, "after-" + m.info.name(), "v");
        }
        for (TestMember m : members) {
            Conditions.await(
                    WAIT, "member " + m.info.name() + " holds every acknowledged write", () -> holdsAcknowledged(m));
        }
    }

    private boolean holdsAcknowledged(TestMember m) {
        try {
            for (var e : acknowledged.entrySet()) {
                if (!e.getValue().equals(m.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        } catch (io.etcdj.server.mvcc.MvccException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object get(CompletableFuture<?> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void assertNoSpace(CompletableFuture<?> f) throws Exception {
        try {
            Object result = get(f); // the applier's refusal is the result; a refusal before the log fails the future
            EtcdException refusal = assertInstanceOf(EtcdException.class, result, "expected the request refused");
            assertEquals(EtcdError.NO_SPACE, refusal.error());
        } catch (ExecutionException e) {
            EtcdException cause = assertInstanceOf(EtcdException.class, e.getCause());
            assertEquals(EtcdError.NO_SPACE, cause.error());
        }
    }
}
