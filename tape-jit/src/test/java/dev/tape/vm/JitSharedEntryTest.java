package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled method's hand-over handler writes the lazy frame record of the call it is stopped in
 * ({@code JitRuntime.pending}) from the running function's entry in the code image, which the
 * prologue reads by the function id the method was called with, not the id it was generated for
 * (a mutant that uses the latter passes {@link JitLazyFrameTest} and fails all three tests here).
 * Here function-table rows
 * share one blob, so one method runs as several functions, each with its own entry in the image
 * ({@link SharedBlobPrograms#recursive}): the entry's callee runs row 1's method as another row,
 * and every trap, pause and hand-over unwinding through it must record that row's call, as the
 * interpreter does. Both tiers must agree at every fuel limit, at every call-depth limit, with a
 * trap at each depth, deeper than compiled frames nest, and paused at every fuel slice (frames,
 * fuel and snapshot bytes at each pause, and runs restored from those snapshots).
 */
class JitSharedEntryTest {
    private static final int ROWS = 3;

    private static Tiers tiers(long trapAt) {
        Tiers t = Tiers.of(SharedBlobPrograms.recursive(ROWS, trapAt), Host.NONE);
        Jit.precompile(t.compiled);
        // main's class and one class the rows share
        assertEquals(1 + ROWS, Jit.compiledFunctions(t.compiled));
        return t;
    }

    private static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    /** Every fuel limit, every entry row, with and without a trap in the middle of the recursion. */
    @Test
    void everyFuelLimitAndTrapDepth() {
        int trapped = 0;
        for (long trapAt = -1; trapAt <= 6; trapAt++) {
            Tiers t = tiers(trapAt);
            for (long k = 0; k < ROWS; k++) {
                for (long n = 0; n <= 8; n += 4) {
                    String what = "trapAt " + trapAt + " k " + k + " n " + n;
                    Tiers.Outcome full = t.check(0, args(n, k), Limits.DEFAULT, what);
                    if (full.trap() != null) {
                        trapped++;
                        // the entry's callee (another row than row 1 when k > 0) is in the trap's stack
                        int callee = 1 + (int) k;
                        assertTrue(full.trap().stack().stream().anyMatch(f -> f.func() == callee), what);
                    }
                    long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, args(n, k), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
        assertTrue(trapped >= 20, "runs that trapped: " + trapped);
    }

    /** Every call-depth limit, and recursion deeper than compiled frames nest (the interpreter takes over). */
    @Test
    void everyDepthAndDeepRecursion() {
        for (long trapAt : new long[] {-1, 7, 170}) {
            Tiers t = tiers(trapAt);
            for (long k = 1; k < ROWS; k++) {
                long n = 320;
                String what = "trapAt " + trapAt + " k " + k;
                t.check(0, args(n, k), Limits.DEFAULT, what);
                for (long d = 0; d <= n + 3; d += 1 + d / 8) {
                    t.check(0, args(n, k), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
                }
                for (long fuel = 0; fuel < 6_000; fuel += 37) {
                    t.check(0, args(n, k), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
        }
    }

    /**
     * Paused at every slice of several sizes: the same frames (each with its function and pc),
     * fuel and snapshot bytes on both tiers at each pause, and runs restored from the compiled
     * tier's snapshot end as the interpreter's do.
     */
    @Test
    void pausedAtEverySlice() throws Exception {
        SplittableRandom rnd = new SplittableRandom(14);
        int[] inCallee = {0};
        for (long trapAt : new long[] {-1, 3, 150}) {
            Tiers t = tiers(trapAt);
            for (long k = 1; k < ROWS; k++) {
                long n = trapAt == 150 ? 260 : 12;
                long slice = 1 + rnd.nextInt(trapAt == 150 ? 90 : 9);
                String what = "trapAt " + trapAt + " k " + k + " slice " + slice;
                t.lockstep(0, args(n, k), slice, 5, what, (a, b, pause) -> {
                    if (b.depth() > 2) {
                        inCallee[0]++;
                    }
                });
            }
        }
        // pauses below the entry's callee: its record, written by the handler, is in the frames
        assertTrue(inCallee[0] >= 100, "pauses below the shared row: " + inCallee[0]);
    }
}
