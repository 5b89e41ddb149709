package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.debug.dap.DapCutAccess;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Text#boundary} against a model that reads the text as tokens with a regular expression
 * (an escape of {@code \}{@code u} and four hex digits, one cut short by the end, a backslash and
 * any character, a lone backslash at the end, a surrogate pair, any other character), on random
 * texts of escapes, surrogates (paired and not), controls and plain characters, with {@code max}
 * from 0 to past the text's length; and the two cuts built on it ({@link Session#valueText},
 * {@code DapServer.cut}) on random strings: what they keep is the start of the whole value, ends
 * between escapes, is at most 5 characters short of the limit, and a value short enough is shown as
 * before the cut existed ({@code Text.escape(ValueLiteral.format(v))}).
 */
class TextBoundaryModelTest {
    private static final Pattern TOKEN = Pattern.compile(
            "\\\\u[0-9A-Fa-f]{4}|(\\\\u[0-9A-Fa-f]{0,3}\\z)|\\\\[\\s\\S]|(\\\\\\z)|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\s\\S]");

    private static final String[] PIECES = {"\\", "u", "0", "a", "F", "g", "n", "\"", "\ud83d", "\ude00",
        "\ud83d\ude00", "x", "\u200b", "\u0001", "\n", "\\u", "\\u00", "\\u200b", "\\\\", "\u0085", "\u202e"};

    /** The token boundaries of {@code s}, from its start; an incomplete token ends no boundary. */
    private static List<int[]> tokens(String s) {
        List<int[]> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            boolean incomplete = m.group(1) != null || m.group(2) != null;
            out.add(new int[] {m.start(), m.end(), incomplete ? 1 : 0});
            at = m.end();
        }
        assertEquals(s.length(), at, s);
        return out;
    }

    private static String random(Random rnd, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    @Test
    void boundaryIsTheModelsLastWholeTokenWithinMax() {
        Random rnd = new Random(14);
        for (int i = 0; i < 50_000; i++) {
            String s = random(rnd, rnd.nextInt(i % 10 == 0 ? 120 : 20));
            int max = rnd.nextInt(Math.min(300, s.length() + 8) + 1);
            int limit = Math.min(max, s.length());
            int want = 0;
            for (int[] t : tokens(s)) {
                if (t[2] == 1 || t[1] > limit) {
                    break;
                }
                want = t[1];
            }
            int k = Text.boundary(s, max);
            String at = "boundary of \"" + Text.escape(s) + "\" at " + max;
            assertEquals(want, k, at);
            assertTrue(k <= limit, at);
            if (s.length() > max) {
                assertTrue(k >= max - 5, at);
            }
        }
    }

    /**
     * A backslash printed as it is ({@link Text#escape} does not escape it: a register's name, say)
     * before a character outside the BMP: the cut split the pair after the backslash, and the
     * variables response ended its name with a lone high surrogate (the cut before the round kept
     * pairs whole).
     */
    @Test
    void aBackslashBeforeASurrogatePairDoesNotSplitThePair() {
        String pair = "\ud83d\ude00";
        String name = "ab" + ("\\" + pair).repeat(100);
        // the cut ended at 253 characters, the last a high surrogate
        String cut = DapCutAccess.cut(name);
        assertTrue(cut.endsWith("..."), cut);
        char last = cut.charAt(cut.length() - 4);
        assertTrue(!Character.isHighSurrogate(last), "the cut ends with a lone high surrogate: " + (int) last);
        assertEquals(251, cut.length() - 3);
        assertEquals(1, Text.boundary("0\\" + pair, 3));
        assertEquals(4, Text.boundary("0\\" + pair, 4));
    }

    @Test
    void valueTextAndTheVariablesCutKeepTheValuesStartBetweenEscapes() {
        Random rnd = new Random(15);
        int cut = 0;
        for (int i = 0; i < 20_000; i++) {
            String s = random(rnd, rnd.nextInt(i % 3 == 0 ? 250 : 60));
            Value v = Value.str(s);
            String whole = ValueLiteral.format(v);
            String shown = Session.valueText(v);
            String at = "\"" + Text.escape(s) + "\"";
            if (whole.length() <= dev.tape.debug.Shell.MAX_VALUE_CHARS) {
                assertEquals(Text.escape(whole), shown, at);
            } else {
                cut++;
                assertTrue(shown.endsWith("..."), at);
                String kept = shown.substring(0, shown.length() - 3);
                // the literal's start, escaped: its own kept part is a prefix of the whole literal
                String literalKept = ValueLiteral.format(v, dev.tape.debug.Shell.MAX_VALUE_CHARS);
                literalKept = literalKept.substring(0, literalKept.length() - 3);
                int k = Text.boundary(literalKept, literalKept.length());
                assertTrue(whole.startsWith(literalKept.substring(0, k)), at);
                assertTrue(k >= dev.tape.debug.Shell.MAX_VALUE_CHARS - 6, at + " kept " + k);
                assertEquals(Text.escape(literalKept.substring(0, k)), kept, at);
                endsBetweenEscapes(kept, at);
                endsBetweenEscapes(literalKept.substring(0, k), at);
            }
            String dap = DapCutAccess.cut(shown);
            if (shown.length() <= 256) {
                assertEquals(shown, dap, at);
            } else {
                assertTrue(dap.endsWith("...") && dap.length() <= 256 && dap.length() >= 251, at + " " + dap.length());
                String kept = dap.substring(0, dap.length() - 3);
                assertTrue(shown.startsWith(kept), at);
                endsBetweenEscapes(kept, at);
            }
        }
        assertTrue(cut > 1_000, "values cut: " + cut);
    }

    private static void endsBetweenEscapes(String kept, String at) {
        List<int[]> t = tokens(kept);
        assertTrue(t.isEmpty() || t.get(t.size() - 1)[2] == 0, "ends inside an escape: " + at + " -> " + kept);
    }
}
