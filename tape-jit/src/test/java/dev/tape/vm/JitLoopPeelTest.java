package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loops peeled ({@code LoopPeel}): the first iteration runs in the method's first copy, the others
 * in a steady copy whose inlined sites send a closure that is not the kept one and a short room
 * back to the same site in the first copy. Random programs: {@code work} runs an inner loop of
 * {@code n} iterations inside an outer loop of 1 to 3 (so the inner loop is entered more than once,
 * and {@code main} calls {@code work} twice), dense in calls: {@code call.indirect} of a closure
 * over a leaf reading its environment, of a closure over a leaf that ignores it, of a closure over a
 * function that is no leaf, of one of those picked by {@code i % k}, of a closure made in the loop
 * (a new object each iteration), of a func value, direct calls of a leaf and of a function that is
 * no leaf, now and then a wider leaf called at one iteration only (the register mark raised
 * mid-loop, in the steady copy) and a division that traps at one iteration. Both tiers must agree
 * in result or trap (kind, pc, stack), fuel and heap bytes at every fuel limit, every register
 * limit to past the deepest need with every call-depth limit 0 to 4, every heap limit near what
 * the run allocates, and paused at every slice of several sizes (frames, fuel, snapshot bytes,
 * registers in use), runs restored from the compiled run's snapshots on both tiers.
 */
class JitLoopPeelTest {
    /** One generated program, the entry's arguments and the registers its deepest call needs. */
    record Generated(String source, long n, long x, int need) {}

