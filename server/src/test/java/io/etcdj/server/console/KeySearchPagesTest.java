package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccStore;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.OpenStoreTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A search split into many small pages finds exactly what one unbounded page finds, and both exactly the live keys
 * a plain model says match: over a keyspace with deleted and re-created keys, keys with many versions, keys holding
 * zero bytes, non-ASCII and long keys, read now and at an older revision (where newer versions and keys created
 * later must be stepped over).
 */
class KeySearchPagesTest extends OpenStoreTest {
    private static final String[] PARTS = {"/", "a", "b", "B", "ab", "é", "K", "\u212A", "\u0000", "x\u0000y", "9"};

    /** The live keys and their values by revision (the model the store is checked against). */
    private final TreeMap<ByteString, String> live = new TreeMap<>(ByteString.unsignedLexicographicalComparator());

    private void put(byte[] key, String value) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(key, ByteString.copyFromUtf8(value), 0);
            txn.commit(++index);
        }
        live.put(ByteString.copyFrom(key), value);
    }

    private void delete(byte[] key) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(key, null), kv -> {});
            txn.commit(++index);
        }
        live.remove(ByteString.copyFrom(key));
    }

    private static byte[] randomKey(Random random) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + random.nextInt(6);
        for (int i = 0; i < parts; i++) {
            sb.append(PARTS[random.nextInt(PARTS.length)]);
        }
        if (random.nextInt(20) == 0) {
            sb.append("long".repeat(40 + random.nextInt(60))); // past the scan's first key buffer
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a random keyspace; returns the live keys at a revision in the middle, and that revision. */
    private TreeMap<ByteString, String> writeKeyspace(long seed, long[] midRevision) throws Exception {
        Random random = new Random(seed);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            keys.add(randomKey(random));
        }
        TreeMap<ByteString, String> mid = null;
        for (int op = 0; op < 900; op++) {
            byte[] key = keys.get(random.nextInt(keys.size()));
            if (random.nextInt(4) == 0) {
                delete(key);
            } else {
                put(key, "v" + op);
            }
            if (op == 450) {
                mid = new TreeMap<>(live);
                midRevision[0] = store.currentRevision();
            }
        }
        return mid;
    }

    private List<String> expected(TreeMap<ByteString, String> model, Predicate<String> matches) {
        List<String> out = new ArrayList<>();
        model.keySet().forEach(k -> {
            if (matches.test(k.toStringUtf8())) {
                out.add(k.toStringUtf8());
            }
        });
        return out;
    }

    /** Every hit at {@code revision}, asking page after page with the given limits. */
    private List<String> searchAll(long revision, TextMatcher matcher, int limit, long maxKeys) throws Exception {
        List<String> out = new ArrayList<>();
        byte[] from = new byte[0];
        int pages = 0;
        while (from != null) {
            byte[] start = from;
            MvccStore.CursorRead<KeySearch.Page> read = c -> KeySearch.search(
                    c,
                    start,
                    new byte[0],
                    matcher,
                    false,
                    new KeySearch.Limits(limit, maxKeys, 1 << 20, Long.MAX_VALUE),
                    System::nanoTime);
            // pages alternate between the two reads the store offers: through the block cache, and past it
            KeySearch.Page page = pages % 2 == 0 ? store.read(revision, read) : store.scan(revision, read);
            assertTrue(page.hits().size() <= limit, page.hits().size() + " hits");
            assertTrue(page.scannedKeys() <= maxKeys, page.scannedKeys() + " keys examined");
            for (KeySearch.Hit h : page.hits()) {
                out.add(new String(h.key(), StandardCharsets.UTF_8));
                assertEquals(-1, h.modRevision()); // no value was read
            }
            if (page.continueKey() != null) {
                assertTrue(Arrays.compareUnsigned(page.continueKey(), start) > 0, "no progress");
            }
            from = page.continueKey();
            assertTrue(++pages < 10_000, "too many pages");
        }
        return out;
    }

    private void checkEverySplit(long revision, TextMatcher matcher, List<String> expected, Random random)
            throws Exception {
        assertEquals(expected, searchAll(revision, matcher, 500, 1_000_000), "one page");
        assertEquals(expected, searchAll(revision, matcher, 1, 1), "one key a page");
        for (int i = 0; i < 3; i++) {
            int limit = 1 + random.nextInt(5);
            long maxKeys = 1 + random.nextInt(30);
            assertEquals(
                    expected,
                    searchAll(revision, matcher, limit, maxKeys),
                    limit + " hits, " + maxKeys + " keys a page");
        }
    }

    @Test
    void pagesOfAnySizeFindWhatOneScanAndTheModelFind() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            long[] midRevision = {0};
            TreeMap<ByteString, String> mid = writeKeyspace(seed, midRevision);
            Random random = new Random(seed);
            for (String needle : List.of("a", "ab/", "b", "é", "k", "\u0000", "x\u0000y", "long")) {
                checkEverySplit(
                        0, TextMatcher.substring(needle, false), expected(live, t -> t.contains(needle)), random);
                checkEverySplit(
                        midRevision[0],
                        TextMatcher.substring(needle, false),
                        expected(mid, t -> t.contains(needle)),
                        random);
                String lower = needle.toLowerCase(Locale.ROOT);
                checkEverySplit(
                        0,
                        TextMatcher.substring(needle.toUpperCase(Locale.ROOT), true),
                        expected(live, t -> t.toLowerCase(Locale.ROOT).contains(lower)),
                        random);
            }
            Pattern p = Pattern.compile("^/a.*b$");
            checkEverySplit(
                    midRevision[0],
                    TextMatcher.regex(p.pattern(), false, new BoundedChars.Budget(1 << 30)),
                    expected(mid, t -> p.matcher(t).find()),
                    random);
            for (ByteString k : new ArrayList<>(live.keySet())) {
                delete(k.toByteArray()); // the next seed starts from a keyspace of deleted keys
            }
        }
    }

    @Test
    void aPageCountsDeletedKeysAsExaminedAndStopsAtTheFirstKeyNotExamined() throws Exception {
        for (int i = 0; i < 6; i++) {
            put(("/k" + i).getBytes(StandardCharsets.UTF_8), "v");
        }
        delete("/k1".getBytes(StandardCharsets.UTF_8));
        delete("/k2".getBytes(StandardCharsets.UTF_8));
        KeySearch.Page p = store.read(
                0,
                c -> KeySearch.search(
                        c,
                        new byte[0],
                        new byte[0],
                        TextMatcher.substring("/k", false),
                        false,
                        new KeySearch.Limits(10, 4, 1 << 20, Long.MAX_VALUE),
                        System::nanoTime));
        assertEquals(
                List.of("/k0", "/k3"),
                p.hits().stream()
                        .map(h -> new String(h.key(), StandardCharsets.UTF_8))
                        .toList());
        assertEquals(4, p.scannedKeys()); // /k0 and /k3, and the deleted /k1 and /k2 between them
        assertEquals("/k4", new String(p.continueKey(), StandardCharsets.UTF_8));
        KeySearch.Page rest = store.read(
                0,
                c -> KeySearch.search(
                        c,
                        p.continueKey(),
                        new byte[0],
                        TextMatcher.substring("/k", false),
                        false,
                        new KeySearch.Limits(1, 4, 1 << 20, Long.MAX_VALUE),
                        System::nanoTime));
        assertEquals(1, rest.hits().size());
        assertEquals("/k5", new String(rest.continueKey(), StandardCharsets.UTF_8)); // a full page stops at the next
        KeySearch.Page last = store.read(
                0,
                c -> KeySearch.search(
                        c,
                        rest.continueKey(),
                        new byte[0],
                        TextMatcher.substring("/k", false),
                        false,
                        new KeySearch.Limits(1, 4, 1 << 20, Long.MAX_VALUE),
                        System::nanoTime));
        assertEquals(1, last.hits().size());
        assertNull(last.continueKey()); // the range is done
    }

    @Test
    void ignoringCaseMatchesOnBytesAsOnLowercasedText() {
        for (String needle : List.of("a", "AB", "k", "é", "\u212A", "ß", "i")) {
            TextMatcher m = TextMatcher.substring(needle, true);
            String lower = needle.toLowerCase(Locale.ROOT);
            for (String text : List.of("", "a", "xAbY", "ab", "\u212Aelvin", "KELVIN", "CAFÉ", "straße", "İ", "I")) {
                byte[] bytes = (text + "tail").getBytes(StandardCharsets.UTF_8);
                assertEquals(
                        text.toLowerCase(Locale.ROOT).contains(lower),
                        m.matches(bytes, bytes.length - 4),
                        needle + " in " + text);
            }
        }
    }
}
