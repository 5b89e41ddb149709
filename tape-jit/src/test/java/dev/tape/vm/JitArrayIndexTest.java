package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled {@code array.get} and {@code array.get_imm} ({@code JitRuntime.getW}/{@code getR}, whose
 * fast path takes the element tag as a constant and checks the u64 index as an int) against the
 * interpreter, at and past every bound of the index: random loops that build an i64 array and a
 * str array of 0 to 6 elements per iteration and read both at a u64 index register that starts at
 * a bound (0, the last element, the length, 2<sup>31</sup> - 1 and 2<sup>31</sup>, 2<sup>32</sup>
 * - 1, 2<sup>32</sup> and 2<sup>32</sup> plus an element's index, whose low 32 bits are a valid
 * index, 2<sup>63</sup>, 2<sup>64</sup> - 1, which is -1 as an i64) and steps by 1, wrapping, and
 * at an immediate index at such a bound. Each program runs on both tiers unlimited, at every fuel
 * limit up to its use plus 2 and at every heap limit up to its total plus 1 (results, trap kind,
 * pc, span, fuel left, host calls, heap bytes); some are also paused at every fuel limit: frames,
 * registers and snapshot bytes equal, each going on to the same outcome, restored on either tier.
 */
class JitArrayIndexTest {
    private static final long TWO_31 = 1L << 31;
    private static final long TWO_32 = 1L << 32;

    /** A generated program ({@link #program}) and the arguments it runs with. */
    private record Case(int len, long imm, long k, long n) {
        String text() {
            return program(len, imm);
        }

        List<Value> args() {
            return List.of(new Value.U64(k), Value.i64(n));
        }

        /** @return the program's results by a Java model of it, or null when it must trap */
        List<Value> model() {
            long total = 0;
            long bytes = 0;
            long idx = k;
            for (long i = 0; i < n; i++) {
                long base = i + total;
                if (Long.compareUnsigned(idx, len) >= 0) {
                    return null;
                }
                total += base + idx;
                bytes += idx % 2 == 0 ? 1 : 3;
                if (imm >= 0) {
                    if (imm >= len) {
                        return null;
                    }
                    total += base + imm;
                }
                idx++;
            }
            return List.of(Value.i64(total), new Value.U64(bytes));
        }

        @Override
        public String toString() {
            return "len " + len + ", imm " + imm + ", k " + Long.toUnsignedString(k) + ", n " + n;
        }
    }

    /** The u64 indices at and around every bound of an array of {@code len} elements. */
    static List<Long> bounds(int len) {
        List<Long> out = new ArrayList<>(List.of(0L, 1L, (long) len, len + 1L, TWO_31 - 1, TWO_31, TWO_31 + 1,
                TWO_32 - 1, TWO_32, TWO_32 + 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, -(long) len));
        if (len > 0) {
            out.add(len - 1L);
            out.add(TWO_32 + len - 1);
            out.add(-TWO_32 + len - 1); // 2^64 - 2^32 + len - 1: its low 32 bits are the last index
        }
        return out;
    }

    /** The immediates (u32) at and around the bounds of an array of {@code len} elements. */
    static List<Long> immediates(int len) {
        List<Long> out = new ArrayList<>(List.of(0L, (long) len, TWO_31 - 1, TWO_31, TWO_32 - 1));
        if (len > 0) {
            out.add(len - 1L);
        }
        return out;
    }

    /**
     * A loop of {@code n} iterations (r2) that builds arrays of {@code len} elements (i64: i, i+1,
     * ...; str: rotating literals), reads both at index register r1 (then r1 += 1), and, when
     * {@code imm} is not negative, the i64 array at immediate {@code imm}; returns the i64 sum and
     * the str bytes read.
     */
    static String program(int len, long imm) {
        StringBuilder b = new StringBuilder();
        b.append("program arrays\narray ints = i64\narray strs = str\n");
        b.append("func main(k: u64, n: i64) -> (i64, u64) {\n");
        b.append("    const.i64 r3, 0\n    const.i64 r4, 1\n    const.u64 r5, 1\n");
        b.append("    const.i64 r6, 0\n    const.u64 r7, 0\n");
        b.append("    const.pool r8, str:\"a\"\n    const.pool r9, str:\"bcd\"\n");
        b.append("    i64.lt r10, r3, r2\n    br r10, body, done\nbody:\n");
        StringBuilder ints = new StringBuilder();
        StringBuilder strs = new StringBuilder();
        for (int j = 0; j < len; j++) {
            int reg = 30 + j;
            if (j == 0) {
                b.append("    i64.add r").append(reg).append(", r3, r6\n");
            } else {
                b.append("    i64.add r").append(reg).append(", r").append(reg - 1).append(", r4\n");
            }
            ints.append(j == 0 ? "" : ", ").append('r').append(reg);
            strs.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r8" : "r9");
        }
        b.append("    array.new r11, ints, [").append(ints).append("]\n");
        b.append("    array.new r12, strs, [").append(strs).append("]\n");
        b.append("    array.get r13, r11, r1\n    i64.add r6, r6, r13\n");
        b.append("    array.get r14, r12, r1\n    str.len r15, r14\n    u64.add r7, r7, r15\n");
        if (imm >= 0) {
            b.append("    array.get_imm r16, r11, ").append(imm).append("\n    i64.add r6, r6, r16\n");
        }
        b.append("    u64.add r1, r1, r5\n    i64.add r3, r3, r4\n");
        b.append("    i64.lt r10, r3, r2\n    br r10, body, done\ndone:\n    ret r0, [r6, r7]\n}\n");
        return b.toString();
    }

