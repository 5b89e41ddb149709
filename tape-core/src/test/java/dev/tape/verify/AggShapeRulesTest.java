package dev.tape.verify;

import dev.tape.asm.Assembler;
import dev.tape.format.DecodedCode;
import dev.tape.program.Program;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Where the verifier knows an aggregate's shape, decided as the reference decides it
 * ({@code forest-rs/execution}, {@code execution_tape/src/verifier.rs}: {@code transfer_types},
 * {@code validate_instr_types}, {@code compute_must_types}; {@code analysis/dataflow.rs}:
 * {@code solve_forward}). Each case names the reference rule it checks.
 */
class AggShapeRulesTest {
    private static final String HEAD = """
            program shapes
            struct @0 = { x: i64, flag: bool }

            """;

    private static Program asm(String body) {
        return Assembler.assemble(HEAD + body, "shapes.tasm");
    }

    private static void accepts(String body) {
        assertDoesNotThrow(() -> Verifier.verify(asm(body)));
    }

    /** Asserts the default verifier refuses {@code body} and the extension accepts it. */
    private static void acceptsWithTheExtension(String body) {
        assertThrows(VerifyException.class, () -> Verifier.verify(asm(body)));
        assertDoesNotThrow(() -> Verifier.verifyWithShapesAcrossBlocks(asm(body)));
    }

    /** Asserts the refusal's kind and that it is at instruction {@code ins} of function 0 (-1: no pc). */
    private static void refuses(String body, String kind, int ins) throws Exception {
        Program p = asm(body);
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(0, e.func(), e.getMessage());
        int pc = ins < 0 ? -1 : new DecodedCode().decode(p.functions().get(0).code()).pc(ins);
        assertEquals(pc, e.pc(), e.getMessage());
    }

