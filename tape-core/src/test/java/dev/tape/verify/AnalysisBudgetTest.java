package dev.tape.verify;

import dev.tape.format.ByteWriter;
import dev.tape.program.Function;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TapeBytes;
import dev.tape.program.TypeTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Verification work is bounded by {@link Verifier#DEFAULT_ANALYSIS_BUDGET}, not by what a file
 * declares. Both programs here were found while hardening the verifier: before the budget, the
 * first took about 4 ms per block (11 s for an 18 KB file with 3,000 blocks, and an
 * OutOfMemoryError a little further), and the second needed about 25 GB of per-register tables.
 * The third is a 1 MB file whose 100,000 function rows all name one 60 KB blob and one 30,000-entry
 * span table: the decoder copied the blob and the table into every function (6 GB).
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
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
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
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        // it stops at the function that crosses the budget, not after analysing all 100,000 (the
        // behaviour that keeps it quick, asserted without timing): each function costs its 3
        // bytecode bytes + 1 block x 65,536 registers
        assertEquals((int) (Verifier.DEFAULT_ANALYSIS_BUDGET / (65_536 + 3)), e.func());
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
        long code = p.functions().get(0).codeLength();
        long pass = 3L * 2; // 3 reachable blocks x 2 registers
        assertEquals("AnalysisBudgetExceeded", assertThrows(VerifyException.class,
                () -> new Verifier(Verifier.DEFAULT_MAX_REGS, code + pass).check(p)).kind());
        new Verifier(Verifier.DEFAULT_MAX_REGS, code + 2 * pass).check(p);
        // straight-line code needs one pass only
        Program straight = jumpChain(0, 2);
        new Verifier(Verifier.DEFAULT_MAX_REGS, straight.functions().get(0).codeLength() + 2).check(straight);
    }

    /** 100,000 function rows naming one 60,003-byte blob and one 30,000-entry span table. */
    static byte[] sharedBlobFile() {
        int n = 100_000;
        ByteWriter blobs = new ByteWriter();
        blobs.uleb(1);
        blobs.uleb(60_003);
        blobs.bytes(new byte[60_000]); // nop x 60,000
        blobs.bytes(new byte[] {0x51, 0x00, 0x00}); // ret r0
        ByteWriter spans = new ByteWriter();
        spans.uleb(1);
        spans.uleb(30_000);
        for (int i = 0; i < 30_000; i++) {
            spans.uleb(i == 0 ? 0 : 2);
            spans.uleb(1 + i);
        }
        ByteWriter funcs = new ByteWriter();
        ByteWriter sigs = new ByteWriter();
        funcs.uleb(n);
        sigs.uleb(n);
        for (int i = 0; i < n; i++) {
            funcs.bytes(new byte[] {0, 0, 1, 0, 0}); // no args or results, 1 register, blob 0, span table 0
            sigs.bytes(new byte[] {0, 0, 0, 0});
        }
        return TapeBytes.minimal(TapeBytes.SYMBOLS, TapeBytes.CONSTS, TapeBytes.TYPES,
                TapeBytes.hex(blobs.toByteArray()), TapeBytes.hex(spans.toByteArray()),
                TapeBytes.hex(funcs.toByteArray()), TapeBytes.hex(sigs.toByteArray()), TapeBytes.HOSTS);
    }

    @Test
    void sharedBlobsAreNeitherCopiedNorVerifiedWithoutBound() throws Exception {
        byte[] file = sharedBlobFile();
        assertTrue(file.length < 1_200_000, "file is " + file.length + " bytes");
        Program p = ProgramDecoder.decode(file);
        assertEquals(100_000, p.functions().size());
        // (a budget of 2^20 keeps the test short; the default's 2^24 takes about ten seconds here)
        long budget = 1L << 20;
        Verifier verifier = new Verifier(Verifier.DEFAULT_MAX_REGS, budget);
        VerifyException e = assertThrows(VerifyException.class, () -> verifier.check(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
        // each function costs 60,003 bytes + 30,000 span entries + 1 block x 1 register
        assertEquals((int) (budget / 90_004), e.func());
        // the same program with a budget for it verifies
        new Verifier(Verifier.DEFAULT_MAX_REGS, 1L << 34).check(new Program(p.symbols(), p.constants(), p.types(),
                p.functions().subList(0, 3), p.hostSigs(), p.callSigs(), p.argShapes(), p.names()));
    }
}
