package dev.tape.value;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values of any depth and size: literals are parsed, formatted, compared and hashed without recursion
 * on the Java stack (proved by running on a 256 KiB thread stack, where a recursive walk of 100,000
 * levels overflows), and the cutting formatter does work proportional to what it writes (proved by
 * the bytes the thread allocates, not by time).
 */
class DeepValuesTest {
    private static final int DEEP = 100_000;
    private static final long SMALL_STACK = 256 * 1024;

    /** Runs {@code body} on a thread with a 256 KiB stack and returns its result (or rethrows its failure). */
    static <T> T onSmallStack(Supplier<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(body.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", SMALL_STACK);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return result.get();
    }

    private static String nested(String open, String leaf, String close, int depth) {
        return open.repeat(depth) + leaf + close.repeat(depth);
    }

    /** Bytes the current thread has allocated so far (HotSpot's per-thread counter). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aHundredThousandDeepTupleRoundTripsOnASmallStack() {
        String text = nested("tuple(i64:1, ", "str:\"x\"", ")", DEEP);
        onSmallStack(() -> {
            Value v = ValueLiteral.parse(text);
            assertEquals(text, ValueLiteral.format(v));
            Value same = ValueLiteral.parse(text);
            assertEquals(v, same);
            assertEquals(v.hashCode(), same.hashCode());
            assertNotEquals(v, ValueLiteral.parse(nested("tuple(i64:1, ", "str:\"y\"", ")", DEEP)));
            assertNotEquals(v, ValueLiteral.parse(nested("tuple(i64:1, ", "str:\"x\"", ")", DEEP - 1)));
            return null;
        });
    }

    @Test
    void deepClosuresStructsAndArraysRoundTripOnASmallStack() {
        String text = nested("closure:3(struct#2(array#1(tuple(), ", "u64:7", ")))", DEEP / 4).replace(
                "array#1(tuple(), u64:7)", "array#1(tuple(), u64:7), bytes:00ff");
        assertTrue(text.contains("u64:7), bytes:00ff))"), "the innermost struct got a second field");
        onSmallStack(() -> {
            Value v = ValueLiteral.parse(text);
            assertTrue(v instanceof Value.Closure);
            assertEquals(text, ValueLiteral.format(v));
            Value same = ValueLiteral.parse(text);
            assertEquals(v, same);
            assertEquals(v.hashCode(), same.hashCode());
            assertNotEquals(v, ValueLiteral.parse(text.replace("bytes:00ff", "bytes:00fe")));
            assertNotEquals(v, ValueLiteral.parse(text.replaceFirst("closure:3", "closure:4")));
            return null;
        });
    }

    @Test
    void aDeepValueBuiltInJavaIsCutAfterExactlyTheLimit() {
        Value v = Value.UNIT;
        for (int i = 0; i < DEEP; i++) {
            v = Value.tuple(List.of(v));
        }
        Value deep = v;
        String shown = onSmallStack(() -> ValueLiteral.format(deep, 100));
        assertEquals("tuple(".repeat(17).substring(0, 100) + "...", shown);
        assertEquals("tuple(".repeat(DEEP) + "unit" + ")".repeat(DEEP), onSmallStack(() -> ValueLiteral.format(deep)));
        assertEquals(ValueLiteral.format(deep, 4096), deep.toString());
    }

    @Test
    void aLiteralExactlyAtTheLimitIsWholeAndOneCharLongerIsCut() {
        Value v = ValueLiteral.parse("tuple(i64:1, i64:2)");
        assertEquals("tuple(i64:1, i64:2)", ValueLiteral.format(v, 19));
        assertEquals("tuple(i64:1, i64:2...", ValueLiteral.format(v, 18));
        assertEquals("...", ValueLiteral.format(v, 0));
        assertEquals("...", ValueLiteral.format(v, -5));
    }

    @Test
    void sharedSubtreesAreComparedAndHashedOncePerDistinctObject() {
        // two separately built tuples of 2^60 leaves each: a walk of the leaves would never end
        Aggregate a = dag(60, Value.i64(1));
        Aggregate b = dag(60, Value.i64(1));
        Aggregate c = dag(60, Value.i64(2));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
            assertNotEquals(a, c);
            assertEquals(203, ValueLiteral.format(a, 200).length());
        }, "a hang guard: each walk visits 61 objects");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueLiteral.format(a));
        assertTrue(e.getMessage().startsWith("value too large to format"), e.getMessage());
    }

    private static Aggregate dag(int levels, Value leaf) {
        Aggregate t = Value.tuple(List.of(leaf));
        for (int i = 0; i < levels; i++) {
            t = Value.tuple(List.of(t, t));
        }
        return t;
    }

    @Test
    void aSixteenMillionCharStringIsFormattedOnlyAsFarAsTheCut() {
        char[] text = new char[1 << 24];
        for (int i = 0; i < text.length; i++) {
            text[i] = "ab\u0001\n\u009b\"\u2028c".charAt(i & 7);
        }
        Value v = Value.str(new String(text));
        String unit = "ab\\u0001\\n\\u009b\\\"\\u2028c";
        int max = 1 << 20;
        long before = allocated();
        String shown = ValueLiteral.format(v, max);
        long used = allocated() - before;
        String whole = "str:\"" + unit.repeat(max / unit.length() + 1);
        assertEquals(whole.substring(0, max) + "...", shown);
        // the 1 MiB prefix takes 2 to 3 MiB as chars; rendering the string whole would take over 100 MB
        assertTrue(used < (16 << 20), "allocated " + used + " bytes to show " + max + " chars");
    }

    @Test
    void hugeByteStringsAndArraysAreFormattedOnlyAsFarAsTheCut() {
        byte[] data = new byte[1 << 24];
        Arrays.fill(data, (byte) 0xa5);
        Value bytes = Value.Bytes.wrap(data);
        List<Value> elems = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            elems.add(Value.i64(i));
        }
        Value array = Aggregate.of(Aggregate.Kind.ARRAY, 0, elems);
        long before = allocated();
        String b = ValueLiteral.format(bytes, 1000);
        String a = ValueLiteral.format(array, 1000);
        long used = allocated() - before;
        assertEquals(("bytes:" + "a5".repeat(500)).substring(0, 1000) + "...", b);
        StringBuilder want = new StringBuilder("array#0(");
        for (int i = 0; want.length() < 1000; i++) {
            want.append(i > 0 ? ", " : "").append("i64:").append(i);
        }
        assertEquals(want.substring(0, 1000) + "...", a);
        assertTrue(used < (1 << 20), "allocated " + used + " bytes to show 2,000 chars");
    }

    @Test
    void controlAndSeparatorCharsAreEscapedAndParseBack() {
        Value v = Value.str("a\u0000\u001b[31m\u007f\u0085\u009b\u2028\u2029\t\"\\é\ud83d\ude00");
        String lit = ValueLiteral.format(v);
        assertEquals("str:\"a\\u0000\\u001b[31m\\u007f\\u0085\\u009b\\u2028\\u2029\\t\\\"\\\\é\ud83d\ude00\"", lit);
        assertEquals(v, ValueLiteral.parse(lit));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        Value v = Value.str("\ud83d\ude00\ud83d\ude00");
        assertEquals("str:\"...", ValueLiteral.format(v, 6));
        assertEquals("str:\"\ud83d\ude00...", ValueLiteral.format(v, 7));
        assertEquals("str:\"\ud83d\ude00\ud83d\ude00\"", ValueLiteral.format(v, 10));
    }

    @Test
    void malformedUtf8IsShownAsReplacementChars() {
        Value v = Value.Str.wrapUtf8(new byte[] {'a', (byte) 0xff, 'b'});
        assertEquals("str:\"a\ufffdb\"", ValueLiteral.format(v));
    }

    @Test
    void aBadLongLiteralIsQuotedOnlyInPart() {
        String text = "tuple(".repeat(50_000) + "nonsense";
        IllegalArgumentException e = onSmallStack(
                () -> assertThrows(IllegalArgumentException.class, () -> ValueLiteral.parse(text)));
        assertEquals("bad value literal '" + text.substring(0, 100) + "...' at character 300000: expected a value"
                + " such as i64:1, u64:2, f64:1.5, bool:true, str:\"x\", dec:1.25, bytes:00ff, unit, func:0, tuple(...)",
                e.getMessage());
        assertFalse(ValueLiteral.parse("tuple( )").equals(ValueLiteral.parse("tuple(unit)")));
    }
}
