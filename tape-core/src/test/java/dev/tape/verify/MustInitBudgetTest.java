package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.format.DecodedCode;
import dev.tape.program.Function;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The must-init pass ({@link MustInit}) is charged to the analysis budget for every fixpoint pass
 * after the second, {@code max(1, reachable blocks) x ceil(registers / 64)} units each: a
 * reducible function (two passes) is never charged, an irreducible ladder of {@code n} blocks
 * (n passes) is charged for {@code n - 2}.
 */
class MustInitBudgetTest {
    /**
     * An irreducible ladder: the entry sets r1 = true and branches to B0 and to Bn; B0 writes r2
     * ({@code mov r2, r2} when {@code uninitRead}, which reads it first, else {@code const.i64})
     * and jumps to B1; each Bi (0 < i < n) branches to B(i+1) and B(i-1); Bn jumps to B(n-1).
     * The blocks in reverse post-order are entry, B0, ..., Bn; the path entry, Bn, B(n-1), ...
     * never writes r2, and a pass of the must-init fixpoint carries that one block back, so the
     * fixpoint takes n passes (the first finds Bn and B(n-1) without r2, the k-th B(n-k), the
     * (n-1)-th B1, the n-th changes nothing).
     */
    static Program ladder(int n, int regs, boolean uninitRead) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label[] b = new FunctionBuilder.Label[n + 1];
        for (int i = 0; i <= n; i++) {
            b[i] = f.newLabel();
        }
        f.constBool(1, true);
        f.br(1, b[0], b[n]);
        f.place(b[0]);
        if (uninitRead) {
            f.mov(2, 2);
        } else {
            f.constI64(2, 0);
        }
        f.jmp(b[1]);
        for (int i = 1; i < n; i++) {
            f.place(b[i]);
            f.br(1, b[i + 1], b[i - 1]);
        }
        f.place(b[n]);
        f.jmp(b[n - 1]);
        f.regCount(regs);
        return pb.build();
    }

    /**
     * Loops nested {@code depth} deep (reducible: each entered only through its header): header
     * Hi branches to H(i+1) (the innermost to a body that writes r2 and jumps back to it) and to
     * an exit that jumps back to H(i-1); the outermost exit returns.
     */
    static Program nestedLoops(int depth, int regs) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label[] h = new FunctionBuilder.Label[depth];
        FunctionBuilder.Label[] x = new FunctionBuilder.Label[depth];
        for (int i = 0; i < depth; i++) {
            h[i] = f.newLabel();
            x[i] = f.newLabel();
        }
        FunctionBuilder.Label body = f.newLabel();
        f.constBool(1, true);
        f.jmp(h[0]);
        for (int i = 0; i < depth; i++) {
            f.place(h[i]);
            f.br(1, i + 1 < depth ? h[i + 1] : body, x[i]);
        }
        f.place(body);
        f.constI64(2, 1);
        f.jmp(h[depth - 1]);
        for (int i = depth - 1; i > 0; i--) {
            f.place(x[i]);
            f.jmp(h[i - 1]);
        }
        f.place(x[0]);
        f.ret(0);
        f.regCount(regs);
        return pb.build();
    }

    /** Runs the must-init pass alone on function 0 of {@code p} against a budget of {@code limit}. */
    private static void mustInit(Program p, long limit) throws VerifyException {
        Function fn = p.functions().get(0);
        DecodedCode dc = ControlFlow.decode(0, fn, new DecodedCode());
        ControlFlow cfg = ControlFlow.build(0, dc, fn.codeLength());
        int[] slot = new int[cfg.blockStart.length];
        for (int i = 0; i < cfg.order.length; i++) {
            slot[cfg.order[i]] = i;
        }
        MustInit.check(p, 0, cfg, slot, new AnalysisBudget(limit), new Lowerer.Buffers());
    }

    private static int reachableBlocks(Program p) throws VerifyException {
        Function fn = p.functions().get(0);
        DecodedCode dc = ControlFlow.decode(0, fn, new DecodedCode());
        return ControlFlow.build(0, dc, fn.codeLength()).order.length;
    }

    @Test
    void reducibleNestedLoopsAreNotCharged() throws Exception {
        for (int regs : new int[] {3, 64, 65, 4096}) {
            Program p = nestedLoops(300, regs);
            assertEquals(2 * 300 + 2, reachableBlocks(p));
            assertDoesNotThrow(() -> mustInit(p, 0));
        }
    }

    @Test
    void anIrreducibleLadderIsChargedForEveryPassAfterTheSecond() throws Exception {
        int n = 300;
        for (int regs : new int[] {3, 64, 65, 200}) {
            Program p = ladder(n, regs, false);
            int blocks = reachableBlocks(p);
            assertEquals(n + 2, blocks);
            long words = (regs + 63) / 64;
            long charge = (n - 2) * blocks * words;
            assertDoesNotThrow(() -> mustInit(p, charge));
            VerifyException e = assertThrows(VerifyException.class, () -> mustInit(p, charge - 1));
            assertEquals("AnalysisBudgetExceeded", e.kind());
            assertEquals(0, e.func());
            assertEquals(-1, e.pc());
        }
    }

    @Test
    void theVerifierRefusesTheLadderUnderASmallBudgetAndAcceptsItUnderALargeOne() {
        int n = 400;
        int regs = 3;
        Program p = ladder(n, regs, false);
        VerifiedProgram unbounded = new Verifier(Verifier.DEFAULT_MAX_REGS, Long.MAX_VALUE).check(p);
        long blocks = n + 2;
        // room for the bytecode and n + 8 type passes (the type analysis carries the missing r2
        // back as the must-init pass does), but not for the n - 2 charged must-init passes
        long small = p.functions().get(0).codeLength() + (n + 8) * blocks * regs;
        VerifyException e = assertThrows(VerifyException.class,
                () -> new Verifier(Verifier.DEFAULT_MAX_REGS, small).check(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals(0, e.func());
        assertEquals(-1, e.pc());
        // and room for the must-init passes and for the bytecode those type passes step
        long code = p.functions().get(0).codeLength();
        VerifiedProgram large = new Verifier(Verifier.DEFAULT_MAX_REGS, small + (n - 2) * blocks + (n + 8) * code)
                .check(p);
        assertArrayEquals(types(unbounded), types(large));
        assertEquals(ValueType.I64, large.registerType(0, 2));
    }

    private static ValueType[] types(VerifiedProgram vp) {
        ValueType[] t = new ValueType[vp.registerCount(0)];
        for (int r = 0; r < t.length; r++) {
            t[r] = vp.registerType(0, r);
        }
        return t;
    }

    @Test
    void aLargeLadderWithAnUninitialisedReadIsRefusedByTheBudget() {
        // 200,000 rungs (2.4 MB): the type analysis settles in two passes (r2 reads itself, so it is
        // uninitialised for it everywhere) and costs little; the must-init pass needed 200,000
        // passes of 200,002 blocks (about 15 minutes) before it was charged. Now the budget stops it
        // after about 70; without a budget the answer is the reference's, UninitializedRead.
        Program p = ladder(200_000, 3, true);
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals(0, e.func());
        assertEquals(-1, e.pc());
        VerifyException small = assertThrows(VerifyException.class, () -> Verifier.verify(ladder(300, 3, true)));
        assertEquals("UninitializedRead", small.kind());
        assertEquals(0, small.func());
        assertEquals("mov", small.mnemonic());
    }
}
