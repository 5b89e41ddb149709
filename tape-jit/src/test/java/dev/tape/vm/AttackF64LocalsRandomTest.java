package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the twenty-first round's {@code F64Locals} (attack-j21) with random counted-loop bodies:
 * runs of f64 add, sub, mul and div with {@code i64}/{@code u64.to_f64} among them, registers
 * read and written both as f64 and as bits ({@code to_bits}, {@code from_bits}, a word xor, neg,
 * abs, min, max, compares) in every order, on inputs of every class (NaNs of both signs, quiet and
 * signalling, with payloads; zeros of both signs; infinities; subnormals; numbers whose sums and
 * products overflow, underflow or become NaN in the middle of a run; words near 2^53, 2^63 and
 * 2^64). Both tiers must agree in every result's bits, trap and fuel, at the full run, at fuel
 * limits that end the run in and around the chunk, and paused in slices with snapshots restored.
 */
class AttackF64LocalsRandomTest {
    private static final int CHUNK = JitTestAccess.countedLoopChunk();

    /** f64 inputs of every class. */
    private static final long[] XS = {0x3ff8000000000000L, 0L, 0x8000000000000000L, 0x7ff0000000000000L,
        0xfff0000000000000L, 0x7ff8000000000001L, 0xfff4000000000abcL, 0x7ff0000000000001L, 0x0000000000000001L,
        0x8010000000000000L, 0x7fefffffffffffffL, 0x4340000000000001L, 0xc1e0000000000000L, 0x3fe0000000000001L,
        0x7ff8000000000000L, 0xfff8000000000000L, 0x000fffffffffffffL, 0xbff0000000000000L};
    /** u64 words near the conversions' rounding points. */
    private static final long[] WS = {-1L, Long.MIN_VALUE + 1, Long.MIN_VALUE + 1024 + 512, (1L << 53) + 1,
        Long.MAX_VALUE, 0x7ff4000000000123L, 0xfff8000000000000L, 3L};

    /** A leaf {@code half(x: f64) -> (f64)}: {@code x * 0.5 + x}. */
    private static final String HALF = """
            func half(x: f64) -> (f64) {
                const.f64 r2, 0.5
                f64.mul r3, r1, r2
                f64.add r3, r3, r1
                ret r0, [r3]
            }
            """;

    private static final String[] ARITH = {"add", "sub", "mul", "div"};

