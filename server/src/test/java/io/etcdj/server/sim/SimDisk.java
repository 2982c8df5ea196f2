package io.etcdj.server.sim;

import io.etcdj.server.wal.DelegatingChannel;
import io.etcdj.server.wal.WalDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The write-ahead log's disk in the simulation: files are real (in the run's directory), but an fsync only records
 * how far each file is durable (no real fdatasync: the run stays fast), and a crash loses a seeded part of what was
 * written after that point, from a clean cut at the durable offset to nothing lost, possibly inside a record (a torn
 * write). One instance per member incarnation; after {@link #crash} its channels write nothing more, so closing the
 * log afterwards (to release its files) adds nothing to the disk.
 *
 * <p>Disk weather ({@link Faults}, set by the nemesis): an fsync may take simulated time (added up in
 * {@link #takeFsyncMs}: the member's driver, which made the fsync, stalls that long, and what it sends after the fsync
 * in the same turn is delayed as much), or fail with {@link FsyncFailure}, after which nothing it wrote since the last
 * good fsync is known to be durable (the crash that follows cuts there or later).
 */
final class SimDisk implements WalDisk {
    /** The member's disk weather; mutable, simulation thread only. */
    static final class Faults {
        /** An fsync takes 0..slowMaxMs simulated ms (0: instant). */
        int slowMaxMs;
        /** The chance that an fsync fails. */
        double failRate;

        boolean any() {
            return slowMaxMs > 0 || failRate > 0;
        }
    }

    /** A failed fsync (EIO): the WAL fails and the member must stop, as in production. */
    static final class FsyncFailure extends IOException {
        FsyncFailure() {
            super("simulated fsync failure (EIO)");
        }
    }

    private final Faults faults;
    private final SplittableRandom random;
    /** Simulated time the fsyncs since the last {@link #takeFsyncMs} took. */
    private long fsyncMs;

    SimDisk(Faults faults, SplittableRandom random) {
        this.faults = faults;
        this.random = random;
    }

    /** The simulated time fsyncs took since the last call (so far in this turn); resets it. */
    long takeFsyncMs() {
        long ms = fsyncMs;
        fsyncMs = 0;
        return ms;
    }

    /** The simulated time fsyncs took so far in this turn. */
    long fsyncMsSoFar() {
        return fsyncMs;
    }
    /** One file written through this disk. */
    private static final class Tracked {
        final Path openedAs;
        /** Everything before this offset was fsynced. */
        long durableBytes;

        Tracked(Path openedAs, long durableBytes) {
            this.openedAs = openedAs;
            this.durableBytes = durableBytes;
        }

        /** Where the file is now: a new segment is written as {@code *.tmp}, then renamed. */
        Path current() {
            String name = openedAs.getFileName().toString();
            if (!Files.exists(openedAs) && name.endsWith(".tmp")) {
                return openedAs.resolveSibling(name.substring(0, name.length() - 4));
            }
            return openedAs;
        }
    }

    private final List<Tracked> files = new ArrayList<>();
    /** Simulation thread only. */
    private boolean crashed;

    long fsyncs;

    @Override
    public FileChannel writable(Path path, FileChannel opened) throws IOException {
        if (crashed) {
            throw new IOException("the simulated process has crashed");
        }
        Tracked t = new Tracked(path, opened.size()); // what a file has when opened is on disk already
        files.add(t);
        return new Channel(opened, t);
    }

    /**
     * The process dies: from now on nothing reaches the disk, and each file loses a seeded part of its unsynced tail.
     * Call before closing the log (which then only releases its files).
     */
    void crash(SplittableRandom random) throws IOException {
        crashed = true;
        for (Tracked t : files) {
            Path p = t.current();
            if (!Files.exists(p)) {
                continue; // released, or a segment whose creation was cut short (recovery deletes *.tmp)
            }
            long size = Files.size(p);
            if (size <= t.durableBytes) {
                continue;
            }
            long keep = t.durableBytes + random.nextLong(size - t.durableBytes + 1);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(keep);
            }
        }
    }

    private final class Channel extends DelegatingChannel {
        private final Tracked file;

        Channel(FileChannel delegate, Tracked file) {
            super(delegate);
            this.file = file;
        }

        /** After the crash a write "succeeds" and changes nothing: the process that made it is gone. */
        private int swallow(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return crashed ? swallow(src) : d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (crashed) {
                long n = 0;
                for (int i = offset; i < offset + length; i++) {
                    n += swallow(srcs[i]);
                }
                return n;
            }
            return d.write(srcs, offset, length);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (!crashed) {
                d.truncate(size);
                file.durableBytes = Math.min(file.durableBytes, size);
            }
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (!crashed) {
                if (faults.slowMaxMs > 0) {
                    fsyncMs += random.nextInt(faults.slowMaxMs + 1);
                }
                if (faults.failRate > 0 && random.nextDouble() < faults.failRate) {
                    throw new FsyncFailure();
                }
                fsyncs++;
                file.durableBytes = d.size();
            }
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (crashed) {
                return count;
            }
            return d.transferFrom(src, position, count);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return crashed ? swallow(src) : d.write(src, position);
        }
    }
}
