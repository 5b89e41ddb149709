package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The f64 registers of a counted loop's chunk in {@code double} locals, and its runs of f64
 * arithmetic with one NaN test per result no later instruction reads ({@code F64Locals},
 * twenty-first round): the bench's f64_loop body runs on plain {@code dadd}/{@code dmul}/{@code
 * ddiv}/{@code dsub} (no {@code Numerics} call on its fast path); a NaN made in the middle of a run
 * (0/0 on one trip, operands that are NaNs of different payloads in either order) takes the run's
 * exact path, so both tiers give the NaN rule's bits; a signalling NaN carried by a register the
 * chunk holds as a {@code double} (a parameter only read, a register written as a word and read
 * as an f64) keeps every bit; a loop touching more f64 registers than the pool holds runs exactly
 * too. Both tiers agree in result bits, trap and fuel at every fuel limit of short runs, around the
 * chunk of long ones, and paused in slices with the snapshots restored on both tiers.
 */
class JitCountedF64LocalsTest {
    private static final int CHUNK = JitTestAccess.countedLoopChunk();

    /** NaNs with payloads and signs (signalling too), zeros, infinities, a subnormal, numbers. */
    private static final long[] XS = {0x3ff8000000000000L, 0L, 0x8000000000000000L, 0x7ff0000000000000L,
        0xfff0000000000000L, 0x7ff8000000000001L, 0xfff4000000000abcL, 0x7ff0000000000001L, 0x0000000000000001L};

    /** A signalling NaN with a payload. */
    private static final long SNAN = 0x7ff4000000000123L;

    private static byte[] method(VerifiedProgram vp) throws Exception {
        JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
        return JitTestAccess.generate(tier.view, 0).bytes();
    }

    /**
     * The bench's f64_loop body: one chunk, whose fast path is the hardware's double arithmetic (a
     * {@code dmul}, {@code ddiv}, {@code dsub} and two {@code dadd} in the method, none before
     * this round: the blocks call {@code Numerics}), and {@code Numerics.addD} on its exact path.
     */
    @Test
    void f64LoopBodyRunsOnDoubles() throws Exception {
        byte[] bytes = method(JitLeafInlineTest.verified(JitCountedF64LoopTest.loop(0)));
        assertEquals(1, JitTestAccess.methodCalls(bytes, "java/lang/Math", "min"));
        assertEquals(1, JitTestAccess.insns(bytes, Opcodes.DMUL));
        assertEquals(1, JitTestAccess.insns(bytes, Opcodes.DDIV));
        assertEquals(1, JitTestAccess.insns(bytes, Opcodes.DSUB));
        assertEquals(2, JitTestAccess.insns(bytes, Opcodes.DADD));
        assertEquals(2, JitTestAccess.methodCalls(bytes, "dev/tape/vm/Numerics", "addD"));
    }

    /**
     * {@code main(n, k, x, seed) -> (acc, p, q, d)}: each trip computes {@code d = (i - k) / (i - k)}
     * (0/0, the default NaN, on trip k only), {@code acc += d * x}, then the run's two results no
     * later instruction reads: {@code p = x + acc} and {@code q = acc * x} (both NaN with different
     * payloads when x and acc are: the NaN rule takes the first operand).
     */
    private static String midRun() {
        String setup = """
                    f64.from_bits r5, r4
                    i64.to_f64 r6, r2
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.f64 r15, 0.0
                    const.f64 r16, 0.0
                    const.f64 r13, 0.0
                """;
        String body = """
                    i64.to_f64 r10, r7
                    f64.sub r11, r10, r6
                    f64.div r13, r11, r11
                    f64.mul r14, r13, r3
                    f64.add r5, r5, r14
                    f64.add r15, r3, r5
                    f64.mul r16, r5, r3
                """;
        return CountedLoopPrograms.loop("f64mid", "n: i64, k: i64, x: f64, seed: u64) -> (f64, f64, f64, f64)",
                setup, "i64.lt r9, r7, r1", body,
                "i64.add r7, r7, r8", "r5, r15, r16, r13");
    }

