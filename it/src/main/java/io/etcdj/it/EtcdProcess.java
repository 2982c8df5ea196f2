package io.etcdj.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One single-member etcd-compatible server running as a real OS process: etcdj through
 * {@code bin/etcdj}, or the real etcd. It listens on free loopback ports, keeps its data in a
 * directory of its own, and writes everything the server prints to a log file per start
 * ({@code <workDir>/<name>-<n>.log}) so that a failing test can show it.
 *
 * <p>Readiness is judged exactly as etcd's e2e harness judges it: two output lines each
 * containing {@code "enabled capabilities for version"} or {@code "published"}. {@link #start}
 * waits for them with a deadline; it fails at once, with the log's tail, if the process exits
 * first.
 *
 * <p>Life cycle: {@code NEW -> RUNNING -> (kill | stop) -> EXITED -> (restart) -> RUNNING};
 * {@link #close} kills whatever is still running and deletes the data directory (the logs stay).
 * A process may be {@linkplain #pause paused} and {@linkplain #resume resumed} while RUNNING.
 * Instances are meant to be driven by one test thread; {@code process} is written only by it.
 */
public final class EtcdProcess implements AutoCloseable {
    /** The substrings etcd's e2e harness waits for; each must appear on its own line. */
    public static final List<String> READY_MARKERS = List.of("enabled capabilities for version", "published");

    private static final Set<Integer> handedOutPorts = new HashSet<>(); // guarded by itself
    private static final AtomicInteger instanceCounter = new AtomicInteger();

    private final ServerKind kind;
    private final Path binary;
    private final String name;
    private final Path workDir;
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final String clientScheme;
    private final List<String> args;
    /** The builder's variables, changed by {@link #env} for later starts; used by the test thread only. */
    private final Map<String, String> extraEnv;

    private final Duration readyTimeout;

    private Process process;
    private boolean paused;
    private Path logFile;
    private int startCount;
    private CompletableFuture<Void> ready;
    private Thread pump;

    private EtcdProcess(Builder b) {
        this.kind = b.kind;
        this.binary = b.binary != null ? b.binary : b.kind.binary();
        this.name = b.name;
        this.clientScheme = b.clientScheme;
        this.clientPort = b.clientPort > 0 ? b.clientPort : freePort();
        this.peerPort = b.peerPort > 0 ? b.peerPort : freePort();
        try {
            Path base = b.baseDir != null
                    ? b.baseDir
                    : Path.of(System.getProperty("etcdj.it.workDir", "target/it-servers"));
            Files.createDirectories(base);
            String stamp = DateTimeFormatter.ofPattern("HHmmss")
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.now());
            this.workDir = Files.createTempDirectory(
                    base.toAbsolutePath(),
                    kind.label() + "-" + name + "-" + stamp + "-" + instanceCounter.incrementAndGet() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = workDir.resolve("data");
        String advertisePeerUrl = b.advertisePeerUrl != null ? b.advertisePeerUrl : peerUrl();
        List<String> a = new ArrayList<>(List.of(
                "--name",
                name,
                "--data-dir",
                dataDir.toString(),
                "--listen-client-urls",
                clientEndpoint(),
                "--advertise-client-urls",
                clientEndpoint(),
                "--listen-peer-urls",
                peerUrl(),
                "--initial-advertise-peer-urls",
                advertisePeerUrl,
                "--initial-cluster",
                b.initialCluster != null ? b.initialCluster : name + "=" + advertisePeerUrl,
                "--initial-cluster-token",
                b.initialClusterToken,
                "--initial-cluster-state",
                b.initialClusterState));
        a.addAll(b.extraArgs);
        this.args = List.copyOf(a);
        this.extraEnv = new java.util.HashMap<>(b.env);
        this.readyTimeout = b.readyTimeout;
    }

    /** A builder for a server of the given kind. */
    public static Builder builder(ServerKind kind) {
        return new Builder(kind);
    }

    /** The kind of server. */
    public ServerKind kind() {
        return kind;
    }

    /** The member name ({@code --name}). */
    public String name() {
        return name;
    }

    /** The client URL, {@code http://127.0.0.1:<port>}. */
    public String clientEndpoint() {
        return clientScheme + "://127.0.0.1:" + clientPort;
    }

    /** The client address without scheme, {@code 127.0.0.1:<port>}, as etcdctl's --endpoints takes it. */
    public String clientHostPort() {
        return "127.0.0.1:" + clientPort;
    }

    /** The client port. */
    public int clientPort() {
        return clientPort;
    }

    /** The URL the peer port listens on. */
    public String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    /** The data directory; it survives {@link #kill}, {@link #stop} and {@link #restart}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The log of the current (or last) start; null before the first start. */
    public Path logFile() {
        return logFile;
    }

    /** The command line without the binary. */
    public List<String> args() {
        return args;
    }

    /** Whether the server process is alive. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The OS process id of the server (the JVM itself for etcdj, since its launcher execs). */
    public long pid() {
        requireStarted();
        return process.pid();
    }

    /**
     * Starts the server and waits until it is ready.
     *
     * @return this
     * @throws IllegalStateException if it is already running, exits early, or is not ready in time
     */
    public EtcdProcess start() {
        launch();
        return awaitReady();
    }

    /**
     * Starts the server without waiting for it to be ready (members of a new cluster become ready together); follow
     * with {@link #awaitReady}.
     *
     * @return this
     */
    public EtcdProcess launch() {
        if (isAlive()) {
            throw new IllegalStateException(this + " is already running");
        }
        startCount++;
        paused = false;
        logFile = workDir.resolve(name + "-" + startCount + ".log");
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The flags are authoritative: no ETCD_* variable from the caller's environment leaks in.
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
        pb.environment().putAll(extraEnv);
        try {
            Files.writeString(logFile, "# " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        ready = new CompletableFuture<>();
        pump = Thread.ofPlatform()
                .daemon()
                .name("output-" + name + "-" + startCount)
                .start(new OutputPump(process, logFile, ready));
        return this;
    }

    /**
     * Waits until the server launched last printed its ready lines.
     *
     * @return this
     * @throws IllegalStateException if it exits early or is not ready in time (it is then killed)
     */
    public EtcdProcess awaitReady() {
        try {
            ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String tail = logTail(30);
            kill();
            throw new IllegalStateException(this + " printed no ready lines " + READY_MARKERS + " within "
                    + readyTimeout + "; log " + logFile + ":\n" + tail);
        } catch (ExecutionException e) {
            awaitExit(Duration.ofSeconds(5));
            awaitPump();
            throw new IllegalStateException(
                    this + " exited before it was ready (exit code " + exitCodeOrUnknown() + "); log " + logFile + ":\n"
                            + logTail(30),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted while starting " + this, e);
        }
        return this;
    }

    /**
     * Sets ({@code value} non-null) or removes an environment variable for the next starts, e.g. an ETCD_* variable
     * that adds a flag to one restart.
     *
     * @return this
     */
    public EtcdProcess env(String key, String value) {
        if (value == null) {
            extraEnv.remove(key);
        } else {
            extraEnv.put(key, value);
        }
        return this;
    }

    /** Starts the server again on the same data directory and ports; it must have exited. */
    public EtcdProcess restart() {
        return start();
    }

    /** Sends SIGKILL (to the launcher's whole process tree, in case it did not exec) and waits for exit. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
        awaitPump();
    }

    /**
     * Sends SIGTERM and waits up to {@code timeout} for the process to exit.
     *
     * @return the exit code
     * @throws IllegalStateException if it did not exit in time (it is then killed)
     */
    public int stop(Duration timeout) {
        requireStarted();
        if (process.isAlive()) {
            if (paused) {
                resume(); // a stopped process would not act on SIGTERM
            }
            process.destroy();
            if (!awaitExit(timeout)) {
                kill();
                throw new IllegalStateException(this + " did not exit within " + timeout + " of SIGTERM; killed it");
            }
        }
        awaitPump();
        return process.exitValue();
    }

    /** Sends SIGTERM and waits up to 30 s. */
    public int stop() {
        return stop(Duration.ofSeconds(30));
    }

    /** Sends SIGSTOP: the process freezes (as in a long GC pause) until {@link #resume}. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** Sends SIGCONT to a {@linkplain #pause paused} process. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** Waits up to {@code timeout} for the process to exit; true when it has. */
    public boolean awaitExit(Duration timeout) {
        requireStarted();
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code lineCount} lines of the current log (empty when there is none). */
    public String logTail(int lineCount) {
        if (logFile == null || !Files.exists(logFile)) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - lineCount), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Kills the server if it is running and deletes its data directory; the logs are kept. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill(); // SIGKILL ends a paused process too
        }
        deleteRecursively(dataDir);
    }

    @Override
    public String toString() {
        return kind.label() + " '" + name + "' at " + clientEndpoint()
                + (process != null ? " (pid " + process.pid() + ")" : "");
    }

    private void signal(String signal) {
        requireStarted();
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitPump() {
        if (pump != null) {
            try {
                pump.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String exitCodeOrUnknown() {
        try {
            return Integer.toString(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "unknown";
        }
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException(this + " was never started");
        }
    }

    /** A free loopback TCP port not handed out before by this JVM. */
    public static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                synchronized (handedOutPorts) {
                    if (handedOutPorts.add(port)) {
                        return port;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port found");
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * Copies the server's output to its log file line by line (flushing each, so a failure report
     * sees everything) and completes {@code ready} when the ready lines have appeared, or
     * exceptionally when the output ends first.
     */
    private record OutputPump(Process process, Path logFile, CompletableFuture<Void> ready) implements Runnable {
        @Override
        public void run() {
            int readyLines = 0;
            try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    BufferedWriter out = Files.newBufferedWriter(
                            logFile, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (!ready.isDone()
                            && READY_MARKERS.stream().anyMatch(line::contains)
                            && ++readyLines >= READY_MARKERS.size()) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("server output ended before the ready lines"));
        }
    }

    /** Configures an {@link EtcdProcess}; every setting has a default that suits one test. */
    public static final class Builder {
        private final ServerKind kind;
        private Path binary;
        private String name = "it";
        private Path baseDir;
        private int clientPort;
        private int peerPort;
        private String clientScheme = "http";
        private String advertisePeerUrl;
        private String initialClusterToken = "etcd-cluster";
        private String initialCluster;
        private String initialClusterState = "new";
        private final List<String> extraArgs = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Duration readyTimeout = Duration.ofSeconds(Long.getLong("etcdj.it.readyTimeoutSeconds", 60));

        private Builder(ServerKind kind) {
            this.kind = kind;
        }

        /** Another executable to run instead of the kind's usual binary (it gets the same flags). */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /** The member name, {@code --name} (default {@code it}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * The directory under which this server's own work directory (data + logs) is created;
         * default {@code etcdj.it.workDir}, else {@code target/it-servers}.
         */
        public Builder baseDir(Path baseDir) {
            this.baseDir = baseDir;
            return this;
        }

        /** A fixed client port (default: a free one). */
        public Builder clientPort(int port) {
            this.clientPort = port;
            return this;
        }

        /** {@code https} serves clients over TLS (give the certificate flags with {@link #extraArgs}). */
        public Builder clientScheme(String scheme) {
            this.clientScheme = scheme;
            return this;
        }

        /** A fixed peer port (default: a free one). */
        public Builder peerPort(int port) {
            this.peerPort = port;
            return this;
        }

        /**
         * The {@code --initial-advertise-peer-urls} (and this member's {@code --initial-cluster}
         * entry) when it must differ from the listen URL, e.g. to give two servers the same
         * member and cluster ids. etcd does not check that it listens there.
         */
        public Builder advertisePeerUrl(String url) {
            this.advertisePeerUrl = url;
            return this;
        }

        /** {@code --initial-cluster-token} (default {@code etcd-cluster}, etcd's own default). */
        public Builder initialClusterToken(String token) {
            this.initialClusterToken = token;
            return this;
        }

        /** {@code --initial-cluster} (default: this member alone), e.g. {@code a=http://...,b=http://...}. */
        public Builder initialCluster(String cluster) {
            this.initialCluster = cluster;
            return this;
        }

        /** {@code --initial-cluster-state}: {@code new} (default) or {@code existing} (joining a running cluster). */
        public Builder initialClusterState(String state) {
            this.initialClusterState = state;
            return this;
        }

        /** More flags, appended after the ones this class sets. */
        public Builder extraArgs(String... flags) {
            this.extraArgs.addAll(List.of(flags));
            return this;
        }

        /** An environment variable for the server process. */
        public Builder env(String key, String value) {
            this.env.put(key, value);
            return this;
        }

        /** How long {@link EtcdProcess#start} waits for the ready lines (default 60 s). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Creates the process without starting it. */
        public EtcdProcess build() {
            return new EtcdProcess(this);
        }

        /** Creates and starts the process, waiting until it is ready. */
        public EtcdProcess start() {
            EtcdProcess p = build();
            try {
                return p.start();
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }
}
