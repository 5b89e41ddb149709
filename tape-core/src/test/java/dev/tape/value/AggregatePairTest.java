package dev.tape.value;

import dev.tape.program.ValueKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A word pair (the interpreter's two-word {@code tuple.new}, words kept in the aggregate itself) is
 * indistinguishable from the same tuple built with a word array: elements, words, tags, equality,
 * hash, literal text and index errors.
 */
class AggregatePairTest {
    private static final byte[] TAGS = {(byte) ValueKind.I64.tag(), (byte) ValueKind.F64.tag()};

    @Test
    void aPairIsTheTupleOfItsTwoWords() {
        long bits = Double.doubleToRawLongBits(-2.5);
        Aggregate pair = new WordPair(Aggregate.Kind.TUPLE, 0, TAGS, -7L, bits);
        Aggregate array = new Aggregate(Aggregate.Kind.TUPLE, 0, TAGS, new long[] {-7L, bits}, null);
        Aggregate built = Value.tuple(Value.i64(-7), Value.f64(-2.5));
        for (Aggregate other : List.of(array, built)) {
            assertEquals(other, pair);
            assertEquals(pair, other);
            assertEquals(other.hashCode(), pair.hashCode());
            assertEquals(other.toString(), pair.toString());
            assertEquals(other.elements(), pair.elements());
        }
        assertEquals(2, pair.size());
        assertEquals(-7L, pair.word(0));
        assertEquals(bits, pair.word(1));
        assertEquals(ValueKind.F64, pair.elementKind(1));
        assertNull(pair.ref(0));
        assertEquals(List.of(Value.i64(-7), Value.f64(-2.5)), pair.elements());
        assertEquals(Aggregate.Kind.TUPLE, pair.aggKind());
        assertEquals(0, pair.typeId());
        assertFalse(pair.equals(new WordPair(Aggregate.Kind.TUPLE, 0, TAGS, -7L, bits + 1)));
        assertFalse(pair.equals(new Aggregate(Aggregate.Kind.TUPLE, 0, TAGS, new long[] {-6L, bits}, null)));
    }

    @Test
    void aPairRefusesTheIndicesAnArrayRefuses() {
        Aggregate pair = new WordPair(Aggregate.Kind.TUPLE, 0, TAGS, 1L, 2L);
        Aggregate array = new Aggregate(Aggregate.Kind.TUPLE, 0, TAGS, new long[] {1L, 2L}, null);
        for (int i : new int[] {-1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> array.word(i));
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> pair.word(i));
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> pair.get(i));
        }
    }
}
