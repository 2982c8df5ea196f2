package io.etcdj.server.alarm;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdj.api.etcdserverpb.AlarmMember;
import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmResponse;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.internal.AlarmList;
import io.etcdj.server.metrics.ClusterStateMetrics;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;

/**
 * The cluster's active alarms (etcd's alarm store): raised and cleared only through the log, so every member holds
 * the same list, and kept in the store's meta family with the entry that changed them.
 *
 * <p>Threads: {@link #apply} on the applier thread; {@link #active}, {@link #noSpace} and {@link #corrupt} from any
 * thread.
 */
public final class Alarms {
    static final byte[] META_KEY = "alarms".getBytes(StandardCharsets.UTF_8);

    /** Replaced (never modified) on the applier thread once the entry is committed. */
    private volatile List<AlarmMember> active;

    private Alarms(List<AlarmMember> active) {
        this.active = active;
        publish(active);
    }

    /** No alarm, nothing persisted yet (a fresh store, or tests). */
    public static Alarms none() {
        return new Alarms(List.of());
    }

    /** The alarms recorded in {@code store}. */
    public static Alarms load(MvccStore store) throws IOException {
        return new Alarms(read(store));
    }

    /** Reads the list again: the store was replaced by a leader's snapshot. */
    public void reload(MvccStore store) throws IOException {
        active = read(store);
        publish(active);
    }

    private static List<AlarmMember> read(MvccStore store) throws IOException {
        try {
            byte[] v = store.backend().metaBytes(META_KEY);
            return v == null ? List.of() : List.copyOf(AlarmList.parseFrom(v).getAlarmsList());
        } catch (RocksDBException | InvalidProtocolBufferException e) {
            throw new IOException("the store's alarm list is unreadable: " + e.getMessage(), e);
        }
    }

    /** etcd_debugging_server_alarms follows the applied list. */
    private static void publish(List<AlarmMember> alarms) {
        Map<String, List<String>> byMember = new TreeMap<>();
        for (AlarmMember a : alarms) {
            byMember.computeIfAbsent(Long.toHexString(a.getMemberID()), k -> new ArrayList<>())
                    .add(a.getAlarm().name());
        }
        ClusterStateMetrics.alarmsRaised(byMember);
    }

    public List<AlarmMember> active() {
        return active;
    }

    /** Whether a NOSPACE alarm is active on any member: the cluster then takes no more writes that add data. */
    public boolean noSpace() {
        return has(AlarmType.NOSPACE);
    }

    /** Whether a CORRUPT alarm is active: the cluster then refuses every write of keys and leases. */
    public boolean corrupt() {
        return has(AlarmType.CORRUPT);
    }

    /** A loop, not a stream: asked for every applied entry, and the list is nearly always empty. */
    private boolean has(AlarmType type) {
        for (AlarmMember a : active) {
            if (a.getAlarm() == type) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies an ACTIVATE or DEACTIVATE (applier thread): answers with the alarm changed, or none when it was
     * already in that state, as etcd does.
     */
    public AlarmResponse apply(MvccWriteTxn txn, AlarmRequest r) throws RocksDBException {
        AlarmMember alarm = AlarmMember.newBuilder()
                .setMemberID(r.getMemberID())
                .setAlarm(r.getAlarm())
                .build();
        List<AlarmMember> next = new ArrayList<>(active);
        boolean changed = switch (r.getAction()) {
            case ACTIVATE -> r.getAlarm() != AlarmType.NONE && !next.contains(alarm) && next.add(alarm);
            case DEACTIVATE -> next.remove(alarm);
            default -> false;
        };
        AlarmResponse.Builder out = AlarmResponse.newBuilder();
        if (changed) {
            out.addAlarms(alarm);
            txn.putMetaEntry(
                    META_KEY, AlarmList.newBuilder().addAllAlarms(next).build().toByteArray());
            List<AlarmMember> committed = List.copyOf(next);
            txn.onCommit(() -> {
                active = committed;
                publish(committed);
            });
        }
        return out.build();
    }
}
