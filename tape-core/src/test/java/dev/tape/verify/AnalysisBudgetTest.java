package dev.tape.verify;

import dev.tape.program.Function;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TypeTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

/**
 * Verification work is bounded by {@link Verifier#DEFAULT_ANALYSIS_BUDGET}, not by what a file
 * declares. Both programs here were found while hardening the verifier: before the budget, the
 * first took about 4 ms per block (11 s for an 18 KB file with 3,000 blocks, and an
 * OutOfMemoryError a little further), and the second needed about 25 GB of per-register tables.
 */
class AnalysisBudgetTest {
    /** A function declaring 65,536 registers whose body is {@code n} blocks of {@code jmp next}. */
    static Program jumpChain(int n, int regs) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label next = f.newLabel();
        for (int i = 0; i < n; i++) {
            f.jmp(next);
            f.place(next);
            next = f.newLabel();
        }
        f.ret(0);
        f.regCount(regs);
        return pb.build();
    }

    @Test
    void manyBlocksTimesManyRegistersIsRefusedQuickly() throws Exception {
        byte[] file = ProgramEncoder.encode(jumpChain(5_000, 65_536));
        Program p = ProgramDecoder.decode(file);
        VerifyException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(VerifyException.class, () -> Verifier.verify(p)));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals(0, e.func());
        // the same shape with few registers is fine
        Verifier.verify(jumpChain(5_000, 8));
    }

    @Test
    void manyFatFunctionsAreRefusedQuickly() {
        List<Function> fns = new ArrayList<>();
        byte[] ret = {0x51, 0x00, 0x00}; // ret r0, no results
        for (int i = 0; i < 100_000; i++) {
            fns.add(new Function(0, 0, 65_536, ret, List.of(), FunctionSig.of(List.of(), List.of())));
        }
        Program p = new Program(List.of(""), List.of(), TypeTable.EMPTY, fns, List.of(), List.of(), List.of(),
                Names.NONE);
        VerifyException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(VerifyException.class, () -> Verifier.verify(p)));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        assertEquals((int) (Verifier.DEFAULT_ANALYSIS_BUDGET / 65_536), e.func());
    }

    @Test
    void fixpointPassesAreCharged() throws Exception {
        // a loop: block 0 jumps to the loop head, which branches back to itself or out
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label out = f.newLabel();
        f.constBool(1, true).jmp(head);
        f.place(head).br(1, head, out);
        f.place(out).ret(0);
        Program p = pb.build();
        long pass = 3L * 2; // 3 reachable blocks x 2 registers
        assertEquals("AnalysisBudgetExceeded", assertThrows(VerifyException.class,
                () -> new Verifier(Verifier.DEFAULT_MAX_REGS, pass).check(p)).kind());
        new Verifier(Verifier.DEFAULT_MAX_REGS, 2 * pass).check(p);
        // straight-line code needs one pass only
        new Verifier(Verifier.DEFAULT_MAX_REGS, 2).check(jumpChain(0, 2));
    }
}
