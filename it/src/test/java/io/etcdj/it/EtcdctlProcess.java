package io.etcdj.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running etcdctl whose output lines (stdout and stderr merged) are collected as they arrive, so a test can wait
 * for what a long-running command such as {@code etcdctl watch} prints. {@link #close} kills it.
 */
final class EtcdctlProcess implements AutoCloseable {
    private final Process process;
    /** Guarded by this. */
    private final List<String> lines = new ArrayList<>();
    /** Guarded by this: set when the output ends. */
    private boolean ended;

    EtcdctlProcess(Process process) {
        this.process = process;
        Thread.ofVirtual().start(this::pump);
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process was killed: the output simply ends
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** Writes a line to the process's standard input (interactive mode). */
    void send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output holds at least {@code count} lines; returns all lines so far. */
    synchronized List<String> awaitLines(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError("etcdctl printed " + lines.size() + " of " + count + " lines"
                        + (ended ? " and ended" : " within " + timeout) + ": " + lines);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(lines);
    }

    /** Sends SIGTERM (etcdctl lock and elect then unlock or resign) and waits for the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("etcdctl did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
