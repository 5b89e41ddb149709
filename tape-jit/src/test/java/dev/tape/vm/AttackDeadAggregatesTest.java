package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the compiled tier's clearing of dead aggregate registers ({@code DeadAggregates}):
 * random structured programs whose aggregate registers are written on some paths only, by
 * {@code tuple.new}, {@code struct.new}, {@code array.new}, a call result, a host call result,
 * {@code mov} and {@code select}, in if/else diamonds, a loop and a loop nested in it, each read
 * only where the generator knows it written on every path (as the verifier requires). Each program
 * runs on both tiers at every fuel limit and at heap limits around its total, and is paused at every
 * fuel limit: the same frames, registers of every frame and snapshot bytes on both tiers, and each
 * run, restored on either tier, goes on to the same result.
 */
class AttackDeadAggregatesTest {
    private static final String[] AGG = {"r6", "r7", "r8", "r9"};
    /** bits in the written set: r6..r9 are 0..3, r10 (any agg) 4, r14 (struct) 5, r15 (array) 6 */
    private static final int H = 4;
    private static final int S = 5;
    private static final int R = 6;
    /** r20 and r21, agg registers of unknown shape (call results): bits 7 and 8 */
    private static final int U = 7;
    private static final String[] UNSHAPED = {"r20", "r21"};

    private static final String HEADER = """
            program deadagg
            host hp = "h.pass" (agg) -> (agg)
            host hw = "h.wait" (agg) -> (agg)
            struct point = { x: i64, y: i64 }
            array ints = i64
            """;

    private static final String HELPERS = """
            func mk(x: i64) -> (agg) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp h
            h:
                i64.lt r4, r2, r3
                br r4, b, d
            b:
                tuple.new r5, [r2, r1]
                tuple.get r6, r5, 1
                i64.add r2, r2, r3
                jmp h
            d:
                tuple.new r5, [r1, r2]
                ret r0, [r5]
            }
            func pass(t: agg) -> (agg) {
                const.u64 r2, 2
                const.i64 r3, 1
                tuple.len r4, r1
                u64.lt r5, r2, r4
                br r5, more, same
            more:
                tuple.new r6, [r4, r3]
                tuple.get r7, r6, 0
                tuple.new r6, [r7, r2]
                ret r0, [r6]
            same:
                ret r0, [r1]
            }
            """;

    /** A random program generator tracking which registers are written on every path. */
    private static final class Gen {
        final Random rnd;
        final StringBuilder b = new StringBuilder();
        int labels;
        boolean inInner;
        int budget;

        Gen(long seed) {
            rnd = new Random(seed);
        }

        String label() {
            return "L" + labels++;
        }

        void line(String s) {
            b.append("    ").append(s).append('\n');
        }

        /** an aggregate register of r6..r9 in {@code d}, or -1 */
        int pick(int d) {
            int start = rnd.nextInt(4);
            for (int k = 0; k < 4; k++) {
                int a = (start + k) & 3;
                if ((d & (1 << a)) != 0) {
                    return a;
                }
            }
            return -1;
        }

        /** an aggregate register in {@code d} of any shape, or null */
        String anyAgg(int d) {
            for (int k = 0; k < 6; k++) {
                int bit = rnd.nextInt(9);
                if (bit != S && bit != R && (d & 1 << bit) != 0) {
                    return bit < 4 ? AGG[bit] : bit == H ? "r10" : UNSHAPED[bit - U];
                }
            }
            int a = pick(d);
            return a < 0 ? null : AGG[a];
        }

        int block(int d, int depth) {
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n && budget > 0; i++) {
                d = stmt(d, depth);
            }
            return d;
        }

