package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link Limits#parseUnsigned} (the CLI's limit options) answers as the build before its digit
 * check became a loop (commit 3d628c2, {@code chars().allMatch(...)}): the answers below are what
 * that build gave, for signs, blanks, separators, 20 and more digits, and digits other than ASCII
 * 0-9 that {@link Character#isDigit} and {@link Long#parseUnsignedLong} accept (Arabic-Indic,
 * Devanagari, fullwidth, a mathematical digit as a surrogate pair) or lone surrogates.
 */
class LimitsParseUnsignedAsBeforeTest {
    /** input, then the value, or WHOLE / LARGER for the two error messages */
    private static final String[][] CASES = {
        {null, "WHOLE"},
        {"", "WHOLE"},
        {" ", "WHOLE"},
        {"+", "WHOLE"},
        {"-", "WHOLE"},
        {"0", "0"},
        {"+0", "0"},
        {"-0", "WHOLE"},
        {"+-0", "WHOLE"},
        {"++5", "WHOLE"},
        {"+ 5", "WHOLE"},
        {" +7 ", "7"},
        {"\t12\n", "12"},
        {"5 ", "5"},
        {"007", "7"},
        {"1_000", "WHOLE"},
        {"1,000", "WHOLE"},
        {"1e3", "WHOLE"},
        {"0x10", "WHOLE"},
        {"10.0", "WHOLE"},
        {"18446744073709551615", "18446744073709551615"},
        {"+18446744073709551615", "18446744073709551615"},
        {"18446744073709551616", "LARGER"},
        {"000000000000000000000018446744073709551615", "18446744073709551615"},
        {"99999999999999999999", "LARGER"},
        {"123456789012345678901234567890", "LARGER"},
        {"9223372036854775807", "9223372036854775807"},
        {"9223372036854775808", "9223372036854775808"},
        {"\u0663", "WHOLE"},
        {"1\u0663", "WHOLE"},
        {"\uff11\uff12", "WHOLE"},
        {"\u0966", "WHOLE"},
        {"\ud835\udfce", "WHOLE"},
        {"\ud800", "WHOLE"},
        {"1\udc00", "WHOLE"},
        {"\u00a05", "WHOLE"},
        {"5\u2007", "WHOLE"},
        {"\u30005", "WHOLE"},
        {"\u00005", "5"},
        {"5\u0000", "5"},
        {"\u001f5", "5"},
        {"\u0663\u0663\u0663", "WHOLE"},
        {"+\u0663", "WHOLE"},
    };

    @Test
    void answersAsTheBuildBefore() {
        int values = 0;
        for (String[] c : CASES) {
            String what = c[0] == null ? "null" : c[0];
            switch (c[1]) {
                case "WHOLE" -> assertEquals("--fuel must be a whole number from 0 to 18446744073709551615",
                        assertThrows(IllegalArgumentException.class, () -> Limits.parseUnsigned(c[0], "--fuel"), what)
                                .getMessage(), what);
                case "LARGER" -> assertEquals("--fuel is larger than 18446744073709551615 (2^64-1), the largest value"
                        + " it can hold", assertThrows(IllegalArgumentException.class,
                                () -> Limits.parseUnsigned(c[0], "--fuel"), what).getMessage(), what);
                default -> {
                    assertEquals(Long.parseUnsignedLong(c[1]), Limits.parseUnsigned(c[0], "--fuel"), what);
                    values++;
                }
            }
        }
        assertEquals(43, CASES.length);
        assertEquals(14, values);
    }
}
