package io.etcdj.server.cli;

import io.etcdj.server.common.Versions;
import java.util.Locale;

/**
 * The facts {@code --version} prints: etcd's lines, the first naming the etcd version etcdj answers as (scripts
 * read it), then etcdj's own version.
 *
 * @param etcdjVersion this build's version
 * @param gitSha       the commit it was built from, or a note that it is unknown
 */
public record VersionInfo(String etcdjVersion, String gitSha) {
    /** Used when the jar manifest carries no Implementation-Version (e.g. when run from classes). */
    static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

    /** This build's facts, from the jar manifest where available. */
    public static VersionInfo current() {
        Package pkg = VersionInfo.class.getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return new VersionInfo(version != null ? version : FALLBACK_VERSION, "Not provided");
    }

    /** The lines etcd prints for {@code --version}, with etcdj's facts. */
    String text() {
        return "etcd Version: " + Versions.ETCD_SERVER + "\n"
                + "etcdj Version: " + etcdjVersion + "\n"
                + "Git SHA: " + gitSha + "\n"
                + "Go Version: n/a (Java " + Runtime.version() + ", " + System.getProperty("java.vm.name") + ")\n"
                + "Go OS/Arch: " + goOs() + "/" + goArch() + "\n";
    }

    private static String goOs() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "darwin";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        return os.replace(' ', '_');
    }

    private static String goArch() {
        String arch = System.getProperty("os.arch", "unknown");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }
}
