package io.etcdj.server.http.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonObjectSplitterTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void objectsSplitAcrossChunksComeOutWhole() {
        JsonObjectSplitter s = new JsonObjectSplitter(1024);
        String all = "{\"a\":{\"b\":[1,{}]}} \n{\"c\":\"}{\\\"\"}{}";
        List<String> out = new ArrayList<>();
        for (char c : all.toCharArray()) { // one byte per chunk: the worst split
            out.addAll(s.feed(b(String.valueOf(c))));
        }
        assertEquals(List.of("{\"a\":{\"b\":[1,{}]}}", "{\"c\":\"}{\\\"\"}", "{}"), out);
        assertTrue(!s.hasPartial());
    }

    @Test
    void bracesInsideStringsDoNotCount() {
        JsonObjectSplitter s = new JsonObjectSplitter(1024);
        assertEquals(List.of("{\"k\":\"{{\"}"), s.feed(b("{\"k\":\"{{\"}")));
    }

    @Test
    void somethingOtherThanAnObjectIsRefused() {
        JsonObjectSplitter s = new JsonObjectSplitter(1024);
        assertThrows(IllegalArgumentException.class, () -> s.feed(b("nope")));
    }

    @Test
    void anObjectLargerThanTheLimitIsRefused() {
        JsonObjectSplitter s = new JsonObjectSplitter(8);
        assertThrows(IllegalArgumentException.class, () -> s.feed(b("{\"key\":\"0123456789\"}")));
    }
}
