package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on structs kept in locals ({@code VirtualStructs}) and on the inlined
 * {@code call.indirect} that compares the closure's unchecked function id first
 * ({@code LeafInliner.indirect}). Random programs loop (at least once) over a struct of 8 word
 * fields of every word kind (f64 fields holding NaNs with payloads, a signalling one among them,
 * bools, u64 at the top of the range) and a second struct of 3 fields built on one branch only
 * (the other branch builds an object at a second site: the flag differs where the paths merge),
 * whose func field is read and called through, beside a struct of 9 fields and a third struct
 * register, which are never kept. The 8-field struct is then used in random order: read by field (by its tag), passed to a leaf twice,
 * to a function that is no leaf, to a boxed host function and to one that suspends the run, stored
 * twice in one tuple (so a snapshot must show one object), chosen by {@code select}, captured as a closure's environment (a
 * struct, not a tuple) and called through a {@code call.indirect} site that sees that closure and a
 * closure over a tuple, passed twice through a func value that is a leaf or not, moved and read by
 * field, across a block start, rebuilt at another site, and finally returned after the loop; a
 * callee returns a struct it keeps in locals.
 *
 * <p>Both tiers must agree in every detail (result or trap with its stack, fuel, heap bytes, host
 * calls) at every fuel limit, at heap limits around every struct's charge, at every call-depth
 * limit and register limits; the interpreter stepped with an {@code INSTR} trace must agree with
 * both; and paused at every fuel point, the frames, registers and snapshot bytes must be equal,
 * with runs restored on either tier (with a trace sink, so interpreted from there) ending alike,
 * interleaved with interpreted steps and suspended host calls.
 */
class AttackKeptStructTest {
    private static final String HEADER = """
            program keptattack
            host hp = "h.pass" (agg) -> (agg)
            host hw = "h.wait" (agg) -> (agg)
            struct S8 = { a: f64, b: bool, c: u64, d: i64, e: f64, f: i64, g: u64, h: bool }
            struct T2 = { x: i64, y: f64, f: func }
            struct N9 = { a: i64, b: i64, c: i64, d: i64, e: i64, f: i64, g: i64, h: i64, i: i64 }
            callsig one = (i64) -> (i64)
            callsig two = (agg, agg) -> (i64)
            callsig fa = (agg, i64) -> (i64)
            """;

    private static final String HELPERS = """
            func leaf2(p: agg struct S8, q: agg struct S8) -> (i64) {
                struct.get r3, r1, 3
                struct.get r4, r2, 5
                i64.add r3, r3, r4
                struct.get r5, r2, 0
                f64.lt r6, r5, r5
                br r6, a, b
            a:
                i64.sub r3, r3, r4
                jmp b
            b:
                struct.get r7, r1, 7
                br r7, c, d
            c:
                i64.add r3, r3, r4
                jmp d
            d:
                ret r0, [r3]
            }
            func heavy2(p: agg struct S8, q: agg struct S8) -> (i64) {
                struct.get r3, r1, 5
                const.i64 r4, 3
                i64.div r3, r3, r4
                ret r0, [r3]
            }
            func leafT(p: agg struct T2) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                f64.lt r4, r3, r3
                br r4, a, b
            a:
                i64.add r2, r2, r2
                jmp b
            b:
                ret r0, [r2]
            }
            func leafBad(p: agg struct T2) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                f64.eq r4, r3, r3
                br r4, a, b
            a:
                i64.add r2, r2, r2
                jmp b
            b:
                ret r0, [r2]
            }
            func mkS(i: i64, f: f64) -> (agg) {
                const.bool r3, true
                const.u64 r4, 0x8000000000000001
                struct.new r5, S8, [r2, r3, r4, r1, r2, r1, r4, r3]
                jmp a
            a:
                struct.get r6, r5, 3
                br r3, b, b
            b:
                ret r0, [r5]
            }
            func leafA(env: agg tuple(i64), y: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r3, r3, r2
                ret r0, [r3]
            }
            func leafE(env: agg struct S8, y: i64) -> (i64) {
                struct.get r3, r1, 3
                i64.add r3, r3, r2
                struct.get r4, r1, 6
                ret r0, [r3]
            }
            """;

    /** The fields of S8 by tag: f64, bool, u64, i64, f64, i64, u64, bool. */
    private static final char[] KIND = {'f', 'b', 'u', 'i', 'f', 'i', 'u', 'b'};

