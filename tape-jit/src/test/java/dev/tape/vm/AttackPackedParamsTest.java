package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attack on the twenty-third round's packed parameters of compiled self-calls
 * ({@code WordParams.desc}: {@code (depth << 32) + stack} and {@code (resume << 32) + func} after
 * the word arguments): the fields at sizes past 16 bits and at the API's limits. The recursion
 * {@code f} takes four word arguments (i64, f64 with a NaN payload, bool, u64) that change at
 * every level and reach the leaf's result. It sits behind up to 66,000 other functions, so its
 * function id and its instructions' global indices (the resume index of a resumed frame) pass
 * 65,535; it recurses linearly 70,000 deep, far past the compiled frames' nesting, so the
 * interpreter carries the deep frames and a pause resumed on the compiled tier enters the
 * trampoline with a VM depth past 65,535. Both tiers must agree on results, traps, fuel, the
 * call-depth limit's trap at and around the recursion's depth and at the API's largest limits,
 * and in pauses with the snapshots compared and restored on both tiers.
 */
class AttackPackedParamsTest {
    /**
     * @param others the functions between {@code main} and {@code f}
     * @return the program: {@code main(n)} calls {@code f(n, x, b, u)}
     */
    static String program(int others) {
        StringBuilder s = new StringBuilder("program packed\n");
        s.append("""
                func main(n: i64) -> (u64) {
                    const.f64 r2, 1.5
                    const.u64 r5, 0
                    f64.to_bits r6, r2
                    u64.xor r6, r6, r5
                    const.u64 r7, 9221120237041090561
                    f64.from_bits r3, r7
                    const.bool r4, true
                    const.u64 r5, 12345
                    call r0, f, r0, [r1, r3, r4, r5] -> [r8]
                    ret r0, [r8]
                }
                """);
        for (int j = 0; j < others; j++) {
            s.append("func d").append(j).append("() -> (i64) {\n    const.i64 r1, ").append(j)
                    .append("\n    ret r0, [r1]\n}\n");
        }
        s.append("""
                func f(n: i64, x: f64, b: bool, u: u64) -> (u64) {
                    const.i64 r5, 0
                    i64.lt r6, r5, r1
                    br r6, big, small
                small:
                    f64.to_bits r7, r2
                    u64.xor r7, r7, r4
                    const.u64 r8, 7
                    u64.add r9, r7, r8
                    select r10, r3, r7, r9
                    ret r0, [r10]
                big:
                    const.i64 r11, 1
                    i64.sub r12, r1, r11
                    f64.to_bits r13, r2
                    const.u64 r14, 1
                    u64.xor r13, r13, r14
                    f64.from_bits r15, r13
                    bool.not r16, r3
                    u64.add r17, r4, r14
                    call r0, f, r0, [r12, r15, r16, r17] -> [r18]
                    u64.xor r18, r18, r13
                    ret r0, [r18]
                }
                """);
        return s.toString();
    }

    private static Tiers tiers(int others) throws Exception {
        return Tiers.of(JitLeafInlineTest.verified(program(others)), Host.NONE);
    }

    /** Function ids and global pcs past 65,535, shallow recursions: every fuel limit, pauses at every slice. */
    @Test
    void aFunctionIdPastSixteenBits() throws Exception {
        Tiers t = tiers(66_000);
        for (long n : new long[] {0, 1, 2, 7, 40, 250}) {
            List<Value> args = List.of(Value.i64(n));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "n " + n);
            if (n <= 40) {
                t.everyFuel(0, args, full, "n " + n);
            }
            for (long d = 0; d <= 3; d++) {
                t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), "n " + n + " depth " + d);
            }
        }
        assertTrue(Jit.compiledFunctions(t.compiled) >= 1, "f compiled");
        int pauses = 0;
        for (long slice = 1; slice <= 12; slice++) {
            pauses += t.lockstep(0, List.of(Value.i64(9)), slice, 3, "slice " + slice, (a, b, p) -> { });
        }
        assertTrue(pauses >= 100, "pauses " + pauses);
    }

    /**
     * A recursion 70,000 deep: the call-depth limit at, around and far past it (the API's largest
     * limits), and pauses deep in it restored on both tiers (the compiled tier resumes the deep
     * frames through the trampoline with their VM depth).
     */
    @Test
    void aRecursionDeeperThanSixteenBits() throws Exception {
        Tiers t = tiers(10);
        long n = 70_000;
        List<Value> args = List.of(Value.i64(n));
        Limits deep = Limits.DEFAULT.withMaxCallDepth(Integer.MAX_VALUE);
        Tiers.Outcome full = t.check(0, args, deep, "deep");
        assertTrue(full.trap() == null, "no trap: " + full);
        // the limit is unsigned: -1 is the largest the API accepts
        for (long d : new long[] {n - 1, n, n + 1, n + 2, 65_535, 65_536, 1L << 32, (1L << 32) + 1,
                Long.MAX_VALUE, -1L}) {
            try {
                t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), "depth " + d);
            } catch (IllegalArgumentException e) {
                // a limit the API refuses is refused on both tiers alike: nothing to compare
            }
        }
        for (long slice : new long[] {99_991, 250_007}) {
            int pauses = lockstep(t, args, slice, deep);
            assertTrue(pauses >= 2, "pauses " + pauses);
        }
        assertTrue(((JitTier) t.compiled.tier).resumed.get() > 0, "the compiled tier resumed frames");
    }

    /** {@link Tiers#lockstep} with {@code limits} (its call-depth limit) instead of the defaults, restored at every pause. */
    private static int lockstep(Tiers t, List<Value> args, long slice, Limits limits) throws Exception {
        Limits l = limits.withFuel(slice);
        Run a = t.interpreted.start(0, args, l);
        Run b = t.compiled.start(0, args, l);
        int pauses = 0;
        while (true) {
            dev.tape.vm.Outcome oa = a.resume();
            dev.tape.vm.Outcome ob = b.resume();
            String what = "slice " + slice + " pause " + pauses;
            assertEquals(Tiers.view(oa), Tiers.view(ob), what);
            if (!(oa instanceof dev.tape.vm.Outcome.Paused)) {
                return pauses;
            }
            pauses++;
            assertEquals(a.frames(), b.frames(), what);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), what);
            byte[] snap = b.snapshot();
            assertArrayEquals(a.snapshot(), snap, what);
            assertEquals(Tiers.finish(t.interpreted.restore(snap)), Tiers.finish(t.compiled.restore(snap)),
                    what + " restored");
            a.addFuel(slice);
            b.addFuel(slice);
        }
    }
}
