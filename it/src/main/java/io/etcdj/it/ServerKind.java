package io.etcdj.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which server binary a test or benchmark runs: our {@code bin/etcdj} launcher or the real
 * etcd 3.4 at {@code /usr/bin/etcd}. Both take etcd's flags.
 *
 * <p>System properties: {@code etcdj.it.server} ({@code etcdj}, the default, or {@code etcd})
 * picks the kind for tests; {@code etcdj.it.etcdjBin} and {@code etcdj.it.etcdBin} override
 * the binaries' locations.
 */
public enum ServerKind {
    /** Our server, started through the {@code bin/etcdj} launcher (which execs the JVM). */
    ETCDJ,
    /** The real etcd server. */
    ETCD;

    /** The system property that selects the server kind under test. */
    public static final String PROPERTY = "etcdj.it.server";

    /** The kind named by {@value #PROPERTY}, {@link #ETCDJ} when unset. */
    public static ServerKind fromSystemProperty() {
        return parse(System.getProperty(PROPERTY, "etcdj"));
    }

    /** Parses {@code etcdj} or {@code etcd} (case-insensitive). */
    public static ServerKind parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "etcdj" -> ETCDJ;
            case "etcd" -> ETCD;
            default -> throw new IllegalArgumentException("unknown server kind '" + name + "': expected etcdj or etcd");
        };
    }

    /** The lower-case name used on command lines and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The executable to start. For etcdj: {@code etcdj.it.etcdjBin}, else the first
     * {@code bin/etcdj} found in the working directory or one of its parents (surefire runs in
     * {@code it/}, so this finds the repository's launcher).
     *
     * @throws IllegalStateException when the binary does not exist, naming what to do
     */
    public Path binary() {
        Path bin = switch (this) {
            case ETCD -> Path.of(System.getProperty("etcdj.it.etcdBin", "/usr/bin/etcd"));
            case ETCDJ -> {
                String explicit = System.getProperty("etcdj.it.etcdjBin");
                yield explicit != null ? Path.of(explicit).toAbsolutePath().normalize() : findLauncherUpwards();
            }
        };
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(
                    switch (this) {
                        case ETCD ->
                            "real etcd not found at " + bin
                                    + " (apt-get install -y etcd-server, or set -Detcdj.it.etcdBin=PATH)";
                        case ETCDJ ->
                            "etcdj launcher not found or not executable at " + bin
                                    + " (build the server so that bin/etcdj works, set -Detcdj.it.etcdjBin=PATH,"
                                    + " or run against the real etcd with -D" + PROPERTY + "=etcd)";
                    });
        }
        return bin;
    }

    private static Path findLauncherUpwards() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("bin").resolve("etcdj");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        // Not found: name where it belongs, the repository root (the directory holding it/).
        Path root = start;
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("it")) && Files.exists(dir.resolve("pom.xml"))) {
                root = dir;
                break;
            }
        }
        return root.resolve("bin").resolve("etcdj");
    }
}
