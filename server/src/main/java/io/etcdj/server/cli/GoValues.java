package io.etcdj.server.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;

/**
 * Parsers that accept exactly what Go's {@code strconv} and {@code time} packages accept, so a value
 * that etcd takes from a flag, a variable or a config file means the same thing here.
 *
 * <p>Each parser throws {@link IllegalArgumentException} whose message is Go's short reason
 * ("parse error" or "value out of range"); callers wrap it with the flag name.
 */
final class GoValues {
    static final String PARSE_ERROR = "parse error";
    static final String RANGE_ERROR = "value out of range";

    private GoValues() {}

    /** Go's {@code strconv.ParseBool}: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. */
    static boolean parseBool(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException(PARSE_ERROR);
        };
    }

    /**
     * Go's {@code strconv.ParseUint(text, 0, bits)}: decimal, or 0x/0o/0b/0-prefixed, underscores
     * allowed between digits when a base prefix or base 0 applies. Values above {@link Long#MAX_VALUE}
     * are refused as out of range even for 64 bits, since every consumer stores a Java long.
     */
    static long parseUnsigned(String text, int bits) {
        if (text.startsWith("+") || text.startsWith("-")) {
            throw new IllegalArgumentException(PARSE_ERROR);
        }
        BigInteger value = parseInteger(text);
        BigInteger limit =
                BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).min(BigInteger.valueOf(Long.MAX_VALUE));
        if (value.compareTo(limit) > 0) {
            throw new IllegalArgumentException(RANGE_ERROR);
        }
        return value.longValueExact();
    }

    /** Go's {@code strconv.ParseInt(text, 0, 64)}. */
    static long parseSigned(String text) {
        boolean negative = text.startsWith("-");
        String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        BigInteger value = parseInteger(digits);
        if (negative) {
            value = value.negate();
        }
        if (value.bitLength() > 63) {
            throw new IllegalArgumentException(RANGE_ERROR);
        }
        return value.longValueExact();
    }

    private static BigInteger parseInteger(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(PARSE_ERROR);
        }
        int radix = 10;
        String digits = text;
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("0x")) {
            radix = 16;
            digits = text.substring(2);
        } else if (lower.startsWith("0o")) {
            radix = 8;
            digits = text.substring(2);
        } else if (lower.startsWith("0b")) {
            radix = 2;
            digits = text.substring(2);
        } else if (text.length() > 1 && text.charAt(0) == '0') {
            radix = 8;
            digits = text.substring(1);
        }
        if (!underscoresOk(text)) {
            throw new IllegalArgumentException(PARSE_ERROR);
        }
        digits = digits.replace("_", "");
        if (digits.isEmpty()) {
            throw new IllegalArgumentException(PARSE_ERROR);
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw new IllegalArgumentException(PARSE_ERROR);
            }
        }
        return new BigInteger(digits, radix);
    }

    /** Go's rule: an underscore must sit between digits (a base prefix counts as a digit). */
    private static boolean underscoresOk(String text) {
        char saw = '^';
        int i = 0;
        boolean hex = false;
        if (text.length() >= 2 && text.charAt(0) == '0' && "bBoOxX".indexOf(text.charAt(1)) >= 0) {
            i = 2;
            saw = '0';
            hex = text.charAt(1) == 'x' || text.charAt(1) == 'X';
        }
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean digit = (c >= '0' && c <= '9') || (hex && Character.digit(c, 16) >= 0);
            if (digit) {
                saw = '0';
            } else if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
            } else if (saw == '_') {
                return false;
            } else {
                saw = '!';
            }
        }
        return saw != '_';
    }

    /**
     * Go's {@code time.ParseDuration}: a signed sequence of decimal numbers with units
     * (ns, us, µs, μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m"; "0" alone is allowed.
     */
    static Duration parseDuration(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        BigInteger totalNanos = BigInteger.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numberStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = unitNanos(s.substring(unitStart, i), text);
            totalNanos = totalNanos.add(new BigDecimal(number)
                    .multiply(BigDecimal.valueOf(unitNanos))
                    .toBigInteger());
        }
        if (totalNanos.bitLength() > 63) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        long nanos = totalNanos.longValueExact();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }
}