    /** A program: {@code main(n, x)} calls {@code work(n, x)} twice, through a wrapper or not. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean wrapper = rnd.nextBoolean();
        StringBuilder s = new StringBuilder("program peel\ncallsig one = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        String first = wrapper ? "w" : "work";
        s.append("    call r0, ").append(first).append(", r0, [r1, r2] -> [r3]\n");
        s.append("    call r0, ").append(first).append(", r0, [r1, r3] -> [r4]\n");
        s.append("    ret r0, [r4]\n}\n");
        if (wrapper) {
            s.append("func w(n: i64, x: i64) -> (i64) {\n    const.i64 r9, 0\n");
            s.append("    call r0, work, r0, [r1, r2] -> [r3]\n    ret r0, [r3]\n}\n");
        }
        int workTop = 40 + rnd.nextInt(8);
        int outer = 1 + rnd.nextInt(3);
        int trapAt = rnd.nextInt(3) == 0 ? rnd.nextInt(8) : -1;
        int wideAt = rnd.nextInt(3) == 0 ? rnd.nextInt(6) : -1;
        int leafE = 3 + rnd.nextInt(20);
        int leafN = 3 + rnd.nextInt(20);
        int wide = 10 + rnd.nextInt(22);
        s.append("func work(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r").append(workTop).append(", 0\n");
        s.append("    const.func r3, leafe\n    const.i64 r4, ").append(1 + rnd.nextInt(40)).append('\n');
        s.append("    tuple.new r5, [r4]\n    closure.new r6, r3, r5\n");
        s.append("    const.func r7, leafn\n    tuple.new r8, []\n    closure.new r9, r7, r8\n");
        s.append("    const.func r10, heavy\n    closure.new r11, r10, r5\n");
        s.append("    const.func r12, plain\n");
        s.append("    const.i64 r13, 1\n    mov r14, r2\n    const.i64 r15, 0\n    jmp outer\n");
        s.append("outer:\n    const.i64 r16, ").append(outer).append("\n    i64.lt r17, r15, r16\n");
        s.append("    br r17, start, done\nstart:\n    const.i64 r18, 0\n    jmp loop\n");
        s.append("loop:\n    i64.lt r17, r18, r1\n    br r17, body, next\nbody:\n");
        int sites = 1 + rnd.nextInt(4);
        for (int u = 0; u < sites; u++) {
            switch (rnd.nextInt(8)) {
                case 0, 1 -> s.append("    call.indirect r0, one, r6, r0, [r18] -> [r19]\n");
                case 2 -> s.append("    call.indirect r0, one, r9, r0, [r18] -> [r19]\n");
                case 3 -> {
                    // one of two or three closures by i % k
                    int k = 2 + rnd.nextInt(2);
                    s.append("    const.i64 r20, ").append(k).append("\n    i64.rem r21, r18, r20\n");
                    s.append("    const.i64 r20, 0\n    i64.eq r22, r21, r20\n    mov r23, r6\n");
                    s.append("    br r22, pick").append(u).append(", other").append(u).append('\n');
                    s.append("other").append(u).append(":\n    const.i64 r20, 1\n    i64.eq r22, r21, r20\n");
                    s.append("    mov r23, r9\n    br r22, pick").append(u).append(", last").append(u).append('\n');
                    s.append("last").append(u).append(":\n    mov r23, r11\n    jmp pick").append(u).append('\n');
                    s.append("pick").append(u).append(":\n    call.indirect r0, one, r23, r0, [r18] -> [r19]\n");
                }
                case 4 -> s.append("    tuple.new r24, [r18]\n    closure.new r25, r3, r24\n")
                        .append("    call.indirect r0, one, r25, r0, [r14] -> [r19]\n");
                case 5 -> s.append("    call.indirect r0, one, r12, r0, [r18] -> [r19]\n");
                case 6 -> s.append("    call r0, plain, r0, [r18] -> [r19]\n");
                default -> s.append("    call r0, deep, r0, [r18] -> [r19]\n");
            }
            s.append("    i64.").append(rnd.nextBoolean() ? "add" : "xor").append(" r14, r14, r19\n");
        }
        if (wideAt >= 0) {
            s.append("    const.i64 r20, ").append(wideAt).append("\n    i64.eq r22, r18, r20\n");
            s.append("    br r22, wcall, wnext\nwcall:\n    call r0, leafw, r0, [r18] -> [r19]\n");
            s.append("    i64.add r14, r14, r19\n    jmp wnext\nwnext:\n");
        }
        if (trapAt >= 0) {
            s.append("    const.i64 r20, ").append(trapAt).append("\n    i64.sub r20, r18, r20\n");
            s.append("    i64.or r20, r20, r15\n    i64.div r26, r14, r20\n    i64.xor r14, r14, r26\n");
        }
        s.append("    i64.add r18, r18, r13\n    jmp loop\n");
        s.append("next:\n    i64.add r15, r15, r13\n    jmp outer\ndone:\n    ret r0, [r14]\n}\n");
        s.append("func leafe(env: agg tuple(i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n");
        s.append("    const.i64 r").append(leafE).append(", 7\n    i64.add r3, r3, r2\n");
        s.append("    i64.add r3, r3, r").append(leafE).append("\n    ret r0, [r3]\n}\n");
        s.append("func leafn(env: agg tuple(), x: i64) -> (i64) {\n    const.i64 r").append(leafN)
                .append(", 3\n    i64.mul r3, r2, r").append(leafN).append("\n    ret r0, [r3]\n}\n");
        s.append("func heavy(env: agg tuple(i64), x: i64) -> (i64) {\n    const.i64 r3, 3\n");
        s.append("    i64.div r3, r2, r3\n    call r0, plain, r0, [r3] -> [r4]\n    ret r0, [r4]\n}\n");
        s.append("func plain(x: i64) -> (i64) {\n    const.i64 r2, 5\n    i64.add r2, r1, r2\n    ret r0, [r2]\n}\n");
        s.append("func deep(x: i64) -> (i64) {\n    const.i64 r2, 2\n    i64.rem r2, r1, r2\n");
        s.append("    call r0, plain, r0, [r2] -> [r3]\n    ret r0, [r3]\n}\n");
        s.append("func leafw(x: i64) -> (i64) {\n    const.i64 r").append(wide).append(", 5\n");
        s.append("    i64.mul r2, r1, r").append(wide).append("\n    ret r0, [r2]\n}\n");
        int need = (wrapper ? 10 : 0) + 5 + workTop + 1 + 64 + 8;
        return new Generated(s.toString(), 1 + rnd.nextInt(9), rnd.nextLong(1000), need);
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()));
    }

    /** work's function id: after main and the wrapper. */
    private static int work(Generated g) {
        return g.source().contains("func w(") ? 2 : 1;
    }

