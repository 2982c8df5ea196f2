package io.etcdj.server.node;

import io.etcdj.api.internal.ConfChangeContext;
import io.etcdj.raft.ConfChange;
import io.etcdj.raft.ConfChangeType;
import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.raft.RaftCodec;
import io.etcdj.server.cluster.MemberInfo;
import io.etcdj.server.cluster.MemberRegistry;
import io.etcdj.server.cluster.RaftIds;
import io.etcdj.server.wal.HardState;
import io.etcdj.server.wal.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The first entries of a new cluster, written by every founding member before its first start. */
public final class Bootstrap {
    private Bootstrap() {}

    /**
     * Writes one {@link ConfChangeType#ADD_VOTER} entry per founding member (indexes 1..n in member ID order, term 1,
     * each carrying the member's name and peer URLs) and a hard state that commits them, then syncs.
     */
    public static void found(WriteAheadLog wal, List<MemberInfo> members) throws IOException {
        if (wal.lastIndex() != 0) {
            throw new IllegalStateException("bootstrap needs an empty log; it ends at " + wal.lastIndex());
        }
        List<MemberInfo> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparingLong(MemberInfo::id));
        List<Entry> entries = new ArrayList<>();
        for (MemberInfo m : sorted) {
            MemberInfo founding = new MemberInfo(m.id(), m.name(), m.peerUrls(), List.of(), false);
            byte[] context = ConfChangeContext.newBuilder()
                    .setMember(MemberRegistry.toRecord(founding))
                    .build()
                    .toByteArray();
            ConfChange cc = new ConfChange(ConfChangeType.ADD_VOTER, RaftIds.of(m.id()), context);
            entries.add(new Entry(1, entries.size() + 1, EntryType.CONF_CHANGE, RaftCodec.encodeConfChange(cc)));
        }
        wal.append(EntryCodec.toLog(entries), new HardState(1, 0, entries.size()));
        wal.sync();
    }
}
