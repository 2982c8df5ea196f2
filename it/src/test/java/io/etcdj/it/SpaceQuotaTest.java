package io.etcdj.it;

import static io.etcdj.it.ClusterContents.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.options.CompactOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --quota-backend-bytes end to end on a real server (etcd 3.4.23 too, with -Detcdj.it.server=etcd): writes past the
 * quota are refused and raise NOSPACE; with the alarm on, puts are refused but deletes and compaction go on; after a
 * compaction, a defragment and a disarm, writes are accepted again.
 */
class SpaceQuotaTest {
    private static final int QUOTA_BYTES = 16 * 4096;

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @Test
    void passingTheQuotaRaisesNoSpaceUntilSpaceIsFreedAndTheAlarmDisarmed() throws Exception {
        EtcdProcess server = servers.start(EtcdProcess.builder(ServerKind.fromSystemProperty())
                .name("quota")
                .extraArgs("--quota-backend-bytes", Integer.toString(QUOTA_BYTES)));
        try (Client client = Client.builder().endpoints(server.clientEndpoint()).build()) {
            var kv = client.getKVClient();
            String page = "b".repeat(4096);
            int accepted = 0;
            Throwable refused = null;
            while (refused == null && accepted < 1000) {
                try {
                    kv.put(bs("big"), bs(page)).get(10, TimeUnit.SECONDS);
                    accepted++;
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
            }
            assertNoSpace(refused);
            assertTrue(accepted > 0, "some writes fit under the quota");
            var maintenance = client.getMaintenanceClient();
            List<AlarmMember> alarms =
                    maintenance.listAlarms().get(10, TimeUnit.SECONDS).getAlarms();
            assertEquals(1, alarms.size());
            assertEquals(AlarmType.NOSPACE, alarms.get(0).getAlarmType());
            long memberId = maintenance
                    .statusMember(server.clientEndpoint())
                    .get(10, TimeUnit.SECONDS)
                    .getHeader()
                    .getMemberId();
            assertEquals(memberId, alarms.get(0).getMemberId());

            // with the alarm on: puts are refused, deletes and compaction are not
            assertNoSpace(assertThrows(() -> kv.put(bs("small"), bs("x")).get(10, TimeUnit.SECONDS)));
            long revision =
                    kv.delete(bs("big")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
            kv.compact(
                            revision,
                            CompactOption.newBuilder().withCompactPhysical(true).build())
                    .get(30, TimeUnit.SECONDS);
            maintenance.defragmentMember(server.clientEndpoint()).get(60, TimeUnit.SECONDS);
            maintenance.alarmDisarm(alarms.get(0)).get(10, TimeUnit.SECONDS);
            assertEquals(
                    List.of(),
                    maintenance.listAlarms().get(10, TimeUnit.SECONDS).getAlarms());
            kv.put(bs("small"), bs("x")).get(10, TimeUnit.SECONDS);
        }
    }

    private static Throwable assertThrows(org.junit.jupiter.api.function.Executable call) {
        return org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call)
                .getCause();
    }

    private static void assertNoSpace(Throwable t) {
        Throwable cause = t;
        while (cause != null && !(cause instanceof StatusRuntimeException)) {
            cause = cause.getCause();
        }
        StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, cause, String.valueOf(t));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        assertEquals("etcdserver: mvcc: database space exceeded", s.getStatus().getDescription());
    }
}
