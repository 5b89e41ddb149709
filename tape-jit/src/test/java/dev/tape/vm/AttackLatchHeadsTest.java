package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the counted-loop latch the lowering chooses ({@link LOp#I64_ADD_LT_BR_RUN}, fifteenth
 * round): loop heads at the edges of what {@link LOp#loopHead} accepts. A head at pc 0 (the entry
 * block is the loop), a head that a forward branch from elsewhere also enters, a latch that is the
 * function's last instruction with its false target going back to an outer loop, a latch whose
 * true target is itself, a run of two (head, then the latch), heads that are superinstructions
 * ({@code i64.to_f64}+{@code f64.mul}+{@code f64.add}, {@code f64.mul}+{@code f64.add}, constant +
 * {@code i64.add}), an unfused {@code f64.lt} head, a word head followed by an f64 instruction
 * ({@link WordRun} leaves at once), and a latch that is also the second half of a constant +
 * {@code i64.add} superinstruction. Each program: the latch forms in code order as the rule gives
 * them (worked out by hand), results against a Java model, and {@link StepSweep#sweep} (every
 * budget untraced, stepped and compiled; lockstep pauses with snapshots restored).
 */
class AttackLatchHeadsTest {
    /**
     * The ops of function 0's {@code i64.add} + {@code i64.lt}+{@code br} latches, in code order, as
     * the function lowered again ({@code Relowering}) has them; each the same in the code image the
     * interpreter runs.
     */
    private static List<Integer> latches(Vm vm) {
        List<Integer> ops = new ArrayList<>();
        LoweredFunction lf = vm.funcs[0];
        int entry = vm.image.entry(0);
        for (int i = 0; i < lf.codeLength(); i++) {
            int op = lf.code()[i];
            if (lf.pcOf()[i] >= 0 && (op == LOp.I64_ADD_LT_BR || op == LOp.I64_ADD_LT_BR_RUN)) {
                assertEquals(op, vm.image.code()[entry + i], "the image's op at code index " + i);
                ops.add(op);
            }
        }
        return ops;
    }

    private static void sweep(VerifiedProgram vp, List<Integer> forms, List<List<Value>> args,
                              List<List<Value>> expected, String what) throws Exception {
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(forms, latches(t.interpreted), what + ": latch forms");
        for (int k = 0; k < args.size(); k++) {
            String at = what + " " + args.get(k);
            Tiers.Outcome full = StepSweep.sweep(t, args.get(k), 17 + k, at);
            assertFalse(full.trapped(), at + ": " + full);
            assertEquals(expected.get(k), full.results(), at);
        }
    }

    /**
     * (n, acc, i, one) -> (acc, i), the whole body a loop whose head is pc 0:
     * do { acc += i; acc -= one; i += one } while (i &lt; n).
     */
    @Test
    void aLoopHeadAtPcZero() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64, I64, I64, I64), List.of(I64, I64));
        Label l = f.newLabel();
        Label d = f.newLabel();
        f.place(l).i64Add(2, 2, 3).i64Sub(2, 2, 4).i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, l, d);
        f.place(d).ret(0, 2, 3);
        VerifiedProgram vp = Verifier.verify(pb.build());
        List<List<Value>> args = new ArrayList<>();
        List<List<Value>> want = new ArrayList<>();
        for (long n : new long[] {-1, 0, 1, 2, 6}) {
            long acc = 5;
            long i = 0;
            do {
                acc += i;
                acc -= 1;
                i += 1;
            } while (i < n);
            args.add(List.of(Value.i64(n), Value.i64(5), Value.i64(0), Value.i64(1)));
            want.add(List.of(Value.i64(acc), Value.i64(i)));
        }
        sweep(vp, List.of(LOp.I64_ADD_LT_BR_RUN), args, want, "head at pc 0");
    }

    /**
     * (n, m) -> (acc, k): k = 0; while (k &lt; m) { j = 0; k++; if (j &lt; n) do { acc += j * j + k; j++ }
     * while (j &lt; n) }. The inner head is entered forward from the outer body too; the inner latch,
     * whose false target goes back to the outer loop's head, is the function's last instruction; the
     * outer body's own i64.add + i64.lt+br (second half of a constant + i64.add) branches forward.
     */
    @Test
    void aLatchThatIsTheLastInstructionAndAHeadEnteredFromElsewhere() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64, I64), List.of(I64, I64));
        Label x = f.newLabel();
        Label o = f.newLabel();
        Label p = f.newLabel();
        Label in = f.newLabel();
        f.constI64(3, 0).constI64(4, 1).constI64(6, 0).constI64(7, 0).jmp(o);
        f.place(x).ret(0, 6, 3);
        f.place(o).i64Lt(5, 3, 2).br(5, p, x);
        f.place(p).constI64(7, 0).i64Add(3, 3, 4).i64Lt(8, 7, 1).br(8, in, o);
        f.place(in).i64Mul(9, 7, 7).i64Add(6, 6, 9).i64Add(6, 6, 3).i64Add(7, 7, 4).i64Lt(8, 7, 1).br(8, in, o);
        VerifiedProgram vp = Verifier.verify(pb.build());
        List<List<Value>> args = new ArrayList<>();
        List<List<Value>> want = new ArrayList<>();
        for (long[] nm : new long[][] {{0, 0}, {0, 2}, {3, 0}, {1, 1}, {3, 2}, {4, 3}}) {
            long acc = 0;
            long k = 0;
            while (k < nm[1]) {
                long j = 0;
                k++;
                if (j < nm[0]) {
                    do {
                        acc += j * j;
                        acc += k;
                        j++;
                    } while (j < nm[0]);
                }
            }
            args.add(List.of(Value.i64(nm[0]), Value.i64(nm[1])));
            want.add(List.of(Value.i64(acc), Value.i64(k)));
        }
        sweep(vp, List.of(LOp.I64_ADD_LT_BR, LOp.I64_ADD_LT_BR_RUN), args, want, "last-instruction latch");
    }

    /**
     * (n) -> (x, y, c, b): four f64 loops whose heads are i64.to_f64+f64.mul+f64.add (then
     * f64.sub+f64.add), f64.mul+f64.add (a run of two), an unfused f64.lt (a run of two) and a word
     * mov followed by an f64.add.
     */
    @Test
    void floatHeadsThatAreSuperinstructionsOrLeaveAtOnce() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(F64, F64, I64, BOOL));
        Label l1 = f.newLabel();
        Label d1 = f.newLabel();
        Label l2 = f.newLabel();
        Label d2 = f.newLabel();
        Label l3 = f.newLabel();
        Label d3 = f.newLabel();
        Label l4 = f.newLabel();
        Label d4 = f.newLabel();
        f.constI64(2, 0).constI64(3, 1).constF64(4, 0.0).constF64(5, 1.5).constF64(6, 0.5).constI64(11, 0)
                .constF64(12, 0.25).constI64(13, 0).constI64(14, 0).constBool(16, false).constI64(17, 0);
        f.i64Lt(7, 2, 1).br(7, l1, d1);
        f.place(l1).unary(Opcode.I64_TO_F64, 8, 2).binary(Opcode.F64_MUL, 9, 8, 5).f64Add(4, 4, 9)
                .binary(Opcode.F64_SUB, 10, 4, 6).f64Add(4, 10, 6).i64Add(2, 2, 3).i64Lt(7, 2, 1).br(7, l1, d1);
        f.place(d1).i64Lt(7, 11, 1).br(7, l2, d2);
        f.place(l2).binary(Opcode.F64_MUL, 9, 4, 6).f64Add(12, 12, 9).i64Add(11, 11, 3).i64Lt(7, 11, 1)
                .br(7, l2, d2);
        f.place(d2).i64Lt(7, 14, 1).br(7, l3, d3);
        f.place(l3).binary(Opcode.F64_LT, 16, 12, 4).i64Add(14, 14, 3).i64Lt(7, 14, 1).br(7, l3, d3);
        f.place(d3).i64Lt(7, 17, 1).br(7, l4, d4);
        f.place(l4).mov(13, 17).f64Add(4, 4, 6).i64Add(17, 17, 3).i64Lt(7, 17, 1).br(7, l4, d4);
        f.place(d4).ret(0, 4, 12, 13, 16);
        VerifiedProgram vp = Verifier.verify(pb.build());
        List<List<Value>> args = new ArrayList<>();
        List<List<Value>> want = new ArrayList<>();
        for (long n : new long[] {0, 1, 2, 5}) {
            double x = 0;
            for (long i = 0; i < n; i++) {
                x = x + (double) i * 1.5;
                x = (x - 0.5) + 0.5;
            }
            double y = 0.25;
            for (long j = 0; j < n; j++) {
                y = y + x * 0.5;
            }
            boolean b = false;
            for (long k = 0; k < n; k++) {
                b = y < x;
            }
            long c = 0;
            for (long t = 0; t < n; t++) {
                c = t;
                x = x + 0.5;
            }
            args.add(List.of(Value.i64(n)));
            want.add(List.of(Value.f64(x), Value.f64(y), Value.i64(c), Value.bool(b)));
        }
        List<Integer> run4 = List.of(LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN,
                LOp.I64_ADD_LT_BR_RUN);
        sweep(vp, run4, args, want, "f64 heads");
    }

    /**
     * (n) -> (i, a, c, z): a latch whose true target is itself (no head: the plain op), a run of two
     * (an i64.mul head, then the latch), a constant + i64.add head, and a latch that is also the
     * second half of a constant + i64.add superinstruction (a pause between the halves resumes at it).
     */
    @Test
    void selfLatchRunOfTwoAndALatchInsideASuperinstruction() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, I64, I64));
        Label ld = f.newLabel();
        Label xd = f.newLabel();
        Label le = f.newLabel();
        Label xe = f.newLabel();
        Label lc = f.newLabel();
        Label xc = f.newLabel();
        Label l3 = f.newLabel();
        Label x3 = f.newLabel();
        f.constI64(2, 0).constI64(3, 1).constI64(5, 1).constI64(6, 3).constI64(8, 0).constI64(9, 0)
                .constI64(10, 1).constI64(11, 0).constI64(12, 0);
        f.i64Lt(4, 2, 1).br(4, ld, xd);
        f.place(ld).i64Add(2, 2, 3).i64Lt(4, 2, 1).br(4, ld, xd);
        f.place(xd).i64Lt(4, 11, 1).br(4, le, xe);
        f.place(le).i64Mul(5, 5, 6).i64Add(11, 11, 3).i64Lt(4, 11, 1).br(4, le, xe);
        f.place(xe).i64Lt(4, 12, 1).br(4, lc, xc);
        f.place(lc).constI64(7, 3).i64Add(8, 8, 7).i64Add(12, 12, 3).i64Lt(4, 12, 1).br(4, lc, xc);
        f.place(xc).i64Lt(4, 9, 1).br(4, l3, x3);
        f.place(l3).i64Mul(10, 10, 6).i64Add(10, 10, 9).constI64(7, 1).i64Add(9, 9, 7).i64Lt(4, 9, 1)
                .br(4, l3, x3);
        f.place(x3).ret(0, 2, 5, 8, 10);
        VerifiedProgram vp = Verifier.verify(pb.build());
        Vm vm = new Vm(vp, new HostRegistry());
        // the last latch's i64.add is the second half of a constant + i64.add
        LoweredFunction lf = vm.funcs[0];
        int consts = 0;
        for (int i = 0; i < lf.codeLength(); i++) {
            if (lf.pcOf()[i] >= 0 && lf.code()[i] == LOp.CONST_ADD
                    && lf.code()[i + LOp.length(LOp.CONST_ADD)] == LOp.I64_ADD_LT_BR_RUN) {
                consts++;
            }
        }
        assertEquals(1, consts, "a constant + i64.add whose i64.add is a latch");
        List<List<Value>> args = new ArrayList<>();
        List<List<Value>> want = new ArrayList<>();
        for (long n : new long[] {-2, 0, 1, 2, 5}) {
            long i = 0;
            while (i < n) {
                i++;
            }
            long a = 1;
            long c = 0;
            long z = 1;
            for (long t = 0; t < n; t++) {
                a *= 3;
                c += 3;
            }
            for (long t = 0; t < n; t++) {
                z = z * 3 + t;
            }
            args.add(List.of(Value.i64(n)));
            want.add(List.of(Value.i64(i), Value.i64(a), Value.i64(c), Value.i64(z)));
        }
        sweep(vp, List.of(LOp.I64_ADD_LT_BR, LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN),
                args, want, "self latch, run of two, latch in a superinstruction");
    }
    /**
     * One loop of a random program: its counter (reset first), pre-check, body and latch (the
     * counter's i64.add, or constant 1 + i64.add, so the latch is the second half of a
     * superinstruction), a nested loop in the body when {@code depth} is 0.
     */
    private static void loop(FunctionBuilder f, Random rnd, int depth) {
        int ctr = 13 + depth;
        Label top = f.newLabel();
        Label done = f.newLabel();
        f.constI64(ctr, 0).i64Lt(8, ctr, 1).br(8, top, done);
        f.place(top);
        int items = 1 + rnd.nextInt(4);
        for (int k = 0; k < items; k++) {
            switch (rnd.nextInt(depth == 0 ? 12 : 11)) {
                case 0 -> f.i64Add(2, 2, ctr);
                case 1 -> f.i64Sub(12, 12, 2);
                case 2 -> f.i64Mul(2, 2, 12);
                case 3 -> f.constI64(7, rnd.nextInt(9) - 4).i64Add(2, 2, 7);
                case 4 -> f.mov(15, 2).i64Add(12, 12, 15);
                case 5 -> f.unary(Opcode.I64_TO_F64, 9, ctr).binary(Opcode.F64_MUL, 10, 9, 5).f64Add(4, 4, 10);
                case 6 -> f.binary(Opcode.F64_MUL, 9, 4, 5).f64Add(4, 9, 6);
                case 7 -> f.binary(Opcode.F64_SUB, 9, 4, 6).f64Add(4, 9, 5);
                case 8 -> f.binary(Opcode.F64_DIV, 4, 4, 6);
                case 9 -> f.binary(Opcode.F64_LT, 11, 4, 6);
                case 10 -> f.binary(Opcode.I64_XOR, 12, 12, 2);
                default -> loop(f, rnd, depth + 1);
            }
        }
        if (rnd.nextBoolean()) {
            f.i64Add(ctr, ctr, 3);
        } else {
            f.constI64(7, 1).i64Add(ctr, ctr, 7);
        }
        f.i64Lt(8, ctr, 1).br(8, top, done);
        f.place(done);
    }

    /**
     * 60 random programs of one to three loops, some nested, whose heads and bodies mix every shape
     * above (word and f64 superinstruction heads, unfused f64.lt, i64.xor that runs leave at, the
     * latch as a plain i64.add or the second half of constant + i64.add): both latch forms met, and
     * every program ends alike on both tiers at every budget, stepped and paused in lockstep.
     */
    @Test
    void randomLoopsOfEveryHeadShapeEndAlikeAtEveryBudget() throws Exception {
        int run = 0;
        int plain = 0;
        for (long seed = 1; seed <= 60; seed++) {
            Random rnd = new Random(seed);
            ProgramBuilder pb = new ProgramBuilder();
            FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, F64, BOOL));
            f.constI64(2, 1).constI64(3, 1).constF64(4, 0.25).constF64(5, 0.5).constF64(6, 1.5)
                    .constBool(11, false).constI64(12, 3);
            int loops = 1 + rnd.nextInt(3);
            for (int k = 0; k < loops; k++) {
                loop(f, rnd, 0);
            }
            f.ret(0, 2, 12, 4, 11);
            VerifiedProgram vp = Verifier.verify(pb.build());
            Tiers t = Tiers.of(vp, new HostRegistry());
            List<Integer> ops = latches(t.interpreted);
            run += ops.contains(LOp.I64_ADD_LT_BR_RUN) ? 1 : 0;
            plain += ops.contains(LOp.I64_ADD_LT_BR) ? 1 : 0;
            Tiers.Outcome full = StepSweep.sweep(t, List.of(Value.i64(1 + seed % 3)), seed, "seed " + seed);
            assertFalse(full.trapped(), "seed " + seed + ": " + full);
        }
        assertTrue(run >= 30 && plain >= 5, "programs with a latch to a run's head " + run + ", with a plain one "
                + plain);
    }
}
