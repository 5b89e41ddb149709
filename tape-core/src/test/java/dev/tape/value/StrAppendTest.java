package dev.tape.value;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Value.Str#append}: in place only for the longest string of a buffer with room, otherwise
 * a copy; buffers bounded by twice the length and by the spare room
 * allowed; every reader (value, toUtf8, length, equals, hashCode, the literal) sees only the
 * string's own bytes.
 */
class StrAppendTest {
    private static final long ANY = Long.MAX_VALUE;

    private static Value.Str s(String v) {
        return Value.str(v);
    }

    @Test
    void aOneOffConcatenationGetsAnExactBufferAndTheNextAppendGetsRoom() {
        Value.Str ab = Value.Str.append(s("a"), s("b"), ANY);
        assertEquals(2, ab.utf8.length, "no room for a one-off concatenation");
        Value.Str abc = Value.Str.append(ab, s("c"), ANY);
        assertEquals("abc", abc.value());
        assertEquals(2 * 3, abc.utf8.length, "room: twice the length");
        Value.Str abcd = Value.Str.append(abc, s("d"), ANY);
        assertSame(abc.utf8, abcd.utf8, "appended in place");
        assertEquals("abcd", abcd.value());
        assertEquals("abc", abc.value(), "the shorter string over the buffer is unchanged");
        Value.Str same = Value.Str.append(abcd, s(""), ANY);
        assertNotSame(abcd.utf8, same.utf8, "an empty append copies: no two strings share a buffer and a length");
        assertEquals(abcd, same);
    }

    @Test
    void aSecondAppendToTheSameBaseCopiesAndChangesNeitherString() {
        Value.Str base = Value.Str.append(Value.Str.append(s("x"), s("y"), ANY), s("z"), ANY);
        Value.Str first = Value.Str.append(base, s("1"), ANY);
        Value.Str second = Value.Str.append(base, s("22"), ANY);
        assertSame(base.utf8, first.utf8);
        assertNotSame(base.utf8, second.utf8, "the room is taken: copy");
        assertEquals("xyz1", first.value());
        assertEquals("xyz22", second.value());
        assertEquals("xyz", base.value());
        // appending to the first (the longest) is in place again; to the base is a copy again
        assertSame(base.utf8, Value.Str.append(first, s("!"), ANY).utf8);
        assertEquals("xyz1", first.value());
    }

    @Test
    void theSpareRoomNeverPassesWhatIsAllowed() {
        Value.Str grown = Value.Str.append(s("ab"), s("cd"), ANY);
        Value.Str none = Value.Str.append(grown, s("ef"), 0);
        assertEquals(6, none.utf8.length, "no spare room allowed: exact");
        Value.Str some = Value.Str.append(grown, s("ef"), 3);
        assertEquals(9, some.utf8.length);
        assertEquals("abcdef", some.value());
    }

    /** Random appends, each to a random earlier string: every buffer bounded, every string right. */
    @Test
    void randomAppendsKeepEveryStringAndBoundEveryBuffer() {
        SplittableRandom rnd = new SplittableRandom(14);
        Value.Str[] made = new Value.Str[400];
        String[] want = new String[made.length];
        made[0] = s("é");
        want[0] = "é";
        for (int k = 1; k < made.length; k++) {
            int from = rnd.nextInt(4) == 0 ? rnd.nextInt(k) : k - 1;
            String tail = "t" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "ü" : "");
            made[k] = Value.Str.append(made[from], s(tail), ANY);
            want[k] = want[from] + tail;
        }
        for (int k = 0; k < made.length; k++) {
            Value.Str x = made[k];
            byte[] exact = want[k].getBytes(StandardCharsets.UTF_8);
            assertEquals(want[k], x.value());
            assertArrayEquals(exact, x.toUtf8());
            assertEquals(exact.length, x.length());
            assertTrue(x.utf8.length <= 2 * exact.length, "buffer " + x.utf8.length);
            Value.Str copy = new Value.Str(exact.clone());
            assertEquals(copy, x);
            assertEquals(x, copy);
            assertEquals(Arrays.hashCode(exact), x.hashCode());
            assertEquals(copy.toString(), x.toString(), "the literal shows the string's bytes only");
        }
        assertTrue(!made[made.length - 1].equals(made[made.length - 2]));
    }
}