    private static Tiers tiers(String text) {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(text), Host.NONE);
        assertEquals(1, Jit.precompile(t.compiled), "the function is compiled");
        return t;
    }

    /**
     * Both tiers alike unlimited and at every fuel and heap limit around the run's.
     *
     * @return whether the unlimited run trapped
     */
    private static boolean everyLimit(Case c) {
        Tiers t = tiers(c.text());
        Tiers.Outcome full = t.check(0, c.args(), Limits.DEFAULT, "unlimited, " + c);
        List<Value> want = c.model();
        assertEquals(want, full.results(), () -> c + ": " + full);
        if (want == null) {
            assertEquals(TrapKind.AGG_ERROR, full.kind(), () -> c + ": " + full);
        }
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            t.check(0, c.args(), Limits.DEFAULT.withFuel(fuel), "fuel " + fuel + ", " + c);
        }
        long heap = full.heapBytes();
        for (long limit = 0; limit <= heap + 1; limit += 1 + limit / 40) {
            t.check(0, c.args(), Limits.DEFAULT.withMaxHeapBytes(limit), "heap " + limit + ", " + c);
        }
        return full.trapped();
    }

    /** Paused at every fuel limit on both tiers: the same frames, registers, snapshots and ends. */
    private static int everyPause(Case c) {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(c.text()));
        Vm interp = new Vm(p, new HostRegistry());
        Vm jit = Jit.compile(p, new HostRegistry());
        assertEquals(1, Jit.precompile(jit));
        int paused = 0;
        for (long at = 1; ; at++) {
            Run x = interp.start(0, c.args(), Limits.DEFAULT.withFuel(at));
            Run y = jit.start(0, c.args(), Limits.DEFAULT.withFuel(at));
            Outcome ox = x.resume();
            Outcome oy = y.resume();
            assertEquals(describe(ox), describe(oy), "at " + at + ", " + c);
            if (!(ox instanceof Outcome.Paused)) {
                return paused;
            }
            paused++;
            // what one run given all the fuel at once ends with
            String want = describe(interp.start(0, c.args(), Limits.DEFAULT.withFuel(at + 1_000_000)).resume());
            assertEquals(x.frames(), y.frames(), "at " + at);
            assertEquals(x.registers(0), y.registers(0), "registers at " + at + ", " + c);
            byte[] sx = x.snapshot();
            assertArrayEquals(sx, y.snapshot(), "snapshot at " + at + ", " + c);
            for (Run r : new Run[] {x, y, jit.restore(sx), new Vm(p, new HostRegistry()).restore(sx)}) {
                r.addFuel(1_000_000);
                assertEquals(want, describe(r.resume()), "at " + at + ", " + c);
            }
        }
    }

    /** An outcome in full: a trap by everything it tells (a {@link Trap} has no value equality). */
    private static String describe(Outcome o) {
        return o instanceof Outcome.Trapped t ? Tiers.TrapView.of(t.trap()).toString() : o.toString();
    }

    @Test
    void everyBoundOfTheIndexRegisterOnBothTiers() {
        int traps = 0;
        int done = 0;
        for (int len = 0; len <= 4; len++) {
            for (long k : bounds(len)) {
                if (everyLimit(new Case(len, -1, k, 3))) {
                    traps++;
                } else {
                    done++;
                }
            }
        }
        assertTrue(traps > 50 && done >= 3, traps + " trapped, " + done + " ran through");
    }

    @Test
    void everyBoundOfTheImmediateOnBothTiers() {
        int traps = 0;
        for (int len = 0; len <= 4; len++) {
            for (long imm : immediates(len)) {
                // a valid start: only the immediate decides whether the first read traps
                if (everyLimit(new Case(len, imm, 0, len == 0 ? 0 : 1))) {
                    traps++;
                }
            }
        }
        assertTrue(traps >= 15, traps + " trapped");
    }

    @Test
    void randomProgramsAtEveryLimitAndPaused() {
        Random rnd = new Random(14);
        int pauses = 0;
        for (int round = 0; round < 40; round++) {
            int len = rnd.nextInt(7);
            List<Long> ks = bounds(len);
            long k = ks.get(rnd.nextInt(ks.size())) + (rnd.nextInt(4) == 0 ? -rnd.nextInt(3) : 0);
            List<Long> imms = immediates(len);
            long imm = rnd.nextInt(3) == 0 ? imms.get(rnd.nextInt(imms.size())) : -1;
            Case c = new Case(len, imm, k, 1 + rnd.nextInt(4));
            everyLimit(c);
            if (round % 4 == 0) {
                pauses += everyPause(c);
            }
        }
        assertTrue(pauses > 100, "paused " + pauses);
    }

    @Test
    void aLoopReadingEveryElementPausedAtEveryPoint() {
        // k = 0, five iterations over five elements: every element read, no trap
        Case c = new Case(5, 4, 0, 5);
        assertTrue(!everyLimit(c), "runs through");
        int paused = everyPause(c);
        assertTrue(paused >= 90, "paused " + paused);
    }
}
