package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.program.Program;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks compiled methods that read the code image lazily ({@code ImageReads}): a method whose
 * body reads no image gets null and 0 for its image locals, so any read of them on any path (a
 * trap's position, an inlined leaf's slow path, a shared method's entry) would be a
 * NullPointerException at run time. Word-only callers ({@code rec}, {@code disp}) call into
 * functions that trap: a division by zero, heap limits hit by {@code tuple.new}, an
 * {@code array.get} out of bounds, a decimal that overflows, a string sliced out of range, a host
 * call that charges fuel and one the host lacks, a {@code call.indirect} into a method without
 * image locals, an inlined leaf's {@code tuple.get} of an embedder's aggregate of another shape,
 * and a shared method (two functions of one code) trapping in either.
 * Each runs on both tiers (inlining and framed) at every fuel, heap and depth limit around its use,
 * stepped against the traced interpreter, paused at every slice with snapshots restored with and
 * without a trace sink; and every generated method that has no image locals is checked never to
 * read them.
 */
class AttackImageReadsTest {
    static final String SOURCE = """
            program imagereads
            array ints = i64
            callsig word = (i64) -> (i64)
            host hc = "probe.charge" (i64) -> (i64)
            host hm = "probe.missing" (i64) -> (i64)
            func rec(k: i64, n: i64, x: i64) -> (i64) {
                const.i64 r4, 0
                i64.le r5, r2, r4
                br r5, bottom, more
            bottom:
                call r0, disp, r0, [r1, r3] -> [r6]
                ret r0, [r6]
            more:
                const.i64 r7, 1
                i64.sub r8, r2, r7
                call r0, rec, r0, [r1, r8, r3] -> [r9]
                i64.add r9, r9, r2
                ret r0, [r9]
            }
            func disp(k: i64, x: i64) -> (i64) {
                const.i64 r3, 1
                i64.eq r4, r1, r3
                br r4, a, na
            a:
                call r0, divs, r0, [r2] -> [r5]
                ret r0, [r5]
            na:
                const.i64 r3, 2
                i64.eq r4, r1, r3
                br r4, b, nb
            b:
                call r0, heap, r0, [r2] -> [r5]
                ret r0, [r5]
            nb:
                const.i64 r3, 3
                i64.eq r4, r1, r3
                br r4, c, nc
            c:
                call r0, arr, r0, [r2] -> [r5]
                ret r0, [r5]
            nc:
                const.i64 r3, 4
                i64.eq r4, r1, r3
                br r4, d, nd
            d:
                call r0, decs, r0, [r2] -> [r5]
                ret r0, [r5]
            nd:
                const.i64 r3, 5
                i64.eq r4, r1, r3
                br r4, e, ne
            e:
                call r0, strs, r0, [r2] -> [r5]
                ret r0, [r5]
            ne:
                const.i64 r3, 6
                i64.eq r4, r1, r3
                br r4, f, nf
            f:
                call r0, divs2, r0, [r2] -> [r5]
                ret r0, [r5]
            nf:
                const.i64 r3, 7
                i64.eq r4, r1, r3
                br r4, g, ng
            g:
                call r0, hosts, r0, [r2] -> [r5]
                ret r0, [r5]
            ng:
                const.func r6, divs
                call.indirect r0, word, r6, r0, [r2] -> [r5]
                ret r0, [r5]
            }
            func divs(x: i64) -> (i64) {
                const.i64 r2, 1000
                i64.div r3, r2, r1
                i64.add r3, r3, r1
                ret r0, [r3]
            }
            func divs2(x: i64) -> (i64) {
                const.i64 r2, 1000
                i64.div r3, r2, r1
                i64.add r3, r3, r1
                ret r0, [r3]
            }
            func heap(x: i64) -> (i64) {
                const.i64 r2, 0
                tuple.new r3, [r1, r2]
                jmp loop
            loop:
                i64.lt r4, r2, r1
                br r4, body, done
            body:
                tuple.new r3, [r1, r2]
                const.i64 r5, 1
                i64.add r2, r2, r5
                jmp loop
            done:
                tuple.len r6, r3
                u64.to_i64 r7, r6
                i64.add r7, r7, r2
                ret r0, [r7]
            }
            func arr(x: i64) -> (i64) {
                array.new r2, ints, [r1, r1, r1]
                i64.to_u64 r3, r1
                array.get r4, r2, r3
                ret r0, [r4]
            }
            func decs(x: i64) -> (i64) {
                i64.to_dec r2, r1, 2
                dec.mul r3, r2, r2
                dec.mul r3, r3, r3
                dec.add r3, r3, r2
                dec.to_i64 r4, r3
                ret r0, [r4]
            }
            func strs(x: i64) -> (i64) {
                const.pool r2, str:"abcdef"
                i64.to_u64 r3, r1
                const.u64 r4, 1
                str.slice r5, r2, r4, r3
                str.len r6, r5
                u64.to_i64 r7, r6
                ret r0, [r7]
            }
            func hosts(x: i64) -> (i64) {
                host_call r0, hc, r0, [r1] -> [r2]
                const.i64 r3, 0
                i64.lt r4, r1, r3
                br r4, miss, ok
            miss:
                host_call r0, hm, r0, [r2] -> [r5]
                ret r0, [r5]
            ok:
                ret r0, [r2]
            }
            func recl(n: i64, t: agg tuple(i64, i64)) -> (i64) {
                const.i64 r3, 0
                i64.le r4, r1, r3
                br r4, bottom, more
            bottom:
                call r0, pick, r0, [r2] -> [r5]
                ret r0, [r5]
            more:
                const.i64 r6, 1
                i64.sub r7, r1, r6
                call r0, recl, r0, [r7, r2] -> [r8]
                call r0, pick, r0, [r2] -> [r9]
                i64.add r8, r8, r9
                ret r0, [r8]
            }
            func pick(t: agg tuple(i64, i64)) -> (i64) {
                tuple.get r2, r1, 1
                ret r0, [r2]
            }
            """;

    /** Function ids in {@link #SOURCE}. */
    static final int REC = 0;
    static final int RECL = 9;
    /** {@code rec}'s k that calls {@code hosts} */
    static final int HOSTS = 7;

    /** x per dispatch k (1..6): values that end normally and values that trap. */
    static final long[][] XS = {
        {}, {7, 0, -1}, {3, 40}, {0, 2, 3, -1, Long.MAX_VALUE}, {3, 100_000, 4_000_000_000L, -77}, {4, 9, 0},
        {5, 0}, {5, -4}, {9, 0}
    };

    static Program program() throws Exception {
        return Assembler.assemble(SOURCE, "imagereads.tasm");
    }

    /** The tuple arguments of {@code recl}: the declared shape and embedder aggregates of other shapes. */
    static List<Value> tuples() {
        return List.of(Value.tuple(Value.i64(4), Value.i64(5)),
                Aggregate.of(Aggregate.Kind.TUPLE, 0, List.of(Value.i64(4))),
                Aggregate.of(Aggregate.Kind.TUPLE, 0, List.of(Value.i64(4), Value.str("s"))),
                Aggregate.of(Aggregate.Kind.STRUCT, 0, List.of(Value.i64(4), Value.i64(5))),
                Aggregate.of(Aggregate.Kind.TUPLE, 0, List.of()));
    }

    /** Every (entry, args) the tests run. */
    static List<Object[]> runs() {
        List<Object[]> out = new ArrayList<>();
        for (int k = 1; k < XS.length; k++) {
            for (long x : XS[k]) {
                for (long n : new long[] {0, 2}) {
                    out.add(new Object[] {REC, List.of(Value.i64(k), Value.i64(n), Value.i64(x))});
                }
            }
        }
        for (Value t : tuples()) {
            for (long n : new long[] {0, 2}) {
                out.add(new Object[] {RECL, List.of(Value.i64(n), t)});
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void sweepLimits(Tiers t, String tier) {
        int traps = 0;
        for (Object[] run : runs()) {
            int entry = (Integer) run[0];
            List<Value> args = (List<Value>) run[1];
            String what = tier + " entry " + entry + " " + args;
            Tiers.Outcome full = t.check(entry, args, Limits.DEFAULT, what);
            if (full.trap() != null) {
                traps++;
                assertNotEquals("internal_error", full.trap().label(), what);
            }
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(entry, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            long heap = full.heapBytes();
            for (long h = 0; h <= heap + 1; h += Math.max(1, heap / 40)) {
                t.check(entry, args, Limits.DEFAULT.withMaxHeapBytes(h), what + " heap " + h);
            }
            for (long d = 1; d <= 5; d++) {
                t.check(entry, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
        }
        assertTrue(traps >= 20, tier + ": runs that trap: " + traps);
        // deeper than compiled frames nest: the word-only rec hands its frames over to the
        // interpreter (its handler reads the image itself), at every 37th fuel limit too
        for (int k = 1; k < XS.length; k++) {
            for (long x : XS[k]) {
                List<Value> args = List.of(Value.i64(k), Value.i64(300), Value.i64(x));
                String what = tier + " deep " + args;
                Tiers.Outcome full = t.check(REC, args, Limits.DEFAULT, what);
                long used = full.used(Limits.DEFAULT);
                for (long fuel = 0; fuel <= used + 1; fuel += 37) {
                    t.check(REC, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                t.check(REC, args, Limits.DEFAULT.withMaxCallDepth(250), what + " depth 250");
            }
        }
    }

    @Test
    void everyLimitOnBothTiers() throws Exception {
        Tiers t = Tiers.of(program(), JitPrograms.host());
        sweepLimits(t, "lazy");
        allCompiled(t.compiled);
        sweepLimits(t, "precompiled");
    }

    @Test
    void everyLimitFramed() throws Exception {
        Tiers t = Tiers.of(program(), JitPrograms.host(), true);
        allCompiled(t.compiled);
        sweepLimits(t, "framed");
    }

    /** Compiles every function of {@code vm} and asserts each has its method. */
    static void allCompiled(Vm vm) {
        Jit.precompile(vm);
        JitTier tier = (JitTier) vm.tier;
        for (int f = 0; f < vm.funcs.length; f++) {
            assertNotNull(tier.handles[f], "function " + f + " compiled");
        }
    }

    /**
     * Whether a generated method has no image locals (its prologue stores null into the code
     * array's local) and, if so, asserts that it never reads the code array's local (slot 9) or the
     * entry's (slot 19).
     *
     * @return true when the method has no image locals
     */
    static boolean withoutImage(byte[] bytes, String what) {
        boolean[] none = {false};
        int[] reads = {0};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    private int last = -1;
                    private boolean first = true;

                    @Override
                    public void visitInsn(int op) {
                        last = op;
                    }

                    @Override
                    public void visitVarInsn(int op, int var) {
                        if (op == Opcodes.ASTORE && var == CODE && first) {
                            first = false;
                            none[0] = last == Opcodes.ACONST_NULL;
                        }
                        if (op == Opcodes.ALOAD && var == CODE || op == Opcodes.ILOAD && var == ENTRY) {
                            reads[0]++;
                        }
                        last = -1;
                    }

                    @Override
                    public void visitMethodInsn(int op, String owner, String called, String d, boolean itf) {
                        last = -1;
                    }
                };
            }
        }, 0);
        if (none[0]) {
            assertEquals(0, reads[0], what + ": a method without image locals reads them");
        } else {
            assertTrue(reads[0] > 0, what + ": a method with image locals that never reads them");
        }
        return none[0];
    }

    /** JitCompiler's locals: the code array and the entry. */
    static final int CODE = 9;
    static final int ENTRY = 19;

    /** @return per function of {@code vm}, whether its method (inlining, and framed) has no image locals */
    static boolean[] checkMethods(Vm vm, String what) {
        dev.tape.vm.internal.CompileView view = ((JitTier) vm.tier).view;
        boolean[] none = new boolean[vm.funcs.length];
        for (int f = 0; f < vm.funcs.length; f++) {
            none[f] = withoutImage(JitTestAccess.generate(view, f).bytes(), what + " f" + f);
            withoutImage(JitTestAccess.generateFramed(view, f).bytes(), what + " framed f" + f);
        }
        return none;
    }

    @Test
    void noMethodWithoutImageLocalsReadsThem() throws Exception {
        Tiers t = Tiers.of(program(), JitPrograms.host());
        boolean[] none = checkMethods(t.compiled, "imagereads");
        assertTrue(none[REC] && none[2] && none[3] && none[6] && none[RECL], "rec, divs, divs2, decs and recl read no image");
        int without = 0;
        int with = 0;
        List<String> sources = new ArrayList<>(List.of(SOURCE, JitImageReadsTest.SOURCE, AttackAggregateReadsTest.TEXT));
        for (long seed = 0; seed < 40; seed++) {
            sources.add(JitLazyFrameTest.program(seed, seed % 2 == 0).source());
        }
        for (String src : sources) {
            Vm vm = Jit.compile(JitLazyFrameTest.verified(src), JitPrograms.host(), Tiers.LAZY);
            for (boolean b : checkMethods(vm, src)) {
                without += b ? 1 : 0;
                with += b ? 0 : 1;
            }
        }
        assertTrue(without >= 40 && with >= 10, "methods without image locals " + without + ", with " + with);
    }

    /**
     * {@code rec}'s runs (but those of the host that charges fuel) stepped against the traced interpreter at every fuel budget and paused in
     * lockstep ({@link StepSweep}); {@code recl}'s paused at every slice from 1 to 5; at every
     * pause (but with an embedder's struct argument, which no snapshot takes), the compiled run's snapshot restored on both tiers with an INSTR trace sink (which the
     * compiled tier runs by handing over) ends alike, with the same instructions traced.
     */
    @Test
    void steppedPausedAndRestoredTraced() throws Exception {
        for (boolean framed : new boolean[] {false, true}) {
            Tiers t = Tiers.of(program(), JitPrograms.host(), framed);
            allCompiled(t.compiled);
            stepPauseRestore(t, framed ? "framed " : "");
        }
    }

    @SuppressWarnings("unchecked")
    private static void stepPauseRestore(Tiers t, String tier) throws Exception {
        int pauses = 0;
        long seed = 0;
        for (Object[] run : runs()) {
            int entry = (Integer) run[0];
            List<Value> args = (List<Value>) run[1];
            String what = tier + "entry " + entry + " " + args;
            if (entry == REC && !args.get(0).equals(Value.i64(HOSTS))) {
                // (the host's fuel charges have no INSTR events: StepSweep counts one per unit)
                StepSweep.sweep(t, args, ++seed, what);
            } else if (args.get(1) instanceof Aggregate g && g.aggKind() == Aggregate.Kind.STRUCT) {
                continue; // a struct of no type of the program: no snapshot (SnapshotException on both tiers)
            }
            for (long slice = 1; slice <= 5; slice++) {
                String at = what + " slice " + slice;
                pauses += t.lockstep(entry, args, slice, 1, at, (a, b, pause) -> {
                    byte[] snap = b.snapshot();
                    StepSweep.Steps sa = new StepSweep.Steps();
                    StepSweep.Steps sb = new StepSweep.Steps();
                    List<Object> ea = Tiers.finish(t.interpreted.restore(new ExecutionContext(), snap, null, sa));
                    List<Object> eb = Tiers.finish(t.compiled.restore(new ExecutionContext(), snap, null, sb));
                    assertEquals(ea, eb, at + " pause " + pause + " restored traced");
                    assertEquals(sa.at, sb.at, at + " pause " + pause + " traced instructions");
                    assertTrue(!sa.at.isEmpty(), at + " pause " + pause + ": instructions traced");
                });
            }
        }
        assertTrue(pauses >= 500, "pauses " + pauses);
    }
}
