package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

/**
 * A copy of an unboxed decimal ({@link DecScale}) boxes it once: the box is written back into the
 * slot it was read from, so a loop that copies a decimal it computed once allocates one box, not one
 * per copy.
 */
class DecScaleTakeTest {

    @Test
    void aCopiedTokenIsBoxedInPlaceAndTheSameBoxServesTheNextCopy() {
        long[] w = new long[8];
        Object[] r = new Object[8];
        w[1] = 12_345;
        r[1] = Interpreter.DEC_SCALES[2];
        // a call argument copy: register 1 of the frame at 0 into slot 5
        Calls.copyOne(w, r, (1 << 2) | LOp.REF_CLASS, 0, 5);
        assertEquals(new Value.Decimal(12_345, 2), r[5]);
        assertSame(r[5], r[1], "the box is written back into the source slot");
        // a second copy of the same slot allocates nothing more
        Calls.copyOne(w, r, (1 << 2) | LOp.REF_CLASS, 0, 6);
        assertSame(r[5], r[6]);
    }

    @Test
    void takeLeavesABoxedValueAndOtherReferencesAsTheyAre() {
        long[] w = {7, 0, 99};
        Value.Decimal d = new Value.Decimal(5, 1);
        Object[] r = {d, "text", Interpreter.DEC_SCALES[0]};
        assertSame(d, DecScale.take(r, w, 0));
        assertSame(r[1], DecScale.take(r, w, 1));
        Object boxed = DecScale.take(r, w, 2);
        assertEquals(new Value.Decimal(99, 0), boxed);
        assertSame(boxed, r[2]);
        assertEquals(7, w[0], "the word file is not written");
    }
}
