package io.etcdj.server.node;

import io.etcdj.raft.RaftNode;
import io.etcdj.raft.Ready;
import io.etcdj.server.wal.WalNoSpaceException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each Ready's entries and hard state to the write-ahead log; while the disk is too full for that (the log
 * is then unchanged), the member refuses new writes with etcd's NOSPACE error and the append is retried every
 * {@link #NO_SPACE_RETRY_MS}: nothing that depends on the append is sent meanwhile, so this member stops taking part
 * (its peers elect another leader if it led), its store keeps serving serializable reads, and it goes on where it
 * stopped once space is freed. Meanwhile {@link NoSpaceAlarm} raises the cluster's NOSPACE alarm through the other
 * members. Driver thread only, but {@link #diskFull}.
 */
final class LogAppender {
    /** The member's logger: these lines read as they did when the member appended itself (short log names). */
    private static final Logger LOG = LoggerFactory.getLogger(RaftMember.class);
    /** How often the driver retries an append that found the disk full. */
    static final long NO_SPACE_RETRY_MS = 200;

    private final WalStorage storage;
    private final NoSpaceAlarm noSpaceAlarm;
    private final CoreView view;
    private final RaftNode node;
    /** Whether the member stopped (then a retry gives up). */
    private final BooleanSupplier stopped;
    /** Written by the driver thread: the log's disk is full, the driver retries its append; writes are refused. */
    private volatile boolean diskFull;

    LogAppender(WalStorage storage, NoSpaceAlarm noSpaceAlarm, CoreView view, RaftNode node, BooleanSupplier stopped) {
        this.storage = storage;
        this.noSpaceAlarm = noSpaceAlarm;
        this.view = view;
        this.node = node;
        this.stopped = stopped;
    }

    /** Appends {@code rd}'s entries and hard state, waiting for space while the disk is full. */
    void append(Ready rd) throws IOException, InterruptedException {
        while (true) {
            try {
                storage.append(rd.entries(), rd.hardState());
                if (diskFull) {
                    diskFull = false;
                    noSpaceAlarm.spaceReturned();
                    LOG.info("the disk under the write-ahead log has space again: this member takes writes again");
                }
                return;
            } catch (WalNoSpaceException e) {
                if (!diskFull) {
                    diskFull = true;
                    LOG.error(
                            "the disk under the write-ahead log is full: free space under --data-dir (or --wal-dir);"
                                    + " until then this member refuses writes (NOSPACE) and serves serializable reads ({})",
                            e.getMessage());
                }
                if (stopped.getAsBoolean()) {
                    throw new InterruptedException("stopped while the disk was full");
                }
                noSpaceAlarm.stillFull(view.role(), view.leaderId(), view.term(), node::status);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(NO_SPACE_RETRY_MS));
            }
        }
    }

    /** Any thread: whether the log's disk is full now (writes are refused with NOSPACE until it has space again). */
    boolean diskFull() {
        return diskFull;
    }
}
