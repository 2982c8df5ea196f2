package io.etcdj.server.node;

import io.etcdj.raft.Entry;
import io.etcdj.raft.EntryType;
import io.etcdj.server.wal.LogEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a raft {@link Entry} is stored as a WAL {@link LogEntry}. A normal entry's payload is stored as is (an encoded
 * {@code LogCommand}, or empty for a leader's no-op); a membership change is stored as one {@link #CONF_CHANGE_MARK}
 * byte and the encoded {@code ConfChange}. A protobuf message never starts with a zero byte (field number 0 does
 * not exist), so the mark cannot be mistaken for a command, and logs written before membership changes existed
 * read unchanged.
 */
final class EntryCodec {
    static final byte CONF_CHANGE_MARK = 0;

    private EntryCodec() {}

    static LogEntry toLog(Entry e) {
        if (e.type() == EntryType.NORMAL) {
            return new LogEntry(e.index(), e.term(), e.data());
        }
        byte[] data = new byte[e.data().length + 1];
        data[0] = CONF_CHANGE_MARK;
        System.arraycopy(e.data(), 0, data, 1, e.data().length);
        return new LogEntry(e.index(), e.term(), data);
    }

    static Entry fromLog(LogEntry e) {
        byte[] d = e.data();
        if (d.length > 0 && d[0] == CONF_CHANGE_MARK) {
            return new Entry(e.term(), e.index(), EntryType.CONF_CHANGE, Arrays.copyOfRange(d, 1, d.length));
        }
        return new Entry(e.term(), e.index(), EntryType.NORMAL, d);
    }

    static List<LogEntry> toLog(List<Entry> entries) {
        List<LogEntry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(toLog(e));
        }
        return out;
    }
}
