package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The closure an inlined {@code call.indirect} checked last, kept in locals ({@code ClosureCache}),
 * and the inlined leaves' register room kept in a local ({@code LeafRoom}). Random programs call
 * through 1 to 6 {@code call.indirect} sites per loop iteration (more than the 4 sites that keep a
 * closure), each picking by {@code i % m} among closures: two over the same leaf with different
 * environments (so a cache that matched by function id rather than by the object would read the
 * wrong elements), one over a second leaf, one over a function that is no leaf, one over the leaf
 * with an environment too short for its reads (the real call traps in the callee), and a closure
 * made again in the loop (a new object each iteration). The leaf reads 1 to 5 elements of its
 * environment (over the 4 a cache keeps, sometimes). Both tiers must agree in result or trap (kind,
 * pc, stack), fuel and heap bytes at every fuel limit, at every register limit from 1 to 90 and
 * every call-depth limit from 0 to 3; and paused at every slice of a random size, in frames, fuel,
 * snapshot bytes and registers in use (the mark the room test reads), with runs restored from the
 * snapshots on both tiers.
 */
class JitClosureCacheTest {
    /** One generated program and the entry's arguments. */
    record Generated(String source, long n, long x) {}

    /** A program: {@code main(n, x)} loops {@code n} times over its call sites. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int reads = 1 + rnd.nextInt(5);
        StringBuilder s = new StringBuilder("program cache\ncallsig one = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.func r3, l0\n    const.func r4, l1\n    const.func r5, heavy\n");
        s.append("    const.i64 r6, ").append(1 + rnd.nextInt(40)).append('\n');
        s.append("    const.i64 r7, ").append(41 + rnd.nextInt(40)).append('\n');
        // two full environments (the elements in another order) and a short one
        s.append("    tuple.new r8, [r6, r7, r6, r7, r6]\n    tuple.new r9, [r7, r6, r7, r6, r7]\n");
        s.append("    tuple.new r10, [r6]\n");
        s.append("    closure.new r11, r3, r8\n    closure.new r12, r3, r9\n    closure.new r13, r4, r8\n");
        s.append("    closure.new r14, r5, r8\n    closure.new r15, r3, r10\n");
        s.append("    const.i64 r16, 0\n    const.i64 r17, 1\n    mov r20, r2\n    jmp loop\n");
        s.append("loop:\n    i64.lt r18, r16, r1\n    br r18, body, done\nbody:\n");
        String[] closures = {"r11", "r12", "r13", "r14", "r11", "r12"};
        int sites = 1 + rnd.nextInt(6);
        long trapAt = rnd.nextInt(3) == 0 ? rnd.nextInt(8) : -1;
        for (int u = 0; u < sites; u++) {
            int m = 1 + rnd.nextInt(4);
            String[] pick = new String[m];
            for (int k = 0; k < m; k++) {
                pick[k] = closures[rnd.nextInt(closures.length)];
            }
            s.append("    const.i64 r23, ").append(m).append("\n    i64.rem r24, r16, r23\n");
            s.append("    mov r21, ").append(pick[0]).append('\n');
            for (int k = 1; k < m; k++) {
                s.append("    const.i64 r25, ").append(k).append("\n    i64.eq r26, r24, r25\n");
                s.append("    br r26, t").append(u).append('_').append(k).append(", f").append(u).append('_')
                        .append(k).append('\n');
                s.append('t').append(u).append('_').append(k).append(":\n    mov r21, ").append(pick[k])
                        .append("\n    jmp f").append(u).append('_').append(k).append('\n');
                s.append('f').append(u).append('_').append(k).append(":\n");
            }
            if (u == 0 && trapAt >= 0) {
                // once: the leaf over the short environment (its reads fail; the real call traps)
                s.append("    const.i64 r25, ").append(trapAt).append("\n    i64.eq r26, r16, r25\n");
                s.append("    br r26, short").append(u).append(", call").append(u).append('\n');
                s.append("short").append(u).append(":\n    mov r21, r15\n    jmp call").append(u).append('\n');
                s.append("call").append(u).append(":\n");
            }
            s.append("    call.indirect r0, one, r21, r0, [r16] -> [r22]\n");
            s.append("    i64.").append(rnd.nextBoolean() ? "add" : "xor").append(" r20, r20, r22\n");
            if (rnd.nextInt(3) == 0) {
                // a closure made again: the same function and environment, a new object
                s.append("    closure.new r").append(11 + rnd.nextInt(2)).append(", r3, r")
                        .append(8 + rnd.nextInt(2)).append('\n');
            }
        }
        s.append("    i64.add r16, r16, r17\n    jmp loop\ndone:\n    ret r0, [r20]\n}\n");
        s.append("func l0(env: agg tuple(i64, i64, i64, i64, i64), x: i64) -> (i64) {\n    mov r3, r2\n");
        for (int j = 0; j < reads; j++) {
            int index = rnd.nextInt(5);
            s.append("    tuple.get r4, r1, ").append(index).append('\n');
            s.append("    i64.").append(j % 2 == 0 ? "mul" : "add").append(" r3, r3, r4\n");
        }
        s.append("    i64.lt r5, r3, r2\n    br r5, a, b\na:\n    i64.sub r3, r3, r2\n    jmp b\nb:\n    ret r0, [r3]\n}\n");
        s.append("func l1(env: agg tuple(i64, i64, i64, i64, i64), x: i64) -> (i64) {\n"
                + "    tuple.get r3, r1, 1\n    i64.sub r3, r2, r3\n    ret r0, [r3]\n}\n");
        s.append("func heavy(env: agg tuple(i64, i64, i64, i64, i64), x: i64) -> (i64) {\n"
                + "    tuple.get r3, r1, 0\n    i64.div r3, r2, r3\n    ret r0, [r3]\n}\n");
        return new Generated(s.toString(), 1 + rnd.nextInt(12), rnd.nextLong(1000));
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()));
    }

    private static Tiers tiers(Generated g) throws Exception {
        return Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
    }

    /**
     * @return how many closures function {@code f}'s generated method keeps (its {@code if_acmpne}s
     *     in the first copy of a peeled method, in the whole method of another)
     */
    static int cachedSites(VerifiedProgram p, int f) {
        return JitTestAccess.closureTests(bytes(p, f), false);
    }

