package io.etcdj.server.console;

/**
 * A string as a CharSequence whose reads are counted against a budget shared by one request: a regular expression
 * that backtracks without end runs out of it and stops with {@link Exhausted}.
 */
final class BoundedChars implements CharSequence {
    /** The character reads one request may still make; one request's thread only. */
    static final class Budget {
        private long remainingReads;

        Budget(long reads) {
            this.remainingReads = reads;
        }

        void take() {
            if (--remainingReads < 0) {
                throw new Exhausted();
            }
        }
    }

    /** The budget ran out. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super(
                    "the regular expression needs too much work on these keys; make it more specific",
                    null,
                    false,
                    false);
        }
    }

    private final String text;
    private final Budget budget;

    BoundedChars(String text, Budget budget) {
        this.text = text;
        this.budget = budget;
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        budget.take();
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedChars(text.substring(start, end), budget);
    }

    @Override
    public String toString() {
        return text;
    }
}
