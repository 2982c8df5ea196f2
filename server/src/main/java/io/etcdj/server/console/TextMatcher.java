package io.etcdj.server.console;

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

    /** A substring search. */
    static TextMatcher substring(String needle, boolean ignoreCase) {
        checkLength(needle);
        if (!ignoreCase) {
            return text -> text.contains(needle);
        }
        String lower = needle.toLowerCase(Locale.ROOT);
        return text -> text.toLowerCase(Locale.ROOT).contains(lower);
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
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription() + " near index "
                    + e.getIndex());
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
}
