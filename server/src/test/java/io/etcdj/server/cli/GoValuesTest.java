package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoValuesTest {
    @Test
    void booleansAcceptGoSpellingsOnly() {
        for (String yes : new String[] {"1", "t", "T", "TRUE", "true", "True"}) {
            assertTrue(GoValues.parseBool(yes), yes);
        }
        for (String no : new String[] {"0", "f", "F", "FALSE", "false", "False"}) {
            assertFalse(GoValues.parseBool(no), no);
        }
        for (String bad : new String[] {"", "yes", "tRUE", "on", " true"}) {
            assertThrows(IllegalArgumentException.class, () -> GoValues.parseBool(bad), bad);
        }
    }

    @Test
    void unsignedIntegersTakeGoBasePrefixesAndUnderscores() {
        assertEquals(100, GoValues.parseUnsigned("100", 64));
        assertEquals(16, GoValues.parseUnsigned("0x10", 64));
        assertEquals(8, GoValues.parseUnsigned("010", 64));
        assertEquals(8, GoValues.parseUnsigned("0o10", 64));
        assertEquals(5, GoValues.parseUnsigned("0b101", 64));
        assertEquals(1_000_000, GoValues.parseUnsigned("1_000_000", 64));
        assertEquals(4294967295L, GoValues.parseUnsigned("4294967295", 32));
        assertEquals(
                "value out of range",
                assertThrows(IllegalArgumentException.class, () -> GoValues.parseUnsigned("4294967296", 32))
                        .getMessage());
        for (String bad : new String[] {"", "-1", "+1", "abc", "1__0", "_1", "1_", "08", "0x", "1.5"}) {
            assertEquals(
                    "parse error",
                    assertThrows(IllegalArgumentException.class, () -> GoValues.parseUnsigned(bad, 64))
                            .getMessage(),
                    bad);
        }
    }

    @Test
    void signedIntegers() {
        assertEquals(-5, GoValues.parseSigned("-5"));
        assertEquals(5, GoValues.parseSigned("+5"));
        assertEquals(Long.MIN_VALUE, GoValues.parseSigned("-9223372036854775808"));
        assertThrows(IllegalArgumentException.class, () -> GoValues.parseSigned("9223372036854775808"));
    }

    @Test
    void durationsFollowGoSyntax() {
        assertEquals(Duration.ofMinutes(10), GoValues.parseDuration("10m"));
        assertEquals(Duration.ofMillis(100), GoValues.parseDuration("100ms"));
        assertEquals(Duration.ofMinutes(150), GoValues.parseDuration("2h30m"));
        assertEquals(Duration.ofMillis(1500), GoValues.parseDuration("1.5s"));
        assertEquals(Duration.ofNanos(-3000), GoValues.parseDuration("-3us"));
        assertEquals(Duration.ofNanos(3000), GoValues.parseDuration("3µs"));
        assertEquals(Duration.ZERO, GoValues.parseDuration("0"));
        assertEquals(Duration.ofSeconds(600), GoValues.parseDuration("600000000000ns"));
        for (String bad : new String[] {"", "10", "1x", "m", "1..5s", "-", "5 s"}) {
            assertThrows(IllegalArgumentException.class, () -> GoValues.parseDuration(bad), bad);
        }
    }
}
