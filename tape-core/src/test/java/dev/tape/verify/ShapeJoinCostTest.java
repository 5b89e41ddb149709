package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With shapes across blocks, a join keeps a register's tuple shape when both sides have equal
 * shapes. Two {@code tuple.new} of the same element types make two equal shapes; a join of
 * {@code k} registers holding them compared all {@code n} elements of each, {@code k x n} work
 * that nothing charged: 65,535 registers and 16,000 elements (650 KB) took 6 s, 1,000,000
 * elements (2.6 MB, well under the default budget) about half an hour; 20,000 registers and
 * 500,000 elements, as here, about a minute, and now under a second (the time limit is for the
 * machine's load). Tuple shapes are now one object per distinct element list in a
 * function, so a join compares references.
 */
class ShapeJoinCostTest {
    /**
     * The entry branches on r1 = true to P1 and P2; each makes r2 a tuple of {@code n} copies of
     * r1 (P2's last element r0 instead when {@code differ}) and moves it into r3 to r(k-1), then
     * jumps to J, which reads element {@code n - 1} of r(k-1) into r1 and returns.
     */
    static Program twoTuples(int k, int n, boolean differ) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label p1 = f.newLabel();
        FunctionBuilder.Label p2 = f.newLabel();
        FunctionBuilder.Label join = f.newLabel();
        f.constBool(1, true);
        f.br(1, p1, p2);
        int[] elems = new int[n];
        Arrays.fill(elems, 1);
        for (FunctionBuilder.Label p : List.of(p1, p2)) {
            f.place(p);
            if (differ && p == p2) {
                elems[n - 1] = 0;
            }
            f.tupleNew(2, elems);
            for (int r = 3; r < k; r++) {
                f.mov(r, 2);
            }
            f.jmp(join);
        }
        f.place(join);
        f.tupleGet(1, k - 1, n - 1);
        f.ret(0);
        f.regCount(k);
        return pb.build();
    }

    @Test
    void joiningManyRegistersOfEqualLongTuplesCostsTheRegistersNotTheirElements() {
        Program p = twoTuples(20_000, 500_000, false);
        VerifiedProgram v = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Verifier.verifyWithShapesAcrossBlocks(p));
        // the shape reached J on both edges: the element read there is a bool
        assertEquals(ValueType.BOOL, v.registerType(0, 1));
    }

    @Test
    void equalShapesStillJoinAndUnequalOnesStillDoNot() {
        Program same = twoTuples(8, 3, false);
        assertEquals(ValueType.BOOL, Verifier.verifyWithShapesAcrossBlocks(same).registerType(0, 1));
        // the reference keeps no shape across blocks: the read there is of unknown type, and r1
        // holds bool on the way in, so the program is refused; so is it when the shapes differ
        for (Program p : List.of(same, twoTuples(8, 3, true))) {
            VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
            assertEquals("UnstableRegType", e.kind());
        }
        VerifyException e = assertThrows(VerifyException.class,
                () -> Verifier.verifyWithShapesAcrossBlocks(twoTuples(8, 3, true)));
        assertEquals("UnstableRegType", e.kind());
    }
}
