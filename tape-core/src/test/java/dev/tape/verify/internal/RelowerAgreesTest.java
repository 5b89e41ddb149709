package dev.tape.verify.internal;

import dev.tape.gen.ValidPrograms;
import dev.tape.program.AggShape;
import dev.tape.program.ConformanceFiles;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A placed function lowered again ({@link Relowering}) must give exactly the code, constants and
 * tag lists the verifier lowered it to and placed in the image: the interpreter runs the image,
 * while traps, traces, snapshots and the compiled tier read the function's own code. The lowering
 * is done again from the register types the analysis fixed, without the analysis; here every
 * function's image slice, moved back to function-relative indices, must equal its
 * {@link LoweredFunction#code()}, and the image's constants and tag lists its own, for every
 * conformance vector that verifies, 300 generated programs and programs with argument shapes.
 */
class RelowerAgreesTest {
    /** Checks every function of {@code vp}; returns how many it checked. */
    static int agrees(VerifiedProgram vp, String what) {
        CodeImage image = Lowered.image(vp);
        int refAt = 0;
        int tagAt = 0;
        List<LoweredFunction> fns = Lowered.functions(vp);
        for (int f = 0; f < fns.size(); f++) {
            LoweredFunction lf = fns.get(f);
            int entry = image.entry(f);
            int[] back = Arrays.copyOfRange(image.code(), entry, entry + lf.codeLength());
            // relocate() reads the positions of the function lowered again: move the image's back
            lf.relocate(back, 0, -entry, -refAt, -tagAt);
            assertArrayEquals(back, lf.code(), what + ", function " + f);
            Object[] refs = lf.refs();
            for (int i = 0; i < refs.length; i++) {
                Object placed = image.refs()[refAt + i];
                assertEquals(placed.getClass(), refs[i].getClass(), what + ", function " + f + " ref " + i);
                assertEquals(String.valueOf(placed), String.valueOf(refs[i]), what + ", function " + f + " ref " + i);
            }
            byte[][] tags = lf.tags();
            for (int i = 0; i < tags.length; i++) {
                assertArrayEquals(image.tags()[tagAt + i], tags[i], what + ", function " + f + " tags " + i);
            }
            refAt += refs.length;
            tagAt += tags.length;
            assertEquals(lf.instructionCount(), vp.instructionCount(f), what + ", function " + f);
        }
        assertEquals(image.refs().length, refAt, what);
        assertEquals(image.tags().length, tagAt, what);
        return fns.size();
    }

    @Test
    void conformanceVectorsLowerAgainToTheirImage() {
        int programs = 0;
        for (Map.Entry<String, VerifiedProgram> v : ConformanceFiles.verified().entrySet()) {
            agrees(v.getValue(), v.getKey());
            programs++;
        }
        assertTrue(programs > 300, programs + " vectors verified");
    }

    @Test
    void generatedProgramsLowerAgainToTheirImage() {
        int functions = 0;
        for (long seed = 0; seed < 300; seed++) {
            functions += agrees(Verifier.verify(ValidPrograms.program(seed)), "seed " + seed);
        }
        assertTrue(functions > 300, functions + " functions");
    }

    /**
     * Argument shapes give the analysis the element types of an agg argument; the lowering reads
     * them only through the register types it fixed. Functions read an i64, an f64 and a string
     * element of shaped arguments, and build tuples of them (tag lists).
     */
    @Test
    void shapedArgumentsLowerAgainToTheirImage() {
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> elems = List.of(ValueType.I64, ValueType.F64, ValueType.STR);
        List<AggShape.ArgShape> shapes = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            FunctionBuilder f = pb.addFunction(List.of(ValueType.AGG, ValueType.I64), List.of(elems.get(s)));
            f.tupleGet(3, 1, s).tupleNew(4, 3, 2, 3).tupleGet(5, 4, 0).ret(0, 5);
            shapes.add(new AggShape.ArgShape(2 - s, 0, new AggShape.Tuple(elems)));
        }
        Program b = pb.build();
        Program p = new Program(b.symbols(), b.constants(), b.types(), b.functions(), b.hostSigs(), b.callSigs(),
                shapes, b.names());
        assertEquals(3, agrees(Verifier.verify(p), "shaped"));
    }
}