    /**
     * {@code main(n: i64, a..d: f64, w: u64, v: i64) -> (r10.. nf f64 registers, r40: u64, r42: bool)}:
     * the loop (index r43, step r44, compare r9) runs n trips of a random body over {@code nf} f64
     * registers (more than the pool's 16 leaves some in {@code long} locals).
     */
    static String program(long seed, int nf) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder setup = new StringBuilder();
        for (int k = 10; k < 10 + nf; k++) {
            int src = 2 + r.nextInt(5);
            if (src == 6) {
                setup.append("    f64.from_bits r").append(k).append(", r6\n");
            } else {
                setup.append("    f64.add r").append(k).append(", r").append(src).append(", r").append(2 + r.nextInt(4))
                        .append('\n');
            }
        }
        setup.append("    const.u64 r40, 0\n    const.u64 r41, 1\n    const.bool r42, false\n");
        setup.append("    const.i64 r43, 0\n    const.i64 r44, 1\n");
        StringBuilder body = new StringBuilder();
        int ints = 0;
        // the compare and step take 8 ints of the 64; the latch's br is outside the range
        int budget = 64 - 8 - r.nextInt(20);
        while (true) {
            int kind = r.nextInt(20);
            String f = "r" + (10 + r.nextInt(nf));
            String g = "r" + (10 + r.nextInt(nf));
            String h = "r" + (10 + r.nextInt(nf));
            String line;
            int len;
            if (kind < 12) {
                line = "f64." + ARITH[r.nextInt(4)] + " " + f + ", " + g + ", " + h;
                len = 4;
            } else if (kind == 12) {
                line = "i64.to_f64 " + f + ", " + (r.nextBoolean() ? "r43" : "r7");
                len = 3;
            } else if (kind == 13) {
                line = "u64.to_f64 " + f + ", " + (r.nextBoolean() ? "r6" : "r40");
                len = 3;
            } else if (kind == 14) {
                line = "f64.to_bits r40, " + g + "\n    u64.xor r40, r40, r41";
                len = 7;
            } else if (kind == 15) {
                line = "f64.from_bits " + f + ", r40";
                len = 3;
            } else if (kind == 16) {
                line = "f64." + (r.nextBoolean() ? "neg " : "abs ") + f + ", " + g;
                len = 3;
            } else if (kind == 17) {
                line = "f64." + new String[] {"min", "max", "min_num", "max_num", "rem"}[r.nextInt(5)] + " " + f + ", "
                        + g + ", " + h;
                len = 4;
            } else if (kind == 18) {
                line = "f64." + new String[] {"lt", "le", "gt", "ge", "eq"}[r.nextInt(5)] + " r42, " + g + ", " + h;
                len = 4;
            } else if (r.nextBoolean()) {
                line = "f64.to_bits r40, " + g;
                len = 3;
            } else {
                // a leaf with an f64 argument and result, both possibly mapped registers
                line = "call r0, half, r0, [" + g + "] -> [" + f + "]";
                len = 5;
            }
            if (ints + len > budget) {
                break;
            }
            ints += len;
            body.append("    ").append(line).append('\n');
        }
        StringBuilder sig = new StringBuilder("n: i64, a: f64, b: f64, c: f64, d: f64, w: u64, v: i64) -> (");
        StringBuilder rets = new StringBuilder();
        for (int k = 10; k < 10 + nf; k++) {
            sig.append("f64, ");
            rets.append('r').append(k).append(", ");
        }
        return CountedLoopPrograms.loop("f64rand" + seed, sig + "u64, bool)", setup.toString(), "i64.lt r9, r43, r1",
                body.toString(), "i64.add r43, r43, r44", rets + "r40, r42") + HALF;
    }

    private static int chunks(VerifiedProgram vp) throws Exception {
        JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
        return JitTestAccess.methodCalls(JitTestAccess.generate(tier.view, 0).bytes(), "java/lang/Math", "min");
    }

    private static List<Value> args(SplittableRandom r, long n) {
        List<Value> a = new ArrayList<>();
        a.add(Value.i64(n));
        for (int k = 0; k < 4; k++) {
            a.add(Value.f64Bits(XS[r.nextInt(XS.length)]));
        }
        a.add(Value.u64(WS[r.nextInt(WS.length)]));
        a.add(Value.i64(WS[r.nextInt(WS.length)]));
        return a;
    }

    /** The method's bytecode against {@code MethodSize}'s bound. */
    private static void sizeWithinBound(VerifiedProgram vp, String what) {
        Vm vm = new Vm(vp, Host.NONE, Tiers.LAZY);
        for (LoweredFunction fn : Lowered.functions(vp)) {
            int size = JitTestAccess.measure(new JitView(vm, null), fn.id());
            int bound = JitTestAccess.sizeBound(fn);
            assertTrue(size <= bound, what + ": " + size + " bytes, bound " + bound);
        }
    }

    /**
     * Random bodies over 8 f64 registers (all in the pool) and 20 (4 left in {@code long} locals),
     * inputs of every class, a few trips: every fuel limit; pauses in slices of 1 to 12 fuel with
     * every snapshot restored on both tiers; the method within {@code MethodSize}'s bound.
     */
    @Test
    void randomBodiesEveryInputClass() throws Exception {
        int segmented = 0;
        for (long seed = 0; seed < 160; seed++) {
            int nf = seed % 2 == 0 ? 8 : 20;
            String text = program(seed, nf);
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            // a preamble in each of the peeled method's two copies when a leaf is called
            assertTrue(chunks(vp) >= 1, text);
            segmented += segments(vp) > 0 ? 1 : 0;
            sizeWithinBound(vp, text);
            Tiers t = Tiers.of(vp, Host.NONE);
            SplittableRandom r = new SplittableRandom(seed * 31 + 7);
            for (int c = 0; c < 12; c++) {
                long n = new long[] {0, 1, 2, 5}[c % 4];
                List<Value> a = args(r, n);
                String what = text + " args " + a;
                long used = 100_000 - t.check(0, a, Limits.DEFAULT.withFuel(100_000), what).fuelRemaining();
                if (c < 4) {
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                    t.lockstep(0, a, 1 + r.nextInt(12), 1, what, (x, y, p) -> { });
                }
            }
        }
        // the segments' hardware path is what the bodies exercise
        assertTrue(segmented >= 100, segmented + " of 160 methods with a segment");
    }

    /** The hardware f64 operations ({@code dadd}..{@code ddiv}) in {@code main}'s method: the segments'. */
    private static int segments(VerifiedProgram vp) throws Exception {
        JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
        int n = 0;
        for (int op : new int[] {org.objectweb.asm.Opcodes.DADD, org.objectweb.asm.Opcodes.DSUB,
            org.objectweb.asm.Opcodes.DMUL, org.objectweb.asm.Opcodes.DDIV}) {
            n += JitTestAccess.insns(bytes, op);
        }
        return n;
    }

    /**
     * Random bodies over long runs (a chunk and a trip, two chunks and some): the results at the
     * run's end and at fuel limits around the first chunk's end and the run's end.
     */
    @Test
    void randomBodiesAcrossChunks() throws Exception {
        for (long seed = 1000; seed < 1012; seed++) {
            String text = program(seed, seed % 3 == 0 ? 20 : 8);
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            Tiers t = Tiers.of(vp, Host.NONE);
            SplittableRandom r = new SplittableRandom(seed);
            long trips = seed % 2 == 0 ? CHUNK + 1 : 2L * CHUNK + 5;
            List<Value> a = args(r, trips);
            String what = text + " args " + a;
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, what);
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel : CountedLoopPrograms.chunkFuels(used, trips)) {
                if (fuel >= 0 && (fuel % 7 == seed % 7 || fuel > used - 3)) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
        }
    }

    /**
     * A register the loop last writes with a double operation, read as a word before that write:
     * on a chunk's first trip its {@code long} is got from the {@code double} set at the chunk's
     * entry (a round trip of the value that came in, here a signalling NaN), on later trips from
     * the add's quiet NaN. {@code main(n, x) -> (x after n trips, xor of the bits read each trip)}:
     * the xor of the signalling NaN and its quieted self is the quiet bit alone (n = 2: one trip in
     * the chunk, one in the blocks), and both tiers agree at every fuel limit.
     */
    @Test
    void signallingNanReadAsWordOnTheChunksFirstTrip() throws Exception {
        String setup = """
                    const.f64 r11, 1.0
                    const.u64 r40, 0
                    const.u64 r45, 0
                    const.i64 r43, 0
                    const.i64 r44, 1
                """;
        String body = """
                    f64.to_bits r40, r2
                    u64.xor r45, r45, r40
                    f64.add r2, r2, r11
                """;
        String text = CountedLoopPrograms.loop("snanfirst", "n: i64, x: f64) -> (f64, u64)", setup,
                "i64.lt r9, r43, r1", body, "i64.add r43, r43, r44", "r2, r45");
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(1, chunks(vp), text);
        Tiers t = Tiers.of(vp, Host.NONE);
        long snan = 0x7ff4000000000123L;
        for (long n : new long[] {1, 2, 3, 4}) {
            List<Value> a = List.of(Value.i64(n), Value.f64Bits(snan));
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, text + " n " + n);
            assertEquals(snan | 0x0008000000000000L, ((Value.F64) full.results().get(0)).bits(), "x, n " + n);
            // the trips' reads: snan, then its quieted self n - 1 times
            long xor = snan ^ ((n - 1) % 2 == 1 ? snan | 0x0008000000000000L : 0L);
            assertEquals(xor, ((Value.U64) full.results().get(1)).value(), "xor, n " + n);
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " n " + n + " fuel " + fuel);
            }
        }
    }
}
