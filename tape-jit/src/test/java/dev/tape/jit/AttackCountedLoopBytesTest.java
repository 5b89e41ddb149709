package dev.tape.jit;

import dev.tape.format.Op;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The figures {@code CountedLoop.bytesAt}'s javadoc and the twenty-first round's log state for the
 * per-latch bound (attack-j21): the {@code double} pool's moves and set-up add
 * {@code F64Locals.CHUNK_BYTES + PROLOGUE_BYTES} = 528 + 160 = 688 bytes (the log and javadoc said
 * 608, and a range of 2,352 to 9,008), so a latch counts 2,432 bytes when its loop's range is empty
 * and 9,088 at the range's {@code MAX_INTS} = 64 ints, and nothing when it branches back further
 * or forward.
 */
class AttackCountedLoopBytesTest {
    /** A br at code index {@code at} whose true target is {@code target}. */
    private static int[] br(int at, int target) {
        int[] code = new int[at + 4];
        code[at] = Op.BR;
        code[at + 2] = target;
        code[at + 3] = at + 4;
        return code;
    }

    @Test
    void perLatchFigures() {
        assertEquals(688, F64Locals.CHUNK_BYTES + F64Locals.PROLOGUE_BYTES);
        assertEquals(2_432, CountedLoop.bytesAt(br(70, 70), 70));
        assertEquals(2_432 + 104, CountedLoop.bytesAt(br(70, 69), 70));
        assertEquals(9_088, CountedLoop.bytesAt(br(70, 6), 70));
        assertEquals(0, CountedLoop.bytesAt(br(70, 5), 70));
        assertEquals(0, CountedLoop.bytesAt(br(70, 71), 70));
    }
}
