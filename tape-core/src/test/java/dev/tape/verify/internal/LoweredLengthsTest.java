package dev.tape.verify.internal;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.gen.ValidPrograms;
import dev.tape.program.ConformanceFiles;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.testing.EmptyBodyPrograms;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LOp#length(int)} and {@link LOp#coveredLength(int)} against the code the lowering really
 * emits: for every instruction of every function of the conformance vectors that verify, 300
 * generated programs, an empty body and a function built to hold every superinstruction, the
 * distance from its start to the next instruction's (the starts the lowered function keeps) must
 * be the op's length, and the distance to the start of the instruction after all the ones its
 * dispatch covers its covered length; an op of length 0 must be one whose instructions carry a
 * register list; and every op of fixed length must be met, so the table cannot drift from the
 * lowering.
 */
class LoweredLengthsTest {
    /** The ops whose instructions carry a register list (no fixed length). */
    private static final Set<Integer> LISTS = Set.of(Op.CALL, Op.HOST_CALL, Op.RET, Op.TUPLE_NEW, Op.STRUCT_NEW,
            Op.ARRAY_NEW, LOp.TUPLE_NEW_W, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE);

    /**
     * How many instructions one dispatch of {@code op} covers, as {@link LOp}'s documentation
     * describes the fused forms (written out here, not read from the table under test).
     */
    private static int covers(int op) {
        return switch (op) {
            case LOp.I64_LT_BR, LOp.I64_LE_BR, LOp.I64_GT_BR, LOp.I64_GE_BR, LOp.I64_EQ_BR, LOp.U64_LT_BR,
                LOp.F64_LT_BR, LOp.CONST_ADD, LOp.CONST_SUB, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD -> 2;
            case LOp.I64_ADD_LT_BR, LOp.I64_ADD_LT_BR_RUN, LOp.CONST_LT_BR, LOp.I64_TO_F64_MUL_ADD,
                LOp.F64_DIV_SUB_ADD -> 3;
            default -> 1;
        };
    }

    private final Set<Integer> seen = new TreeSet<>();
    private final List<String> wrong = new ArrayList<>();

    private void check(VerifiedProgram vp, String what) {
        List<LoweredFunction> fns = Lowered.functions(vp);
        for (int f = 0; f < fns.size(); f++) {
            LoweredFunction lf = fns.get(f);
            int[] code = lf.code();
            int n = Math.max(1, lf.instructionCount());
            int[] starts = new int[n + 1];
            for (int i = 0; i < n; i++) {
                starts[i] = lf.instructionStart(i);
            }
            starts[n] = code.length;
            for (int i = 0; i < n; i++) {
                int op = code[starts[i]];
                seen.add(op);
                String at = what + " f" + f + " instruction " + i + " op 0x" + Integer.toHexString(op);
                int length = LOp.length(op);
                if (length == 0) {
                    if (!LISTS.contains(op)) {
                        wrong.add(at + ": length 0 but not an op with a register list");
                    }
                    continue;
                }
                if (starts[i + 1] - starts[i] != length) {
                    wrong.add(at + ": length " + length + ", lowered " + (starts[i + 1] - starts[i]));
                }
                int k = covers(op);
                if (i + k > n) {
                    wrong.add(at + ": covers " + k + " instructions, the function ends first");
                } else if (starts[i + k] - starts[i] != LOp.coveredLength(op)) {
                    wrong.add(at + ": covered length " + LOp.coveredLength(op) + ", lowered "
                            + (starts[i + k] - starts[i]));
                }
            }
        }
    }

    /**
     * (n: i64, x: f64) -> (i64, f64), straight-line code plus two loops, holding every fused
     * compare-and-branch and superinstruction the lowering makes (a counted loop's latch of both
     * forms: one whose head starts a run, one whose head does not).
     */
    private static VerifiedProgram fusedForms() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64, F64), List.of(I64, F64));
        Label loop = f.newLabel();
        Label a = f.newLabel();
        Label b = f.newLabel();
        Label c = f.newLabel();
        Label d = f.newLabel();
        Label e = f.newLabel();
        Label g = f.newLabel();
        Label done = f.newLabel();
        Label run = f.newLabel();
        f.constI64(3, 0).constI64(4, 1).constF64(5, 0.5).constF64(6, 0.0).constU64(7, 3).constU64(8, 4)
                .constI64(14, 0).jmp(loop);
        f.place(loop)
                // const + i64.add, const + i64.sub
                .constI64(9, 2).i64Add(3, 3, 9).constI64(9, 1).i64Sub(3, 3, 9)
                // i64.to_f64 + f64.mul + f64.add, f64.sub + f64.add
                .unary(Opcode.I64_TO_F64, 10, 3).binary(Opcode.F64_MUL, 11, 10, 5).binary(Opcode.F64_ADD, 6, 6, 11)
                .binary(Opcode.F64_SUB, 12, 2, 5).binary(Opcode.F64_ADD, 6, 6, 12)
                // f64.div + f64.sub + f64.add
                .binary(Opcode.F64_DIV, 12, 6, 5).binary(Opcode.F64_SUB, 12, 12, 5).binary(Opcode.F64_ADD, 6, 6, 12)
                // i64.le + br, i64.gt + br, i64.ge + br, i64.eq + br, u64.lt + br, f64.lt + br
                .i64Le(13, 3, 1).br(13, a, a);
        f.place(a).i64Gt(13, 3, 1).br(13, b, b);
        f.place(b).i64Ge(13, 3, 1).br(13, c, c);
        f.place(c).i64Eq(13, 3, 1).br(13, d, d);
        f.place(d).u64Lt(13, 7, 8).br(13, e, e);
        f.place(e).binary(Opcode.F64_LT, 13, 6, 2).br(13, g, g);
        // const + i64.lt + br
        f.place(g).constI64(9, 100).i64Lt(13, 3, 9).br(13, done, done);
        // i64.add + i64.lt + br, back to a head that starts no run (const + i64.add, const + i64.sub)
        f.place(done).i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, loop, run);
        // i64.add + i64.lt + br, back to a head that starts a run (i64.add, i64.add, the latch)
        f.place(run).i64Add(14, 14, 4).i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, run, loop);
        return Verifier.verify(pb.build());
    }

    @Test
    void everyLoweredInstructionOfFixedLengthHasItsTablesLength() {
        int vectors = 0;
        for (Map.Entry<String, VerifiedProgram> v : ConformanceFiles.verified().entrySet()) {
            check(v.getValue(), v.getKey());
            vectors++;
        }
        assertTrue(vectors > 300, vectors + " vectors verified");
        for (long seed = 0; seed < 300; seed++) {
            check(Verifier.verify(ValidPrograms.program(seed)), "seed " + seed);
        }
        check(Verifier.verify(EmptyBodyPrograms.direct()), "empty body");
        check(fusedForms(), "fused forms");
        assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " wrong");
        List<String> unmet = new ArrayList<>();
        for (int op = 0; op < 256; op++) {
            if (LOp.length(op) > 0 && !seen.contains(op)) {
                unmet.add("0x" + Integer.toHexString(op));
            }
        }
        assertEquals(List.of(), unmet, "ops of fixed length no program lowered to");
    }

    @Test
    void theFusedFormsProgramHoldsEverySuperinstruction() {
        seen.clear();
        check(fusedForms(), "fused forms");
        for (int op = LOp.I64_LT_BR; op < LOp.LIMIT; op++) {
            if (op != LOp.NO_CODE) {
                assertTrue(seen.contains(op), "op 0x" + Integer.toHexString(op) + " in " + seen);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
