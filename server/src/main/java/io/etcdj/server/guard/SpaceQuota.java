package io.etcdj.server.guard;

import io.etcdj.api.etcdserverpb.AlarmRequest;
import io.etcdj.api.etcdserverpb.AlarmType;
import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.consensus.Consensus;
import io.etcdj.server.consensus.ForwardingConsensus;
import io.etcdj.server.mvcc.RocksBackend;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * --quota-backend-bytes in front of the log: a write that adds data (put, Txn with a put, lease grant) and would
 * take the store past the quota is refused with "etcdserver: mvcc: database space exceeded", and this member
 * raises the NOSPACE alarm through the log, after which every member refuses such writes until an operator frees
 * space and disarms it (etcd's behaviour).
 *
 * <p>The store's size is re-read at most every {@link #SIZE_REFRESH_MS} ms (it costs several RocksDB calls).
 */
public final class SpaceQuota extends ForwardingConsensus {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceQuota.class);
    static final long SIZE_REFRESH_MS = 100;
    /** What a request costs beyond its own bytes: the index and revision records it adds. */
    private static final long PER_REQUEST_OVERHEAD_BYTES = 64;

    private final RocksBackend backend;
    private final long quotaBytes;
    private final long memberId;
    private final MonotonicClock clock;
    /** Set while this member's NOSPACE activation is on its way through the log: a burst raises it once. */
    private final AtomicBoolean raising = new AtomicBoolean();
    /** The last size read and when; racy refreshes are harmless (both read the same store). */
    private volatile long sizeBytes = -1;

    private volatile long sizeReadNanos;

    public SpaceQuota(Consensus log, RocksBackend backend, long quotaBytes, long memberId, MonotonicClock clock) {
        super(log);
        this.backend = backend;
        this.quotaBytes = quotaBytes;
        this.memberId = memberId;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Object> propose(LogCommand command) {
        if (Applier.addsData(command)
                && size() + command.getSerializedSize() + PER_REQUEST_OVERHEAD_BYTES > quotaBytes) {
            raiseNoSpace();
            return CompletableFuture.failedFuture(EtcdError.NO_SPACE.exception());
        }
        return log.propose(command);
    }

    private long size() {
        long now = clock.nanos();
        if (sizeBytes < 0 || now - sizeReadNanos > TimeUnit.MILLISECONDS.toNanos(SIZE_REFRESH_MS)) {
            sizeBytes = backend.sizeBytes();
            sizeReadNanos = now;
        }
        return sizeBytes;
    }

    private void raiseNoSpace() {
        if (!raising.compareAndSet(false, true)) {
            return;
        }
        LOG.warn(
                "the store passed --quota-backend-bytes ({} bytes): raising the NOSPACE alarm; writes that add data"
                        + " are refused until an operator compacts, defragments and disarms it (etcdctl alarm disarm)",
                quotaBytes);
        log.propose(LogCommand.newBuilder()
                        .setAlarm(AlarmRequest.newBuilder()
                                .setAction(AlarmRequest.AlarmAction.ACTIVATE)
                                .setMemberID(memberId)
                                .setAlarm(AlarmType.NOSPACE))
                        .build())
                .whenComplete((r, e) -> raising.set(false));
    }
}
