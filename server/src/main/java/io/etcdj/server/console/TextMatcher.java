package io.etcdj.server.console;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a search looks for in a key or value: a substring (optionally ignoring case) or a regular expression
 * (java.util.regex, found anywhere in the text). A regular expression's matching is bounded: it reads the text
 * through {@link BoundedChars}, so a pattern that backtracks catastrophically fails the request instead of holding a
 * thread.
 */
interface TextMatcher {
    /** Longest pattern accepted, in characters. */
    int MAX_PATTERN_CHARS = 1024;

    boolean matches(String text);

    /** Whether the UTF-8 bytes [0, length) match (the text decoded, invalid sequences replaced). */
    default boolean matches(byte[] utf8, int length) {
        return matches(new String(utf8, 0, length, StandardCharsets.UTF_8));
    }

    /** Whether the UTF-8 bytes match (the text decoded, invalid sequences replaced). */
    default boolean matches(byte[] utf8) {
        return matches(utf8, utf8.length);
    }

    /** A substring search. */
    static TextMatcher substring(String needle, boolean ignoreCase) {
        checkLength(needle);
        if (!ignoreCase) {
            return new Substring(needle);
        }
        return new CaseInsensitive(needle);
    }

    /**
     * A regular expression search, {@code maxSteps} character reads for the whole request.
     *
     * @throws IllegalArgumentException the pattern does not compile (with the compiler's message)
     */
    static TextMatcher regex(String pattern, boolean ignoreCase, BoundedChars.Budget budget) {
        checkLength(pattern);
        Pattern p;
        try {
            p = Pattern.compile(pattern, ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        return text -> p.matcher(new BoundedChars(text, budget)).find();
    }

    private static void checkLength(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the search text is empty");
        }
        if (s.length() > MAX_PATTERN_CHARS) {
            throw new IllegalArgumentException("the search text is longer than " + MAX_PATTERN_CHARS + " characters");
        }
    }

    /**
     * A case-sensitive substring, matched on the UTF-8 bytes without decoding them: UTF-8 is self-synchronizing, so
     * the text contains the needle exactly when its bytes contain the needle's bytes (invalid sequences aside, which
     * decoding would have replaced with U+FFFD: a needle holding U+FFFD is matched on decoded text).
     */
    final class Substring implements TextMatcher {
        private final String needle;
        private final byte[] bytes;

        Substring(String needle) {
            this.needle = needle;
            this.bytes = needle.indexOf('\uFFFD') >= 0 ? null : needle.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean matches(String text) {
            return text.contains(needle);
        }

        @Override
        public boolean matches(byte[] utf8, int length) {
            if (bytes == null) {
                return matches(new String(utf8, 0, length, StandardCharsets.UTF_8));
            }
            byte first = bytes[0];
            int last = length - bytes.length;
            outer:
            for (int i = 0; i <= last; i++) {
                if (utf8[i] != first) {
                    continue;
                }
                for (int j = 1; j < bytes.length; j++) {
                    if (utf8[i + j] != bytes[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /**
     * A substring ignoring case, as {@code text.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT))}.
     * When the needle and the text are both ASCII that is a byte comparison folding A-Z, done on the bytes without
     * decoding them; any other text is decoded and lowercased (some non-ASCII letters lowercase to ASCII ones, as the
     * Kelvin sign to "k", so the bytes alone would miss them).
     */
    final class CaseInsensitive implements TextMatcher {
        private final String lower;
        /** The lowercased needle's bytes when it is ASCII, else null. */
        private final byte[] ascii;

        CaseInsensitive(String needle) {
            this.lower = needle.toLowerCase(Locale.ROOT);
            this.ascii = lower.chars().allMatch(c -> c < 0x80) ? lower.getBytes(StandardCharsets.US_ASCII) : null;
        }

        @Override
        public boolean matches(String text) {
            return text.toLowerCase(Locale.ROOT).contains(lower);
        }

        @Override
        public boolean matches(byte[] utf8, int length) {
            if (ascii == null || !isAscii(utf8, length)) {
                return matches(new String(utf8, 0, length, StandardCharsets.UTF_8));
            }
            int last = length - ascii.length;
            outer:
            for (int i = 0; i <= last; i++) {
                for (int j = 0; j < ascii.length; j++) {
                    if (lowerAscii(utf8[i + j]) != ascii[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        private static boolean isAscii(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                if (bytes[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        private static byte lowerAscii(byte b) {
            return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
        }
    }
}
