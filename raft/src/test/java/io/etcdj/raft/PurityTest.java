package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core is pure: its main code imports no file, network, thread or clock API and keeps no static mutable
 * state; nothing in the raft module (tests included) sleeps, reads the wall clock or draws unseeded
 * randomness; and every class stays small.
 */
class PurityTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Path ALL = Path.of("src");

    private static final List<Pattern> FORBIDDEN_IN_MAIN = List.of(
            Pattern.compile("import\\s+java\\.(io|nio|net|time)\\."),
            Pattern.compile("import\\s+java\\.util\\.concurrent"),
            Pattern.compile("\\bThread\\b"),
            Pattern.compile("\\bExecutor"),
            Pattern.compile("\\bSystem\\.(in|out|err|getenv|getProperty)\\b"),
            Pattern.compile("\\b(static)\\s+(?!final\\b)(?!class\\b)(?!record\\b)(?!enum\\b)(?!interface\\b)"
                    + "(?!abstract\\b)[\\w<>\\[\\], ]+\\s+\\w+\\s*(=|;)"));

    private static final List<Pattern> FORBIDDEN_EVERYWHERE = List.of(
            Pattern.compile("Thread\\.sleep"),
            Pattern.compile("currentTimeMillis"),
            Pattern.compile("nanoTime"),
            Pattern.compile("new\\s+Random\\s*\\(\\s*\\)"),
            Pattern.compile("new\\s+SplittableRandom\\s*\\(\\s*\\)"),
            Pattern.compile("Math\\.random"),
            Pattern.compile("ThreadLocalRandom"),
            Pattern.compile("Instant\\.now|LocalDateTime\\.now|Clock\\.system"));

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String code(Path p) throws IOException {
        // strip comments so that documentation may name what the code must not use
        return Files.readString(p).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    @Test
    void mainCodeUsesNoIoThreadsClockOrStaticMutableState() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path p : javaFiles(MAIN)) {
            String src = code(p);
            for (Pattern f : FORBIDDEN_IN_MAIN) {
                if (f.matcher(src).find()) {
                    found.add(p.getFileName() + ": " + f.pattern());
                }
            }
        }
        assertTrue(found.isEmpty(), "forbidden in the pure core: " + found);
    }

    @Test
    void nothingSleepsReadsTheClockOrUsesUnseededRandomness() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path p : javaFiles(ALL)) {
            if (p.getFileName().toString().equals("PurityTest.java")) {
                continue;
            }
            String src = code(p);
            for (Pattern f : FORBIDDEN_EVERYWHERE) {
                if (f.matcher(src).find()) {
                    found.add(p + ": " + f.pattern());
                }
            }
        }
        assertTrue(found.isEmpty(), "forbidden in raft/: " + found);
    }

    @Test
    void everyClassStaysUnderFiveHundredLines() throws IOException {
        List<String> big = new ArrayList<>();
        for (Path p : javaFiles(ALL)) {
            long lines = Files.readAllLines(p).size();
            if (lines > 500) {
                big.add(p.getFileName() + " has " + lines + " lines");
            }
        }
        assertTrue(big.isEmpty(), big.toString());
    }
}
