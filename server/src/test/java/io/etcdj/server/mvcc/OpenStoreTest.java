package io.etcdj.server.mvcc;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test over a fresh store in a temporary directory, opened before each test and closed after it. */
public abstract class OpenStoreTest {
    @TempDir
    protected Path dir;

    protected MvccStore store;
    /** The raft index of the last commit a test made (tests count it up themselves). */
    protected long index;

    @BeforeEach
    void openStore() throws Exception {
        store = MvccStore.open(dir.resolve("db"));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }
}
