package io.etcdj.server.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A {@link WalDisk} that fails on demand, as a failing disk answers: once armed, every write or every fsync of a
 * segment throws the given error (EIO, ENOSPC). Reads keep working. Thread-safe arming.
 */
public final class FailingDisk implements WalDisk {
  /** Guarded by volatile: the error writes throw, or null. */
  private volatile IOException writeError;
  /** Guarded by volatile: the error fsyncs throw, or null. */
  private volatile IOException forceError;

  /** From now on every write to a segment throws {@code error}. */
  public void failWrites(IOException error) {
    writeError = error;
  }

  /** From now on every fsync of a segment throws {@code error}. */
  public void failFsyncs(IOException error) {
    forceError = error;
  }

  /** Guarded by volatile: the error writes that would make a file longer throw, or null. */
  private volatile IOException growthError;

  /**
   * From now on a write that would make a segment file longer throws {@code error}, as a full disk answers: writes
   * into space a file already has (a preallocated segment) still work.
   */
  public void failGrowth(IOException error) {
    growthError = error;
  }

  /** The disk works again (as when space is freed). */
  public void heal() {
    writeError = null;
    forceError = null;
    growthError = null;
  }

  /** Linux's text for ENOSPC, as the JDK reports it. */
  public static IOException enospc() {
    return new IOException("No space left on device");
  }

  /** Linux's text for EIO, as the JDK reports it. */
  public static IOException eio() {
    return new IOException("Input/output error");
  }

  @Override
  public FileChannel writable(Path path, FileChannel opened) {
    return new Channel(opened);
  }

  private final class Channel extends FileChannel {
    private final FileChannel d;

    Channel(FileChannel delegate) {
      this.d = delegate;
    }

    private void checkWrite() throws IOException {
      IOException e = writeError;
      if (e != null) {
        throw e;
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return d.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      checkWrite();
      return d.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      checkWrite();
      return d.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      checkWrite();
      d.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      IOException e = forceError;
      if (e != null) {
        throw e;
      }
      d.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      checkWrite();
      return d.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return d.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      checkWrite();
      IOException full = growthError;
      if (full != null && position + src.remaining() > d.size()) {
        throw full;
      }
      return d.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return d.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      d.close();
    }
  }
}