        int stmt(int d, int depth) {
            budget--;
            int a = rnd.nextInt(4);
            int src = pick(d);
            switch (rnd.nextInt(depth < 3 ? 16 : 13)) {
                case 0 -> {
                    line("tuple.new " + AGG[a] + ", [r3, r2]");
                    return d | 1 << a;
                }
                case 1 -> {
                    int u = rnd.nextInt(2);
                    line("call r0, mk, r0, [r3] -> [" + UNSHAPED[u] + "]");
                    return d | 1 << (U + u);
                }
                case 2 -> {
                    String from = anyAgg(d);
                    if (from == null) {
                        return d;
                    }
                    int u = rnd.nextInt(2);
                    int how = rnd.nextInt(3);
                    line((how == 0 ? "call r0, pass, r0, [" : "host_call r0, " + (how == 1 ? "hp" : "hw") + ", r0, [")
                            + from + "] -> ["
                            + UNSHAPED[u] + "]");
                    return d | 1 << (U + u);
                }
                case 3 -> {
                    if (src < 0) {
                        return d;
                    }
                    line("mov " + AGG[a] + ", " + AGG[src]);
                    return d | 1 << a;
                }
                case 4 -> {
                    int other = pick(d);
                    if (src < 0) {
                        return d;
                    }
                    // select keeps no shape: its destination is an agg of unknown shape
                    int u = rnd.nextInt(2);
                    line("i64.lt r13, r2, r3");
                    line("select " + UNSHAPED[u] + ", r13, " + AGG[src] + ", " + AGG[other]);
                    return d | 1 << (U + u);
                }
                case 5, 6 -> {
                    if (src < 0) {
                        return d;
                    }
                    line("tuple.get r11, " + AGG[src] + ", 0");
                    line("tuple.get r12, " + AGG[src] + ", 1");
                    line("i64.xor r2, r2, r12");
                    line("i64.add r2, r2, r11");
                    return d;
                }
                case 7 -> {
                    String from = src >= 0 && rnd.nextBoolean() ? AGG[src] : (d & 1 << H) != 0 ? "r10" : null;
                    if (from == null) {
                        line("tuple.new r10, [r2, r3, r4]");
                    } else {
                        line("host_call r0, " + (rnd.nextBoolean() ? "hp" : "hw") + ", r0, [" + from + "] -> [r10]");
                    }
                    return d | 1 << H;
                }
                case 8 -> {
                    if ((d & 1 << H) == 0) {
                        if (src < 0) {
                            return d;
                        }
                        line("mov r10, " + AGG[src]);
                        return d | 1 << H;
                    }
                    line("tuple.len r18, r10");
                    line("u64.add r19, r19, r18");
                    return d;
                }
                case 9 -> {
                    if ((d & 1 << S) != 0 && rnd.nextBoolean()) {
                        line("struct.get r11, r14, 1");
                        line("i64.add r2, r2, r11");
                        return d;
                    }
                    line("struct.new r14, point, [r3, r2]");
                    return d | 1 << S;
                }
                case 10 -> {
                    if ((d & 1 << R) != 0 && rnd.nextBoolean()) {
                        line("array.len r18, r15");
                        line("u64.add r19, r19, r18");
                        line("array.get_imm r11, r15, 0");
                        line("i64.add r2, r2, r11");
                        return d;
                    }
                    line("array.new r15, ints, [r2, r3, r4]");
                    return d | 1 << R;
                }
                case 11 -> {
                    int u = rnd.nextInt(2);
                    String from = anyAgg(d);
                    if (from != null && (d & 1 << (U + u)) != 0 && rnd.nextBoolean()) {
                        line("tuple.len r18, " + UNSHAPED[u]);
                        line("u64.add r19, r19, r18");
                        return d;
                    }
                    if (from == null) {
                        return d;
                    }
                    if (rnd.nextBoolean() && (d & 1 << (U + 1 - u)) != 0) {
                        line("i64.lt r13, r3, r2");
                        line("select " + UNSHAPED[u] + ", r13, " + from + ", " + UNSHAPED[1 - u]);
                    } else {
                        line("mov " + UNSHAPED[u] + ", " + from);
                    }
                    return d | 1 << (U + u);
                }
                case 12 -> {
                    if (rnd.nextInt(2) == 0 && (d & 1 << S) != 0) {
                        // a struct through a host or a call (which lose its kind), read as a
                        // tuple when i is 1 (agg_error, in main or in pass)
                        String t = label();
                        String j = label();
                        line("i64.eq r5, r3, r4");
                        line("br r5, " + t + ", " + j);
                        b.append(t).append(":\n");
                        if (rnd.nextBoolean()) {
                            line("host_call r0, hp, r0, [r14] -> [r10]");
                            line("tuple.len r18, r10");
                        } else {
                            line("call r0, pass, r0, [r14] -> [r10]");
                        }
                        line("jmp " + j);
                        b.append(j).append(":\n");
                        return d;
                    }
                    return d;
                }
                default -> {
                    if (!inInner && rnd.nextInt(3) == 0) {
                        String h = label();
                        String body = label();
                        String x = label();
                        line("const.i64 r16, 0");
                        line("jmp " + h);
                        b.append(h).append(":\n");
                        line("i64.lt r5, r16, r17");
                        line("br r5, " + body + ", " + x);
                        b.append(body).append(":\n");
                        inInner = true;
                        block(d, depth + 1);
                        inInner = false;
                        line("i64.add r16, r16, r4");
                        line("jmp " + h);
                        b.append(x).append(":\n");
                        return d;
                    }
                    String t = label();
                    String e = label();
                    String j = label();
                    line("const.i64 r12, " + rnd.nextInt(5));
                    line("i64.lt r5, r3, r12");
                    line("br r5, " + t + ", " + e);
                    b.append(t).append(":\n");
                    int dt = block(d, depth + 1);
                    line("jmp " + j);
                    b.append(e).append(":\n");
                    int de = rnd.nextBoolean() ? block(d, depth + 1) : d;
                    line("jmp " + j);
                    b.append(j).append(":\n");
                    return dt & de;
                }
            }
        }

