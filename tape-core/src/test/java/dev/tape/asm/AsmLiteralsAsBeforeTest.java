package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Literals assemble, or fail with the same message at the same line and column, exactly as the
 * assembler before the eleventh round's hand-written matchers and digit loops (commit 3d628c2, with
 * java.util.regex patterns and {@code chars().allMatch(...)}) did. {@code literals-3d628c2.txt.gz}
 * holds what that build answered: one case a line, {@code template TAB word TAB answer}, the word
 * and answer with every char outside ASCII 0x20-0x7e and every backslash written {@code \}{@code uXXXX};
 * the answer is {@code OK} and the encoded program's hex, or {@code ERR} and the error. The words:
 * f64, dec:, integer, register, index and hex shapes (sign, point, exponent, {@code Infinity},
 * {@code NaN}, hex floats, over-long and out-of-range values), Arabic-Indic, Devanagari,
 * fullwidth and mathematical digits, lone surrogates, no-break spaces, and random mixes of them.
 */
class AsmLiteralsAsBeforeTest {
    /** the templates, by number; a case's word replaces {@code %s} */
    private static final String[] TEMPLATES = {
        "const c = f64:%s\n",
        "const c = dec:%s\n",
        null, // (an f64 operand: f64 as template 0)
        "func f() -> () {\n    const.i64 r%s, 1\n    ret r0, []\n}\n",
        "func f() -> () {\n    const.decimal r0, %s, 2\n    ret r0, []\n}\n",
        "func f() -> () {\n    const.u64 r0, %s\n    ret r0, []\n}\n",
        "const c = bytes:%s\n",
        "const c = str:\"\\u%s\"\n",
        "func f() -> () {\n    .bytes %s\n}\n",
        "func @%s() -> () {\n    ret r0, []\n}\n",
        "func f() -> () {\n    ret r0, [r%s]\n}\n",
    };

    @Test
    void everyCaseAnswersAsTheBuildBefore() throws Exception {
        int cases = 0;
        int ok = 0;
        int widened = 0;
        int[] perTemplate = new int[TEMPLATES.length];
        try (InputStream in = AsmLiteralsAsBeforeTest.class.getResourceAsStream("literals-3d628c2.txt.gz");
                BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in),
                        StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t", -1);
                assertEquals(3, f.length, line);
                int t = Integer.parseInt(f[0]);
                String word = unescape(f[1]);
                // one deliberate change since: a listed register is a u32, as a register operand is
                // (eighteenth round), so template 10's message states the same range as template 3's,
                // and a listed r2^31 to r2^32-1 is read (and then needs a 'regs N', as in template 3)
                String expected = unescape(f[2]).replace("(r0 to r2147483647) in operand 'rets'",
                        "(r0 to r4294967295) in operand 'rets'");
                if (t == 10 && word.matches("[0-9]+") && new BigInteger(word).bitLength() == 32) {
                    expected = "ERR t.tasm:1:1: expected 'regs N' on function 'f': its registers need a count above"
                            + " 2147483647, too many to infer";
                    widened++;
                }
                String source = TEMPLATES[t].replace("%s", word);
                assertEquals(expected, answer(source), source);
                cases++;
                perTemplate[t]++;
                ok += expected.startsWith("OK ") ? 1 : 0;
            }
        }
        assertEquals(1245, cases);
        assertTrue(widened > 0, "a listed register of 2^31 to 2^32-1 was among the cases");
        // both answers were met often, in every template
        assertTrue(ok > 100 && cases - ok > 1000, "ok " + ok);
        for (int t = 0; t < TEMPLATES.length; t++) {
            assertTrue(TEMPLATES[t] == null || perTemplate[t] > 80, "template " + t);
        }
    }

    private static String answer(String source) {
        try {
            Program p = Assembler.assemble(source, "t.tasm");
            return "OK " + HexFormat.of().formatHex(ProgramEncoder.encode(p));
        } catch (AsmException e) {
            return "ERR " + e.getMessage();
        }
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                b.append(s.charAt(i));
            }
        }
        return b.toString();
    }
}
