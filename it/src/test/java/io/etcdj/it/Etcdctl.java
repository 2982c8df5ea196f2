package io.etcdj.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code etcdctl} (API v3) against one endpoint and captures what it prints.
 * The binary is {@code /usr/bin/etcdctl} unless {@code etcdj.it.etcdctlBin} says otherwise.
 */
final class Etcdctl {
    private static final long PROCESS_TIMEOUT_SECONDS = 60;

    private final String endpoint;

    /** @param endpoint {@code host:port} of the server's client URL */
    Etcdctl(String endpoint) {
        this.endpoint = endpoint;
    }

    /** What one etcdctl run printed and how it exited; {@code rawStdout} keeps binary output exact. */
    record Result(int exitCode, byte[] rawStdout, String stderr) {
        /** Standard output decoded as UTF-8. */
        String stdout() {
            return new String(rawStdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout() + "--- stderr ---\n" + stderr;
        }
    }

    private ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("etcdj.it.etcdctlBin", "/usr/bin/etcdctl"));
        command.add("--endpoints=" + endpoint);
        command.add("--dial-timeout=5s");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
        pb.environment().put("ETCDCTL_API", "3");
        return pb;
    }

    /** Starts a long-running etcdctl (such as {@code watch}) whose output the test reads as it comes. */
    EtcdctlProcess start(String... args) {
        try {
            return new EtcdctlProcess(command(args).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcdctl " + String.join(" ", args), e);
        }
    }

    /** Runs {@code etcdctl --endpoints=E args...}, feeding {@code stdin} (may be null). */
    Result run(String stdin, String... args) {
        ProcessBuilder pb = command(args);
        List<String> command = pb.command();
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "etcdctl did not finish within " + PROCESS_TIMEOUT_SECONDS + " s: " + command);
            }
            return new Result(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs etcdctl and returns its stdout, failing unless it exited 0. */
    String ok(String... args) {
        Result r = run(null, args);
        if (r.exitCode() != 0) {
            throw new AssertionError("etcdctl " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }

    private static CompletableFuture<byte[]> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (stream) {
                        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                        stream.transferTo(buffer);
                        return buffer.toByteArray();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                runnable -> Thread.ofVirtual().start(runnable));
    }
}