    @Test
    void aTupleReadInTheBlockThatBuildsItIsTyped() {
        // transfer_types, TupleNew then TupleGet: the element's concrete type
        accepts("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    tuple.new r2, [r1]
                    tuple.get r3, r2, 0
                    ret r0, [r3]
                }
                """);
    }

    @Test
    void aShapeCrossesBlocksOnlyInThisProjectsExtension() throws Exception {
        // The reference refuses this: solve_forward meets each predecessor into a bottom state
        // whose aggs are all None and meet_agg(None, x) is None, so after the jmp r2 has no shape,
        // tuple.get gives an ambiguous value and ret's check_expected refuses it (UnknownTypeAtUse);
        // so does the default verifier. The extension keeps a shape every edge agrees on
        // (AggShapeSweepTest checks both rules).
        refuses("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    tuple.new r2, [r1]
                    jmp next
                next:
                    tuple.get r3, r2, 0
                    ret r0, [r3]
                }
                """, "UnknownTypeAtUse", 4);
        acceptsWithTheExtension("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    tuple.new r2, [r1]
                    jmp next
                next:
                    tuple.get r3, r2, 0
                    ret r0, [r3]
                }
                """);
        acceptsWithTheExtension("""
                func main(t: agg tuple(i64)) -> (i64) {
                    jmp next
                next:
                    tuple.get r2, r1, 0
                    ret r0, [r2]
                }
                """);
    }

    @Test
    void aReadOfUnknownShapeIsRefusedWithTheReferencesError() throws Exception {
        // an argument without a shape: ambiguous under both rules, so the reference's error is
        // reported: the ambiguous r3 is in the block's OUT state, UnstableRegType, with no pc
        refuses("""
                func main(t: agg, n: i64) -> (i64) {
                    jmp next
                next:
                    tuple.get r3, r1, 0
                    ret r0, [r2]
                }
                """, "UnstableRegType", -1);
        // overwritten in the same block: the one-type-per-register pass refuses the write itself
        refuses("""
                func main(t: agg, n: i64) -> (i64) {
                    tuple.get r3, r1, 0
                    const.i64 r3, 1
                    ret r0, [r3]
                }
                """, "UnstableRegTypeAt", 0);
        // used: check_expected at the use
        refuses("""
                func main(t: agg, n: i64) -> (i64) {
                    struct.get r3, r1, 0
                    i64.add r4, r3, r2
                    ret r0, [r4]
                }
                """, "UnknownTypeAtUse", 1);
        // where the two rules disagree on the kind of error, the reference's is reported: with
        // shapes across blocks r2 is a tuple of 1 (TupleIndexOutOfBounds at instruction 3); the
        // reference knows no shape there and refuses the ret (UnknownTypeAtUse, instruction 4)
        refuses("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    tuple.new r2, [r1]
                    jmp next
                next:
                    tuple.get r3, r2, 1
                    ret r0, [r3]
                }
                """, "UnknownTypeAtUse", 4);
    }

    @Test
    void aBackEdgeIntoTheEntryKeepsAnEqualShape() {
        // block 0's IN is the entry state met with each edge into it: the loop's own OUT keeps r1's
        // shape (meet_agg of two equal shapes), so the read stays typed, under the reference's rule
        accepts("""
                func main(t: agg tuple(i64), n: i64) -> (i64) {
                top:
                    tuple.get r3, r1, 0
                    const.bool r4, false
                    br r4, top, done
                done:
                    ret r0, [r3]
                }
                """);
    }

    @Test
    void aStructReadFromATupleHasNoShape() throws Exception {
        // tuple.get of an agg element is set_value(dst, Agg), which leaves dst's shape as it was:
        // none for a fresh register, so struct.get on it is ambiguous (refused at the ret)
        refuses("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    const.bool r2, true
                    struct.new r3, @0, [r1, r2]
                    tuple.new r4, [r3]
                    tuple.get r5, r4, 0
                    struct.get r6, r5, 0
                    ret r0, [r6]
                }
                """, "UnknownTypeAtUse", 6);
    }

    @Test
    void anAggResultKeepsTheRegistersEarlierShape() {
        // the same set_value rule: r3 held a struct shape in this block, so the read is typed from
        // it (the value is checked at run time: AggShapeTiersTest runs this on both tiers)
        accepts("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    const.bool r2, true
                    struct.new r3, @0, [r1, r2]
                    tuple.new r4, [r2]
                    tuple.new r5, [r4]
                    tuple.get r3, r5, 0
                    struct.get r6, r3, 0
                    ret r0, [r6]
                }
                """);
    }

    @Test
    void movCarriesTheShapeWithinABlock() {
        // copy_reg copies the source's aggs entry
        accepts("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    const.bool r2, true
                    struct.new r3, @0, [r1, r2]
                    mov r4, r3
                    struct.get r5, r4, 0
                    ret r0, [r5]
                }
                """);
    }

    @Test
    void aKindMismatchIsRefusedOnlyWhereTheShapeIsKnown() throws Exception {
        // validate_instr_types, TupleLen: AggKindMismatch only `if let Some(meta)`
        refuses("""
                func main() -> (u64) {
                    const.i64 r1, 7
                    const.bool r2, true
                    struct.new r3, @0, [r1, r2]
                    tuple.len r4, r3
                    ret r0, [r4]
                }
                """, "AggKindMismatch", 3);
        // after a jmp the reference knows no shape: accepted, checked at run time
        // (AggShapeTiersTest); the shape this project carries across blocks is not used to refuse it
        accepts("""
                func main() -> (u64) {
                    const.i64 r1, 7
                    const.bool r2, true
                    struct.new r3, @0, [r1, r2]
                    jmp next
                next:
                    tuple.len r4, r3
                    ret r0, [r4]
                }
                """);
        // an index past a known tuple's end is refused; past an unknown one it is ambiguous
        refuses("""
                func main() -> (i64) {
                    const.i64 r1, 7
                    tuple.new r2, [r1]
                    tuple.get r3, r2, 1
                    ret r0, [r3]
                }
                """, "TupleIndexOutOfBounds", 2);
    }
}
