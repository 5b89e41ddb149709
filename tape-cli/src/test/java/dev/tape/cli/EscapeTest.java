package dev.tape.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EscapeTest {
    @Test
    void lineBreaksAndTerminalEscapesBecomeVisibleEscapes() {
        assertEquals("main\\ntrap: fake line\\r\\u001b[2K\\u001b[31mred\\u001b[0m",
                Escape.text("main\ntrap: fake line\r\u001b[2K\u001b[31mred\u001b[0m"));
        assertEquals("a\\tb\\bc\\fd\\u0000e\\u007f", Escape.text("a\tb\bc\fd\u0000e\u007f"));
    }

    @Test
    void c1ControlsSeparatorsAndBidiOverridesAreEscaped() {
        // CSI (U+009B) starts an escape sequence on some terminals; U+2028/9 break lines; U+202E and
        // U+2066-2069 reorder what is shown; U+200B and U+FEFF are invisible
        assertEquals("\\u009b31m\\u0085x", Escape.text("\u009b31m\u0085x"));
        assertEquals("a\\u2028b\\u2029c", Escape.text("a\u2028b\u2029c"));
        assertEquals("\\u202eevil\\u202c \\u2066x\\u2069 \\u200b\\ufeff",
                Escape.text("\u202eevil\u202c \u2066x\u2069 \u200b\ufeff"));
        // private use and unassigned code points
        assertEquals("\\ue000\\u0378", Escape.text("\ue000\u0378"));
    }

    @Test
    void surrogatesArePrintedOnlyAsWellFormedPrintablePairs() {
        String emoji = "\ud83d\ude00"; // U+1F600, printable
        assertSame(emoji, Escape.text(emoji));
        assertEquals("\\ud83dx\\ude00", Escape.text("\ud83dx\ude00"), "lone halves");
        // U+E0041, a tag character (format, invisible): both halves escaped
        assertEquals("\\udb40\\udc41", Escape.text("\udb40\udc41"));
    }

    @Test
    void plainTextAndBackslashesAreKeptSoEscapingIsIdempotent() {
        String plain = "héllo wörld 名前 \\n path\\to";
        assertSame(plain, Escape.text(plain));
        String once = Escape.text("x\n\u001b[31m\u202e");
        assertEquals(once, Escape.text(once));
        assertEquals(once, Escape.line(once));
        assertEquals("", Escape.text(null));
        assertEquals("", Escape.line(null));
    }

    @Test
    void longTextKeepsItsHeadAndTailAroundACount() {
        String s = "H".repeat(5000) + "\n" + "T".repeat(5000);
        String e = Escape.text(s);
        int half = Escape.MAX_CHARS / 2;
        assertEquals("H".repeat(half) + "...(" + (s.length() - 2 * half) + " chars)..." + "T".repeat(half), e);
        assertFalse(e.contains("\n"));
        // Escape.line never cuts
        assertEquals(s.length() + 1, Escape.line(s).length());
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String pair = "\ud83d\ude00";
        for (int shift = 0; shift < 2; shift++) {
            String s = "a".repeat(Escape.MAX_CHARS / 2 - 1 + shift) + pair.repeat(3000) + "b".repeat(shift);
            String e = Escape.text(s);
            assertFalse(e.contains("\\ud83d") || e.contains("\\ude00"), () -> "a half pair was escaped: " + e);
            assertTrue(e.contains("...("), e);
        }
    }

    @Test
    void pathsAreEscapedLikeText() {
        assertEquals("dir/a\\ntrap: fake.tape", Escape.path(java.nio.file.Path.of("dir/a\ntrap: fake.tape")));
        assertEquals("", Escape.path(null));
    }
}