    /** A NaN made in the middle of a run on one trip, and NaN operands in both orders: the rule's bits. */
    @Test
    void nanInTheMiddleOfARun() throws Exception {
        String text = midRun();
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(1, JitTestAccess.methodCalls(method(vp), "java/lang/Math", "min"), text);
        Tiers t = Tiers.of(vp, Host.NONE);
        for (long n : new long[] {0, 1, 3, 6}) {
            for (long k : new long[] {-1, 0, 2}) {
                for (long x : XS) {
                    for (long seed : new long[] {0x4000000000000000L, SNAN, 0xfff8000000000777L}) {
                        List<Value> a = List.of(Value.i64(n), Value.i64(k), Value.f64Bits(x), Value.u64(seed));
                        String what = text + " args " + a;
                        long used = 5_000 - t.check(0, a, Limits.DEFAULT.withFuel(5_000), what).fuelRemaining();
                        if (x == XS[0] || x == XS[6]) {
                            for (long fuel = 0; fuel <= used + 1; fuel++) {
                                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                            }
                        }
                    }
                }
            }
        }
        // the NaN in the second chunk; fuel limits around the chunk; pauses
        List<Value> a = List.of(Value.i64(CHUNK + 3), Value.i64(CHUNK + 1), Value.f64Bits(0x3ff8000000000000L),
                Value.u64(0x4000000000000000L));
        Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, text);
        // 0/0 on the last trip but one: the default NaN, which the accumulator keeps; 1/1 on the last
        assertEquals(0xfff8000000000000L, ((Value.F64) full.results().get(0)).bits(), "acc");
        assertEquals(Double.doubleToRawLongBits(1.0), ((Value.F64) full.results().get(3)).bits(), "d");
        long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
        for (long fuel : CountedLoopPrograms.chunkFuels(used, CHUNK + 3)) {
            if (fuel >= 0) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
            }
        }
        int pauses = 0;
        for (long slice : new long[] {1, 3, 7, 31}) {
            pauses += t.lockstep(0, List.of(Value.i64(20), Value.i64(9), Value.f64Bits(0xfff4000000000abcL),
                    Value.u64(SNAN)), slice, 1, text + " slice " + slice, (x, y, pause) -> { });
        }
        assertTrue(pauses >= 20, "pauses: " + pauses);
    }

    /**
     * {@code main(n, s, x) -> (x', w, v, bits, acc)}: {@code x} is only read (as an f64, so the
     * chunk holds it as a double), {@code w} is written as a word (neg of the register read from
     * {@code s}'s bits) and read as an f64 and as a word on each trip; with {@code x} and {@code s}
     * signalling NaNs, their bits come back exact, and {@code acc = (i + 1) * x} is x quieted.
     */
    private static String signalling() {
        String setup = """
                    f64.from_bits r4, r2
                    const.f64 r5, 1.0
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.f64 r11, 0.0
                    const.u64 r13, 0
                    const.f64 r16, 0.0
                    const.bool r17, false
                """;
        String body = """
                    f64.lt r17, r3, r5
                    f64.neg r11, r4
                    f64.gt r12, r11, r5
                    f64.to_bits r13, r11
                    f64.from_bits r4, r13
                    i64.to_f64 r14, r7
                    f64.add r15, r14, r5
                    f64.mul r16, r15, r3
                """;
        return CountedLoopPrograms.loop("f64snan", "n: i64, s: u64, x: f64) -> (f64, f64, f64, u64, f64, bool)",
                setup, "i64.lt r9, r7, r1", body, "i64.add r7, r7, r8", "r3, r4, r11, r13, r16, r17");
    }

    /** Signalling NaNs in registers the chunk holds as doubles keep every bit. */
    @Test
    void signallingNanKeepsItsBits() throws Exception {
        String text = signalling();
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(1, JitTestAccess.methodCalls(method(vp), "java/lang/Math", "min"), text);
        Tiers t = Tiers.of(vp, Host.NONE);
        for (long n : new long[] {1, 2, 5, CHUNK + 2}) {
            for (long x : new long[] {SNAN, 0xfff0000000000001L, 0x3ff8000000000000L}) {
                List<Value> a = List.of(Value.i64(n), Value.u64(SNAN ^ 1), Value.f64Bits(x));
                Tiers.Outcome o = t.check(0, a, Limits.DEFAULT, text + " args " + a);
                List<Value> r = o.results();
                assertEquals(x, ((Value.F64) r.get(0)).bits(), "x, only read");
                long w = (SNAN ^ 1) ^ (n % 2 == 1 ? Long.MIN_VALUE : 0);
                assertEquals(w, ((Value.F64) r.get(1)).bits(), "the register written as a word, n " + n);
                assertEquals(w, ((Value.U64) r.get(3)).value(), "its bits");
                if (x != 0x3ff8000000000000L) {
                    assertEquals(x | 0x0008000000000000L, ((Value.F64) r.get(4)).bits(), "x quieted");
                }
                if (n < 10) {
                    long used = Limits.DEFAULT.fuel() - o.fuelRemaining();
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
                    }
                }
            }
        }
        int pauses = 0;
        for (long slice : new long[] {1, 2, 5, 13}) {
            pauses += t.lockstep(0, List.of(Value.i64(12), Value.u64(SNAN), Value.f64Bits(SNAN)), slice, 1,
                    text + " slice " + slice, (x, y, pause) -> { });
        }
        assertTrue(pauses >= 10, "pauses: " + pauses);
    }

    /**
     * A loop whose f64 operations touch 27 f64 registers, more than the pool's 16 (a chain of 13
     * operations, each reading a register of its own): those past the pool stay in their long
     * locals, runs holding them are not made; both tiers agree at every fuel limit.
     */
    @Test
    void moreRegistersThanThePool() throws Exception {
        StringBuilder setup = new StringBuilder("    f64.from_bits r4, r2\n    const.i64 r7, 0\n    const.i64 r8, 1\n");
        StringBuilder body = new StringBuilder("    i64.to_f64 r10, r7\n    f64.add r40, r10, r3\n");
        String[] ops = {"add", "mul", "sub", "div"};
        for (int k = 1; k < 12; k++) {
            setup.append("    const.f64 r").append(20 + k).append(", ").append(0.75 * (k + 1)).append('\n');
            body.append("    f64.").append(ops[k % 4]).append(" r").append(40 + k).append(", r").append(39 + k)
                    .append(", r").append(20 + k).append('\n');
        }
        for (int k = 0; k < 12; k++) {
            setup.append("    const.f64 r").append(40 + k).append(", 0.0\n");
        }
        body.append("    f64.add r4, r4, r51\n");
        String text = CountedLoopPrograms.loop("f64many", "n: i64, s: u64, x: f64) -> (f64, f64, f64)",
                setup.toString(), "i64.lt r9, r7, r1", body.toString(), "i64.add r7, r7, r8", "r4, r45, r51");
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(1, JitTestAccess.methodCalls(method(vp), "java/lang/Math", "min"), text);
        Tiers t = Tiers.of(vp, Host.NONE);
        for (long n : new long[] {0, 1, 3}) {
            for (long x : XS) {
                List<Value> a = List.of(Value.i64(n), Value.u64(0x3ff0000000000000L), Value.f64Bits(x));
                String what = text + " args " + a;
                long used = 5_000 - t.check(0, a, Limits.DEFAULT.withFuel(5_000), what).fuelRemaining();
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
        }
        t.check(0, List.of(Value.i64(CHUNK + 2), Value.u64(0L), Value.f64Bits(0x3ff0000000000001L)), Limits.DEFAULT,
                text);
    }
}
