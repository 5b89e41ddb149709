package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attack (fifteenth round) on {@link ServerEndpoint#jsonWords}: the client's text in each form of
 * the JSON reader's messages (a number's text, a path, malformed JSON with the guide's line) holding
 * NUL, lone surrogates, U+FFFD (invalid UTF-8 as decoded), line breaks, backslashes and quotes at the
 * cut, 10 MB strings, 100,000 digits: the result is one line with no character that needs escaping
 * (no control character, no unpaired surrogate), of bounded length, and a quoted number's text has
 * its quotes balanced (an even number of unescaped quotes).
 */
class AttackDapJsonWordsTest {
    private static final String[] PIECES = {"\u0000", "\n", "\r", "\\", "\"", "\\u00", "\\\"", "\ud800", "\udc00",
        "\ud83d\ude00", "\ufffd", "\u2028", "\u202e", "\u001b[2J", "x", "9", "See ", "]", "[0]"};

    @Test
    void everyMessageIsOneBoundedLineWithBalancedQuotes() {
        Random r = new Random(15);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(4) == 0 ? 150 + r.nextInt(2200) : r.nextInt(30);
            while (b.length() < n) {
                b.append(PIECES[r.nextInt(PIECES.length)]);
            }
            texts.add(b.toString());
        }
        texts.add("9".repeat(100_000));
        texts.add("\\".repeat(10_000_000));
        texts.add("\"".repeat(3_000_001));
        texts.add("\ud800".repeat(1_000_001));
        // a surrogate pair and an escape at each cut point of the quoted text and of Text.escape
        for (int k = 95; k < 105; k++) {
            texts.add("a".repeat(k) + "\ud83d\ude00\\\"" + "b".repeat(300));
            texts.add("a".repeat(300) + "\\\"\ud83d\ude00" + "b".repeat(k));
            texts.add("a".repeat(k + 900) + "\ud83d\ude00\\\u0000" + "b".repeat(3000));
        }
        List<String> wrong = new ArrayList<>();
        for (String t : texts) {
            check(wrong, "For input string: \"" + t + "\"", true);
            check(wrong, "For input string: " + t, false);
            check(wrong, "Expected BEGIN_OBJECT but was STRING at line 1 column 9 path $." + t, false);
            check(wrong, "Expected BEGIN_OBJECT but was END_ARRAY at line 1 column 9 path $.arguments[" + t + "]", false);
            check(wrong, "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON at path $." + t
                    + "\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json", false);
            check(wrong, t, false);
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())));
    }

    private static void check(List<String> wrong, String message, boolean quotedNumber) {
        String w = ServerEndpoint.jsonWords(message);
        String why = null;
        if (w.length() > 6 * 2000 + 6 * 200 + 200) {
            why = "long " + w.length();
        }
        for (int i = 0; i < w.length() && why == null; i++) {
            char c = w.charAt(i);
            if (c < ' ' || c == 0x7f || c >= 0x80 && c <= 0x9f || c == '\u2028' || c == '\u2029' || c == '\u202e') {
                why = "char " + (int) c + " at " + i;
            } else if (Character.isHighSurrogate(c) && (i + 1 >= w.length() || !Character.isLowSurrogate(w.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(w.charAt(i - 1)))) {
                why = "lone surrogate at " + i;
            }
        }
        if (why == null && quotedNumber) {
            // the quoted text: from the first quote to the last unescaped one
            assertTrue(w.startsWith("\""), w.substring(0, Math.min(50, w.length())));
            int quotes = 0;
            for (int i = 0; i < w.length(); i++) {
                char c = w.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quotes++;
                }
            }
            if (quotes != 2 || !w.endsWith("\" is not a number")) {
                why = quotes + " unescaped quotes";
            }
        }
        if (why != null) {
            wrong.add(why + ": " + message.substring(0, Math.min(80, message.length())) + " -> "
                    + w.substring(0, Math.min(300, w.length())));
        }
    }
}
