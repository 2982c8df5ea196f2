package io.etcdj.server.lease;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.server.apply.Applier;
import io.etcdj.server.common.MonotonicClock;
import io.etcdj.server.mvcc.MvccStore;
import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;

/** One member's state machine for lease tests: a store, its lessor on the shared test clock, and an applier. */
final class Member implements AutoCloseable {
    final MvccStore store;
    final Lessor lessor;
    final Applier applier;
    private long index;

    Member(Path dir, LeaseConfig config, MonotonicClock clock) throws IOException {
        this.store = MvccStore.open(dir);
        this.lessor = new Lessor(store, config, clock);
        this.applier = new Applier(store, lessor);
        this.index = store.consistentIndex();
    }

    Object apply(LogCommand c) throws RocksDBException {
        return applier.apply(++index, c);
    }

    @Override
    public void close() {
        lessor.close();
        store.close();
    }
}
