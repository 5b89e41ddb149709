package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.program.Constant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code AsmValues}' hand-written matchers of f64 bits, decimal f64s and {@code dec:} literals
 * accept exactly the words the regular expressions they replaced (cold start, issue 14) accepted,
 * and a {@code dec:} literal splits as that pattern's groups did: checked against those patterns
 * (kept here as the oracle) on every word of up to 6 characters over an alphabet of the shapes'
 * characters and some others, and on longer and non-ASCII words.
 */
class AsmValuesShapesTest {
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DECIMAL = Pattern.compile("([+-]?)(\\d+)(?:\\.(\\d+))?");
    private static final Pattern HEX_BITS = Pattern.compile("0[xX][0-9a-fA-F]{16}");

    /** every word of up to {@code max} characters over {@code alphabet} */
    private static List<String> words(String alphabet, int max) {
        List<String> all = new ArrayList<>();
        all.add("");
        int from = 0;
        for (int len = 1; len <= max; len++) {
            int to = all.size();
            for (int i = from; i < to; i++) {
                for (int c = 0; c < alphabet.length(); c++) {
                    all.add(all.get(i) + alphabet.charAt(c));
                }
            }
            from = to;
        }
        return all;
    }

    private static void checkDecimal(String w) {
        Matcher m = DECIMAL.matcher(w);
        int point = AsmValues.decimalPoint(w);
        assertEquals(m.matches(), point >= 0, w);
        if (point >= 0) {
            boolean signed = w.charAt(0) == '+' || w.charAt(0) == '-';
            assertEquals(m.group(1), signed ? w.substring(0, 1) : "", w);
            assertEquals(m.group(2), w.substring(signed ? 1 : 0, point), w);
            assertEquals(m.group(3), point < w.length() ? w.substring(point + 1) : null, w);
        }
    }

    @Test
    void floatsAndDecimalsAsThePatterns() {
        List<String> all = words("01+-.eEx", 6);
        assertEquals(299_593, all.size());
        int floats = 0;
        int decimals = 0;
        for (String w : all) {
            boolean f = FLOAT.matcher(w).matches();
            assertEquals(f, AsmValues.isFloat(w), w);
            floats += f ? 1 : 0;
            checkDecimal(w);
            decimals += DECIMAL.matcher(w).matches() ? 1 : 0;
            assertEquals(HEX_BITS.matcher(w).matches(), AsmValues.isHexBits(w), w);
        }
        // both kinds of answer were met many times (the oracle is not trivially false)
        assertTrue(floats > 1000, "floats " + floats);
        assertTrue(decimals > 500, "decimals " + decimals);
        for (String w : List.of("1.5e10", "-2e-3", "+.5E+7", "123456789.123456789e123", "1e", "1e+", ".e1",
                "1..2", "٣", "1٣", "1.٣", "1e٣", "0.0", "-0", "1.5f", " 1", "1 ", "\u0000", "+", "-.", "1.2.3")) {
            assertEquals(FLOAT.matcher(w).matches(), AsmValues.isFloat(w), w);
            checkDecimal(w);
        }
    }

