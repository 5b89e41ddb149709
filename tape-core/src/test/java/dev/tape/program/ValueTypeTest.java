package dev.tape.program;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@link ValueType}'s written-out {@code equals} keeps the record's meaning, and its {@code hashCode}
 * the record's formula with the kind's ordinal (the same in every JVM).
 */
class ValueTypeTest {
    /** A record of the same components: its generated methods are the reference. */
    private record Generated(ValueKind kind, long hostType) {}

    @Test
    void equalityIsByKindAndHostType() {
        assertEquals(ValueType.I64, new ValueType(ValueKind.I64, 0));
        assertEquals(ValueType.obj(7), new ValueType(ValueKind.OBJ, 7));
        assertEquals(ValueType.obj(-1), ValueType.obj(0xFFFF_FFFF_FFFF_FFFFL));
        assertNotEquals(ValueType.obj(7), ValueType.obj(8));
        assertNotEquals(ValueType.obj(0), ValueType.UNIT);
        assertNotEquals(ValueType.I64, ValueType.U64);
        assertNotEquals(ValueType.I64, null);
        assertNotEquals(ValueType.I64, new Generated(ValueKind.I64, 0));
    }

    /** The record's formula with the kind's ordinal for its identity hash: the same in every JVM. */
    @Test
    void hashCodeIsTheSameInEveryJvm() {
        for (ValueKind k : ValueKind.values()) {
            for (long host : new long[] {0, 1, 7, -1, Long.MIN_VALUE, 0x1234_5678_9ABC_DEF0L}) {
                if (k != ValueKind.OBJ && host != 0) {
                    continue;
                }
                ValueType t = new ValueType(k, host);
                assertEquals(31 * k.ordinal() + Long.hashCode(host), t.hashCode(), t.toString());
                assertEquals(new ValueType(k, host).hashCode(), t.hashCode());
            }
        }
        assertEquals(31 * ValueKind.I64.ordinal(), ValueType.I64.hashCode());
    }
}
