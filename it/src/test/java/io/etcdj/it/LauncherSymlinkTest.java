package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/etcdj started through symlinks, as people install it ({@code ln -s .../bin/etcdj /usr/local/bin/etcd}): it
 * finds its repository through the links, absolute or relative, and runs.
 */
class LauncherSymlinkTest {
    private static final Path LAUNCHER = Path.of(System.getProperty("etcdj.it.etcdjBin", "../bin/etcdj"))
            .toAbsolutePath()
            .normalize();

    @TempDir
    Path dir;

    /** Runs {@code bin} with {@code --version} from an unrelated working directory; exit status and output. */
    private String version(Path bin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.toString(), "--version")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not exit");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aSymlinkToASymlinkWithARelativeTargetStillFindsTheRepository() throws Exception {
        Path other = Files.createDirectories(dir.resolve("opt/etcdj"));
        Path bin = Files.createDirectories(dir.resolve("usr/local/bin"));
        Path absolute = Files.createSymbolicLink(other.resolve("etcdj"), LAUNCHER);
        Path relative = Files.createSymbolicLink(bin.resolve("etcd"), bin.relativize(absolute));
        String out = version(relative);
        assertTrue(out.contains("etcdj Version:"), out);
    }
}