    /**
     * Random words, long ones too, over the shapes' characters and the ones a hand-written matcher
     * could mistake for them: non-ASCII digits {@link Character#isDigit} accepts (Arabic-Indic,
     * extended Arabic-Indic, Devanagari, fullwidth, a mathematical digit as a surrogate pair), lone
     * surrogates, no-break and figure spaces, letters of Infinity, NaN and hex floats, and chars next
     * to '0', '9', 'a', 'f' in ASCII.
     */
    @Test
    void randomAndLongWordsAsThePatterns() {
        String[] pieces = {"0", "1", "5", "9", "+", "-", ".", "e", "E", "x", "X", "a", "f", "F", "g", "G", "p",
            "/", ":", "@", "`", "\u0663", "\u06f5", "\u0966", "\uff10", "\uff19", "\ud835\udfce", "\ud800",
            "\udc00", "\u00a0", "\u2007", " ", "Infinity", "NaN", "0x", "\u0000", "\u00bd"};
        java.util.Random r = new java.util.Random(20261205);
        int floats = 0;
        int decimals = 0;
        int bits = 0;
        for (int k = 0; k < 200_000; k++) {
            StringBuilder b = new StringBuilder();
            int n = k % 100 == 0 ? r.nextInt(20_000) : r.nextInt(24);
            while (b.length() < n) {
                b.append(r.nextInt(4) == 0 ? pieces[r.nextInt(pieces.length)] : "0123456789.eE+-".charAt(r.nextInt(15)));
            }
            StringBuilder hb = new StringBuilder(r.nextBoolean() ? "0x" : "0X");
            while (hb.length() < 18) {
                hb.append(r.nextInt(40) == 0 ? pieces[r.nextInt(pieces.length)]
                        : "0123456789abcdefABCDEF".charAt(r.nextInt(22)));
            }
            for (String w : new String[] {b.toString(), "0x" + b, "1" + b + "5", hb.toString()}) {
                boolean f = FLOAT.matcher(w).matches();
                assertEquals(f, AsmValues.isFloat(w), w);
                checkDecimal(w);
                boolean h = HEX_BITS.matcher(w).matches();
                assertEquals(h, AsmValues.isHexBits(w), w);
                floats += f ? 1 : 0;
                decimals += DECIMAL.matcher(w).matches() ? 1 : 0;
                bits += h ? 1 : 0;
            }
        }
        assertTrue(floats > 10_000, "floats " + floats);
        assertTrue(decimals > 5_000, "decimals " + decimals);
        assertTrue(bits > 50_000, "bits " + bits);
        // a structured long word of each shape, and one char off
        String digits = "1234567890".repeat(1_000);
        for (String w : List.of(digits, "-" + digits + "." + digits + "e+" + digits, "." + digits, digits + ".",
                digits + "e", digits + ".\u0663", "+" + digits + "." + digits)) {
            assertEquals(FLOAT.matcher(w).matches(), AsmValues.isFloat(w), w);
            checkDecimal(w);
        }
    }

    @Test
    void hexBitsAsThePattern() {
        for (String w : words("0xXfG", 5)) {
            assertEquals(HEX_BITS.matcher(w).matches(), AsmValues.isHexBits(w), w);
        }
        List<String> cases = new ArrayList<>(List.of("0x3ff8000000000000", "0X7FF0000000000000",
                "0xabcdefABCDEF0123", "0x3ff800000000000", "0x3ff80000000000000", "1x3ff8000000000000",
                "0y3ff8000000000000", "0x3ff800000000000g", "0x3ff800000000000٣", "00x3ff800000000000"));
        for (int i = 0; i < 18; i++) {
            for (char c : new char[] {'0', 'x', 'X', 'a', 'F', 'g', 'G', '/', ':', '@', '`', ' '}) {
                StringBuilder b = new StringBuilder("0x0123456789abcdef");
                b.setCharAt(i, c);
                cases.add(b.toString());
            }
        }
        int bits = 0;
        for (String w : cases) {
            boolean h = HEX_BITS.matcher(w).matches();
            assertEquals(h, AsmValues.isHexBits(w), w);
            bits += h ? 1 : 0;
        }
        assertTrue(bits > 20, "bits " + bits);
    }

    @Test
    void decimalLiteralsAssembleAsBefore() throws Exception {
        assertEquals(new Constant.Decimal(-150, 2), constant("dec:-1.50"));
        assertEquals(new Constant.Decimal(7, 0), constant("dec:+7"));
        assertEquals(new Constant.Decimal(5, 3), constant("dec:0.005"));
        assertEquals(new Constant.Decimal(Long.MIN_VALUE, 0), constant("dec:-9223372036854775808"));
        assertEquals(new Constant.F64(Double.doubleToRawLongBits(-2.5e-3)), constant("f64:-2.5e-3"));
        assertEquals(new Constant.F64(0x3ff8000000000000L), constant("f64:0x3ff8000000000000"));
        assertFalse(AsmValues.isFloat("0x3ff8000000000000"));
    }

    private static Constant constant(String literal) throws Exception {
        return Assembler.assemble("const c = " + literal + "\n", "t.tasm").constants().get(0);
    }
}
