package dev.tape.verify;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A verified program keeps its lowered code once, in the code image, and a pc per instruction
 * rather than per code index: {@link LoweredFunction#code()} and {@link LoweredFunction#pcOf()}
 * are rebuilt from those on first use and must equal what the function had before (its code does
 * not depend on where the image put it; its pcs are the decoded instructions').
 */
class LoweredStorageTest {
    /** A function with branch targets, reference constants and aggregate tag lists. */
    private static void body(ProgramBuilder pb, FunctionBuilder f) {
        int s = pb.constant(new Constant.Str("hello"));
        Label loop = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 1).constPool(4, s).i64Lt(5, 2, 1).br(5, loop, done);
        f.place(loop).tupleNew(6, 2, 3).tupleGet(7, 6, 0).i64Add(2, 7, 3).constPool(8, s)
                .i64Lt(5, 2, 1).br(5, loop, done);
        f.place(done).ret(0, 2);
    }

    /** The same kinds of code, so that the second function's image position and bases are not 0. */
    private static Program program(boolean withFirst) {
        ProgramBuilder pb = new ProgramBuilder();
        if (withFirst) {
            body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        }
        body(pb, pb.addFunction(List.of(I64), List.of(I64)));
        return pb.build();
    }

    @Test
    void codeRebuiltFromTheImageDoesNotDependOnThePlace() {
        VerifiedProgram alone = Verifier.verify(program(false));
        VerifiedProgram second = Verifier.verify(program(true));
        LoweredFunction a = Lowered.function(alone, 0);
        LoweredFunction b = Lowered.function(second, 1);
        assertNotEquals(0, Lowered.image(second).entry(1));
        assertEquals(a.codeLength(), b.codeLength());
        assertArrayEquals(a.code(), b.code());
        // with its entry at 0 and no function before it, the image holds the function's code as is
        int[] image = Lowered.image(alone).code();
        assertArrayEquals(java.util.Arrays.copyOf(image, a.codeLength()), a.code());
        assertSame(b.code(), b.code(), "made once, then kept");
        // both functions point at the same reference constants and tag lists through the image
        int[] whole = Lowered.image(second).code();
        assertEquals(Lowered.image(second).refs().length, 2 * a.refs().length);
        assertEquals(whole.length, Lowered.function(second, 0).codeLength() + b.codeLength());
    }

    @Test
    void pcsAreTheDecodedInstructions() {
        VerifiedProgram vp = Verifier.verify(program(true));
        for (int f = 0; f < 2; f++) {
            LoweredFunction lf = Lowered.function(vp, f);
            List<Instruction> ins = InstructionCodec.decodeAll(vp.program().functions().get(f).code());
            int[] pcOf = lf.pcOf();
            assertEquals(lf.codeLength(), pcOf.length);
            int starts = 0;
            for (int ip = 0; ip < pcOf.length; ip++) {
                if (pcOf[ip] >= 0) {
                    assertEquals(ins.get(starts).pc(), pcOf[ip]);
                    assertEquals(ip, lf.instructionStart(starts));
                    // the opcode as written (lowering fuses the i64.lt with its br, the opcode stays)
                    assertEquals(ins.get(starts).opcode().toByte(), lf.opcodeAt(ip));
                    starts++;
                }
            }
            assertEquals(ins.size(), starts);
            assertEquals(ins.size(), lf.instructionCount());
        }
    }
}
