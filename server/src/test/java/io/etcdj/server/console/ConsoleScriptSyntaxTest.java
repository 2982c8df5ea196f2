package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every JavaScript module of the console parses: {@code node --check} (Debian's nodejs; nothing is downloaded) over
 * each file under the console's {@code js/} directory, as an ES module. Catches a syntax error at build time rather
 * than in the browser test (or in a user's browser). Skipped, with the reason, when /usr/bin/node is missing;
 * {@code .ci/run} installs it.
 */
class ConsoleScriptSyntaxTest {
    private static final Path NODE = Path.of("/usr/bin/node");
    private static final Path MODULES = Path.of("src/main/resources", Console.RESOURCES, "js");
    private static final long TIMEOUT_SECONDS = 60;

    @BeforeAll
    static void needsNode() {
        Assumptions.assumeTrue(
                Files.isExecutable(NODE),
                "no /usr/bin/node: apt-get install nodejs to check the console's JavaScript syntax");
    }

    /** Node's exit code and what it printed for {@code source} checked as an ES module. */
    private record Check(int exitCode, String output) {}

    private static Check check(byte[] source) throws IOException, InterruptedException {
        // from standard input, --input-type=module parses import/export (a .js file alone would be CommonJS)
        Process p = new ProcessBuilder(NODE.toString(), "--check", "--input-type=module")
                .redirectErrorStream(true)
                .start();
        try {
            p.getOutputStream().write(source);
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("node --check did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Check(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void everyModuleParses() throws Exception {
        List<Path> modules;
        try (Stream<Path> files = Files.walk(MODULES)) {
            modules = files.filter(f -> f.toString().endsWith(".js")).sorted().toList();
        }
        assertTrue(modules.size() >= 10, "found only " + modules + " under " + MODULES.toAbsolutePath());
        List<String> failures = new ArrayList<>();
        for (Path m : modules) {
            Check c = check(Files.readAllBytes(m));
            if (c.exitCode() != 0) {
                failures.add(m.getFileName() + ":\n" + c.output());
            }
        }
        assertEquals(List.of(), failures, "console modules that do not parse");
    }

    @Test
    void aSyntaxErrorIsCaught() throws Exception {
        Check c = check("import { $ } from './dom.js';\nexport function f() { return $('x') +; }\n"
                .getBytes(StandardCharsets.UTF_8));
        assertNotEquals(0, c.exitCode(), c.output());
        assertTrue(c.output().contains("SyntaxError"), c.output());
    }
}
