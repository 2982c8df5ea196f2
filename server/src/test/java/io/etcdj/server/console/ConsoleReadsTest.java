package io.etcdj.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcdj.server.mvcc.KeyRange;
import io.etcdj.server.mvcc.MvccWriteTxn;
import io.etcdj.server.mvcc.OpenStoreTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's reads over a real store: children of a prefix, search, space per prefix. */
class ConsoleReadsTest extends OpenStoreTest {
    private long put(String key, String value) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(b(key), ByteString.copyFromUtf8(value), 0);
            txn.commit(++index);
        }
        return store.currentRevision();
    }

    private void delete(String key) throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b(key), null), kv -> {});
            txn.commit(++index);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private List<String> children(String prefix, long revision, int limit) throws Exception {
        return children(prefix, revision, limit, Long.MAX_VALUE, new long[1]);
    }

    /** Every child, page by page; {@code pages[0]} counts the pages. */
    private List<String> children(String prefix, long revision, int limit, long maxSkipped, long[] pages)
            throws Exception {
        List<String> out = new ArrayList<>();
        byte[] from = null;
        do {
            byte[] start = from;
            ChildrenListing.Page page =
                    store.read(revision, c -> ChildrenListing.list(c, b(prefix), (byte) '/', start, limit, maxSkipped));
            assertTrue(page.skippedKeys() <= maxSkipped, page.skippedKeys() + " keys stepped over");
            pages[0]++;
            assertTrue(page.children().size() <= limit);
            for (ChildrenListing.Child c : page.children()) {
                out.add(s(c.key()) + (c.dir() ? " (dir)" : ""));
            }
            from = page.continueKey();
        } while (from != null);
        return out;
    }

    @Test
    void childrenAreTheNextSegmentsAndTheKeysEndingThere() throws Exception {
        for (String k : List.of("/a/b/c", "/a/b/d", "/a/e", "/z", "foo", "foo/x/y", "foo/z", "a/", "a/b")) {
            put(k, "v");
        }
        assertEquals(List.of("/ (dir)", "a/ (dir)", "foo", "foo/ (dir)"), children("", 0, 100));
        assertEquals(List.of("/a/ (dir)", "/z"), children("/", 0, 100));
        assertEquals(List.of("/a/b/ (dir)", "/a/e"), children("/a/", 0, 100));
        assertEquals(List.of("/a/b/c", "/a/b/d"), children("/a/b/", 0, 100));
        assertEquals(List.of("a/", "a/b"), children("a/", 0, 100)); // the key named like its directory
        assertEquals(List.of("foo/x/ (dir)", "foo/z"), children("foo/", 0, 100));
        assertEquals(List.of(), children("/nothing/", 0, 100));
    }

    @Test
    void pagesOfOneChildGiveTheSameListing() throws Exception {
        for (int i = 0; i < 30; i++) {
            put("/d" + (i % 7) + "/k" + i, "v");
            put("/leaf" + i, "v");
        }
        List<String> whole = children("/", 0, 1000);
        assertEquals(37, whole.size());
        assertEquals(whole, children("/", 0, 1));
        assertEquals(whole, children("/", 0, 3));
    }

    @Test
    void deletedKeysAndEmptiedDirectoriesAreGoneButAnOldRevisionShowsThem() throws Exception {
        put("/app/x/1", "v");
        long before = put("/app/y", "v");
        delete("/app/x/1");
        assertEquals(List.of("/app/y"), children("/app/", 0, 10));
        assertEquals(List.of("/app/x/ (dir)", "/app/y"), children("/app/", before, 10));
    }

    @Test
    void deletedKeysAreSteppedOverWithinABudgetAPageThenTheNextPageGoesOn() throws Exception {
        put("/p/a", "v");
        try (MvccWriteTxn txn = store.beginWrite()) { // 1,000 keys under /p/gone/, then all deleted
            for (int i = 0; i < 1000; i++) {
                txn.put(b(String.format("/p/gone/%04d", i)), ByteString.copyFromUtf8("v"), 0);
            }
            txn.commit(++index);
        }
        put("/p/gone2/x", "v");
        long full = put("/p/z", "v");
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.deleteRange(KeyRange.of(b("/p/gone/"), b("/p/gone0")), kv -> {});
            txn.commit(++index);
        }
        long[] pages = {0};
        // one page when the budget covers them: every deleted key stepped over once
        ChildrenListing.Page one = store.read(0, c -> ChildrenListing.list(c, b("/p/"), (byte) '/', null, 100, 10_000));
        assertEquals(1000, one.skippedKeys());
        assertNull(one.continueKey());
        assertEquals(List.of("/p/a", "/p/gone2/ (dir)", "/p/z"), children("/p/", 0, 100, 10_000, pages));
        // a budget of 300: pages end early with where to go on, and together give the same listing
        pages[0] = 0;
        assertEquals(List.of("/p/a", "/p/gone2/ (dir)", "/p/z"), children("/p/", 0, 100, 300, pages));
        assertEquals(4, pages[0]); // 1,000 deleted keys, 300 a page
        pages[0] = 0; // a budget spent exactly as a live key comes: the page ends there, and the next goes on
        assertEquals(List.of("/p/a", "/p/gone2/ (dir)", "/p/z"), children("/p/", 0, 100, 1000, pages));
        assertEquals(2, pages[0]);
        // at a revision before the delete, the directory is there and costs one seek
        ChildrenListing.Page then = store.read(full, c -> ChildrenListing.list(c, b("/p/"), (byte) '/', null, 100, 1));
        assertEquals(4, then.children().size());
        assertEquals(0, then.skippedKeys());
    }

    @Test
    void aPrefixEndingInFfBytesListsToTheEnd() throws Exception {
        try (MvccWriteTxn txn = store.beginWrite()) {
            txn.put(new byte[] {(byte) 0xFF, '/', 1}, ByteString.copyFromUtf8("v"), 0);
            txn.commit(++index);
        }
        ChildrenListing.Page page =
                store.read(0, c -> ChildrenListing.list(c, new byte[] {(byte) 0xFF}, (byte) '/', null, 10, 10));
        assertEquals(1, page.children().size());
        assertTrue(page.children().get(0).dir());
        assertNull(page.continueKey());
    }

    private List<String> searchAll(String text, boolean regex, boolean values, long maxKeys) throws Exception {
        List<String> out = new ArrayList<>();
        byte[] from = new byte[0];
        TextMatcher m = regex
                ? TextMatcher.regex(text, false, new BoundedChars.Budget(1_000_000))
                : TextMatcher.substring(text, false);
        KeySearch.Limits limits = new KeySearch.Limits(2, maxKeys, 1 << 20, Long.MAX_VALUE);
        int pages = 0;
        while (from != null) {
            byte[] start = from;
            KeySearch.Page p =
                    store.read(0, c -> KeySearch.search(c, start, new byte[0], m, values, limits, System::nanoTime));
            assertTrue(p.scannedKeys() <= maxKeys);
            assertTrue(p.hits().size() <= 2);
            p.hits().forEach(h -> out.add(s(h.key()) + (h.inValue() ? " (value)" : "")));
            from = p.continueKey();
            assertTrue(++pages < 100);
        }
        return out;
    }

    @Test
    void searchFindsSubstringsAndPatternsInKeysAndValuesPageByPage() throws Exception {
        put("/users/alice", "{\"role\":\"admin\"}");
        put("/users/bob", "{\"role\":\"dev\"}");
        put("/groups/admins", "alice");
        put("/config/feature", "x");
        assertEquals(List.of("/groups/admins"), searchAll("admin", false, false, 1000));
        assertEquals(List.of("/groups/admins", "/users/alice (value)"), searchAll("admin", false, true, 1000));
        assertEquals(
                List.of("/groups/admins", "/users/alice", "/users/bob"),
                searchAll("^/(users|groups)/", true, false, 1));
        assertEquals(List.of(), searchAll("ALICE", false, false, 1000));
        TextMatcher ci = TextMatcher.substring("ALICE", true);
        assertTrue(ci.matches("/users/alice"));
    }

    @Test
    void aScanBudgetEndsThePageWithAContinueKeyAtTheFirstKeyNotExamined() throws Exception {
        for (int i = 0; i < 10; i++) {
            put("/k" + i, "v");
        }
        KeySearch.Page p = store.read(
                0,
                c -> KeySearch.search(
                        c,
                        new byte[0],
                        new byte[0],
                        TextMatcher.substring("nomatch", false),
                        false,
                        new KeySearch.Limits(10, 4, 1 << 20, Long.MAX_VALUE),
                        System::nanoTime));
        assertEquals(0, p.hits().size());
        assertEquals(4, p.scannedKeys());
        assertEquals("/k4", s(p.continueKey()));
        AtomicLong now = new AtomicLong();
        KeySearch.Page timed = store.read(
                0,
                c -> KeySearch.search(
                        c,
                        new byte[0],
                        new byte[0],
                        TextMatcher.substring("nomatch", false),
                        false,
                        new KeySearch.Limits(10, 1000, 1 << 20, 5),
                        () -> now.addAndGet(10)));
        assertNotNull(timed.continueKey()); // out of time: a continue key even though keys remain unread
    }

    @Test
    void aSubstringMatchesTheSameOnBytesAsOnText() {
        for (String needle : List.of("a", "é", "日本", "/x/", "\uFFFD")) {
            TextMatcher m = TextMatcher.substring(needle, false);
            for (String text : List.of("", "a", "café", "日本語", "/x/y", "ab/x", "\uFFFD", "x")) {
                assertEquals(
                        text.contains(needle),
                        m.matches(text.getBytes(StandardCharsets.UTF_8)),
                        needle + " in " + text);
            }
        }
        assertTrue(TextMatcher.substring("\uFFFD", false).matches(new byte[] {'a', (byte) 0xC3}));
    }

    @Test
    void regexErrorsAndRunawayPatternsAreRefused() throws Exception {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TextMatcher.regex("(", false, new BoundedChars.Budget(10)));
        assertTrue(e.getMessage().startsWith("invalid regular expression"), e.getMessage());
        put("/" + "a".repeat(40), "v");
        TextMatcher evil = TextMatcher.regex("(.*a){12}b", false, new BoundedChars.Budget(100_000));
        assertThrows(
                BoundedChars.Exhausted.class,
                () -> store.read(
                        0,
                        c -> KeySearch.search(
                                c,
                                new byte[0],
                                new byte[0],
                                evil,
                                false,
                                new KeySearch.Limits(10, 10, 1 << 20, Long.MAX_VALUE),
                                System::nanoTime)));
    }

    @Test
    void aPrefixDiffListsCreatedDeletedAndModifiedKeysPageByPage() throws Exception {
        put("/p/same", "1");
        put("/p/changed", "1");
        put("/p/gone", "1");
        put("/p/flip", "1");
        long before = put("/q/outside", "1");
        put("/p/changed", "2");
        delete("/p/gone");
        put("/p/new", "1");
        delete("/p/flip");
        put("/p/flip", "again"); // deleted and created again: modified
        put("/q/outside", "2");
        List<String> all = new ArrayList<>();
        byte[] from = b("/p/");
        int pages = 0;
        while (from != null) {
            byte[] start = from;
            PrefixDiff.Page p = store.read(
                    0,
                    c -> PrefixDiff.diff(
                            c, start, b("/p0"), before, c.revision(), 1, 2, Long.MAX_VALUE, System::nanoTime));
            assertTrue(p.scannedKeys() <= 2 && p.changes().size() <= 1);
            p.changes().forEach(ch -> all.add(s(ch.key()) + " " + ch.kind()));
            from = p.continueKey();
            assertTrue(++pages < 20);
        }
        assertEquals(List.of("/p/changed MODIFIED", "/p/flip MODIFIED", "/p/gone DELETED", "/p/new CREATED"), all);
        assertThrows(
                IllegalArgumentException.class,
                () -> store.read(before, c -> {
                    c.forEachKeyState(
                            b("/p/"), b("/p0"), 1, before + 1, (k, x, y) -> true); // after the cursor's revision
                    return null;
                }));
    }

    @Test
    void usageCountsEveryVersionPerTopLevelPrefixAndPagesAddUp() throws Exception {
        put("/registry/pods/a", "1");
        put("/registry/pods/a", "22");
        put("/registry/svc/b", "3");
        put("app/x", "4");
        put("lonely", "5");
        delete("lonely");
        SpaceUsage.Page whole = store.read(0, c -> SpaceUsage.measure(c, new byte[0], (byte) '/', 1000, 1000));
        assertNull(whole.continueKey());
        List<String> seen = new ArrayList<>();
        whole.prefixes().forEach(u -> seen.add(s(u.prefix()) + "=" + u.versions()));
        assertEquals(List.of("/registry/=3", "app/=1", "=2"), seen);
        long bytes =
                whole.prefixes().stream().mapToLong(SpaceUsage.Usage::bytes).sum();
        // one version at a time: the pages end between keys and add up to the same counts
        long versions = 0;
        long pagedBytes = 0;
        byte[] from = new byte[0];
        int pages = 0;
        while (from != null) {
            byte[] start = from;
            SpaceUsage.Page p = store.read(0, c -> SpaceUsage.measure(c, start, (byte) '/', 1, 1000));
            versions +=
                    p.prefixes().stream().mapToLong(SpaceUsage.Usage::versions).sum();
            pagedBytes +=
                    p.prefixes().stream().mapToLong(SpaceUsage.Usage::bytes).sum();
            from = p.continueKey();
            pages++;
        }
        assertEquals(6, versions);
        assertEquals(bytes, pagedBytes);
        assertEquals(4, pages); // four keys
    }
}