    /**
     * A program. main's registers: r1 n, r2 x, r3 a signalling NaN, r4 bool, r5 u64 max, r6 the i64
     * sum, r7 i, r8 1, r9 an i64, r10 a u64, r11 i odd, r12 an f64, r13 the u64 sum, r14 the bool
     * sum, r15-r16 funcs, r18 a tuple, r19 a closure over it, r20 the S8 (kept), r21 the T2 (kept),
     * r22 a quiet NaN, r23 the N9, r24 an agg, r25 the tuple, r26-r27 closures, r28 a copy, r29,
     * r34-r36 funcs, r31 a third S8, r32 an f64, r33 a bool.
     */
    static String program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder(HEADER);
        s.append("func main(n: i64, x: i64) -> (i64, agg) {\n");
        s.append("""
                    const.f64 r3, 0x7ff0000000000abc
                    const.bool r4, true
                    const.u64 r5, 0xffffffffffffffff
                    const.i64 r6, 0
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.i64 r9, 0
                    const.u64 r10, 7
                    const.bool r11, false
                    const.f64 r12, -0.0
                    const.u64 r13, 0
                    const.bool r14, false
                    const.f64 r22, 0x7ff8dead0000beef
                    const.f64 r32, 0.5
                    const.bool r33, false
                    const.func r15, leafA
                    const.func r16, leafE
                    const.func r29, leaf2
                    const.func r34, heavy2
                    tuple.new r18, [r2]
                    closure.new r19, r15, r18
                    jmp loop
                loop:
                    i64.and r9, r7, r8
                    i64.eq r11, r9, r8
                """);
        // the S8, kept in locals: its first struct.new
        s.append("    struct.new r20, S8, [r12, r14, r13, r7, r").append(rnd.nextBoolean() ? 3 : 22)
                .append(", r2, r5, r4]\n");
        // the T2: built on one branch, a call's object on the other
        s.append("    br r11, mk, take\nmk:\n    struct.new r21, T2, [r7, r").append(rnd.nextBoolean() ? 3 : 22)
                .append(", r15]\n    jmp join\ntake:\n    struct.new r21, T2, [r9, r22, r15]\n    jmp join\njoin:\n");
        s.append("    struct.get r9, r21, 0\n    i64.add r6, r6, r9\n");
        if (rnd.nextBoolean()) {
            // a func value from the kept struct's field local, called (leafA, inlined) through it
            s.append("    struct.get r36, r21, 2\n    call.indirect r0, fa, r36, r0, [r18, r7] -> [r9]\n");
            s.append("    i64.add r6, r6, r9\n");
        }
        if (rnd.nextInt(4) == 0) {
            s.append("    call r0, leafT, r0, [r21] -> [r9]\n    i64.add r6, r6, r9\n");
        }
        // the N9 and a third S8: never kept
        s.append("    struct.new r23, N9, [r7, r9, r6, r7, r9, r6, r7, r9, r2]\n    struct.get r9, r23, 8\n");
        s.append("    i64.add r6, r6, r9\n");
        s.append("    struct.new r31, S8, [r32, r33, r10, r6, r22, r7, r13, r14]\n    struct.get r10, r31, 2\n");
        s.append("    u64.xor r13, r13, r10\n");
        int uses = 2 + rnd.nextInt(6);
        boolean tuple = false;
        for (int u = 0; u < uses; u++) {
            int kind = rnd.nextInt(16);
            switch (kind) {
                case 0, 1, 2 -> field(s, rnd.nextInt(8), "r20");
                case 3 -> s.append("    call r0, leaf2, r0, [r20, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                case 4 -> s.append("    call r0, heavy2, r0, [r20, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                case 5 -> {
                    s.append("    host_call r0, ").append(rnd.nextBoolean() ? "hp" : "hw").append(", r0, [r20] -> [r24]\n");
                    // the host's result has no shape: the leaf reads it by its own parameter's
                    s.append("    call r0, leaf2, r0, [r24, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                }
                case 6 -> {
                    s.append("    tuple.new r25, [r20, r20]\n");
                    tuple = true;
                }
                case 7 -> {
                    // a closure over the struct itself (an environment that is no tuple), or over a tuple
                    s.append("    closure.new r26, r16, r20\n    select r27, r11, r26, r19\n");
                    s.append("    call.indirect r0, one, r27, r0, [r7] -> [r9]\n    i64.add r6, r6, r9\n");
                }
                case 8 -> {
                    s.append("    select r35, r11, r29, r34\n");
                    s.append("    call.indirect r0, two, r35, r0, [r20, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                }
                case 9 -> {
                    s.append("    mov r28, r20\n");
                    field(s, rnd.nextInt(8), "r28");
                }
                case 10 -> s.append("    jmp next").append(u).append("\nnext").append(u).append(":\n");
                case 11 -> {
                    // another site: an object in the register, read by field and by the leaf
                    s.append("    struct.new r20, S8, [r32, r4, r10, r9, r3, r7, r13, r33]\n");
                    field(s, rnd.nextInt(8), "r20");
                }
                case 12 -> {
                    if (rnd.nextInt(3) == 0) {
                        // the leaf's reads do not match the struct's shape: the real call traps
                        s.append("    call r0, leafBad, r0, [r20] -> [r9]\n    i64.add r6, r6, r9\n");
                    } else {
                        s.append("    call r0, leaf2, r0, [r20, r31] -> [r9]\n    i64.add r6, r6, r9\n");
                    }
                }
                case 14 -> {
                    // a callee's struct kept in its locals, returned (after a block start)
                    s.append("    call r0, mkS, r0, [r7, r").append(rnd.nextBoolean() ? 3 : 22).append("] -> [r24]\n");
                    s.append("    call r0, leaf2, r0, [r24, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                }
                case 15 -> {
                    // a select keeps no shape: the leaf reads the choice by its own parameter's
                    s.append("    select r28, r11, r20, r31\n");
                    s.append("    call r0, leaf2, r0, [r28, r20] -> [r9]\n    i64.add r6, r6, r9\n");
                }
                default -> {
                    if (rnd.nextInt(4) == 0) {
                        // leafA's closure over the struct: its tuple.get traps in its frame
                        s.append("    closure.new r26, r15, r20\n    select r27, r11, r26, r19\n");
                    } else {
                        s.append("    closure.new r26, r16, r31\n    select r27, r11, r19, r26\n");
                    }
                    s.append("    call.indirect r0, one, r27, r0, [r9] -> [r9]\n    i64.add r6, r6, r9\n");
                }
            }
        }
        field(s, 2, "r20");
        s.append("    struct.get r32, r21, 1\n    mov r12, r32\n");
        s.append("    i64.add r7, r7, r8\n    i64.lt r11, r7, r1\n    br r11, loop, done\ndone:\n");
        field(s, rnd.nextInt(8), "r20");
        String back = tuple && rnd.nextBoolean() ? "r25" : rnd.nextBoolean() ? "r20" : "r21";
        s.append("    ret r0, [r6, ").append(back).append("]\n}\n").append(HELPERS);
        return s.toString();
    }

    /** A read of field {@code j} of {@code reg} (an S8) into a temporary of its kind, folded into a sum. */
    private static void field(StringBuilder s, int j, String reg) {
        switch (KIND[j]) {
            case 'i' -> s.append("    struct.get r9, ").append(reg).append(", ").append(j)
                    .append("\n    i64.add r6, r6, r9\n");
            case 'u' -> s.append("    struct.get r10, ").append(reg).append(", ").append(j)
                    .append("\n    u64.xor r13, r13, r10\n");
            case 'b' -> s.append("    struct.get r33, ").append(reg).append(", ").append(j)
                    .append("\n    bool.xor r14, r14, r33\n");
            default -> s.append("    struct.get r32, ").append(reg).append(", ").append(j)
                    .append("\n    f64.lt r33, r32, r12\n    bool.xor r14, r14, r33\n    mov r12, r32\n");
        }
    }

    /** h.pass gives back its argument; h.wait too, suspending the run first when it can. */
    static HostRegistry host() {
        Signature sig = Signature.of(List.of(ValueType.AGG), List.of(ValueType.AGG));
        return new HostRegistry().register("h.pass", sig, (HostFunction.Simple) args -> new Value[] {args[0]})
                .register("h.wait", sig, (HostFunction) (args, out, ctx) -> {
                    if (ctx.canSuspend()) {
                        ctx.suspend();
                    } else {
                        out[0] = args[0];
                    }
                });
    }

    /** @return how many times function {@code f}'s generated method calls {@code JitRuntime.name} */
    static int calls(VerifiedProgram p, int f, String name) {
        JitTier tier = (JitTier) Jit.compile(p, host()).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, f).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", name);
    }

    private static List<Value> args(long seed) {
        return List.of(Value.i64(1 + seed % 3), Value.i64(seed * 977 - 400));
    }

    private static VerifiedProgram verified(String text, long seed) {
        try {
            return Tiers.verified(JitCornerCasesTest.asm(text));
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + "\n" + text, e);
        }
    }

    /** An {@code INSTR} trace sink (a run with it is interpreted, one instruction at a time); counts them. */
    private static final class Steps implements TraceSink {
        int count;

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            count++;
        }
    }

    /** Every fuel limit, heap limits around every charge, depth and register limits; the stepped interpreter too. */
    @Test
    void everyLimitOnBothTiersAndStepped() {
        int kept = 0;
        int trapped = 0;
        for (long seed = 0; seed < 18; seed++) {
            String text = program(seed);
            String what = "seed " + seed + "\n" + text;
            VerifiedProgram p = verified(text, seed);
            if (calls(p, 0, "chargeAggregate") == 2) {
                kept++;
            }
            // its heap charge is on the heap room's local (HeapLocal), and no aggregate is built
            assertEquals(0, calls(p, 5, "aggregate") + calls(p, 5, "aggregateCharged") + calls(p, 5, "chargeAggregate"),
                    "mkS keeps its struct in locals");
            assertTrue(calls(p, 5, "virtualStruct") > 0, "mkS materialises its struct where it is read as an object");
            Tiers t = Tiers.of(p, host());
            List<Value> args = args(seed);
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            trapped += full.trapped() ? 1 : 0;
            long used = full.used(Limits.DEFAULT);
            for (long fl = 0; fl <= used + 1; fl++) {
                long fuel = fl;
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                Tiers.Outcome c = t.check(0, args, limits, what + " fuel " + fuel);
                if (fuel % 7 == 0 || fuel >= used) {
                    Tiers.Outcome stepped = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, args,
                            limits, new Steps());
                    Tiers.assertSame("stepped", stepped, "compiled", c, () -> what + " fuel " + fuel);
                }
            }
            Steps steps = new Steps();
            Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, args, Limits.DEFAULT, steps);
            assertEquals(used, steps.count, "every instruction traced, one fuel unit each: " + what);
            long heap = full.heapBytes();
            for (long b = 0; b <= heap + 1; b++) {
                t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
            }
            for (long d = 0; d <= 3; d++) {
                t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 30; regs <= 60; regs++) {
                t.check(0, args, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
        }
        assertTrue(kept >= 3, "programs with both structs kept in locals: " + kept);
        assertTrue(trapped >= 1 && trapped < 14, "unlimited runs that trapped: " + trapped);
    }

    /**
     * A recursion whose every level keeps a struct in locals and passes it to an inlined leaf at a
     * closure site and at a func-value site, both of call signature {@code (agg) -> (i64)}, then
     * reads it after the recursive call. By mode, the func-value site is given the closure leaf's
     * function (the same id as the leaf the closure site inlines, but as a func value its signature
     * is {@code (agg, agg) -> (i64)}: {@code arity_mismatch}) or the closure site a closure over the
     * func-value leaf (its closure signature is {@code () -> (i64)}), at some level only. Every
     * call-depth limit (across the frame records' first growth at 16 frames), every fuel limit and
     * every pause point agree on both tiers.
     */
    static final String DEEP = """
            program deep
            struct P = { x: i64, y: f64, z: bool }
            callsig one = (agg) -> (i64)
            func main(n: i64, mode: i64) -> (i64) {
                call r0, rec, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            func rec(n: i64, mode: i64) -> (i64) {
                const.func r3, leafC
                const.func r4, leafF
                const.i64 r5, 1
                tuple.new r6, [r1]
                const.f64 r7, 0x7ff000000000abcd
                i64.eq r8, r1, r2
                const.bool r20, true
                struct.new r9, P, [r1, r7, r20]
                const.i64 r21, 7
                i64.eq r22, r2, r21
                select r10, r22, r4, r3
                closure.new r11, r10, r6
                call.indirect r0, one, r11, r0, [r9] -> [r12]
                const.i64 r21, 5
                i64.eq r22, r2, r21
                select r13, r8, r3, r4
                select r13, r22, r13, r4
                call.indirect r0, one, r13, r0, [r9] -> [r14]
                i64.add r12, r12, r14
                i64.sub r15, r1, r5
                const.i64 r16, 0
                i64.lt r17, r16, r15
                br r17, deeper, base
            deeper:
                call r0, rec, r0, [r15, r2] -> [r18]
                i64.add r12, r12, r18
                struct.get r19, r9, 0
                i64.add r12, r12, r19
                jmp base
            base:
                struct.get r19, r9, 0
                i64.xor r12, r12, r19
                ret r0, [r12]
            }
            func leafC(env: agg tuple(i64), p: agg struct P) -> (i64) {
                tuple.get r3, r1, 0
                struct.get r4, r2, 0
                i64.add r3, r3, r4
                struct.get r5, r2, 2
                br r5, a, b
            a:
                i64.add r3, r3, r3
                jmp b
            b:
                ret r0, [r3]
            }
            func leafF(p: agg struct P) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                f64.eq r4, r3, r3
                br r4, a, b
            a:
                i64.sub r2, r2, r2
                jmp b
            b:
                ret r0, [r2]
            }
            """;

    @Test
    void depthLimitsAtInlinedIndirectSites() throws Exception {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(DEEP));
        assertEquals(2, JitKeptStructTest.calls(p, 1, "leafFits"), "both sites inline a leaf");
        assertEquals(1, JitKeptStructTest.calls(p, 1, "chargeAggregate"), "the struct is kept in locals");
        Tiers t = Tiers.of(p, dev.tape.host.Host.NONE);
        Jit.precompile(t.compiled);
        int traps = 0;
        for (long mode : new long[] {0, 5, 7, 11, 13}) {
            for (long n : new long[] {1, 2, 16, 17}) {
                List<Value> args = List.of(Value.i64(n), Value.i64(mode));
                String what = "n " + n + " mode " + mode;
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                traps += full.trapped() ? 1 : 0;
                for (long d = 0; d <= n + 2; d++) {
                    t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
                }
                long used = full.used(Limits.DEFAULT);
                for (long fuel = 0; fuel <= used + 1; fuel += n > 2 ? 3 : 1) {
                    t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                for (long slice = 1; slice <= 5; slice += 2) {
                    t.lockstep(0, args, slice, 4, what + " slice " + slice, (a, b, pause) -> { });
                }
            }
        }
        assertTrue(traps >= 6, "runs that trapped at a site given a callee of another signature: " + traps);
    }

    /** Paused at every fuel point: frames, registers, snapshots; restored on both tiers and with a sink. */
    @Test
    void pausedAtEveryPoint() {
        int pauses = 0;
        for (long seed = 100; seed < 112; seed++) {
            String text = program(seed);
            VerifiedProgram p = verified(text, seed);
            List<Value> args = args(seed);
            Vm interp = new Vm(p, host());
            Vm jit = Jit.compile(p, host());
            Jit.precompile(jit);
            Outcome want = finish(interp.start(0, args, Limits.DEFAULT));
            long used = Limits.DEFAULT.fuel() - fuelOf(interp, args);
            Random rnd = new Random(seed);
            for (long at = 1; at < used; at++) {
                String what = "seed " + seed + " at " + at + "\n" + text;
                Run x = interp.start(0, args, Limits.DEFAULT.withFuel(at));
                Run y = jit.start(0, args, Limits.DEFAULT.withFuel(at));
                if (at % 9 == 1) {
                    same(want, lockstep(interp, x, jit, y, rnd, what), what);
                    continue;
                }
                Outcome ox = x.resume();
                Outcome oy = y.resume();
                same(ox, oy, what);
                if (!(ox instanceof Outcome.Paused)) {
                    continue;
                }
                pauses++;
                assertEquals(x.frames(), y.frames(), what);
                for (int f = 0; f < x.frames().size(); f++) {
                    assertEquals(written(interp, x, f), written(jit, y, f), "frame " + f + " " + what);
                }
                byte[] sx = x.snapshot();
                assertArrayEquals(sx, y.snapshot(), "snapshot " + what);
                Run traced = jit.restore(new ExecutionContext(), sx, Limits.DEFAULT, new Steps());
                for (Run r : new Run[] {x, y, jit.restore(sx), new Vm(p, host()).restore(sx), traced}) {
                    r.addFuel(1_000_000);
                    same(want, finish(r), what);
                }
            }
        }
        assertTrue(pauses >= 300, "pauses: " + pauses);
    }

    private static long fuelOf(Vm vm, List<Value> args) {
        ExecutionContext c = new ExecutionContext();
        Tiers.run(vm, null, c, 0, args, Limits.DEFAULT, null);
        return c.fuelRemaining();
    }

    /**
     * Runs {@code a} and {@code b} to their ends in lockstep: each turn adds the same 1 to 6 fuel
     * units to both, then resumes them (now and then interrupted first) or, one turn in three,
     * steps 0 to 3 instructions interpreted; a suspended h.wait gets its argument back. Each pause compares outcome, frames,
     * registers and snapshot bytes.
     */
    private static Outcome lockstep(Vm va, Run a, Vm vb, Run b, Random rnd, String what) {
        for (int turn = 0; ; turn++) {
            long more = 1 + rnd.nextInt(6);
            a.addFuel(more);
            b.addFuel(more);
            PauseReason.HostSuspended ia = a.suspendedCall();
            PauseReason.HostSuspended ib = b.suspendedCall();
            assertEquals(ia, ib, what);
            long steps = ia == null && rnd.nextInt(3) == 0 ? rnd.nextInt(4) : -1;
            if (ia == null && steps < 0 && rnd.nextInt(4) == 0) {
                // an interrupt before the resume: the run pauses at the driver's first poll
                a.interrupt();
                b.interrupt();
            }
            Outcome oa = ia != null ? a.resumeWith(List.of(ia.args().get(0))) : steps >= 0 ? a.step(steps) : a.resume();
            Outcome ob = ib != null ? b.resumeWith(List.of(ib.args().get(0))) : steps >= 0 ? b.step(steps) : b.resume();
            while (true) {
                same(oa, ob, "turn " + turn + " " + what);
                if (!(oa instanceof Outcome.Paused pa)) {
                    return oa;
                }
                assertEquals(a.frames(), b.frames(), "turn " + turn + " " + what);
                for (int f = 0; f < a.frames().size(); f++) {
                    assertEquals(written(va, a, f), written(vb, b, f), "turn " + turn + " frame " + f + " " + what);
                }
                assertArrayEquals(a.snapshot(), b.snapshot(), "turn " + turn + " " + what);
                if (pa.reason() instanceof PauseReason.HostSuspended hs) {
                    oa = a.resumeWith(List.of(hs.args().get(0)));
                    PauseReason.HostSuspended hb = (PauseReason.HostSuspended) ((Outcome.Paused) ob).reason();
                    ob = b.resumeWith(List.of(hb.args().get(0)));
                    continue;
                }
                break;
            }
        }
    }

    /**
     * The registers of frame {@code f} of a paused run that the frame has written on every path to
     * its point and some instruction reads, null for the others (a word register not written yet
     * holds what an earlier frame left in its slot, which differs between the tiers by design).
     */
    private static List<Value> written(Vm vm, Run run, int f) {
        int[] at = vm.frameAt(run.context(), f);
        long[] mask = vm.verified.initFacts(at[0]).writtenBefore(new int[] {at[1]})[0];
        long[] read = vm.verified.initFacts(at[0]).readAnywhere();
        List<Value> regs = new java.util.ArrayList<>(run.registers(f));
        for (int i = 0; i < regs.size(); i++) {
            if ((read[i >>> 6] & (1L << i)) == 0 || (mask[i >>> 6] & (1L << i)) == 0) {
                regs.set(i, null);
            }
        }
        return regs;
    }

    /** Outcomes alike: equal, or both traps alike in every field but the fuel left. */
    private static void same(Outcome a, Outcome b, String what) {
        if (a instanceof Outcome.Trapped ta && b instanceof Outcome.Trapped tb) {
            assertEquals(Tiers.TrapView.of(ta.trap()).toString().replaceAll(" fuel \\d+ ", " "),
                    Tiers.TrapView.of(tb.trap()).toString().replaceAll(" fuel \\d+ ", " "), what);
        } else {
            assertEquals(a, b, what);
        }
    }

    /** Runs {@code r} to its end, giving each suspended h.wait its argument back. */
    private static Outcome finish(Run r) {
        PauseReason.HostSuspended in = r.suspendedCall();
        Outcome o = in == null ? r.resume() : r.resumeWith(List.of(in.args().get(0)));
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended hs) {
            o = r.resumeWith(List.of(hs.args().get(0)));
        }
        return o;
    }
}