    /** The generated programs' work methods are peeled: their steady copies run leaves inline. */
    @Test
    void workIsPeeled() throws Exception {
        int peeled = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            VerifiedProgram p = JitLeafInlineTest.verified(g.source());
            peeled += JitLeafInlinedTest.steadySites(p, work(g)) > 0 ? 1 : 0;
        }
        assertTrue(peeled >= 30, "programs whose loop is peeled: " + peeled);
    }

    /** Every fuel limit, every register limit to past the deepest need with every depth limit 0 to 4, heap limits near the run's. */
    @Test
    void everyFuelRegisterDepthAndHeapLimit() throws Exception {
        int traps = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            traps += full.trap() != null ? 1 : 0;
            t.everyFuel(0, args(g), full, what);
            t.everyRegistersAndDepth(0, args(g), g.need() + 4, 4, what);
            long heap = full.heapBytes();
            for (long b = Math.max(0, heap - 300); b <= heap + 1; b++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
            }
        }
        assertTrue(traps >= 3, "programs that trap at full limits: " + traps);
    }

    /** Paused at every slice of several sizes: frames, fuel, snapshot bytes and registers in use; restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (long seed = 100; seed < 125; seed++) {
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            for (long slice : new long[] {1, 2, 3, 5, 8, 13, 29, 61}) {
                String what = "seed " + seed + " slice " + slice + "\n" + g.source();
                pauses += t.lockstep(0, args(g), slice, 1 + (int) (seed % 3), what, (a, b, pause) ->
                        assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
            }
        }
        assertTrue(pauses >= 1000, "pauses: " + pauses);
    }

    /**
     * A loop of a leaf call and {@code adds} additions: its method fits the limit unpeeled and not
     * peeled for some {@code adds}, and is then generated unpeeled, with the leaf inline.
     */
    private static String wideLoop(int adds) {
        StringBuilder s = new StringBuilder("program wide\nfunc main(n: i64) -> (i64) {\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r4, 0\n    jmp loop\n");
        s.append("loop:\n    i64.lt r5, r2, r1\n    br r5, body, done\nbody:\n");
        s.append("    call r0, leaf, r0, [r2] -> [r6]\n    i64.add r4, r4, r6\n");
        for (int k = 0; k < adds; k++) {
            s.append("    i64.add r4, r4, r").append(new int[] {2, 3, 4, 6}[k % 4]).append('\n');
        }
        s.append("    i64.add r2, r2, r3\n    jmp loop\ndone:\n    ret r0, [r4]\n}\n");
        s.append("func leaf(x: i64) -> (i64) {\n    const.i64 r2, 3\n    i64.add r2, r1, r2\n    ret r0, [r2]\n}\n");
        return s.toString();
    }

    /** A method too large peeled falls back to today's code: compiled unpeeled, the leaf inline, both tiers alike. */
    @Test
    void tooLargePeeledIsCompiledUnpeeled() throws Exception {
        int fellBack = 0;
        for (int adds = 200; adds <= 1400; adds += 100) {
            String text = wideLoop(adds);
            VerifiedProgram p = JitLeafInlineTest.verified(text);
            Vm vm = new Vm(p, Host.NONE, Tiers.LAZY);
            int peeledSize = dev.tape.jit.JitTestAccess.measure(new JitView(vm, null), 0);
            if (peeledSize <= dev.tape.jit.JitTestAccess.maxMethodBytes()) {
                assertEquals(1, JitLeafInlinedTest.steadySites(p, 0), "adds " + adds);
                continue;
            }
            // over the limit peeled: never generated peeled; where it fits unpeeled, the leaf inline
            JitTier tier = (JitTier) dev.tape.jit.Jit.compile(p, Host.NONE).tier;
            if (dev.tape.jit.JitTestAccess.generate(tier.view, 0) != null) {
                assertEquals(0, JitLeafInlinedTest.steadySites(p, 0), "adds " + adds);
                fellBack += JitLeafInlinedTest.inlinedSites(p, 0);
            }
            Tiers t = Tiers.of(p, Host.NONE);
            for (long fuel : new long[] {0, 5, 500, 5000, Limits.DEFAULT.fuel()}) {
                t.check(0, List.of(Value.i64(7)), Limits.DEFAULT.withFuel(fuel), "adds " + adds + " fuel " + fuel);
            }
        }
        assertTrue(fellBack >= 1, "methods generated unpeeled for their size: " + fellBack);
    }
}