        String program() {
            budget = 10 + rnd.nextInt(20);
            b.append(HEADER);
            b.append("func main(n: i64) -> (i64, u64, agg) {\n");
            line("const.i64 r2, 0");
            line("const.i64 r3, 0");
            line("const.i64 r4, 1");
            line("const.i64 r17, 2");
            line("const.u64 r19, 0");
            int d = rnd.nextBoolean() ? block(0, 1) : 0;
            line("jmp head");
            b.append("head:\n");
            line("i64.lt r5, r3, r1");
            line("br r5, body, done");
            b.append("body:\n");
            budget += 10;
            block(d, 1);
            line("i64.add r3, r3, r4");
            line("jmp head");
            b.append("done:\n");
            d = block(d, 1);
            int a = pick(d);
            if (a < 0) {
                a = 0;
                line("tuple.new r6, [r2, r3]");
            }
            line("ret r0, [r2, r19, " + AGG[a] + "]");
            b.append("}\n").append(HELPERS);
            return b.toString();
        }
    }

    /** h.pass gives back its argument; h.wait too, suspending the run first when it can. */
    private static HostRegistry host() {
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

    /**
     * Runs {@code a} (interpreter side) and {@code b} to their ends in lockstep, comparing each
     * pause: outcome, frames, written registers of every frame, snapshot bytes. Each turn adds the
     * same 1 to 6 fuel units to both, then resumes them or, one turn in three, runs 0 to 3
     * instructions interpreted ({@link Run#step}) before compiled code takes over again; a
     * suspended h.wait gets its argument back.
     *
     * @return the final outcome
     */
    private static Outcome lockstep(Vm va, Run a, Vm vb, Run b, Random rnd, String what) {
        for (int turn = 0; ; turn++) {
            long more = 1 + rnd.nextInt(6);
            a.addFuel(more);
            b.addFuel(more);
            PauseReason.HostSuspended ia = a.suspendedCall();
            PauseReason.HostSuspended ib = b.suspendedCall();
            assertEquals(ia, ib, what);
            // a few interpreted steps (a debugger's) then compiled code again, now and then
            long steps = ia == null && rnd.nextInt(3) == 0 ? rnd.nextInt(4) : -1;
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
                    suspensions++;
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
     * The outcome of a run to its end as {@code want}, the unlimited run's: equal results, or the
     * same trap in every field but the fuel left (the run was given its fuel in other amounts).
     */
    private static void ends(Outcome want, Outcome got, String what) {
        if (want instanceof Outcome.Trapped ta && got instanceof Outcome.Trapped tb) {
            assertEquals(Tiers.TrapView.of(ta.trap()).toString().replaceAll(" fuel \\d+ ", " "),
                    Tiers.TrapView.of(tb.trap()).toString().replaceAll(" fuel \\d+ ", " "), what);
        } else {
            assertEquals(want, got, what);
        }
    }

    /** Outcomes alike: equal, or both traps alike in every field {@link Tiers.TrapView} has. */
    private static void same(Outcome a, Outcome b, String what) {
        if (a instanceof Outcome.Trapped ta && b instanceof Outcome.Trapped tb) {
            assertEquals(Tiers.TrapView.of(ta.trap()), Tiers.TrapView.of(tb.trap()), what);
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

    /** How many times {@link #lockstep} resumed a suspended h.wait. */
    private static int suspensions;

    /** @return whether the unlimited run trapped */
    private static boolean attack(long seed, long n) {
        String text = new Gen(seed).program();
        VerifiedProgram p;
        try {
            p = Tiers.verified(JitCornerCasesTest.asm(text));
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + "\n" + text, e);
        }
        Tiers t = Tiers.of(p, host());
        assertEquals(3, Jit.precompile(t.compiled), "every function compiles:\n" + text);
        List<Value> args = List.of(Value.i64(n));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "seed " + seed + "\n" + text);
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 1; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "seed " + seed + " fuel " + fuel + "\n" + text);
        }
        long heap = full.heapBytes();
        long step = Math.max(1, heap / 40);
        for (long limit = 0; limit <= heap + 1; limit += limit + step > heap && limit < heap - 1 ? 1 : step) {
            t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(limit), "seed " + seed + " heap " + limit + "\n" + text);
        }
        pauses(p, seed, text, args, used);
        return full.trapped();
    }

    private static void pauses(VerifiedProgram p, long seed, String text, List<Value> args, long used) {
        Vm interp = new Vm(p, host());
        Vm jit = Jit.compile(p, host());
        Jit.precompile(jit);
        Outcome want = finish(interp.start(0, args, Limits.DEFAULT));
        Random rnd = new Random(seed);
        Vm restoring = new Vm(p, host());
        for (long at = 1; at < used; at++) {
            String what = "seed " + seed + " at " + at + "\n" + text;
            Run x = interp.start(0, args, Limits.DEFAULT.withFuel(at));
            Run y = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            if (at % 5 == 1) {
                // lockstep from the start, then from a snapshot restored on either tier
                ends(want, lockstep(interp, x, jit, y, rnd, what), what);
                Run x2 = interp.start(0, args, Limits.DEFAULT.withFuel(at));
                Outcome first = x2.resume();
                if (first instanceof Outcome.Paused) {
                    byte[] sx = x2.snapshot();
                    ends(want, lockstep(restoring, restoring.restore(sx), jit, jit.restore(sx), rnd,
                            "restored " + what), what);
                }
                continue;
            }
            Outcome ox = x.resume();
            Outcome oy = y.resume();
            same(ox, oy, what);
            if (!(ox instanceof Outcome.Paused)) {
                continue;
            }
            assertEquals(x.frames(), y.frames(), what);
            for (int f = 0; f < x.frames().size(); f++) {
                assertEquals(written(interp, x, f), written(jit, y, f), "frame " + f + " " + what);
            }
            byte[] sx = x.snapshot();
            assertArrayEquals(sx, y.snapshot(), "snapshot " + what);
            for (Run r : new Run[] {x, y, jit.restore(sx), new Vm(p, host()).restore(sx)}) {
                r.addFuel(1_000_000);
                ends(want, finish(r), what);
            }
        }
    }

    /**
     * The registers of frame {@code f} of a paused run that the frame has written on every path to
     * its point and some instruction reads, null for the others (a word register not written yet
     * holds what an earlier frame left in its slot, which differs between the tiers by design;
     * {@code Run.registers} already shows such a reference register as null).
     */
    private static List<Value> written(Vm vm, Run run, int f) {
        int[] at = vm.frameAt(run.context(), f);
        long[] mask = vm.verified.initFacts(at[0]).writtenBefore(new int[] {at[1]})[0];
        long[] read = vm.verified.initFacts(at[0]).readAnywhere();
        List<Value> regs = new java.util.ArrayList<>(run.registers(f));
        for (int i = 0; i < regs.size(); i++) {
            if ((read[i >>> 6] & (1L << i)) == 0) {
                regs.set(i, null); // never read: compiled code may leave it unwritten in the files
            } else if ((mask[i >>> 6] & (1L << i)) == 0) {
                dev.tape.program.ValueKind k = vm.funcs[at[0]].regType(i).kind();
                if (!Aggregate.isWord(k) && k != dev.tape.program.ValueKind.UNIT) {
                    assertEquals(null, regs.get(i), "an unwritten reference register r" + i + " shows as null");
                }
                regs.set(i, null);
            }
        }
        return regs;
    }

    /** Random programs: every fuel limit, heap limits around the total, every pause point. */
    @Test
    void randomProgramsOnBothTiers() {
        suspensions = 0;
        int trapped = 0;
        for (long seed = 1; seed <= 120; seed++) {
            trapped += attack(seed, seed % 5) ? 1 : 0;
        }
        assertTrue(suspensions > 100, "h.wait suspended runs " + suspensions + " times");
        assertTrue(trapped > 0 && trapped < 60, "unlimited runs that trapped (a struct read as a tuple): " + trapped);
    }

    /**
     * A chain of {@code blocks} one-jmp blocks, each clearing the aggregate registers numbered after
     * {@code words} word registers (so their locals need wide stores past 128 words), then a loop
     * building {@code aggs} tuples in them and reading each back (only the first six are cleared).
     */
    private static String chain(int words, int blocks, int aggs) {
        StringBuilder b = new StringBuilder("program chain\nfunc main(n: i64) -> (i64) {\n");
        b.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r4, 0\n");
        for (int w = 0; w < words; w++) {
            b.append("    const.i64 r").append(6 + w).append(", ").append(w).append('\n');
        }
        int agg = 6 + words;
        b.append("    jmp B0\n");
        for (int i = 0; i < blocks; i++) {
            b.append("B").append(i).append(":\n    jmp B").append(i + 1).append('\n');
        }
        b.append("B").append(blocks).append(":\n    i64.lt r5, r4, r1\n    br r5, body, done\nbody:\n");
        for (int k = 0; k < aggs; k++) {
            b.append("    tuple.new r").append(agg + k).append(", [r4, r2]\n");
        }
        for (int k = 0; k < aggs; k++) {
            b.append("    tuple.get r").append(agg + aggs).append(", r").append(agg + k).append(", 0\n");
            b.append("    i64.add r2, r2, r").append(agg + aggs).append('\n');
        }
        b.append("    i64.add r4, r4, r3\n    jmp B0\ndone:\n    ret r0, [r2]\n}\n");
        return b.toString();
    }

    /**
     * Around the limits of the clearing: up to 253 registers (wide local stores) and 263, 240
     * one-jmp blocks and 260 (past 256 leaders nothing is cleared), 6 aggregate registers and 9.
     * The method stays within {@code MethodSize.bound} (which lets a function under it skip
     * the measuring pass), and both tiers agree at every fuel limit (every 7th past 100 blocks);
     * two compiled shapes (100 blocks; 130 words, so wide stores) also paused at every fuel limit.
     */
    @Test
    void aroundTheLimits() {
        int compiled = 0;
        for (int words : new int[] {0, 130, 240, 250}) {
            for (int blocks : new int[] {1, 100, 240, 260}) {
                boolean paused = blocks == 100 && words == 0 || blocks == 1 && words == 130;
                int aggs = paused ? 9 : 6;
                String text = chain(words, blocks, aggs);
                String what = "words " + words + " blocks " + blocks + " aggs " + aggs;
                VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(text));
                Vm vm = new Vm(p, new HostRegistry(), Tiers.LAZY);
                dev.tape.verify.internal.LoweredFunction fn = dev.tape.verify.internal.Lowered.functions(p).get(0);
                int size = dev.tape.jit.JitTestAccess.measure(new JitView(vm, null), fn.id());
                int bound = dev.tape.jit.JitTestAccess.sizeBound(fn);
                assertTrue(size <= bound, what + ": " + size + " > " + bound);
                Tiers t = Tiers.of(p, new HostRegistry());
                // a method over HotSpot's limit for compiling it is left to the interpreter
                assertEquals(size <= dev.tape.jit.JitTestAccess.maxMethodBytes() ? 1 : 0, Jit.precompile(t.compiled),
                        what + ": " + size + " bytes");
                List<Value> args = List.of(Value.i64(3));
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                // sum over i < 3 of aggs * i
                assertEquals(List.of(Value.i64(aggs * 3L)), full.results(), full::toString);
                long used = full.used(Limits.DEFAULT);
                for (long fuel = 0; fuel <= used; fuel += blocks > 100 ? 7 : 1) {
                    t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                compiled += size <= dev.tape.jit.JitTestAccess.maxMethodBytes() ? 1 : 0;
                if (paused) {
                    assertEquals(1, Jit.precompile(t.compiled), what);
                    pauses(p, words, what + "\n" + text, args, used);
                }
            }
        }
        assertEquals(3, compiled, "shapes compiled (the others are over HotSpot's limit)");
    }

    /**
     * Recursion: each frame of main builds a tuple on one path only (cleared at the join, in every
     * compiled frame), and the call's aggregate result is written on both; at depth 7 the tiers
     * agree at every fuel limit and heap limit, and paused at every fuel limit.
     */
    @Test
    void recursiveFramesWithTuplesOnOnePath() {
        String text = """
                program rec
                func main(n: i64) -> (i64, agg) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    i64.lt r4, r2, r1
                    br r4, deeper, leaf
                deeper:
                    tuple.new r5, [r1, r2]
                    i64.sub r6, r1, r3
                    call r0, main, r0, [r6] -> [r7, r8]
                    tuple.get r9, r5, 0
                    i64.add r7, r7, r9
                    jmp join
                leaf:
                    const.i64 r7, 0
                    tuple.new r8, [r2, r2]
                    jmp join
                join:
                    tuple.len r10, r8
                    u64.to_i64 r9, r10
                    i64.add r7, r7, r9
                    tuple.new r8, [r7, r1]
                    ret r0, [r7, r8]
                }
                """;
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(text));
        Tiers t = Tiers.of(p, host());
        assertEquals(1, Jit.precompile(t.compiled));
        List<Value> args = List.of(Value.i64(7));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "unlimited");
        // each of the 8 frames adds 2 (the length of r8), the 7 deeper ones also their n: 16 + 28
        assertEquals(Value.i64(44), full.results().get(0), full::toString);
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
        }
        for (long heap = 0; heap <= full.heapBytes(); heap++) {
            t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), "heap " + heap);
        }
        pauses(p, 7, text, args, used);
    }
}
