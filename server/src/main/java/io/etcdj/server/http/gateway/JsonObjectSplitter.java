package io.etcdj.server.http.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream of concatenated JSON objects ({"a":1} {"b":2}...) into one string per object, however the
 * bytes are split into chunks: how a streaming call's requests arrive in an HTTP body. Not thread-safe: one body
 * is fed from one thread.
 */
final class JsonObjectSplitter {
    /** One object may not grow past this (a request larger than the server takes anyway). */
    private final int maxObjectBytes;

    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private int depth;
    private boolean inString;
    private boolean escaped;

    JsonObjectSplitter(int maxObjectBytes) {
        this.maxObjectBytes = maxObjectBytes;
    }

    /** The objects completed by {@code chunk}. Throws IllegalArgumentException on bytes that are not an object. */
    List<String> feed(byte[] chunk) {
        List<String> done = new ArrayList<>(1);
        for (byte b : chunk) {
            if (depth == 0) {
                if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                    continue;
                }
                if (b != '{') {
                    throw new IllegalArgumentException(
                            "invalid character '" + (char) b + "' looking for beginning of value");
                }
            }
            current.write(b);
            if (current.size() > maxObjectBytes) {
                throw new IllegalArgumentException("request is too large");
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    done.add(current.toString(StandardCharsets.UTF_8));
                    current.reset();
                }
            }
        }
        return done;
    }

    /** Whether the stream ended inside an object. */
    boolean hasPartial() {
        return current.size() > 0;
    }
}
