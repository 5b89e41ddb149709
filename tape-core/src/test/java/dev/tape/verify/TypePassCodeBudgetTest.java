package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every fixpoint pass of the type analysis steps every reachable instruction, so a pass costs the
 * reachable bytecode as well as (reachable blocks x registers); the passes after the second are
 * charged both. Before, only the registers were: an irreducible ladder of 1,000 rungs (1,000
 * passes) beside a block of 400,000 {@code i64.add} (1.6 MB) was accepted by the default budget
 * and took 16 s to verify, the time growing with (rungs x instructions), not the budget.
 */
class TypePassCodeBudgetTest {
    /**
     * The entry writes r1 = true and r3 = 0, adds r3 to itself {@code adds} times, then enters a
     * ladder of {@code n} rungs at both ends ({@link MustInitBudgetTest#ladder} without the
     * self-read, so the type analysis, like the must-init pass, takes about {@code n} passes);
     * with {@code n} 0, a straight line: the adds and {@code ret}.
     */
    static Program ladderBesideCode(int n, int adds) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.constBool(1, true);
        f.constI64(3, 0);
        for (int i = 0; i < adds; i++) {
            f.i64Add(3, 3, 3);
        }
        if (n == 0) {
            f.ret(0);
        } else {
            FunctionBuilder.Label[] b = new FunctionBuilder.Label[n + 1];
            for (int i = 0; i <= n; i++) {
                b[i] = f.newLabel();
            }
            f.br(1, b[0], b[n]);
            f.place(b[0]);
            f.constI64(2, 0);
            f.jmp(b[1]);
            for (int i = 1; i < n; i++) {
                f.place(b[i]);
                f.br(1, b[i + 1], b[i - 1]);
            }
            f.place(b[n]);
            f.jmp(b[n - 1]);
        }
        f.regCount(4);
        return pb.build();
    }

    @Test
    void typePassesAfterTheSecondAreChargedTheReachableCode() {
        int n = 200;
        Program p = ladderBesideCode(n, 50_000);
        long code = p.functions().get(0).codeLength();
        long blocks = n + 2;
        // the bytecode, n + 8 type passes and n must-init passes, as charged before: about 0.4 M
        // units, while the passes step the 50,000 adds about 200 times (10 M instructions)
        long registersOnly = code + (n + 8) * blocks * 4 + n * blocks;
        VerifyException e = assertThrows(VerifyException.class,
                () -> new Verifier(Verifier.DEFAULT_MAX_REGS, registersOnly).check(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals(0, e.func());
        assertEquals(-1, e.pc());
        // with the code charged for every pass after the second, it fits
        long withCode = registersOnly + (n + 8) * code;
        assertEquals(4, new Verifier(Verifier.DEFAULT_MAX_REGS, withCode).check(p).registerCount(0));
    }

    @Test
    void theDefaultBudgetRefusesALongLadderBesideMuchCode() {
        // 1,000 rungs beside 400,000 adds: accepted in 16 s before; now refused after a few passes
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(ladderBesideCode(1_000, 400_000)));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals(0, e.func());
    }

    /** The entry writes r1 = true and r3 = 0; a loop adds r3 to itself {@code adds} times and repeats while r1; then ret. */
    static Program loopOfCode(int adds) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label loop = f.newLabel();
        FunctionBuilder.Label exit = f.newLabel();
        f.constBool(1, true);
        f.constI64(3, 0);
        f.jmp(loop);
        f.place(loop);
        for (int i = 0; i < adds; i++) {
            f.i64Add(3, 3, 3);
        }
        f.br(1, loop, exit);
        f.place(exit);
        f.ret(0);
        f.regCount(4);
        return pb.build();
    }

    @Test
    void aLoopTakesTwoPassesAndIsNotChargedForItsCode() {
        // the bytecode and two type passes of 3 blocks x 4 registers, exactly as before
        Program p = loopOfCode(100_000);
        long code = p.functions().get(0).codeLength();
        long charge = code + 2 * 3 * 4;
        assertEquals(4, new Verifier(Verifier.DEFAULT_MAX_REGS, charge).check(p).registerCount(0));
        VerifyException e = assertThrows(VerifyException.class,
                () -> new Verifier(Verifier.DEFAULT_MAX_REGS, charge - 1).check(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
    }
}