    /** @return function {@code f}'s generated method */
    static byte[] bytes(VerifiedProgram p, int f) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        return JitTestAccess.generate(tier.view, f).bytes();
    }

    /** Every fuel limit up to what the run uses, every register limit and every call-depth limit. */
    @Test
    void everyFuelRegisterAndDepthLimit() throws Exception {
        int cached = 0;
        int traps = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            if (cachedSites(JitLeafInlineTest.verified(g.source()), 0) > 0) {
                cached++;
            }
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            traps += full.trapped() ? 1 : 0;
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args(g), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (int regs = 1; regs <= 90; regs++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
            for (long d = 0; d <= 3; d++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
        }
        assertTrue(cached >= 25, "programs with a site that keeps its closure: " + cached);
        assertTrue(traps >= 3, "programs whose short environment trapped: " + traps);
    }

    /** Paused at every slice of a random size: registers in use too; restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (long seed = 100; seed < 130; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            long slice = 1 + new SplittableRandom(seed).nextInt(9);
            String what = "seed " + seed + " slice " + slice + "\n" + g.source();
            pauses += t.lockstep(0, args(g), slice, 3, what, (a, b, pause) ->
                    assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
        }
        assertTrue(pauses >= 200, "pauses: " + pauses);
    }

    /**
     * The register mark made high by a wide callee first, so that the room alone would admit the
     * inlined leaf where the call-depth limit stops the call: {@code mid}'s closure call traps
     * {@code call_depth_exceeded} at limit 2 on both tiers (the room local holds the depth test),
     * at every depth, register and fuel limit.
     */
    @Test
    void depthLimitAfterAWideCall() throws Exception {
        String text = """
                program deep
                callsig one = (i64) -> (i64)
                func main(n: i64) -> (i64) {
                    call r0, wide, r0, [r1] -> [r2]
                    call r0, mid, r0, [r1] -> [r3]
                    i64.add r2, r2, r3
                    ret r0, [r2]
                }
                func wide(n: i64) -> (i64) {
                    const.i64 r60, 1
                    i64.div r2, r1, r60
                    ret r0, [r2]
                }
                func mid(n: i64) -> (i64) {
                    const.func r2, l0
                    const.i64 r3, 5
                    tuple.new r4, [r3]
                    closure.new r5, r2, r4
                    const.i64 r6, 0
                    const.i64 r7, 0
                    const.i64 r8, 1
                    jmp loop
                loop:
                    i64.lt r9, r7, r1
                    br r9, body, done
                body:
                    call.indirect r0, one, r5, r0, [r7] -> [r10]
                    i64.add r6, r6, r10
                    i64.add r7, r7, r8
                    jmp loop
                done:
                    ret r0, [r6]
                }
                func l0(env: agg tuple(i64), x: i64) -> (i64) {
                    tuple.get r3, r1, 0
                    i64.add r3, r3, r2
                    ret r0, [r3]
                }
                """;
        VerifiedProgram p = JitLeafInlineTest.verified(text);
        assertEquals(1, cachedSites(p, 2), text);
        Tiers t = Tiers.of(p, Host.NONE);
        List<Value> args = List.of(Value.i64(6));
        Tiers.Outcome deep = t.check(0, args, Limits.DEFAULT.withMaxCallDepth(2), text);
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, deep.kind(), deep::toString);
        for (long d = 0; d <= 5; d++) {
            t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), "depth " + d);
        }
        for (int regs = 1; regs <= 160; regs++) {
            t.check(0, args, Limits.DEFAULT.withMaxRegisters(regs), "regs " + regs);
        }
        for (long fuel = 0; fuel < 70; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
        }
        t.lockstep(0, args, 2, 2, text, (a, b, pause) ->
                assertEquals(a.registersInUse(), b.registersInUse(), "pause " + pause));
    }

    /**
     * tape-bench's closure_loop keeps its closure: one site with the reference compare, the room
     * test on the local ({@code leafFits}) and no {@code leafRoom}; it runs alike on both tiers
     * over its first 40 fuel limits and paused at every third instruction.
     */
    @Test
    void closureLoopKeepsItsClosure() throws Exception {
        VerifiedProgram c = Tiers.verified(JitCornerCasesTest.asm(JitLeafInlinedTest.CLOSURE_LOOP));
        assertEquals(1, cachedSites(c, 0));
        assertEquals(0, JitKeptStructTest.calls(c, 0, "leafRoom"));
        // the loop is peeled (LoopPeel): the first copy makes the room and fills the cache, the
        // steady copy only tests both
        assertEquals(1, JitKeptStructTest.calls(c, 0, "leafMakeRoom"));
        assertEquals(2, JitKeptStructTest.calls(c, 0, "leafFits"));
        assertEquals(1, JitTestAccess.closureTests(bytes(c, 0), true));
        Tiers t = Tiers.of(c, Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(50)), Limits.DEFAULT, "closure_loop");
        assertEquals(List.of(Value.i64(50 * 49 / 2 + 3 * 50)), o.results());
        for (long fuel = 0; fuel < 40; fuel++) {
            t.check(0, List.of(Value.i64(50)), Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
        }
        t.lockstep(0, List.of(Value.i64(20)), 3, 2, "closure_loop", (a, b, pause) ->
                assertEquals(a.registersInUse(), b.registersInUse(), "pause " + pause));
    }
}
