package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun} boxes the full list of unboxed decimals ({@link ExecutionContext#decDirty}),
 * its one allocation, only at its first instruction. Its handler catches the decimal helpers'
 * traps only, so an {@code OutOfMemoryError} while boxing at a later instruction would be reported
 * at the run's first instruction with the fuel used up to it, not at the instruction that boxed
 * (as the compiled tier and every other run loop report their allocating instruction). The run
 * must instead hand such an instruction back to {@code execute}, its unit given back, with the
 * list still full and the instruction's result unwritten.
 */
class DecimalRunBoxingTest {
    /** a context whose list of unboxed decimal slots is full (slots past the test's files) */
    private static ExecutionContext full() {
        ExecutionContext c = new ExecutionContext();
        for (int i = 0; i < ExecutionContext.DEC_SLOTS; i++) {
            c.decDirty(1000 + i);
        }
        assertTrue(c.decFull());
        return c;
    }

    private static final int[] CODE = {
        // r2 = r2 + r1 (r2 unboxed already: no listing), r3 = r2 + r1 (r3 boxed: listing, boxing),
        // r4 = r1 * r1, r5 = to_dec(r6, 2), then an instruction the run leaves to execute
        Op.DEC_ADD, 2, 2, 1,
        Op.DEC_ADD, 3, 2, 1,
        Op.DEC_MUL, 4, 1, 1,
        Op.I64_TO_DEC, 5, 6, 2,
        Op.TRAP, 0,
    };

    @Test
    void aLaterInstructionThatWouldBoxIsHandedBack() {
        for (int at : new int[] {4, 8, 12}) {
            ExecutionContext c = full();
            long[] w = new long[8];
            Object[] r = new Object[8];
            r[1] = Value.decimal(5, 2);
            r[2] = Interpreter.DEC_SCALES[2];
            w[2] = 7;
            w[6] = 3;
            // the instructions before `at` find their result slots unboxed (tokens): no listing
            for (int k = 4; k < at; k += 4) {
                r[CODE[k + 1]] = Interpreter.DEC_SCALES[CODE[k] == Op.DEC_MUL ? 4 : 2];
            }
            long p = DecimalRun.run(c, w, r, CODE, 0, 0, 100);
            assertEquals(at, (int) (p >>> 32), "handed back at code index " + at);
            assertEquals(at / 4 - 1, (int) p, "the units of the instructions run after the first, at " + at);
            assertTrue(c.decFull(), "the list was not boxed in the run, at " + at);
            assertNull(r[CODE[at + 1]], "the handed-back instruction wrote nothing, at " + at);
            assertEquals(12, w[2], "the first instruction ran");
            assertEquals(-1, c.runIp);
        }
    }

    @Test
    void theFirstInstructionBoxesAndTheRunGoesOn() {
        ExecutionContext c = full();
        long[] w = new long[8];
        Object[] r = new Object[8];
        r[1] = Value.decimal(5, 2);
        r[2] = Value.decimal(7, 2);
        w[6] = 3;
        long p = DecimalRun.run(c, w, r, CODE, 0, 0, 100);
        // the first instruction boxed the full list and listed r2; the others listed theirs
        assertEquals(16, (int) (p >>> 32));
        assertEquals(3, (int) p);
        assertFalse(c.decFull());
        assertSame(Interpreter.DEC_SCALES[2], r[3]);
        assertEquals(17, w[3]);
        assertSame(Interpreter.DEC_SCALES[4], r[4]);
        assertEquals(25, w[4]);
        assertSame(Interpreter.DEC_SCALES[2], r[5]);
        assertEquals(300, w[5]);
    }
}
