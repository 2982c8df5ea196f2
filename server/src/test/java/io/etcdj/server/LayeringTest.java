package io.etcdj.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's packages form layers that depend only downwards, with no package cycle; docs/architecture.md draws
 * the same layers. A new package must be placed in a layer here, or the test fails.
 */
class LayeringTest {
    /** Bottom to top; a package may use its own layer and the layers below it. */
    static final List<List<String>> LAYERS = List.of(
            // foundation: shared types, the consensus port, metrics sinks, HTTP plumbing
            List.of("common", "consensus", "metrics", "http", "http.gateway", "http.health", "training"),
            // storage: the write-ahead log, the MVCC store on RocksDB, raft checkpoints
            List.of("wal", "mvcc", "checkpoint"),
            // the replicated state machine's parts
            List.of("alarm", "auth", "cluster", "lease", "watch"),
            // the KV API over the store: ranges, puts, deletes, Txns; run by the applier and by the read path
            List.of("kv"),
            // applying committed entries to those parts
            List.of("apply"),
            // the raft driver: log, apply loop, reads, membership changes
            List.of("node"),
            // replication between members
            List.of("transport"),
            // what clients and operators reach: gRPC services, guards, recipes, snapshot files, member metrics, the
            // console
            List.of("rpc", "guard", "concurrency", "snapshot", "metrics.member", "console"),
            // assembly: the member and its command line
            List.of("", "cli"));

    private static final String ROOT = "io.etcdj.server";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        if (classes.size() < 100) {
            throw new IllegalStateException("found only " + classes.size() + " classes under " + ROOT);
        }
    }

    private static String pkg(String name) {
        return name.isEmpty() ? ROOT : ROOT + "." + name;
    }

    @Test
    void everyPackageIsInALayer() {
        List<String> placed =
                LAYERS.stream().flatMap(List::stream).map(LayeringTest::pkg).toList();
        List<String> unplaced = classes.stream()
                .map(c -> c.getPackageName())
                .distinct()
                .filter(p -> !placed.contains(p))
                .sorted()
                .toList();
        assertEquals(List.of(), unplaced, "packages not placed in a layer of LayeringTest.LAYERS");
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            String[] layer = LAYERS.get(i).stream().map(LayeringTest::pkg).toArray(String[]::new);
            String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream()
                    .flatMap(List::stream)
                    .map(LayeringTest::pkg)
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAnyPackage(layer)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(above)
                    .because("layer " + Arrays.toString(layer) + " sits below " + Arrays.toString(above))
                    .check(classes);
        }
    }

    /** A qualified name in code, outside imports, comments and strings. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.\"])((?:io\\.etcdj|java|javax|com|org|io\\.grpc|io\\.netty|io\\.micrometer)(?:\\.[a-z0-9_]+)+)"
                    + "\\.([A-Z]\\w*)");

    private static final Pattern IMPORT = Pattern.compile("^import ([\\w.]+)\\.([A-Z]\\w*);");

    /**
     * Main code names classes by import, so a reader sees a file's dependencies at its top. A qualified name is
     * allowed only where two classes of one simple name meet in a file.
     */
    @Test
    void mainCodeImportsRatherThanQualifies() throws IOException {
        List<String> found = new ArrayList<>();
        Path sources = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                found.addAll(qualifiedNames(f));
            }
        }
        assertEquals(List.of(), found, "qualified class names in main code: import them");
    }

    private static List<String> qualifiedNames(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, String> imported = new HashMap<>();
        for (String line : lines) {
            Matcher m = IMPORT.matcher(line);
            if (m.find()) {
                imported.put(m.group(2), m.group(1));
            }
        }
        List<String> found = new ArrayList<>();
        boolean inComment = false;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (inComment || line.startsWith("/*")) {
                inComment = !line.contains("*/");
                continue;
            }
            if (line.startsWith("*") || line.startsWith("import ") || line.startsWith("package ")) {
                continue;
            }
            String code = line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//.*$", "");
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                String clash = imported.get(m.group(2));
                if (clash == null || clash.equals(m.group(1))) {
                    found.add(file.getFileName() + ":" + (n + 1) + " " + m.group());
                }
            }
        }
        return found;
    }
}
