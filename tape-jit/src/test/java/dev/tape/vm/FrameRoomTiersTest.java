package dev.tape.vm;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame records' growth at calls whose registers are already within the register high-water
 * mark. The interpreter tests the mark and the frame records' room separately at each call
 * ({@code Interpreter.execute}; the compiled tier in {@code JitRuntime.enterDirect}); here a wide
 * call first raises the mark far above what the recursion after it needs, so the recursion's calls
 * past a context's initial frame records (16, then 32, then 64) need room for their records alone,
 * on a direct and on an indirect call. Both tiers must give the same results, fuel, traps and
 * pauses. A room test that runs only when the mark's does (tried in the nineteenth round: one
 * branch for both, with the room left out) writes past the frame records and fails every test here.
 */
class FrameRoomTiersTest {
    /**
     * {@code main(n)} calls {@code wide} (801 registers: the mark goes to main's 7 plus 801 plus 2
     * for main's record, 810), then {@code down(n)} directly and again through {@code call.indirect},
     * and returns the sum of the three results; {@code down(k)} returns {@code k + (k - 1) + ... + 1}
     * with 5 registers per level, so a call of it from depth d needs {@code 5 d + 7} registers plus
     * {@code 2 d} for the records, under the mark up to depth 114. Fuel: main 7 plus wide's 2,
     * down(k) 8 per level above 0 and 4 at 0, twice, so main(n) uses {@code 16 n + 17}.
     */
    private static final String PROGRAM = """
            program frame_room

            callsig one = (i64) -> (i64)

            func main(n: i64) -> (a: i64) {
                call r0, wide, r0, [r1] -> [r2]
                call r0, down, r0, [r1] -> [r3]
                const.func r4, down
                call.indirect r0, one, r4, r0, [r1] -> [r5]
                i64.add r6, r5, r3
                i64.add r6, r6, r2
                ret r0, [r6]
            }

            func wide(n: i64) -> (a: i64) {
                const.i64 r800, 0
                ret r0, [r800]
            }

            func down(n: i64) -> (a: i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, leaf, rec
            leaf:
                ret r0, [r2]
            rec:
                const.i64 r2, 1
                i64.sub r2, r1, r2
                call r0, down, r0, [r2] -> [r4]
                i64.add r4, r4, r1
                ret r0, [r4]
            }
            """;

    private static Tiers tiers() {
        try {
            return Tiers.of(Assembler.assemble(PROGRAM, "frame_room.tasm"), Host.NONE);
        } catch (AsmException e) {
            throw new AssertionError(e);
        }
    }

    /** The sum of 1 to {@code k}. */
    private static long sum(long k) {
        return k * (k + 1) / 2;
    }

    /**
     * Depths 0 to 100, each on a fresh context: the sum twice, with the fuel of {@link #PROGRAM},
     * alike on both tiers (below depth 100 the mark covers every call of the recursion, so the
     * frame records grow at 16, 32 and 64 for room alone).
     */
    @Test
    void deepCallsUnderTheMarkGrowTheFrameRecords() {
        Tiers t = tiers();
        for (int n = 0; n <= 100; n++) {
            Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), Limits.DEFAULT, "main(" + n + ")");
            assertNull(o.trap(), o.toString());
            assertEquals(List.of(Value.i64(2 * sum(n))), o.results(), "main(" + n + ")");
            assertEquals(16L * n + 17, o.used(Limits.DEFAULT), "fuel of main(" + n + ")");
        }
    }

    /**
     * At depth 40: every call-depth limit from 0 to 45 (the trap at the call that would pass it,
     * across the growth at 16 and 32 records) and every register limit from 1 to 900 (the trap at
     * wide's call below 810), alike on both tiers.
     */
    @Test
    void limitsAroundTheGrowthAgree() {
        Tiers t = tiers();
        List<Value> args = List.of(Value.i64(40));
        t.everyDepthThenRegisters(0, args, 45, 900, "main(40)");
        Tiers.Outcome capped = t.check(0, args, Limits.DEFAULT.withMaxCallDepth(20), "depth 20");
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, capped.kind(), capped.toString());
        Tiers.Outcome narrow = t.check(0, args, Limits.DEFAULT.withMaxRegisters(800), "registers 800");
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, narrow.kind(), narrow.toString());
    }

    /** At depth 70, paused every 5 units of fuel and restored at every third pause: alike on both tiers. */
    @Test
    void pausesAcrossTheGrowthAgree() throws Exception {
        int pauses = tiers().lockstep(0, List.of(Value.i64(70)), 5, 3, "main(70)", (a, b, pause) -> { });
        assertTrue(pauses > 200, "pauses " + pauses);
    }
}
