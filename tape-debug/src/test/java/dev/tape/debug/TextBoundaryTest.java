package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Text#boundary}: where escaped text may be cut without splitting an escape or a surrogate pair. */
class TextBoundaryTest {
    private static final String U = "\\u";

    @Test
    void aCutFallsBetweenEscapesAndPairs() {
        String six = U + "200b";
        // inside the second escape: back to its start
        assertEquals(6, Text.boundary(six + six, 7));
        assertEquals(6, Text.boundary(six + six, 11));
        assertEquals(12, Text.boundary(six + six, 12));
        assertEquals(0, Text.boundary(six, 5));
        // JSON's two-character escapes, and a backslash followed by anything else
        assertEquals(2, Text.boundary("\\\\\\\"", 3));
        assertEquals(3, Text.boundary("a\\nb", 3));
        assertEquals(1, Text.boundary("a\\nb", 2));
        // a backslash escaped, then u and four hex digits: two characters, then plain ones
        assertEquals(3, Text.boundary("\\\\u0041", 3));
        // u then no four hex digits: a backslash printed as it is and the u
        assertEquals(3, Text.boundary(U + "zz00", 3));
        assertEquals(3, Text.boundary(U + "0\u0663" + "00", 3));
        // an escape cut short at the end never fits, a backslash alone at the end too
        assertEquals(1, Text.boundary("a" + U + "00", 5));
        assertEquals(1, Text.boundary("a" + U, 3));
        assertEquals(1, Text.boundary("a\\", 2));
        // a surrogate pair is one character; unpaired halves are one each
        assertEquals(1, Text.boundary("a\ud83d\ude00", 2));
        assertEquals(3, Text.boundary("a\ud83d\ude00", 3));
        assertEquals(2, Text.boundary("a\ud83d", 2));
        assertEquals(2, Text.boundary("\ude00\ud83d", 9));
        // bounds
        assertEquals(0, Text.boundary("abc", 0));
        assertEquals(3, Text.boundary("abc", 100));
        assertEquals(0, Text.boundary("", 5));
    }
}
